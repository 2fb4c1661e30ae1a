package console

import (
	"net/http"
	"slices"
	"strings"

	"pagebot/kb"
)

// tagCount is a tag and the number of entries that carry it.
type tagCount struct {
	Tag   string
	Count int
}

// faqListData is the content of the FAQ list.
type faqListData struct {
	Q, Tag  string
	Tags    []tagCount
	Entries []kb.Entry
	Total   int
}

// maxSearchResults bounds the entries a search lists.
const maxSearchResults = 50

// faqList lists the FAQ entries: all of them by id, or those the index finds
// for a search (best first, as the bot would see them), optionally with one
// tag only.
func (h *handler) faqList(w http.ResponseWriter, r *http.Request) {
	faq := h.index.FAQ()
	d := faqListData{Q: strings.TrimSpace(r.URL.Query().Get("q")), Tag: r.URL.Query().Get("tag"), Total: len(faq.Entries)}
	counts := map[string]int{}
	for _, e := range faq.Entries {
		for _, t := range e.Tags {
			counts[t]++
		}
	}
	for t, n := range counts {
		d.Tags = append(d.Tags, tagCount{t, n})
	}
	slices.SortFunc(d.Tags, func(a, b tagCount) int { return strings.Compare(a.Tag, b.Tag) })

	entries := faq.Entries
	if d.Q != "" {
		entries = nil
		seen := map[string]bool{}
		if e, ok := faq.Entry(strings.ToLower(d.Q)); ok { // an id typed as is
			entries, seen[e.ID] = append(entries, e), true
		}
		res, err := h.index.Search(d.Q, maxSearchResults)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		for _, c := range res.Candidates {
			if !seen[c.Entry.ID] {
				entries, seen[c.Entry.ID] = append(entries, c.Entry), true
			}
		}
	} else {
		slices.SortFunc(entries, func(a, b kb.Entry) int { return strings.Compare(a.ID, b.ID) })
	}
	for _, e := range entries {
		if d.Tag == "" || slices.Contains(e.Tags, d.Tag) {
			d.Entries = append(d.Entries, e)
		}
	}
	h.render(w, r, http.StatusOK, "faq_list", h.page(r, "FAQ", "faq", d))
}
