// Package storetest is the contract every pagebot store passes: the Store
// interface, the union of what the webhook, the workers, the console and the
// CLI need, and Run, the tests that check a store keeps its promises.
//
// The promises matter more than the SQL: pagebot runs several workers, maybe
// several replicas on one PostgreSQL database, and a message must be answered
// exactly once even when a worker dies mid-way. So the suite checks
// deduplication, exclusive leases, their expiry, all-or-nothing completion
// and the refusal of a worker that lost its lease. Both stores call Run from
// their tests; each subtest gets a fresh store from open.
package storetest

import (
	"context"
	"time"

	"pagebot"
)

// ActionFilter selects outbox actions (see pagebot.ActionFilter).
type ActionFilter = pagebot.ActionFilter

// Stats counts the work waiting, for /readyz and /metrics; identical to
// sqlite.Stats for the same reason as ActionFilter.
type Stats = pagebot.Stats

// Store is everything pagebot asks of its database. Consumers declare the
// few methods they use; this union exists to check that a store offers them
// all (var _ storetest.Store = (*sqlite.DB)(nil)).
//
// Errors are *pagebot.Error for the cases a caller branches on (tested with
// pagebot.ErrorCode): EINVALID for a bad argument, ENOTFOUND for an unknown
// id, ECONFLICT for a lost lease or a state that forbids the change. Times
// are kept to the microsecond, in UTC. Text is stored as given: callers hand
// in masked text only.
type Store interface {
	// SaveEvents stores events in one transaction, skipping those whose Key
	// is already stored or repeated in the batch, and returns the inserted
	// ones with ID and ReceivedAt set (a zero CreatedAt becomes ReceivedAt).
	// A nil error means the events are durable. EINVALID for an empty Key.
	SaveEvents(ctx context.Context, events []pagebot.Event) ([]pagebot.Event, error)
	// ClaimEvents leases up to max unhandled events, free or with an expired
	// lease, to owner until now+lease, oldest first (CreatedAt, then ID).
	ClaimEvents(ctx context.Context, owner string, max int, lease time.Duration) ([]pagebot.Event, error)
	// CompleteEvent stores, in one transaction, the decision (may be nil),
	// the actions (pending or draft; returned with IDs), the case (may be
	// nil; its ID is set) and marks the event handled. ECONFLICT if owner no
	// longer holds the event or it is handled; ENOTFOUND for an unknown
	// event; EINVALID for a bad action. Nothing is stored on error.
	CompleteEvent(ctx context.Context, owner string, eventID int64, d *pagebot.Decision, actions []pagebot.OutboxAction, c *pagebot.Case) ([]pagebot.OutboxAction, error)
	// ReleaseEvents frees the unhandled events leased to owner.
	ReleaseEvents(ctx context.Context, owner string) error
	// Event returns one event; ENOTFOUND.
	Event(ctx context.Context, id int64) (*pagebot.Event, error)
	// Decision returns the decision of an event; ENOTFOUND.
	Decision(ctx context.Context, eventID int64) (*pagebot.Decision, error)

	// ClaimActions leases up to max pending actions due at now, free or with
	// an expired lease, to owner, longest due first, and counts an attempt
	// for each in the same step. Claiming after an expired lease (an attempt
	// that never ended) clears Error, whose outcome is unknown.
	ClaimActions(ctx context.Context, owner string, max int, lease time.Duration) ([]pagebot.OutboxAction, error)
	// FinishAction ends an action held by owner: done, failed or dropped.
	// ECONFLICT if owner does not hold it; EINVALID for another status;
	// ENOTFOUND.
	FinishAction(ctx context.Context, owner string, id int64, status pagebot.OutboxStatus, result, errText string) error
	// RetryAction puts an action held by owner back to pending, due at
	// nextAt, lease cleared. ECONFLICT if owner does not hold it; ENOTFOUND.
	RetryAction(ctx context.Context, owner string, id int64, nextAt time.Time, errText string) error
	// ReleaseActions frees the pending actions leased to owner.
	ReleaseActions(ctx context.Context, owner string) error
	// Actions lists actions, newest first.
	Actions(ctx context.Context, f ActionFilter) ([]pagebot.OutboxAction, error)
	// Action returns one action; ENOTFOUND.
	Action(ctx context.Context, id int64) (*pagebot.OutboxAction, error)
	// ActionByResult reports whether an action created the Graph object id
	// result (pagebot's own reply coming back through the webhook).
	ActionByResult(ctx context.Context, result string) (bool, error)
	// PageEchoed returns the message id of the first echo (or standby echo)
	// of a message the Page sent to psid with exactly this text, created at
	// or after since; false when there is none.
	PageEchoed(ctx context.Context, pageID, psid, text string, since time.Time) (string, bool, error)

	// SetHumanActive leaves a thread to a human agent until the given time
	// (replacing any earlier time).
	SetHumanActive(ctx context.Context, pageID, threadKey string, until time.Time) error
	// HumanActive reports whether a human agent holds the thread at now.
	HumanActive(ctx context.Context, pageID, threadKey string, now time.Time) (bool, error)

	// Cases lists cases in a status ("" for all): open ones by DueAt, others
	// newest first.
	Cases(ctx context.Context, status pagebot.CaseStatus, limit int) ([]pagebot.Case, error)
	// Case returns one case; ENOTFOUND.
	Case(ctx context.Context, id int64) (*pagebot.Case, error)
	// OpenCase opens an escalation for an existing event, or returns the
	// event's open case in c.ID if it has one. EINVALID without an event;
	// ENOTFOUND for an unknown event.
	OpenCase(ctx context.Context, c *pagebot.Case) error
	// CloseCase closes an open case and audits who did it. ENOTFOUND;
	// ECONFLICT if already closed.
	CloseCase(ctx context.Context, id int64, actor, note string) error
	// AssignCase gives an open case to a user. ENOTFOUND; ECONFLICT if
	// closed.
	AssignCase(ctx context.Context, id int64, user string) error

	// AddAudit records an audit entry (a zero At means now).
	AddAudit(ctx context.Context, e pagebot.AuditEntry) error
	// Audit returns the latest entries, newest first.
	Audit(ctx context.Context, limit int) ([]pagebot.AuditEntry, error)

	// Stats counts the work waiting.
	Stats(ctx context.Context) (Stats, error)
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}
