package pagebot

import (
	"encoding/json"
	"time"
)

// EventKind says what happened on the Page.
type EventKind string

// The events pagebot stores. Meta sends many more (reactions, reads,
// deliveries); the webhook keeps only these.
const (
	// EventCommentAdd is a new comment (or reply) under a Page post.
	EventCommentAdd EventKind = "comment_add"
	// EventCommentEdited is a comment whose text changed: it is checked
	// again, since someone may add their IBAN in an edit.
	EventCommentEdited EventKind = "comment_edited"
	// EventCommentRemove is a comment deleted by its writer or the Page.
	EventCommentRemove EventKind = "comment_remove"
	// EventCommentHide and EventCommentUnhide follow the comment's visibility.
	EventCommentHide   EventKind = "comment_hide"
	EventCommentUnhide EventKind = "comment_unhide"
	// EventMessage is a private Messenger message (text or quick reply).
	EventMessage EventKind = "message"
	// EventPostback is a button press in Messenger.
	EventPostback EventKind = "postback"
	// EventEcho is a message sent by the Page (by pagebot or by a human agent
	// in the Page inbox); never answered, it tells when a human took over.
	EventEcho EventKind = "echo"
	// EventStandby is a message received while another app owns the thread;
	// recorded, never answered.
	EventStandby EventKind = "standby"
)

// Event is one thing received from Meta, as stored: deduplicated by Key, with
// the text already masked. It is the unit of durable work: once the webhook
// has stored it, Meta gets its 200 and pagebot must handle it exactly once.
type Event struct {
	ID int64 `json:"id"`
	// Key identifies the event across Meta's retries and duplicate
	// deliveries: "comment:<comment_id>:<verb>[:<text hash>]",
	// "message:<mid>", "postback:<mid or psid+timestamp>", "echo:<mid>".
	Key     string    `json:"key"`
	PageID  string    `json:"page_id"`
	Kind    EventKind `json:"kind"`
	Channel Channel   `json:"channel"`
	// ObjectID is the comment id (comments) or message id (messages).
	ObjectID string `json:"object_id"`
	// PostID and ParentID place a comment: ParentID == PostID for a
	// top-level comment.
	PostID   string `json:"post_id,omitempty"`
	ParentID string `json:"parent_id,omitempty"`
	// SenderID is the commenter's id or the Messenger PSID.
	SenderID string `json:"sender_id"`
	// SenderName is the writer's first name only (for the console).
	SenderName string `json:"sender_name,omitempty"`
	// Text is the message with personal data masked; the raw text is never
	// stored.
	Text string `json:"text"`
	// PII lists the kinds of personal data that were masked.
	PII []string `json:"pii,omitempty"`
	// FromPage is true for the Page's own comments and message echoes.
	FromPage bool `json:"from_page,omitempty"`
	// AppID is, for an echo, the app that sent the message (263902037430900
	// is the Page inbox, i.e. a human agent).
	AppID string `json:"app_id,omitempty"`
	// CreatedAt is Meta's time of the event; ReceivedAt when pagebot stored it.
	CreatedAt  time.Time `json:"created_at"`
	ReceivedAt time.Time `json:"received_at"`
}

// OutboxKind is a Graph API action pagebot intends to make.
type OutboxKind string

// The Graph actions.
const (
	OutboxReplyComment  OutboxKind = "reply_comment"
	OutboxHideComment   OutboxKind = "hide_comment"
	OutboxUnhideComment OutboxKind = "unhide_comment"
	OutboxPrivateReply  OutboxKind = "private_reply"
	OutboxSendMessage   OutboxKind = "send_message"
	OutboxMarkSeen      OutboxKind = "mark_seen"
	OutboxPassThread    OutboxKind = "pass_thread"
)

// OutboxStatus is where an outbox action stands.
type OutboxStatus string

// The outbox states. An action goes pending → done, or pending → failed
// (permanent error, visible and escalated) or dropped (the user cannot
// receive it; nothing to retry). A draft goes to pending when an agent
// approves it, or to dropped when an agent rejects it.
const (
	OutboxPending OutboxStatus = "pending"
	OutboxDone    OutboxStatus = "done"
	OutboxFailed  OutboxStatus = "failed"
	OutboxDropped OutboxStatus = "dropped"
	// OutboxDraft waits for an agent's approval in the console (draft mode).
	OutboxDraft OutboxStatus = "draft"
)

