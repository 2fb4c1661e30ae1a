package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	fb "github.com/huandu/facebook/v2"
)

// Class says what the caller should do about a failed call. Graph API error
// codes are many and overlapping; the outbox only needs to know whether to
// retry, wait, give up, or consider the job finished.
//
// The zero Class is Permanent, so that an error nobody classified is never
// retried by accident.
type Class int

// The classes, from the table of Graph error codes in the platform reference.
const (
	// Permanent errors will fail again if retried: invalid token (190),
	// missing permission (10, 200–299), blocked Page (368), bad parameter
	// (100). They need a person to fix the configuration or the code.
	Permanent Class = iota
	// Transient errors (1, 2, is_transient, network errors, HTML 5xx pages)
	// may succeed when retried after a short backoff.
	Transient
	// RateLimited errors (4, 17, 32, 341, 613, 80001, 80006…) mean the app or
	// the Page is throttled: back off longer, for Error.RegainAccess if known.
	RateLimited
	// Done errors mean the action needs no retry because its goal is already
	// reached or moot: a duplicate post (506), hiding or replying to a comment
	// that no longer exists (100/33). Callers treat Done as success.
	Done
	// Dropped errors mean this user cannot receive this message: outside the
	// 24-hour window, unknown PSID, user blocked the Page, comment no longer
	// eligible for a private reply, thread owned by another app. Not retried;
	// the caller records that the message was dropped.
	Dropped
)

