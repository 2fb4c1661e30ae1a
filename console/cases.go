package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"pagebot"
	"pagebot/bot"
)

// caseView is an open case as the queue shows it.
type caseView struct {
	pagebot.Case
	Age     string
	Overdue bool
	// Soon marks a case due within DueSoon: the people on duty see what
	// must be answered next.
	Soon bool
	Mine bool
	// Hidden is, for a comment pagebot hid, why it is hidden ("Masqué par
	// la modération"); the queue then offers to unhide it or confirm.
	Hidden string
	// ReplyUntil is, for a Messenger case, the end of the 7 days in which
	// an agent may still answer (HUMAN_AGENT tag); zero when unknown.
	ReplyUntil time.Time
	// ReplyLate is true once ReplyUntil has passed: the reply form is
	// replaced by a note.
	ReplyLate bool
	// FacebookURL opens the case on Facebook: the comment itself, or the
	// Page's Messenger inbox; FacebookLabel names the link.
	FacebookURL, FacebookLabel string
	// ReplyText and ReplyError give back a refused reply (empty, too
	// long, with personal data) in its form with the reason, so that the
	// agent corrects it instead of typing it again.
	ReplyText, ReplyError string
}

// inboxURL is the Page's Messenger inbox in Meta Business Suite.
const inboxURL = "https://business.facebook.com/latest/inbox/all"

// facebookLink returns the link that opens a case on Facebook, or "" when
// its event is unknown.
func facebookLink(c pagebot.Channel, ev *pagebot.Event) (href, label string) {
	if c == pagebot.ChannelMessage {
		return inboxURL, "Ouvrir la boîte de réception"
	}
	if ev == nil || ev.ObjectID == "" {
		return "", ""
	}
	// A comment id "<post id>_<comment id>" opens the comment.
	return "https://www.facebook.com/" + url.PathEscape(ev.ObjectID), "Voir sur Facebook"
}

// DueSoon is how close to its due time a case is flagged in the queue.
const DueSoon = 2 * time.Hour

// casesData is the content of the queue.
type casesData struct {
	Cases []caseView
}

// maxCases bounds the queue shown.
const maxCases = 200

// cases lists the open escalations, most urgent first.
func (h *handler) cases(w http.ResponseWriter, r *http.Request) {
	h.renderCases(w, r, http.StatusOK, 0, "", "")
}

// renderCases renders the queue; a refused reply to case replyTo comes
// back in its form, with why.
func (h *handler) renderCases(w http.ResponseWriter, r *http.Request, status int, replyTo int64, text, why string) {
	cs, err := h.store.Cases(r.Context(), pagebot.CaseOpen, maxCases)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	now := h.cfg.Now()
	me := currentUser(r).Name
	d := casesData{Cases: make([]caseView, len(cs))}
	for i, c := range cs {
		d.Cases[i] = caseView{Case: c, Age: age(now.Sub(c.CreatedAt)),
			Overdue: !c.DueAt.IsZero() && now.After(c.DueAt), Mine: c.AssignedTo == me,
			Soon: !c.DueAt.IsZero() && !now.After(c.DueAt) && c.DueAt.Sub(now) <= DueSoon}
		if c.ID == replyTo {
			d.Cases[i].ReplyText, d.Cases[i].ReplyError = text, why
		}
		ev, err := h.store.Event(r.Context(), c.EventID)
		if err != nil && pagebot.ErrorCode(err) != pagebot.ENOTFOUND {
			h.serverError(w, r, err)
			return
		}
		d.Cases[i].FacebookURL, d.Cases[i].FacebookLabel = facebookLink(c.Channel, ev)
		if c.Channel == pagebot.ChannelMessage && ev != nil {
			d.Cases[i].ReplyUntil = sentAt(ev).Add(HumanAgentWindow)
			d.Cases[i].ReplyLate = now.After(d.Cases[i].ReplyUntil)
		}
		if c.Channel != pagebot.ChannelComment {
			continue
		}
		dec, err := h.store.Decision(r.Context(), c.EventID)
		if err != nil && pagebot.ErrorCode(err) != pagebot.ENOTFOUND {
			h.serverError(w, r, err)
			return
		}
		d.Cases[i].Hidden = hiddenLabel(dec)
	}
	h.render(w, r, status, "cases", h.page(r, "Escalades", "cases", d))
}

