package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	fb "github.com/huandu/facebook/v2"
)

// Operation names, used in Error.Op and in error messages.
const (
	opReplyComment = "reply comment"
	opHideComment  = "hide comment"
	opPrivateReply = "private reply"
	opSendMessage  = "send message"
	opMarkSeen     = "mark seen"
	opPassThread   = "pass thread"
	opComment      = "get comment"
	opPageReplies  = "list page replies"
)

// PageInboxAppID is the app id of the Page inbox (Meta Business Suite): pass
// the thread to it to hand a user to a human, and recognise its echoes.
const PageInboxAppID = "263902037430900"

// Limits of the Send API, checked before calling so that a too-long text is a
// clear Permanent error rather than a Graph code 100.
const (
	MaxTextLen     = 2000 // characters in message.text
	MaxMetadataLen = 1000 // characters in message.metadata
)

// commentFields are the fields Comment reads.
const commentFields = "can_reply_privately,is_hidden,from,message"

// How PageReplies reads a comment's replies: pages of replyPageSize, newest
// first, at most maxReplyPages of them.
const (
	replyPageSize = 100
	maxReplyPages = 10
)

// resultKind says which success body an endpoint returns, so that the client
// can check it and the dry run can fake it.
type resultKind int

const (
	resultID        resultKind = iota // {"id":"..."}
	resultSuccess                     // {"success":true}
	resultMessage                     // {"recipient_id":"...","message_id":"..."}
	resultRecipient                   // {"recipient_id":"..."}
	resultComment                     // a comment object
	resultList                        // {"data":[...],"paging":{...}}
)

// request is one Graph call, built once and sent by *Client or recorded by
// *DryRun, so that both agree on what is sent.
type request struct {
	op     string
	method fb.Method
	path   string
	params fb.Params
	// idempotent calls set a state (hide, mark seen) or read; they may be
	// resent after an answer was lost. Replies and messages may not.
	idempotent bool
	result     resultKind
	// target is the comment or PSID the call acts on, for the dry run.
	target string
}

// freshParams returns a copy of r.params: huandu/facebook adds format,
// access_token and appsecret_proof to the map it is given.
func (r request) freshParams() fb.Params {
	p := make(fb.Params, len(r.params))
	for k, v := range r.params {
		p[k] = v
	}
	return p
}

// sender sends a request and returns the decoded success body.
type sender func(ctx context.Context, r request) (fb.Result, error)

func invalid(op, format string, args ...any) *Error {
	return &Error{Op: op, Class: Permanent, Message: fmt.Sprintf(format, args...)}
}

// checkID refuses ids that would change the request path or query: ids come
// from webhook payloads and end up in the URL.
func checkID(op, name, id string) error {
	if id == "" {
		return invalid(op, "%s is empty", name)
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '-') {
			return invalid(op, "%s %q has characters other than letters, digits, '_' and '-'", name, id)
		}
	}
	return nil
}

func checkText(op, text string) error {
	if strings.TrimSpace(text) == "" {
		return invalid(op, "text is empty")
	}
	if n := utf8.RuneCountInString(text); n > MaxTextLen {
		return invalid(op, "text has %d characters, more than %d", n, MaxTextLen)
	}
	return nil
}

func replyCommentRequest(commentID, text string) (request, error) {
	if err := checkID(opReplyComment, "comment id", commentID); err != nil {
		return request{}, err
	}
	if strings.TrimSpace(text) == "" {
		return request{}, invalid(opReplyComment, "text is empty")
	}
	return request{
		op: opReplyComment, method: fb.POST, path: "/" + commentID + "/comments",
		params: fb.Params{"message": text}, result: resultID, target: commentID,
	}, nil
}

func hideCommentRequest(commentID string, hidden bool) (request, error) {
	if err := checkID(opHideComment, "comment id", commentID); err != nil {
		return request{}, err
	}
	return request{
		op: opHideComment, method: fb.POST, path: "/" + commentID,
		params: fb.Params{"is_hidden": hidden}, idempotent: true, result: resultSuccess, target: commentID,
	}, nil
}

func privateReplyRequest(pageID, commentID, text string) (request, error) {
	if err := checkID(opPrivateReply, "comment id", commentID); err != nil {
		return request{}, err
	}
	if err := checkText(opPrivateReply, text); err != nil {
		return request{}, err
	}
	return request{
		op: opPrivateReply, method: fb.POST, path: "/" + pageID + "/messages",
		params: fb.Params{
			"recipient": map[string]string{"comment_id": commentID},
			"message":   map[string]string{"text": text},
		},
		result: resultMessage, target: commentID,
	}, nil
}

