package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"pagebot"
	"time"

	"pagebot/kb"
)

// FAQVersion is one version of a FAQ entry: pagebot.FAQVersion.
type FAQVersion = pagebot.FAQVersion

// recordVersion stores a version of an entry after a change the console made
// (for a deletion, the entry as it was). A failure is logged, not shown,
// since the change itself is done.
func (h *handler) recordVersion(r *http.Request, action string, e kb.Entry) {
	b, err := json.Marshal(e)
	if err == nil {
		_, err = h.store.AddFAQVersion(r.Context(), FAQVersion{EntryID: e.ID, Actor: currentUser(r).Name, Action: action, Entry: b})
	}
	if err != nil {
		h.log.WithError(err).WithField("entry", e.ID).Error("faq version")
	}
}

// versionView is a version as the history shows it.
type versionView struct {
	Version int
	Actor   string
	At      time.Time
	Action  string
	// Label says what the action did, in French.
	Label string
	Entry kb.Entry
}

// historyData is the content of an entry's history.
type historyData struct {
	ID string
	// Live is true while the entry is in the FAQ in service.
	Live     bool
	Versions []versionView
}

// actionLabels name the version actions.
var actionLabels = map[string]string{
	pagebot.FAQCreate: "Création",
	pagebot.FAQUpdate: "Modification",
	pagebot.FAQDelete: "Suppression",
}

// faqHistory lists the versions of an entry, newest first, with the
// question and the answer of each.
func (h *handler) faqHistory(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	vs, err := h.store.FAQVersions(r.Context(), id)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	_, live := h.index.FAQ().Entry(id)
	if len(vs) == 0 && !live {
		h.renderError(w, r, http.StatusNotFound, fmt.Sprintf("Aucune entrée « %s » dans la FAQ ni dans son historique.", id))
		return
	}
	d := historyData{ID: id, Live: live, Versions: make([]versionView, len(vs))}
	for i, v := range vs {
		d.Versions[i] = versionView{Version: v.Version, Actor: v.Actor, At: v.At, Action: v.Action, Label: actionLabels[v.Action]}
		if err := json.Unmarshal(v.Entry, &d.Versions[i].Entry); err != nil {
			h.serverError(w, r, fmt.Errorf("faq history %s version %d: %w", id, v.Version, err))
			return
		}
	}
	h.render(w, r, http.StatusOK, "faq_history", h.page(r, "Historique de « "+id+" »", "faq", d))
}
