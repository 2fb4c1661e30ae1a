package graph

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"sync"

	fb "github.com/huandu/facebook/v2"
)

// Call is a Graph call as DryRun recorded it: what the Client would have sent,
// without the token, the proof and format=json.
type Call struct {
	Method string     // GET or POST
	Path   string     // without the version, e.g. "/123_456/comments"
	Params url.Values // as sent on the wire: maps are JSON strings
}

// DryRun has the methods of Client but sends nothing: it records the calls it
// would have made and answers with fake ids ("dryrun-1", …). pagebot uses it
// when no Page token is configured, so that the whole pipeline runs and staff
// can see what the bot would have done. It is safe for concurrent use.
//
// It remembers what it did to each comment, so that Comment reports a
// comment hidden after HideComment and closed to private replies after
// PrivateReply, and PageReplies lists the replies ReplyComment recorded, as
// Graph would.
type DryRun struct {
	pageID string

	mu       sync.Mutex
	calls    []Call
	seq      int
	comments map[string]*CommentInfo
	replies  map[string][]string // fake reply ids by comment, oldest first
}

// NewDryRun returns a DryRun acting for pageID (which may be a placeholder).
func NewDryRun(pageID string) *DryRun {
	return &DryRun{pageID: pageID, comments: make(map[string]*CommentInfo), replies: make(map[string][]string)}
}

// Calls returns the recorded calls in order.
func (d *DryRun) Calls() []Call {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Call(nil), d.calls...)
}

// ReplyComment records a reply and returns a fake comment id.
func (d *DryRun) ReplyComment(ctx context.Context, commentID, text string) (string, error) {
	return replyComment(ctx, d.send, commentID, text)
}

// HideComment records hiding or unhiding.
func (d *DryRun) HideComment(ctx context.Context, commentID string, hidden bool) error {
	return hideComment(ctx, d.send, commentID, hidden)
}

// PrivateReply records a private reply and returns a fake message id.
func (d *DryRun) PrivateReply(ctx context.Context, commentID, text string) (string, error) {
	return privateReply(ctx, d.send, d.pageID, commentID, text)
}

// SendMessage records a message and returns a fake message id.
func (d *DryRun) SendMessage(ctx context.Context, psid, text string, opts SendOptions) (string, error) {
	return sendMessage(ctx, d.send, d.pageID, psid, text, opts)
}

// MarkSeen records a seen marker.
func (d *DryRun) MarkSeen(ctx context.Context, psid string) error {
	return markSeen(ctx, d.send, d.pageID, psid)
}

// PassThreadToInbox records a handover to the Page inbox.
func (d *DryRun) PassThreadToInbox(ctx context.Context, psid, metadata string) error {
	return passThread(ctx, d.send, d.pageID, psid, metadata)
}

// Comment records the read and returns what the dry run did to the comment.
func (d *DryRun) Comment(ctx context.Context, commentID string) (CommentInfo, error) {
	return comment(ctx, d.send, commentID)
}

// PageReplies records the read and returns the ids of the replies recorded
// under the comment, newest first.
func (d *DryRun) PageReplies(ctx context.Context, commentID string) ([]string, error) {
	return pageReplies(ctx, d.send, d.pageID, commentID)
}

func (d *DryRun) send(ctx context.Context, r request) (fb.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Op: r.op, Class: Transient, Message: err.Error(), err: err}
	}
	var buf bytes.Buffer
	if _, err := r.freshParams().Encode(&buf); err != nil {
		return nil, &Error{Op: r.op, Class: Permanent, Message: "encode params: " + err.Error(), err: err}
	}
	params, err := url.ParseQuery(buf.String())
	if err != nil {
		return nil, &Error{Op: r.op, Class: Permanent, Message: "encode params: " + err.Error(), err: err}
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, Call{Method: string(r.method), Path: r.path, Params: params})
	d.seq++
	fake := fmt.Sprintf("dryrun-%d", d.seq)
	state := d.comments[r.target]
	if state == nil && (r.op == opHideComment || r.op == opPrivateReply || r.op == opComment) {
		state = &CommentInfo{ID: r.target, CanReplyPrivately: true}
		d.comments[r.target] = state
	}
	switch r.op {
	case opHideComment:
		state.IsHidden = r.params["is_hidden"] == true
	case opPrivateReply:
		state.CanReplyPrivately = false
	case opReplyComment:
		d.replies[r.target] = append(d.replies[r.target], fake)
	case opPageReplies:
		// One page, newest first, as the client asks for.
		ids := d.replies[r.target]
		data := make([]any, 0, len(ids))
		for i := len(ids) - 1; i >= 0; i-- {
			data = append(data, map[string]any{"id": ids[i], "from": map[string]any{"id": d.pageID}})
		}
		return fb.Result{"data": data}, nil
	}

	switch r.result {
	case resultID:
		return fb.Result{"id": fake}, nil
	case resultSuccess:
		return fb.Result{"success": true}, nil
	case resultMessage:
		recipient := r.target
		if r.op == opPrivateReply {
			recipient = "dryrun-psid" // Graph answers with the commenter's PSID
		}
		return fb.Result{"recipient_id": recipient, "message_id": fake}, nil
	case resultRecipient:
		return fb.Result{"recipient_id": r.target}, nil
	}
	return fb.Result{
		"id": state.ID, "is_hidden": state.IsHidden, "can_reply_privately": state.CanReplyPrivately,
	}, nil
}
