package console

import "net/http"

// dashboardData is the content of the home page.
type dashboardData struct {
	Stats   Stats
	Entries int
}

// dashboard shows what is waiting: open cases, events and Graph actions not
// yet handled, and the size of the FAQ.
func (h *handler) dashboard(w http.ResponseWriter, r *http.Request) {
	st, err := h.store.Stats(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := dashboardData{Stats: st, Entries: len(h.index.FAQ().Entries)}
	h.render(w, r, http.StatusOK, "dashboard", h.page(r, "Tableau de bord", "dashboard", d))
}