func sendMessageRequest(pageID, psid, text string, opts SendOptions) (request, error) {
	if err := checkID(opSendMessage, "psid", psid); err != nil {
		return request{}, err
	}
	if err := checkText(opSendMessage, text); err != nil {
		return request{}, err
	}
	if n := utf8.RuneCountInString(opts.Metadata); n > MaxMetadataLen {
		return request{}, invalid(opSendMessage, "metadata has %d characters, more than %d", n, MaxMetadataLen)
	}
	msg := map[string]string{"text": text}
	if opts.Metadata != "" {
		msg["metadata"] = opts.Metadata
	}
	p := fb.Params{
		"recipient":      map[string]string{"id": psid},
		"messaging_type": "RESPONSE",
		"message":        msg,
	}
	if opts.HumanAgent {
		p["messaging_type"] = "MESSAGE_TAG"
		p["tag"] = "HUMAN_AGENT"
	}
	return request{
		op: opSendMessage, method: fb.POST, path: "/" + pageID + "/messages",
		params: p, result: resultMessage, target: psid,
	}, nil
}

func markSeenRequest(pageID, psid string) (request, error) {
	if err := checkID(opMarkSeen, "psid", psid); err != nil {
		return request{}, err
	}
	return request{
		op: opMarkSeen, method: fb.POST, path: "/" + pageID + "/messages",
		params: fb.Params{
			"recipient":     map[string]string{"id": psid},
			"sender_action": "mark_seen",
		},
		idempotent: true, result: resultRecipient, target: psid,
	}, nil
}

func passThreadRequest(pageID, psid, metadata string) (request, error) {
	if err := checkID(opPassThread, "psid", psid); err != nil {
		return request{}, err
	}
	if n := utf8.RuneCountInString(metadata); n > MaxMetadataLen {
		return request{}, invalid(opPassThread, "metadata has %d characters, more than %d", n, MaxMetadataLen)
	}
	p := fb.Params{
		"recipient":     map[string]string{"id": psid},
		"target_app_id": PageInboxAppID,
	}
	if metadata != "" {
		p["metadata"] = metadata
	}
	return request{
		op: opPassThread, method: fb.POST, path: "/" + pageID + "/pass_thread_control",
		params: p, result: resultSuccess, target: psid,
	}, nil
}

func commentRequest(commentID string) (request, error) {
	if err := checkID(opComment, "comment id", commentID); err != nil {
		return request{}, err
	}
	return request{
		op: opComment, method: fb.GET, path: "/" + commentID,
		params: fb.Params{"fields": commentFields}, idempotent: true, result: resultComment, target: commentID,
	}, nil
}

// pageRepliesRequest reads one page of the comments under commentID: its
// replies at every depth (filter=stream: the default filter may leave some
// out), newest first, so that a reply just posted is on the first page.
// after is the cursor of the page to read, "" for the first.
func pageRepliesRequest(commentID, after string) (request, error) {
	if err := checkID(opPageReplies, "comment id", commentID); err != nil {
		return request{}, err
	}
	p := fb.Params{"fields": "id,from", "filter": "stream", "order": "reverse_chronological", "limit": replyPageSize}
	if after != "" {
		p["after"] = after
	}
	return request{
		op: opPageReplies, method: fb.GET, path: "/" + commentID + "/comments",
		params: p, idempotent: true, result: resultList, target: commentID,
	}, nil
}

