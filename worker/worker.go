// Package worker turns stored events into decisions and Graph actions, and
// executes those actions. It is where pagebot's reliability promises live:
//
//   - an event is claimed with a lease, decided, and completed in one store
//     transaction together with its outbox actions and its escalation case,
//     so a crash at any point either leaves the event claimable again (the
//     lease expires) or leaves it done with all its actions recorded;
//   - an outbox action is claimed with a lease too, and its attempt count is
//     raised at claim time, so an action found again after a crash (or after
//     a failure that leaves it unknown whether Facebook acted) is known to
//     have possibly run, and is checked before anything is sent again: a
//     public reply to a comment is looked for among the Page's replies under
//     that comment, a private reply through the comment's
//     can_reply_privately, and either is sent only if it is not there;
//     hides, seen markers and handovers are simply redone; a Messenger
//     message is found done when its echo (Meta echoes what a Page sends)
//     is stored. What cannot be checked (a message with no echo yet, a
//     comment on a post) is set aside for a human rather than risk posting
//     twice.
//
// Several workers (threads or replicas) can share one store: claims are
// exclusive while their lease runs.
package worker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"pagebot"
	"pagebot/bot"
	"pagebot/graph"
)

// Store is what the worker needs from the database.
type Store interface {
	ClaimEvents(ctx context.Context, owner string, max int, lease time.Duration) ([]pagebot.Event, error)
	CompleteEvent(ctx context.Context, owner string, eventID int64, d *pagebot.Decision, actions []pagebot.OutboxAction, c *pagebot.Case) ([]pagebot.OutboxAction, error)
	ReleaseEvents(ctx context.Context, owner string) error
	ReleaseActions(ctx context.Context, owner string) error
	ClaimActions(ctx context.Context, owner string, max int, lease time.Duration) ([]pagebot.OutboxAction, error)
	FinishAction(ctx context.Context, owner string, id int64, status pagebot.OutboxStatus, result, errText string) error
	RetryAction(ctx context.Context, owner string, id int64, nextAt time.Time, errText string) error
	SetHumanActive(ctx context.Context, pageID, threadKey string, until time.Time) error
	HumanActive(ctx context.Context, pageID, threadKey string, now time.Time) (bool, error)
	// ActionByResult reports whether an outbox action created the Graph
	// object id (our own comment reply coming back through the webhook).
	ActionByResult(ctx context.Context, result string) (bool, error)
	// PageEchoed finds the stored echo of a message the Page sent to psid
	// with this masked text at or after since (verification of an
	// interrupted message).
	PageEchoed(ctx context.Context, pageID, psid, text string, since time.Time) (string, bool, error)
	Event(ctx context.Context, id int64) (*pagebot.Event, error)
	OpenCase(ctx context.Context, c *pagebot.Case) error
	AddAudit(ctx context.Context, e pagebot.AuditEntry) error
	// Once reports whether key is seen for the first time.
	Once(ctx context.Context, key string) (bool, error)
}

// Decider decides what to do with a message; *bot.Engine implements it.
type Decider interface {
	Decide(in bot.Input) (bot.Decision, error)
}

// Graph makes the Graph API calls; *graph.Client and *graph.DryRun implement it.
type Graph interface {
	ReplyComment(ctx context.Context, commentID, text string) (string, error)
	HideComment(ctx context.Context, commentID string, hidden bool) error
	PrivateReply(ctx context.Context, commentID, text string) (string, error)
	SendMessage(ctx context.Context, psid, text string, opts graph.SendOptions) (string, error)
	MarkSeen(ctx context.Context, psid string) error
	PassThreadToInbox(ctx context.Context, psid, metadata string) error
	Comment(ctx context.Context, commentID string) (graph.CommentInfo, error)
	// PageReplies lists the ids of the Page's own replies under a comment,
	// newest first; a deleted comment gives a graph.Done error.
	PageReplies(ctx context.Context, commentID string) ([]string, error)
}

// PageInboxAppID is the app id of the Page inbox: an echo sent by it means a
// human agent answered in Messenger.
const PageInboxAppID = "263902037430900"