// caseID reads the case id of the path.
func caseID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, pagebot.Errorf(pagebot.ENOTFOUND, "Dossier %q introuvable.", r.PathValue("id"))
	}
	return id, nil
}

// assignCase gives a case to the current user.
func (h *handler) assignCase(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	me := currentUser(r).Name
	if err := h.store.AssignCase(r.Context(), id, me); err != nil {
		h.fail(w, r, err)
		return
	}
	h.audit(r, "case.assign", fmt.Sprintf("case:%d", id), me)
	h.flash(r, fmt.Sprintf("Dossier n° %d attribué à vous.", id))
	http.Redirect(w, r, Prefix+"/cases", http.StatusSeeOther)
}

// maxCloseReason bounds the closing note.
const maxCloseReason = 1000

// closeCase closes a case with a reason; the store audits it.
func (h *handler) closeCase(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	switch {
	case reason == "":
		h.fail(w, r, pagebot.Errorf(pagebot.EINVALID, "Indiquez pourquoi le dossier n° %d est clos.", id))
		return
	case len([]rune(reason)) > maxCloseReason:
		h.fail(w, r, pagebot.Errorf(pagebot.EINVALID, "Motif trop long (%d caractères au plus).", maxCloseReason))
		return
	}
	if err := h.store.CloseCase(r.Context(), id, currentUser(r).Name, reason); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r, fmt.Sprintf("Dossier n° %d clos.", id))
	http.Redirect(w, r, Prefix+"/cases", http.StatusSeeOther)
}

// hiddenLabel says why pagebot hid a comment, or "" if its decision (nil
// when there is none) did not hide it. The engine hides a comment for two
// reasons: the moderation (its reason says "modération") or personal data
// written in public.
func hiddenLabel(d *pagebot.Decision) string {
	if d == nil || !d.Hide {
		return ""
	}
	moderation := false
	for _, r := range d.Reasons {
		r = strings.ToLower(r)
		if strings.Contains(r, "donnée personnelle") || strings.Contains(r, "données personnelles") {
			return "Masqué : données personnelles"
		}
		if strings.Contains(r, "modération") {
			moderation = true
		}
	}
	if moderation {
		return labelModeration
	}
	return "Masqué : données personnelles"
}

// labelModeration marks a comment hidden by the moderation rules: the only
// kind an agent may make public again. A comment hidden because it exposed
// personal data stays hidden: unhiding it would publish the data.
const labelModeration = "Masqué par la modération"

