package console

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"pagebot"
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
	}
	h.render(w, r, http.StatusOK, "cases", h.page(r, "Escalades", "cases", d))
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