// OutboxAction is one Graph call to make, stored in the same transaction as
// the decision that asked for it, and executed at most once in effect.
type OutboxAction struct {
	ID      int64      `json:"id"`
	EventID int64      `json:"event_id"`
	Kind    OutboxKind `json:"kind"`
	// Target is the comment id or the PSID the action applies to.
	Target string `json:"target"`
	// Text is the reply (already free of personal data).
	Text string `json:"text,omitempty"`
	// HumanAgent marks a message written by an agent (MESSAGE_TAG HUMAN_AGENT).
	HumanAgent bool         `json:"human_agent,omitempty"`
	Status     OutboxStatus `json:"status"`
	Attempts   int          `json:"attempts"`
	// NextAt is when a pending action may run (backoff after a failure).
	NextAt time.Time `json:"next_at"`
	// Result is Graph's id for what was created (reply, message).
	Result    string    `json:"result,omitempty"`
	Error     string    `json:"error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Decision is what the engine decided for an event, as stored.
type Decision struct {
	EventID    int64     `json:"event_id"`
	Action     Action    `json:"action"`
	FAQID      string    `json:"faq_id,omitempty"`
	RedirectTo string    `json:"redirect_to,omitempty"`
	Confidence float64   `json:"confidence"`
	Hide       bool      `json:"hide"`
	Reply      string    `json:"reply,omitempty"`
	Reasons    []string  `json:"reasons,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// CaseStatus is where an escalation stands.
type CaseStatus string

// The case states.
const (
	CaseOpen   CaseStatus = "open"
	CaseClosed CaseStatus = "closed"
)

// Case is an escalation: a message a human agent must answer.
type Case struct {
	ID         int64      `json:"id"`
	EventID    int64      `json:"event_id"`
	Channel    Channel    `json:"channel"`
	SenderID   string     `json:"sender_id"`
	SenderName string     `json:"sender_name,omitempty"`
	Text       string     `json:"text"` // masked
	Reason     string     `json:"reason"`
	Status     CaseStatus `json:"status"`
	AssignedTo string     `json:"assigned_to,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	DueAt      time.Time  `json:"due_at"`
	ClosedAt   time.Time  `json:"closed_at,omitempty"`
	CloseNote  string     `json:"close_note,omitempty"`
}

// AuditEntry records who did what and when: every staff change and every
// automatic verdict that staff may have to explain.
type AuditEntry struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"` // a user name, or "pagebot"
	Action  string    `json:"action"`
	Subject string    `json:"subject"`
	Detail  string    `json:"detail,omitempty"`
}

// Stats are the store's counts that readiness, metrics and the console show.
type Stats struct {
	// EventsPending are unhandled events nobody holds (or whose lease ran out).
	EventsPending int `json:"events_pending"`
	// EventsClaimed are unhandled events under a running lease.
	EventsClaimed int `json:"events_claimed"`
	// ActionsPending are outbox actions still to run, claimed or not.
	ActionsPending int `json:"actions_pending"`
	// CasesOpen are escalations waiting for an agent.
	CasesOpen int `json:"cases_open"`
	// CasesPastDue are open escalations past their due time.
	CasesPastDue int `json:"cases_past_due"`
}

// ActionFilter selects outbox actions for `pagebot outbox` and the console.
type ActionFilter struct {
	// Status keeps actions in this state; "" keeps all.
	Status OutboxStatus
	// EventID keeps the actions of one event; 0 keeps all.
	EventID int64
	// Limit caps the list; 0 or less means 100.
	Limit int
}

// DayCount is what came in on one day of a Report.
type DayCount struct {
	// Day is the day's midnight in the report's time zone.
	Day time.Time
	// Comments are new public comments (comment_add) from the public.
	Comments int
	// Messages are private Messenger messages and button presses (message,
	// postback) from the public.
	Messages int
}

// Latency sums up a set of response times. Percentiles are nearest-rank: the
// median is the smallest measured time that at least half of the times do
// not exceed, P90 the same for 90 % of them. Both are 0 when Count is 0.
type Latency struct {
	// Count is how many times were measured.
	Count  int
	Median time.Duration
	P90    time.Duration
}

// Report sums up what happened to the events received in a period, for the
// console's dashboard. Every figure is about events received in [From, To):
// the decisions, hidden comments, replies and cases of those events, whenever
// they were taken. Times are calendar time, not working time; due dates
// already count working time only.
type Report struct {
	// From and To bound the period: events received at or after From and
	// before To.
	From, To time.Time
	// Days counts the messages received on each day of the period in the
	// report's time zone, oldest first, days without any message included.
	// The first and last days are cut at From and To.
	Days []DayCount
	// Comments and Messages are the totals of Days.
	Comments, Messages int

	// Answered, Redirected, Escalated and Ignored count the engine's
	// decisions by action (events handled without a decision, such as
	// echoes, are not counted).
	Answered, Redirected, Escalated, Ignored int
	// HiddenPersonalData and HiddenModeration count the comments the engine
	// decided to hide: because they showed personal data, or because a
	// moderation rule hid them (a reason mentions "modération").
	HiddenPersonalData, HiddenModeration int

	// BotReply is the time from an event's reception to the first reply the
	// bot sent for it (reply_comment, private_reply or send_message, done,
	// not written by an agent), over the events that got one. A public
	// warning posted under the post rather than under the comment does not
	// count as a reply.
	BotReply Latency
	// HumanReply is the time from a case's opening to its first answer: the
	// first reply an agent sent through pagebot (human_agent) or, if
	// earlier or the only one, the case's closing. Cases still open and
	// unanswered are left out.
	HumanReply Latency

	// CasesOpened counts the cases of the period's events; CasesClosed those
	// of them closed since.
	CasesOpened, CasesClosed int
	// CasesOpenPastDue are the period's cases still open after their due
	// time (at the time of the report); CasesClosedLate those closed after
	// their due time.
	CasesOpenPastDue, CasesClosedLate int
}

// User is a staff account of the console.
type User struct {
	ID   int64
	Name string
	// Role is "agent", "editor" or "admin".
	Role      string
	CreatedAt time.Time
	// PasswordChangedAt lets the console end sessions opened before a
	// password change.
	PasswordChangedAt time.Time
	Disabled          bool
}

// FAQ version actions, in FAQVersion.Action.
const (
	FAQCreate = "create"
	FAQUpdate = "update"
	FAQDelete = "delete"
)

// FAQVersion is one version of a FAQ entry: the entry after a change (before
// it, for a deletion), who made the change and when.
type FAQVersion struct {
	ID      int64  `json:"id"`
	EntryID string `json:"entry_id"`
	// Version counts the changes of the entry from 1.
	Version int       `json:"version"`
	Actor   string    `json:"actor"`
	At      time.Time `json:"at"`
	// Action is FAQCreate, FAQUpdate or FAQDelete.
	Action string `json:"action"`
	// Entry is the entry in JSON (a kb.Entry).
	Entry json.RawMessage `json:"entry"`
}
