package console

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"pagebot"
)

// draftView is a reply waiting for approval, as the drafts page shows it.
type draftView struct {
	pagebot.OutboxAction
	// KindLabel says in French where the reply goes.
	KindLabel string
	Age       string
	// Question is the masked message answered, from the action's event;
	// empty when the event is gone.
	Question   string
	SenderName string
	Channel    pagebot.Channel
	// Public marks a reply posted under the comment, for everyone to read.
	Public bool
	// Late marks a Messenger reply past the 24-hour window: Messenger will
	// probably refuse it.
	Late bool
}

// draftsData is the content of the drafts page.
type draftsData struct {
	Drafts []draftView
	// More is true when there are more drafts than shown.
	More bool
}

// maxDrafts bounds the drafts shown.
const maxDrafts = 200

// messengerWindow is how long after a person's message a page may answer
// them without a tag.
const messengerWindow = 24 * time.Hour

// drafts lists the replies kept for approval (draft mode), oldest first,
// with the question each one answers.
func (h *handler) drafts(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	acts, err := h.store.Actions(ctx, pagebot.ActionFilter{Status: pagebot.OutboxDraft, Limit: maxDrafts + 1})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := draftsData{More: len(acts) > maxDrafts}
	if d.More {
		acts = acts[:maxDrafts]
	}
	slices.Reverse(acts) // Actions gives the newest first; the queue is worked oldest first
	now := h.cfg.Now()
	events := map[int64]*pagebot.Event{}
	for _, a := range acts {
		v := draftView{OutboxAction: a, KindLabel: kindLabel(a.Kind), Age: age(now.Sub(a.CreatedAt)),
			Public: a.Kind == pagebot.OutboxReplyComment}
		ev, ok := events[a.EventID]
		if !ok {
			ev, err = h.store.Event(ctx, a.EventID)
			if err != nil && pagebot.ErrorCode(err) != pagebot.ENOTFOUND {
				h.serverError(w, r, err)
				return
			}
			events[a.EventID] = ev
		}
		if ev != nil {
			v.Question, v.SenderName, v.Channel = ev.Text, ev.SenderName, ev.Channel
			v.Late = a.Kind == pagebot.OutboxSendMessage && !a.HumanAgent && now.Sub(sentAt(ev)) > messengerWindow
		}
		d.Drafts = append(d.Drafts, v)
	}
	h.render(w, r, http.StatusOK, "drafts", h.page(r, fmt.Sprintf("Brouillons (%d%s)", len(d.Drafts), plusIf(d.More)), "drafts", d))
}

func plusIf(b bool) string {
	if b {
		return "+"
	}
	return ""
}

// kindLabel says in French what an outbox action does.
func kindLabel(k pagebot.OutboxKind) string {
	switch k {
	case pagebot.OutboxReplyComment:
		return "Réponse publique au commentaire"
	case pagebot.OutboxPrivateReply:
		return "Réponse privée au commentaire"
	case pagebot.OutboxSendMessage:
		return "Message privé Messenger"
	}
	return string(k)
}

// draftID reads the action id of the path.
func draftID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, pagebot.Errorf(pagebot.ENOTFOUND, "Brouillon %q introuvable.", r.PathValue("id"))
	}
	return id, nil
}

// approveDraft sends a draft as the engine wrote it.
func (h *handler) approveDraft(w http.ResponseWriter, r *http.Request) {
	id, err := draftID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.store.ApproveDraft(r.Context(), id, ""); err != nil {
		h.fail(w, r, err)
		return
	}
	h.audit(r, "drafts.approve", fmt.Sprintf("action:%d", id), "")
	h.flash(r, fmt.Sprintf("Brouillon n° %d approuvé : la réponse va être envoyée.", id))
	http.Redirect(w, r, Prefix+"/drafts", http.StatusSeeOther)
}

// editDraft sends a draft with the agent's text instead of the engine's,
// checked as a reply from the queue is.
func (h *handler) editDraft(w http.ResponseWriter, r *http.Request) {
	id, err := draftID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	a, err := h.store.Action(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if a.Status != pagebot.OutboxDraft {
		h.fail(w, r, notDraft(id))
		return
	}
	ch := pagebot.ChannelMessage
	if a.Kind == pagebot.OutboxReplyComment {
		ch = pagebot.ChannelComment
	}
	text, err := h.replyText(r, ch)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.store.ApproveDraft(ctx, id, text); err != nil {
		h.fail(w, r, err)
		return
	}
	h.audit(r, "drafts.edit", fmt.Sprintf("action:%d", id), fmt.Sprintf("length:%d", len([]rune(text))))
	h.flash(r, fmt.Sprintf("Brouillon n° %d modifié : votre réponse va être envoyée.", id))
	http.Redirect(w, r, Prefix+"/drafts", http.StatusSeeOther)
}

// notDraft refuses a change to an action already approved or rejected.
func notDraft(id int64) error {
	return pagebot.Errorf(pagebot.ECONFLICT, "Le brouillon n° %d a déjà été traité.", id)
}

// rejectDraft drops a draft: nothing is sent.
func (h *handler) rejectDraft(w http.ResponseWriter, r *http.Request) {
	id, err := draftID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.store.RejectDraft(r.Context(), id, currentUser(r).Name); err != nil {
		h.fail(w, r, err)
		return
	}
	h.audit(r, "drafts.reject", fmt.Sprintf("action:%d", id), "")
	h.flash(r, fmt.Sprintf("Brouillon n° %d rejeté : rien ne sera envoyé.", id))
	http.Redirect(w, r, Prefix+"/drafts", http.StatusSeeOther)
}