// hiddenCase returns an open case about a comment pagebot hid, and its
// event. Returns ENOTFOUND for an unknown case, ECONFLICT for a closed one
// or one about anything else.
func (h *handler) hiddenCase(r *http.Request) (*pagebot.Case, *pagebot.Event, error) {
	id, err := caseID(r)
	if err != nil {
		return nil, nil, err
	}
	ctx := r.Context()
	c, err := h.store.Case(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if c.Status != pagebot.CaseOpen {
		return nil, nil, pagebot.Errorf(pagebot.ECONFLICT, "Dossier n° %d déjà clos.", id)
	}
	notHidden := pagebot.Errorf(pagebot.ECONFLICT, "Le dossier n° %d ne porte pas sur un commentaire masqué par pagebot.", id)
	if c.Channel != pagebot.ChannelComment {
		return nil, nil, notHidden
	}
	d, err := h.store.Decision(ctx, c.EventID)
	if pagebot.ErrorCode(err) == pagebot.ENOTFOUND {
		return nil, nil, notHidden
	} else if err != nil {
		return nil, nil, err
	}
	if hiddenLabel(d) == "" {
		return nil, nil, notHidden
	}
	ev, err := h.store.Event(ctx, c.EventID)
	if err != nil {
		return nil, nil, err
	}
	if ev.ObjectID == "" {
		return nil, nil, notHidden
	}
	return c, ev, nil
}

// unhideComment undoes pagebot's hiding of a comment: it closes the case
// (first, so that of two clicks only one goes through) and queues the
// Graph call that makes the comment public again.
func (h *handler) unhideComment(w http.ResponseWriter, r *http.Request) {
	c, ev, err := h.hiddenCase(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	if d, err := h.store.Decision(ctx, c.EventID); err != nil || hiddenLabel(d) != labelModeration {
		h.fail(w, r, pagebot.Errorf(pagebot.ECONFLICT,
			"Le commentaire du dossier n° %d a été masqué parce qu'il exposait des données personnelles : le réafficher les publierait.", c.ID))
		return
	}
	// An unhide queued while the hide still waits (Graph down, retries)
	// could run first and leave the comment hidden.
	pending, err := h.store.Actions(ctx, pagebot.ActionFilter{Status: pagebot.OutboxPending, EventID: ev.ID})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, a := range pending {
		if a.Kind == pagebot.OutboxHideComment {
			h.fail(w, r, pagebot.Errorf(pagebot.ECONFLICT,
				"Le commentaire du dossier n° %d n'est pas encore masqué sur Facebook : réessayez dans quelques minutes.", c.ID))
			return
		}
	}
	me := currentUser(r).Name
	if err := h.store.CloseCase(ctx, c.ID, me, "Réaffiché par "+me); err != nil {
		h.fail(w, r, err)
		return
	}
	a, err := h.store.AddAction(ctx, pagebot.OutboxAction{EventID: ev.ID, Kind: pagebot.OutboxUnhideComment, Target: ev.ObjectID})
	if err != nil {
		h.log.WithError(err).WithFields(map[string]any{"case_id": c.ID, "event_id": ev.ID}).Error("queue unhide")
		h.audit(r, "moderation.unhide_failed", fmt.Sprintf("case:%d", c.ID), "comment:"+ev.ObjectID)
		h.renderError(w, r, http.StatusInternalServerError, fmt.Sprintf(
			"Dossier n° %d clos, mais le réaffichage n'a pas pu être programmé : réaffichez le commentaire depuis Facebook.", c.ID))
		return
	}
	h.audit(r, "moderation.unhide", fmt.Sprintf("case:%d", c.ID), fmt.Sprintf("comment:%s action:%d", ev.ObjectID, a.ID))
	h.flash(r, fmt.Sprintf("Dossier n° %d clos : le commentaire va être réaffiché.", c.ID))
	http.Redirect(w, r, Prefix+"/cases", http.StatusSeeOther)
}

// confirmHide keeps a comment pagebot hid hidden and closes its case.
func (h *handler) confirmHide(w http.ResponseWriter, r *http.Request) {
	c, ev, err := h.hiddenCase(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	me := currentUser(r).Name
	if err := h.store.CloseCase(r.Context(), c.ID, me, "Masquage confirmé par "+me); err != nil {
		h.fail(w, r, err)
		return
	}
	h.audit(r, "moderation.confirm", fmt.Sprintf("case:%d", c.ID), "comment:"+ev.ObjectID)
	h.flash(r, fmt.Sprintf("Dossier n° %d clos : le commentaire reste masqué.", c.ID))
	http.Redirect(w, r, Prefix+"/cases", http.StatusSeeOther)
}

// HumanAgentWindow is how long after a person's message an agent may answer
// them on Messenger, with the HUMAN_AGENT tag.
const HumanAgentWindow = 7 * 24 * time.Hour

// maxReply bounds an agent's reply: Messenger refuses texts over 2,000
// characters.
const maxReply = 2000

// sentAt is when the person wrote: Meta's time, or pagebot's if Meta gave
// none.
func sentAt(ev *pagebot.Event) time.Time {
	if ev.CreatedAt.IsZero() {
		return ev.ReceivedAt
	}
	return ev.CreatedAt
}

// replyText reads the reply of a form and checks it: not empty, not too
// long, and without personal data. On a public comment a personal detail
// would be published; in Messenger it would be stored in the outbox, which
// keeps only masked text. The masking is the engine's, as on every message.
func (h *handler) replyText(r *http.Request, ch pagebot.Channel) (string, error) {
	text := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n"))
	switch {
	case text == "":
		return "", pagebot.Errorf(pagebot.EINVALID, "La réponse est vide.")
	case len([]rune(text)) > maxReply:
		return "", pagebot.Errorf(pagebot.EINVALID, "Réponse trop longue (%d caractères au plus).", maxReply)
	}
	d, err := h.decider.Decide(bot.Input{Channel: ch, Text: text})
	if err != nil {
		return "", fmt.Errorf("check reply: %w", err)
	}
	if len(d.PII) > 0 {
		where := "Les réponses ne doivent contenir aucune donnée personnelle"
		if ch == pagebot.ChannelComment {
			where = "Réponse publique : n'évoquez aucune situation personnelle"
		}
		return "", pagebot.Errorf(pagebot.EINVALID, "%s ; retirez de votre texte : %s.", where, strings.Join(d.PII, ", "))
	}
	return text, nil
}

// replyCase answers the writer of an open case from the console: it queues
// the Graph action, run by the workers with their retries, and closes the
// case if asked. A Messenger case gets a message to the PSID with the
// HUMAN_AGENT tag (allowed 7 days after the person's message); a comment
// case gets a public reply under the comment, since a comment accepts only
// one private reply and pagebot may have used it already.
func (h *handler) replyCase(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	c, err := h.store.Case(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if c.Status != pagebot.CaseOpen {
		h.fail(w, r, pagebot.Errorf(pagebot.ECONFLICT, "Dossier n° %d déjà clos.", id))
		return
	}
	ev, err := h.store.Event(ctx, c.EventID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a := pagebot.OutboxAction{EventID: ev.ID}
	switch c.Channel {
	case pagebot.ChannelMessage:
		if c.SenderID == "" {
			h.fail(w, r, pagebot.Errorf(pagebot.ECONFLICT, "Dossier n° %d : destinataire Messenger inconnu.", id))
			return
		}
		if until := sentAt(ev).Add(HumanAgentWindow); h.cfg.Now().After(until) {
			h.fail(w, r, pagebot.Errorf(pagebot.ECONFLICT,
				"Dossier n° %d : le message date de plus de 7 jours, Messenger refuserait la réponse. Contactez la personne par un autre moyen.", id))
			return
		}
		a.Kind, a.Target, a.HumanAgent = pagebot.OutboxSendMessage, c.SenderID, true
	case pagebot.ChannelComment:
		if ev.ObjectID == "" {
			h.fail(w, r, pagebot.Errorf(pagebot.ECONFLICT, "Dossier n° %d : commentaire inconnu.", id))
			return
		}
		a.Kind, a.Target = pagebot.OutboxReplyComment, ev.ObjectID
	default:
		h.fail(w, r, pagebot.Errorf(pagebot.ECONFLICT, "Dossier n° %d : impossible de répondre sur ce canal.", id))
		return
	}
	text, err := h.replyText(r, c.Channel)
	if pagebot.ErrorCode(err) == pagebot.EINVALID {
		// The agent's own text, shown back to them only: never stored.
		h.renderCases(w, r, http.StatusBadRequest, id, r.PostFormValue("text"), pagebot.ErrorMessage(err))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a.Text = text
	// A second click, or a second agent typing the same thing, would post
	// the reply twice.
	pending, err := h.store.Actions(ctx, pagebot.ActionFilter{Status: pagebot.OutboxPending, EventID: ev.ID})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, p := range pending {
		if p.Kind == a.Kind && p.Target == a.Target && p.Text == a.Text {
			h.fail(w, r, pagebot.Errorf(pagebot.ECONFLICT, "Cette réponse au dossier n° %d est déjà programmée.", id))
			return
		}
	}
	a, err = h.store.AddAction(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.audit(r, "case.reply", fmt.Sprintf("case:%d", id), fmt.Sprintf("action:%d length:%d", a.ID, len([]rune(text))))
	msg := fmt.Sprintf("Réponse au dossier n° %d programmée.", id)
	if r.PostFormValue("close") != "" {
		// After the reply is queued: a failure here must not lose it.
		me := currentUser(r).Name
		switch err := h.store.CloseCase(ctx, id, me, "Répondu par "+me); {
		case err == nil:
			msg = fmt.Sprintf("Réponse programmée et dossier n° %d clos.", id)
		case pagebot.ErrorCode(err) == pagebot.ECONFLICT:
			msg += " Le dossier avait déjà été clos."
		default:
			h.log.WithError(err).WithField("case_id", id).Error("close case after reply")
			msg += " Le dossier n'a pas pu être clos : clôturez-le à nouveau."
		}
	}
	h.flash(r, msg)
	http.Redirect(w, r, Prefix+"/cases", http.StatusSeeOther)
}