// stringField reads a string (or number) field of a Graph answer.
func stringField(res fb.Result, key string) string {
	switch v := res[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

// checkResult verifies that a success body has the shape the endpoint
// promises. A 200 answer without it probably did take effect, hence MaybeDone.
func checkResult(r request, res fb.Result) *Error {
	missing := func(what string) *Error {
		return &Error{Op: r.op, Class: Permanent, MaybeDone: true, Message: "answer has no " + what}
	}
	switch r.result {
	case resultID:
		if stringField(res, "id") == "" {
			return missing("id")
		}
	case resultMessage:
		if stringField(res, "message_id") == "" {
			return missing("message_id")
		}
	case resultSuccess:
		// huandu/facebook turns a bare `true` body into a nil Result.
		if res != nil && res["success"] != true {
			return missing("success=true")
		}
	case resultList:
		// A read: nothing can have taken effect.
		if _, ok := res["data"].([]any); !ok {
			return &Error{Op: r.op, Class: Permanent, Message: "answer has no data list"}
		}
	}
	return nil
}

// Shared implementations of the API methods, used by *Client and *DryRun.

func replyComment(ctx context.Context, send sender, commentID, text string) (string, error) {
	r, err := replyCommentRequest(commentID, text)
	if err != nil {
		return "", err
	}
	res, err := send(ctx, r)
	if err != nil {
		return "", err
	}
	return stringField(res, "id"), nil
}

func hideComment(ctx context.Context, send sender, commentID string, hidden bool) error {
	r, err := hideCommentRequest(commentID, hidden)
	if err != nil {
		return err
	}
	_, err = send(ctx, r)
	return err
}

func privateReply(ctx context.Context, send sender, pageID, commentID, text string) (string, error) {
	r, err := privateReplyRequest(pageID, commentID, text)
	if err != nil {
		return "", err
	}
	res, err := send(ctx, r)
	if err != nil {
		return "", err
	}
	return stringField(res, "message_id"), nil
}

func sendMessage(ctx context.Context, send sender, pageID, psid, text string, opts SendOptions) (string, error) {
	r, err := sendMessageRequest(pageID, psid, text, opts)
	if err != nil {
		return "", err
	}
	res, err := send(ctx, r)
	if err != nil {
		return "", err
	}
	return stringField(res, "message_id"), nil
}

func markSeen(ctx context.Context, send sender, pageID, psid string) error {
	r, err := markSeenRequest(pageID, psid)
	if err != nil {
		return err
	}
	_, err = send(ctx, r)
	return err
}

func passThread(ctx context.Context, send sender, pageID, psid, metadata string) error {
	r, err := passThreadRequest(pageID, psid, metadata)
	if err != nil {
		return err
	}
	_, err = send(ctx, r)
	return err
}

func comment(ctx context.Context, send sender, commentID string) (CommentInfo, error) {
	r, err := commentRequest(commentID)
	if err != nil {
		return CommentInfo{}, err
	}
	res, err := send(ctx, r)
	if err != nil {
		return CommentInfo{}, err
	}
	var raw struct {
		ID                string `facebook:"id"`
		Message           string `facebook:"message"`
		IsHidden          bool   `facebook:"is_hidden"`
		CanReplyPrivately bool   `facebook:"can_reply_privately"`
		From              struct {
			ID   string `facebook:"id"`
			Name string `facebook:"name"`
		} `facebook:"from"`
	}
	if err := res.Decode(&raw); err != nil {
		return CommentInfo{}, &Error{Op: opComment, Class: Permanent, Message: "decode answer: " + err.Error(), err: err}
	}
	return CommentInfo{
		ID: raw.ID, Message: raw.Message, FromID: raw.From.ID, FromName: raw.From.Name,
		IsHidden: raw.IsHidden, CanReplyPrivately: raw.CanReplyPrivately,
	}, nil
}

// pageReplies reads the replies under commentID page by page and keeps the
// Page's.
func pageReplies(ctx context.Context, send sender, pageID, commentID string) ([]string, error) {
	var ids []string
	after := ""
	for range maxReplyPages {
		r, err := pageRepliesRequest(commentID, after)
		if err != nil {
			return nil, err
		}
		res, err := send(ctx, r)
		if err != nil {
			return nil, err
		}
		var page struct {
			Data []struct {
				ID   string `facebook:"id"`
				From struct {
					ID string `facebook:"id"`
				} `facebook:"from"`
			} `facebook:"data"`
			Paging struct {
				Next    string `facebook:"next"`
				Cursors struct {
					After string `facebook:"after"`
				} `facebook:"cursors"`
			} `facebook:"paging"`
		}
		if err := res.Decode(&page); err != nil {
			return nil, &Error{Op: opPageReplies, Class: Permanent, Message: "decode answer: " + err.Error(), err: err}
		}
		for _, c := range page.Data {
			if c.ID != "" && c.From.ID == pageID {
				ids = append(ids, c.ID)
			}
		}
		// Graph gives a next link only when there is more to read.
		if page.Paging.Next == "" || page.Paging.Cursors.After == "" {
			return ids, nil
		}
		after = page.Paging.Cursors.After
	}
	return nil, &Error{Op: opPageReplies, Class: Permanent,
		Message: fmt.Sprintf("comment has more than %d replies: cannot tell them all", maxReplyPages*replyPageSize)}
}