// String returns the lowercase name of the class, for logs and metrics.
func (c Class) String() string {
	switch c {
	case Permanent:
		return "permanent"
	case Transient:
		return "transient"
	case RateLimited:
		return "rate_limited"
	case Done:
		return "done"
	case Dropped:
		return "dropped"
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// Error is a failed Graph API call, classified. It carries the Graph error
// fields that are worth logging (code, subcode, fbtrace_id) and never the
// access token, app secret or appsecret_proof, so that it can be logged as is.
type Error struct {
	// Op is the operation that failed, e.g. "reply comment".
	Op string
	// Code and Subcode are Graph's "code" and "error_subcode"; both are zero
	// for transport errors.
	Code, Subcode int
	// Type is Graph's error "type", e.g. "OAuthException".
	Type string
	// Message describes the failure: Graph's message, or the transport error.
	Message string
	// TraceID is Graph's "fbtrace_id", which Meta support asks for.
	TraceID string
	// Class says whether and when to retry.
	Class Class
	// RegainAccess is Graph's estimate of when a throttled Page may call
	// again (X-Business-Use-Case-Usage estimated_time_to_regain_access),
	// zero when unknown.
	RegainAccess time.Duration
	// MaybeDone reports that the request may have reached Graph and taken
	// effect although no answer came back (timeout, connection reset, HTML
	// 5xx page). A reply or a message in that state is not resent by the
	// client: the caller checks first (see Client).
	MaybeDone bool

	err error
}

// Error returns a one-line description without secrets.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("graph: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if e.Code != 0 {
		fmt.Fprintf(&b, " (code %d", e.Code)
		if e.Subcode != 0 {
			fmt.Fprintf(&b, ", subcode %d", e.Subcode)
		}
		if e.TraceID != "" {
			fmt.Fprintf(&b, ", fbtrace_id %s", e.TraceID)
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, " [%s", e.Class)
	if e.MaybeDone {
		b.WriteString(", maybe done")
	}
	if e.RegainAccess > 0 {
		fmt.Fprintf(&b, ", regain access in %s", e.RegainAccess)
	}
	b.WriteString("]")
	return b.String()
}

// Unwrap returns the underlying error (*fb.Error, *fb.UnmarshalError, a
// transport or context error), so that errors.Is(err, context.Canceled)
// works. Its text is not redacted: log the *Error, not what it wraps.
func (e *Error) Unwrap() error { return e.err }

// Classify tells the caller what to do about err: a nil error is Done, an
// *Error keeps the class given when it was made, a raw *fb.Error is looked up
// in the code table, network errors, *fb.UnmarshalError (an HTML 5xx page
// instead of JSON) and context errors are Transient, anything else is
// Permanent.
//
// Context errors are Transient because the action was not done and may be
// done later; the client itself never retries once its context is done.
func Classify(err error) Class {
	if err == nil {
		return Done
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	var fe *fb.Error
	if errors.As(err, &fe) {
		return classifyGraph("", fe)
	}
	if isTransport(err) {
		return Transient
	}
	return Permanent
}

// isTransport reports whether err is a transport failure: the request may not
// have reached Graph, or its answer was lost or unreadable.
func isTransport(err error) bool {
	var (
		ue   *fb.UnmarshalError
		ne   net.Error
		uerr *url.Error
	)
	return errors.As(err, &ue) || errors.As(err, &ne) || errors.As(err, &uerr) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// notSent reports whether a transport error happened before the request left:
// a failed dial (refused connection, DNS failure) cannot have taken effect.
func notSent(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

// Graph error codes and subcodes used by classifyGraph, from Meta's "Graph API
// error codes" and "Send API error codes" pages.
const (
	codeUnknown         = 1
	codeService         = 2
	codeAppRateLimit    = 4
	codeUserRateLimit   = 17
	codePageRateLimit   = 32
	codeAppLimit        = 341
	codeCustomRateLimit = 613
	codePermission      = 10
	codeInvalidParam    = 100
	codeBlocked         = 368
	codeToken           = 190
	codeDuplicate       = 506
	codeUnavailable     = 551

	subGone                   = 33
	subNoUser                 = 2018001
	subOutsideWindow          = 2018278
	subOutsideWindowTag       = 2534022
	subCannotReceive          = 2018108
	subUnavailableUser        = 1545041
	subNotEligible            = 2534025
	subTagMisuse              = 2018338
	subOtherThreadOwner       = 2534037
	codeOtherThreadOwner      = 2018300
	codeBUCFirst, codeBUCLast = 80000, 80014
)

// classifyGraph maps a Graph error to a class. op matters only for 100/33
// (object gone): a reply to a deleted comment, a check of it or of its
// replies is moot (Done), a private reply to it is Dropped, and elsewhere it
// is a bug (Permanent). An empty op is treated as a comment operation.
func classifyGraph(op string, fe *fb.Error) Class {
	code, sub := fe.Code, fe.ErrorSubcode
	switch {
	case code == codeDuplicate:
		return Done
	case code == codeInvalidParam && sub == subGone:
		switch op {
		case "", opReplyComment, opHideComment, opComment, opPageReplies:
			return Done
		case opPrivateReply:
			return Dropped
		}
		return Permanent
	case code == codeInvalidParam && (sub == subNoUser || sub == subNotEligible || sub == subOtherThreadOwner ||
		strings.Contains(strings.ToLower(fe.Message), "no matching user")):
		return Dropped
	case code == codePermission && (sub == subOutsideWindow || sub == subOutsideWindowTag || sub == subCannotReceive):
		return Dropped
	case code == codeUnavailable || sub == subUnavailableUser:
		return Dropped
	case code == codeOtherThreadOwner || sub == codeOtherThreadOwner:
		return Dropped
	case code == codeCustomRateLimit && sub == subTagMisuse:
		return Permanent
	case code == codeAppRateLimit, code == codeUserRateLimit, code == codePageRateLimit,
		code == codeAppLimit, code == codeCustomRateLimit, code >= codeBUCFirst && code <= codeBUCLast:
		return RateLimited
	case code == codeUnknown, code == codeService:
		return Transient
	case code == codeBlocked, code == codeToken, code == codePermission, code == codeInvalidParam,
		code >= 200 && code <= 299:
		return Permanent
	case fe.IsTransient:
		return Transient
	}
	return Permanent
}