// Config tunes the worker.
type Config struct {
	// Owner names this worker in claims; unique per process.
	Owner string
	// Lease is how long a claim lasts: a worker that dies leaves its work to
	// others after at most this long.
	Lease time.Duration
	// Batch is how many events or actions are claimed at once.
	Batch int
	// Poll is how often the store is checked when nobody calls Notify.
	Poll time.Duration
	// HumanTakeover is how long a thread stays with a human agent after
	// their last reply.
	HumanTakeover time.Duration
	// MaxAttempts bounds the tries of a transient Graph failure.
	MaxAttempts int
	// Backoff gives the wait before try n+1 (n from 1).
	Backoff func(attempt int) time.Duration
	// Due computes an escalation's due time (working time, see schedule).
	Due func(created time.Time) time.Time
	// When words, for a holding reply, when an agent will answer ("" for
	// "soon"): set from the office schedule.
	When func(now time.Time) string
	// Mode says what the bot may do at an instant: "auto" posts replies,
	// "draft" keeps them for an agent's approval in the console, "off"
	// posts nothing and escalates every message (the kill switch, or a
	// caisse's choice for office hours). Nil means always auto.
	Mode func(now time.Time) string
	// Now is the clock (tests).
	Now func() time.Time
	// Metrics records what the worker does; nil records nothing.
	Metrics Metrics
	// Repeats notices the same comment posted again and again by one
	// author (spam); nil notices nothing.
	Repeats Repeats
	// ScamWarning, when set, is posted under a post (once per post) when a
	// scam comment on it is hidden, so that readers who saw it are warned.
	ScamWarning string
	// Mask is the webhook's masking of personal data: stored echoes hold
	// masked text, so an interrupted message is looked for among them in
	// that form. Nil compares the text as it is.
	Mask func(text string) string
}

// Repeats tells whether a comment repeats the author's recent ones often
// enough to be queued for review, and the rule that fired.
type Repeats interface {
	Note(author, text string, at time.Time) (repeated bool, rule string)
}

// Metrics records decisions and Graph call outcomes; *metrics.Metrics
// implements it.
type Metrics interface {
	Decision(action string, d time.Duration, hidden bool)
	GraphCall(kind, result string)
}

type noMetrics struct{}

func (noMetrics) Decision(string, time.Duration, bool) {}
func (noMetrics) GraphCall(string, string)             {}

// The modes of Config.Mode.
const (
	ModeAuto  = "auto"
	ModeDraft = "draft"
	ModeOff   = "off"
)

