package pagebot

import (
	"errors"
	"fmt"
)

// Error codes shared by every package. They say what kind of failure it was,
// so that the console and the API can choose a status and a message for staff.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
)

// Error is an error meant to be shown to staff: Message is written in French
// for a community manager, not for an engineer. Errors of any other type are
// internal and are shown as a generic message.
type Error struct {
	Code    string
	Message string
}

// Error returns the message with its code, for logs.
func (e *Error) Error() string {
	return fmt.Sprintf("pagebot error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with a formatted French message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the staff-facing message of err: the message of an
// *Error, or a generic one for internal errors, whose details belong in logs.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Erreur interne."
}