func (c *Config) defaults() {
	if c.Owner == "" {
		c.Owner = fmt.Sprintf("worker-%d", time.Now().UnixNano())
	}
	if c.Lease <= 0 {
		c.Lease = 30 * time.Second
	}
	if c.Batch <= 0 {
		c.Batch = 20
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.HumanTakeover <= 0 {
		c.HumanTakeover = 24 * time.Hour
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if c.Backoff == nil {
		c.Backoff = func(n int) time.Duration { return time.Duration(1<<min(n, 8)) * time.Second }
	}
	if c.Due == nil {
		c.Due = func(t time.Time) time.Time { return t.Add(24 * time.Hour) }
	}
	if c.When == nil {
		c.When = func(time.Time) string { return "" }
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Metrics == nil {
		c.Metrics = noMetrics{}
	}
	if c.Mode == nil {
		c.Mode = func(time.Time) string { return ModeAuto }
	}
}

// Worker processes events and executes outbox actions.
type Worker struct {
	cfg    Config
	store  Store
	decide Decider
	graph  Graph
	log    logrus.FieldLogger
	notify chan struct{}
}

// New returns a worker.
func New(cfg Config, store Store, decider Decider, g Graph, log logrus.FieldLogger) *Worker {
	cfg.defaults()
	return &Worker{cfg: cfg, store: store, decide: decider, graph: g, log: log, notify: make(chan struct{}, 1)}
}

// Notify wakes the worker up: new events were stored. It never blocks.
func (w *Worker) Notify() {
	select {
	case w.notify <- struct{}{}:
	default:
	}
}

// Run processes events and actions until ctx is done, then gives back the
// events it had claimed but not finished.
func (w *Worker) Run(ctx context.Context) error {
	t := time.NewTicker(w.cfg.Poll)
	defer t.Stop()
	for {
		for {
			n, err := w.ProcessEvents(ctx)
			if err != nil && ctx.Err() == nil {
				w.log.WithError(err).Error("process events")
			}
			m, err := w.ExecuteActions(ctx)
			if err != nil && ctx.Err() == nil {
				w.log.WithError(err).Error("execute actions")
			}
			if n == 0 && m == 0 || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := w.store.ReleaseEvents(rctx, w.cfg.Owner); err != nil {
				return fmt.Errorf("release events: %w", err)
			}
			if err := w.store.ReleaseActions(rctx, w.cfg.Owner); err != nil {
				return fmt.Errorf("release actions: %w", err)
			}
			return nil
		case <-w.notify:
		case <-t.C:
		}
	}
}

// ProcessEvents claims a batch of events and handles each; it returns how
// many it handled.
func (w *Worker) ProcessEvents(ctx context.Context) (int, error) {
	evs, err := w.store.ClaimEvents(ctx, w.cfg.Owner, w.cfg.Batch, w.cfg.Lease)
	if err != nil {
		return 0, fmt.Errorf("claim events: %w", err)
	}
	done := 0
	for _, ev := range evs {
		if ctx.Err() != nil {
			return done, ctx.Err()
		}
		if err := w.handle(ctx, ev); err != nil {
			// The lease will expire and the event will be tried again.
			w.log.WithError(err).WithFields(logrus.Fields{"event_id": ev.ID, "kind": ev.Kind}).Error("handle event")
			continue
		}
		done++
	}
	return done, nil
}

// handle decides for one event and completes it with its actions.
func (w *Worker) handle(ctx context.Context, ev pagebot.Event) error {
	now := w.cfg.Now()
	log := w.log.WithFields(logrus.Fields{"event_id": ev.ID, "kind": ev.Kind, "channel": ev.Channel})
	complete := func(d *pagebot.Decision, actions []pagebot.OutboxAction, c *pagebot.Case) error {
		_, err := w.store.CompleteEvent(ctx, w.cfg.Owner, ev.ID, d, actions, c)
		if err != nil {
			return fmt.Errorf("complete event %d: %w", ev.ID, err)
		}
		return nil
	}
	switch ev.Kind {
	case pagebot.EventEcho:
		if ev.AppID == PageInboxAppID {
			if err := w.store.SetHumanActive(ctx, ev.PageID, threadKey(ev), now.Add(w.cfg.HumanTakeover)); err != nil {
				return fmt.Errorf("human takeover: %w", err)
			}
			log.Info("human agent replied in Messenger: thread left to them")
		}
		return complete(nil, nil, nil)
	case pagebot.EventStandby, pagebot.EventCommentRemove, pagebot.EventCommentHide, pagebot.EventCommentUnhide:
		return complete(nil, nil, nil)
	}
	if ev.FromPage {
		// The Page's own comment: ours (an outbox reply) or a human agent's.
		ours, err := w.store.ActionByResult(ctx, ev.ObjectID)
		if err != nil {
			return fmt.Errorf("own comment: %w", err)
		}
		if !ours && ev.ParentID != "" && ev.ParentID != ev.PostID {
			if err := w.store.SetHumanActive(ctx, ev.PageID, "comment:"+ev.ParentID, now.Add(w.cfg.HumanTakeover)); err != nil {
				return fmt.Errorf("human takeover: %w", err)
			}
			log.Info("human agent replied under a comment: thread left to them")
		}
		return complete(nil, nil, nil)
	}
	human, err := w.store.HumanActive(ctx, ev.PageID, threadKey(ev), now)
	if err != nil {
		return fmt.Errorf("human takeover: %w", err)
	}
	ch := ev.Channel
	in := bot.Input{Channel: ch, Text: ev.Text, PII: ev.PII, When: w.cfg.When(now)}
	decideStart := time.Now()
	bd, err := w.decide.Decide(in)
	decideDur := time.Since(decideStart)
	if err != nil {
		return fmt.Errorf("decide: %w", err)
	}
	if w.cfg.Repeats != nil && ev.Kind == pagebot.EventCommentAdd && bd.Moderation == "ok" {
		if rep, rule := w.cfg.Repeats.Note(ev.SenderID, ev.Text, ev.CreatedAt); rep {
			bd.Action, bd.Reply, bd.Moderation, bd.ModerationRule = pagebot.ActionEscalate, "", "review", rule
			bd.Reasons = append(bd.Reasons, "même commentaire publié plusieurs fois : à relire par un conseiller")
		}
	}
	d := &pagebot.Decision{EventID: ev.ID, Action: bd.Action, FAQID: bd.FAQID, RedirectTo: bd.RedirectTo,
		Confidence: bd.Confidence, Hide: bd.Hide, Reply: bd.Reply, Reasons: bd.Reasons, CreatedAt: now}
	mode := w.cfg.Mode(now)
	if mode == ModeOff && bd.Action != pagebot.ActionIgnore {
		// Replies are off: every message goes to an agent, nothing is posted.
		d.Action, bd.Action, bd.Reply = pagebot.ActionEscalate, pagebot.ActionEscalate, ""
		d.Reasons = append(d.Reasons, "réponses automatiques désactivées : transmis à un conseiller")
	}
	if mode == ModeOff {
		bd.Reply = ""
	}
	d.Reply = bd.Reply
	var actions []pagebot.OutboxAction
	add := func(kind pagebot.OutboxKind, target, text string) {
		status := pagebot.OutboxPending
		if mode == ModeDraft && text != "" {
			// Draft mode: what would be said waits for an agent's approval;
			// protective actions (hiding personal data) and handovers do not.
			status = pagebot.OutboxDraft
		}
		actions = append(actions, pagebot.OutboxAction{EventID: ev.ID, Kind: kind, Target: target, Text: text,
			Status: status, NextAt: now, CreatedAt: now, UpdatedAt: now})
	}
	edited := ev.Kind == pagebot.EventCommentEdited
	switch {
	case ch == pagebot.ChannelComment && bd.Hide:
		// Personal data in public: hide first, then explain privately (and
		// still answer), even if a human has the thread or replies are off.
		add(pagebot.OutboxHideComment, ev.ObjectID, "")
		if bd.Reply != "" {
			add(pagebot.OutboxPrivateReply, ev.ObjectID, bd.Reply)
		}
	case human:
		d.Reasons = append(d.Reasons, "fil repris par un conseiller : pagebot ne répond pas")
		d.Reply = ""
	case edited:
		// An edit without personal data: the original comment was already
		// handled; answering again would double-post.
		d.Reasons = append(d.Reasons, "commentaire modifié sans donnée personnelle : déjà traité")
		d.Reply = ""
	case bd.Reply == "":
	case ch == pagebot.ChannelComment:
		add(pagebot.OutboxReplyComment, ev.ObjectID, bd.Reply)
	default:
		add(pagebot.OutboxMarkSeen, ev.SenderID, "")
		add(pagebot.OutboxSendMessage, ev.SenderID, bd.Reply)
		if bd.Action == pagebot.ActionEscalate {
			add(pagebot.OutboxPassThread, ev.SenderID, "")
		}
	}
	if w.cfg.ScamWarning != "" && bd.Moderation == "hide" && isScamRule(bd.ModerationRule) && ev.PostID != "" && mode != ModeOff {
		first, err := w.store.Once(ctx, "scam-warning:"+ev.PostID)
		if err != nil {
			return fmt.Errorf("scam warning: %w", err)
		}
		if first {
			add(pagebot.OutboxReplyComment, ev.PostID, w.cfg.ScamWarning)
		}
	}
	var c *pagebot.Case
	if bd.Action == pagebot.ActionEscalate && !edited {
		reason := ""
		if len(bd.Reasons) > 0 {
			reason = bd.Reasons[0]
		}
		c = &pagebot.Case{EventID: ev.ID, Channel: ch, SenderID: ev.SenderID, SenderName: ev.SenderName,
			Text: ev.Text, Reason: reason, Status: pagebot.CaseOpen, CreatedAt: now, DueAt: w.cfg.Due(now)}
	}
	if err := complete(d, actions, c); err != nil {
		return err
	}
	w.cfg.Metrics.Decision(string(d.Action), decideDur, ch == pagebot.ChannelComment && bd.Hide)
	if bd.Moderation == "hide" || bd.Moderation == "review" {
		// Every automatic moderation verdict is in the audit log, next to the
		// agents' unhide and confirm decisions.
		if err := w.store.AddAudit(ctx, pagebot.AuditEntry{At: now, Actor: "pagebot", Action: "moderation." + bd.Moderation,
			Subject: "comment:" + ev.ObjectID, Detail: bd.ModerationRule}); err != nil {
			log.WithError(err).Error("audit moderation verdict")
		}
	}
	log.WithFields(logrus.Fields{"action": d.Action, "mode": mode, "faq_id": bd.FAQID, "confidence": bd.Confidence,
		"hide": bd.Hide, "outbox": len(actions), "text_len": len(ev.Text)}).Info("decided")
	return nil
}

// isScamRule reports whether a moderation rule ("category:pattern") is about
// scams or fraudulent links.
func isScamRule(rule string) bool {
	cat, _, _ := strings.Cut(rule, ":")
	switch cat {
	case "scam", "lookalike_link", "shortener_link":
		return true
	}
	return false
}

// threadKey names the conversation an event belongs to, for human takeover.
func threadKey(ev pagebot.Event) string {
	if ev.Channel == pagebot.ChannelMessage {
		return "psid:" + ev.SenderID
	}
	return "comment:" + ev.ObjectID
}

// ExecuteActions claims a batch of due outbox actions and runs each; it
// returns how many it finished (done, failed, dropped or rescheduled).
func (w *Worker) ExecuteActions(ctx context.Context) (int, error) {
	acts, err := w.store.ClaimActions(ctx, w.cfg.Owner, w.cfg.Batch, w.cfg.Lease)
	if err != nil {
		return 0, fmt.Errorf("claim actions: %w", err)
	}
	n := 0
	for _, a := range acts {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		if err := w.execute(ctx, a); err != nil {
			w.log.WithError(err).WithFields(logrus.Fields{"action_id": a.ID, "kind": a.Kind}).Error("execute action")
			continue
		}
		n++
	}
	return n, nil
}

// uncertainPrefix marks an error after which the call may have taken effect.
const uncertainPrefix = "incertain : "

func (w *Worker) execute(ctx context.Context, a pagebot.OutboxAction) error {
	log := w.log.WithFields(logrus.Fields{"action_id": a.ID, "event_id": a.EventID, "kind": a.Kind, "attempt": a.Attempts})
	// Attempts was raised by the claim: more than one means an earlier try
	// may have reached Facebook (a crash, a timeout) without being recorded.
	if a.Attempts > 1 && (a.Error == "" || hasPrefix(a.Error, uncertainPrefix)) {
		result, done, known, err := w.verify(ctx, a)
		switch {
		case err != nil:
			// Still unknown: the next try must check again, not send.
			return w.retry(ctx, a, err, true, log)
		case known && done:
			log.WithField("result", result).Info("action found done after an interruption: not redone")
			return w.store.FinishAction(ctx, w.cfg.Owner, a.ID, pagebot.OutboxDone, result, "")
		case known:
			log.Info("action interrupted and not found done: done now")
		default:
			log.Warn("action interrupted and impossible to verify: set aside for an agent rather than risk a double post")
			return w.fail(ctx, a, "interrompue sans confirmation : vérifier sur Facebook et renvoyer si besoin")
		}
	}
	result, err := w.call(ctx, a)
	class := graph.Classify(err)
	switch {
	case err == nil || class == graph.Done:
		w.cfg.Metrics.GraphCall(string(a.Kind), "done")
		log.WithField("result", result).Info("graph action done")
		return w.store.FinishAction(ctx, w.cfg.Owner, a.ID, pagebot.OutboxDone, result, "")
	case class == graph.Dropped:
		w.cfg.Metrics.GraphCall(string(a.Kind), "dropped")
		log.WithError(err).Warn("graph action dropped")
		return w.store.FinishAction(ctx, w.cfg.Owner, a.ID, pagebot.OutboxDropped, "", err.Error())
	case class == graph.Transient || class == graph.RateLimited:
		return w.retry(ctx, a, err, false, log)
	default:
		log.WithError(err).Error("graph action failed permanently")
		return w.fail(ctx, a, err.Error())
	}
}

// retry reschedules an action after err. The error recorded is marked
// uncertain (uncertainPrefix) when the action may have taken effect: err says
// so (graph.Error.MaybeDone), or uncertain is set because checking an
// earlier try failed. The next try then checks before sending.
func (w *Worker) retry(ctx context.Context, a pagebot.OutboxAction, err error, uncertain bool, log logrus.FieldLogger) error {
	if a.Attempts >= w.cfg.MaxAttempts {
		log.WithError(err).Error("graph action failed after its last attempt")
		return w.fail(ctx, a, err.Error())
	}
	w.cfg.Metrics.GraphCall(string(a.Kind), "retry")
	wait := w.cfg.Backoff(a.Attempts)
	var ge *graph.Error
	if errors.As(err, &ge) && ge.RegainAccess > wait {
		wait = ge.RegainAccess
	}
	msg := err.Error()
	if uncertain || errors.As(err, &ge) && ge.MaybeDone {
		msg = uncertainPrefix + msg
	}
	log.WithError(err).WithField("retry_in", wait.String()).Warn("graph action will be retried")
	return w.store.RetryAction(ctx, w.cfg.Owner, a.ID, w.cfg.Now().Add(wait), msg)
}

// fail records an action as failed and hands its conversation to an agent:
// a reply the caisse meant to send and could not must not be silently lost.
func (w *Worker) fail(ctx context.Context, a pagebot.OutboxAction, why string) error {
	w.cfg.Metrics.GraphCall(string(a.Kind), "failed")
	if err := w.store.FinishAction(ctx, w.cfg.Owner, a.ID, pagebot.OutboxFailed, "", why); err != nil {
		return err
	}
	ev, err := w.store.Event(ctx, a.EventID)
	if err != nil {
		return fmt.Errorf("escalate failed action %d: %w", a.ID, err)
	}
	now := w.cfg.Now()
	c := &pagebot.Case{EventID: ev.ID, Channel: ev.Channel, SenderID: ev.SenderID, SenderName: ev.SenderName,
		Text: ev.Text, Reason: fmt.Sprintf("envoi Facebook impossible (%s) : %s", a.Kind, why),
		Status: pagebot.CaseOpen, CreatedAt: now, DueAt: w.cfg.Due(now)}
	if err := w.store.OpenCase(ctx, c); err != nil {
		return fmt.Errorf("escalate failed action %d: %w", a.ID, err)
	}
	return nil
}

// verify tells whether an action that may have run did take effect, and
// then what it created (result). known is false when Graph gives no way to
// check; err is a failed check, to be tried again later.
func (w *Worker) verify(ctx context.Context, a pagebot.OutboxAction) (result string, done, known bool, err error) {
	switch a.Kind {
	case pagebot.OutboxHideComment, pagebot.OutboxUnhideComment, pagebot.OutboxMarkSeen, pagebot.OutboxPassThread:
		return "", false, true, nil // idempotent: doing it again is harmless
	case pagebot.OutboxPrivateReply:
		info, err := w.graph.Comment(ctx, a.Target)
		if err != nil {
			if graph.Classify(err) == graph.Done {
				return "", true, true, nil // the comment is gone: nothing left to do
			}
			return "", false, false, err
		}
		// A comment accepts one private reply: if it no longer can, ours went.
		return a.Result, !info.CanReplyPrivately, true, nil
	case pagebot.OutboxReplyComment:
		return w.verifyReply(ctx, a)
	case pagebot.OutboxSendMessage:
		return w.verifyMessage(ctx, a)
	}
	return "", false, false, nil
}

// verifyMessage looks for an interrupted Messenger message among the echoes
// pagebot stored: Meta echoes every message a Page sends to the webhook. An
// echo to the same person with the same text since the action was queued
// means it went out. No echo proves nothing — it may be late, or the app
// may not subscribe to message_echoes — so the message stays unknown and is
// set aside for an agent rather than risk sending it twice.
func (w *Worker) verifyMessage(ctx context.Context, a pagebot.OutboxAction) (result string, done, known bool, err error) {
	ev, err := w.store.Event(ctx, a.EventID)
	if err != nil {
		return "", false, false, fmt.Errorf("verify message: %w", err)
	}
	text := a.Text
	if w.cfg.Mask != nil {
		text = w.cfg.Mask(text)
	}
	mid, found, err := w.store.PageEchoed(ctx, ev.PageID, a.Target, text, a.CreatedAt)
	if err != nil {
		return "", false, false, fmt.Errorf("verify message: %w", err)
	}
	if found {
		return mid, true, true, nil
	}
	return "", false, false, nil
}

// verifyReply looks for an interrupted public reply under its comment: a
// reply by the Page that no other outbox action created (the bot's holding
// reply before an agent's, say) is ours. The reply is found done, or known
// not sent.
//
// A comment under a post (the scam warning) is not checked: the post's
// comments include the Page's own and its agents', which nothing tells from
// ours, so it stays set aside.
func (w *Worker) verifyReply(ctx context.Context, a pagebot.OutboxAction) (result string, done, known bool, err error) {
	ev, err := w.store.Event(ctx, a.EventID)
	if err != nil {
		return "", false, false, fmt.Errorf("verify reply: %w", err)
	}
	if a.Target != ev.ObjectID {
		return "", false, false, nil
	}
	ids, err := w.graph.PageReplies(ctx, a.Target)
	if err != nil {
		if graph.Classify(err) == graph.Done {
			return "", true, true, nil // the comment is gone: nothing left to do
		}
		return "", false, false, err
	}
	for _, id := range ids {
		other, err := w.store.ActionByResult(ctx, id)
		if err != nil {
			return "", false, false, fmt.Errorf("verify reply: %w", err)
		}
		if !other {
			return id, true, true, nil
		}
	}
	return "", false, true, nil
}

func (w *Worker) call(ctx context.Context, a pagebot.OutboxAction) (string, error) {
	switch a.Kind {
	case pagebot.OutboxReplyComment:
		return w.graph.ReplyComment(ctx, a.Target, a.Text)
	case pagebot.OutboxHideComment:
		return "", w.graph.HideComment(ctx, a.Target, true)
	case pagebot.OutboxUnhideComment:
		return "", w.graph.HideComment(ctx, a.Target, false)
	case pagebot.OutboxPrivateReply:
		return w.graph.PrivateReply(ctx, a.Target, a.Text)
	case pagebot.OutboxSendMessage:
		return w.graph.SendMessage(ctx, a.Target, a.Text, graph.SendOptions{HumanAgent: a.HumanAgent, Metadata: fmt.Sprintf("pagebot:%d", a.ID)})
	case pagebot.OutboxMarkSeen:
		return "", w.graph.MarkSeen(ctx, a.Target)
	case pagebot.OutboxPassThread:
		return "", w.graph.PassThreadToInbox(ctx, a.Target, fmt.Sprintf("pagebot:escalade:%d", a.EventID))
	}
	return "", fmt.Errorf("unknown outbox action %q", a.Kind)
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }
