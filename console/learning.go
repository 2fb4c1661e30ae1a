package console

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"pagebot"
	"pagebot/bot"
	"pagebot/frtext"
	"pagebot/kb"
)

// The learning page groups the questions pagebot could not answer by
// similarity, so that editors see which ones keep coming back and turn them
// into FAQ entries or variants in one click.
const (
	// learningCases is how many recent cases, open or closed, are read.
	learningCases = 500
	// learningGroups bounds the groups shown.
	learningGroups = 50
	// learningThreshold is the Jaccard similarity of word sets from which a
	// message joins a group (compared with the group's first message).
	learningThreshold = 0.35
	// prefillConfidence is the confidence from which the closest entry is
	// proposed in the variant forms: below, a one-click mistake is likelier
	// than a good variant.
	prefillConfidence = 0.25
	// maxPrefill bounds the messages a new entry form is filled with.
	maxPrefill = 20
)

// learningSkipped are the prefixes of case reasons that are no question for
// the FAQ: personal files, moderation and failed sends.
var learningSkipped = []string{"situation personnelle", "commentaire masqué par la modération",
	"commentaire à relire", "envoi Facebook impossible"}

// maskedRe finds a personal-data placeholder left by the masker ("[téléphone
// masqué]"): such a text cannot become FAQ wording as it is.
var maskedRe = regexp.MustCompile(`\[[^\[\]]{1,60}masqu[ée]e?s?\]`)

// stopWords are frequent French words that say nothing about the subject of
// a question, in normalised form (frtext.Normalize).
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a au aux avec ce ces c ca cela cette d de des du dans en et est etre
		ete il ils elle elles j je l la le les leur leurs lui m ma me mes moi mon n ne nous notre nos on ou par
		pas plus pour qu que qui s sa se ses si son sur t ta te tes toi ton tu un une vos votre vous y ai as avez
		avons ont suis sont etes bonjour bonsoir salut coucou merci plait cordialement madame monsieur svp
		aussi bien donc mais alors tres deja encore comme`) {
		m[w] = true
	}
	return m
}()

// wordSet is the set of meaningful words of a text: normalised, without
// stop-words, a final plural "s" dropped.
func wordSet(text string) map[string]bool {
	set := map[string]bool{}
	for _, w := range frtext.Words(frtext.Normalize(maskedRe.ReplaceAllString(text, " "))) {
		if stopWords[w] {
			continue
		}
		if len(w) > 3 && strings.HasSuffix(w, "s") {
			w = w[:len(w)-1]
		}
		set[w] = true
	}
	return set
}

// jaccard is the size of the intersection of two sets over their union.
func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	n := 0
	for w := range a {
		if b[w] {
			n++
		}
	}
	return float64(n) / float64(len(a)+len(b)-n)
}

// groupTexts groups texts greedily, in order: each text joins the first
// group whose first text is at least threshold similar, or starts a group.
// Groups of two or more come first, largest first; order breaks ties, so the
// result depends only on the input. Texts with no meaningful word are left
// out.
func groupTexts(texts []string, threshold float64) [][]int {
	type group struct {
		first   map[string]bool
		members []int
	}
	var groups []*group
	for i, t := range texts {
		set := wordSet(t)
		if len(set) == 0 {
			continue
		}
		joined := false
		for _, g := range groups {
			if jaccard(set, g.first) >= threshold {
				g.members = append(g.members, i)
				joined = true
				break
			}
		}
		if !joined {
			groups = append(groups, &group{first: set, members: []int{i}})
		}
	}
	slices.SortStableFunc(groups, func(a, b *group) int { return len(b.members) - len(a.members) })
	out := make([][]int, len(groups))
	for i, g := range groups {
		out[i] = g.members
	}
	return out
}

// oneLine collapses a message to one line, as FAQ variants are.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// learningMessage is a case's question in a group.
type learningMessage struct {
	CaseID int64
	Text   string
	Reason string
	Open   bool
	// Masked is true when the text still holds a placeholder: it must be
	// reworded before it goes into the FAQ.
	Masked bool
	// Known is the entry that already has this wording, if any.
	Known string
}

// learningGroup is a set of similar questions.
type learningGroup struct {
	// N numbers the groups from 1.
	N        int
	Messages []learningMessage
	// Best is the entry the engine finds closest to the first message, with
	// the live model's confidence; nil when none.
	Best *bot.Scored
	// Target is the entry the variant forms propose: Best when its
	// confidence reaches prefillConfidence, else none (the editor chooses).
	Target string
	// NewURL opens the FAQ creation form filled with the group's messages.
	NewURL string
}

// learningData is the content of the learning page.
type learningData struct {
	Groups []learningGroup
	// Considered is how many messages were grouped (those with a word
	// that says something); More is true when groups were left out.
	Considered int
	More       bool
	// EntryIDs are the FAQ's entries, offered for the variant forms.
	EntryIDs []string
}

// learningCasesList returns the recent cases worth learning from, newest
// first.
func (h *handler) learningCasesList(r *http.Request) ([]pagebot.Case, error) {
	cs, err := h.store.Cases(r.Context(), "", learningCases)
	if err != nil {
		return nil, fmt.Errorf("learning: %w", err)
	}
	out := cs[:0]
	for _, c := range cs {
		if strings.TrimSpace(c.Text) == "" || slices.ContainsFunc(learningSkipped, func(p string) bool {
			return strings.HasPrefix(c.Reason, p)
		}) {
			continue
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b pagebot.Case) int { return cmp.Compare(b.ID, a.ID) })
	return out, nil
}

// learning shows the unanswered questions grouped by similarity.
func (h *handler) learning(w http.ResponseWriter, r *http.Request) {
	cs, err := h.learningCasesList(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	faq := h.index.FAQ()
	known := map[string]string{} // normalised wording → entry id
	var d learningData
	for _, e := range faq.Entries {
		d.EntryIDs = append(d.EntryIDs, e.ID)
		for _, p := range append([]string{e.Question}, e.Variants...) {
			if n := frtext.Normalize(p); known[n] == "" {
				known[n] = e.ID
			}
		}
	}
	texts := make([]string, len(cs))
	for i, c := range cs {
		texts[i] = c.Text
	}
	groups := groupTexts(texts, learningThreshold)
	for _, g := range groups {
		d.Considered += len(g)
	}
	if len(groups) > learningGroups {
		groups, d.More = groups[:learningGroups], true
	}
	for _, members := range groups {
		g := learningGroup{N: len(d.Groups) + 1}
		q := url.Values{}
		for _, i := range members {
			c := cs[i]
			text := oneLine(c.Text)
			g.Messages = append(g.Messages, learningMessage{CaseID: c.ID, Text: text, Reason: c.Reason,
				Open: c.Status == pagebot.CaseOpen, Masked: maskedRe.MatchString(text), Known: known[frtext.Normalize(text)]})
			if len(q["case"]) < maxPrefill {
				q.Add("case", strconv.FormatInt(c.ID, 10))
			}
		}
		g.NewURL = Prefix + "/learning/new?" + q.Encode()
		dec, err := h.decider.Decide(bot.Input{Channel: pagebot.ChannelMessage, Text: cs[members[0]].Text})
		if err != nil {
			h.serverError(w, r, fmt.Errorf("learning: %w", err))
			return
		}
		if len(dec.Candidates) > 0 {
			best := dec.Candidates[0]
			g.Best = &best
			if best.Confidence >= prefillConfidence {
				g.Target = best.ID
			}
		}
		d.Groups = append(d.Groups, g)
	}
	h.render(w, r, http.StatusOK, "learning", h.page(r, "Apprentissage", "learning", d))
}

// learningNew shows the FAQ creation form filled with the chosen cases'
// messages: the first as the question, the others as variants. Messages
// that still hold personal-data placeholders are left out. The form posts
// to the usual creation handler.
func (h *handler) learningNew(w http.ResponseWriter, r *http.Request) {
	ids := r.URL.Query()["case"]
	if len(ids) == 0 || len(ids) > maxPrefill {
		h.fail(w, r, pagebot.Errorf(pagebot.EINVALID, "Choisissez entre 1 et %d messages.", maxPrefill))
		return
	}
	var e kb.Entry
	seen := map[string]bool{}
	for _, s := range ids {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			h.fail(w, r, pagebot.Errorf(pagebot.EINVALID, "Dossier %q invalide.", s))
			return
		}
		c, err := h.store.Case(r.Context(), id)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		text := oneLine(c.Text)
		n := frtext.Normalize(text)
		if n == "" || seen[n] || maskedRe.MatchString(text) {
			continue
		}
		seen[n] = true
		if e.Question == "" {
			e.Question = text
		} else {
			e.Variants = append(e.Variants, text)
		}
	}
	if e.Question == "" {
		h.fail(w, r, pagebot.Errorf(pagebot.EINVALID, "Ces messages contiennent tous des données masquées : écrivez la question vous-même."))
		return
	}
	f := newFAQForm(e, true)
	h.render(w, r, http.StatusOK, "faq_edit", h.page(r, "Nouvelle entrée", "learning", f))
}

// learningVariant adds a case's message as a variant of an entry, through
// the same checks, index update and save as the entry form.
func (h *handler) learningVariant(w http.ResponseWriter, r *http.Request) {
	caseID, err := strconv.ParseInt(r.PostFormValue("case"), 10, 64)
	if err != nil {
		h.fail(w, r, pagebot.Errorf(pagebot.EINVALID, "Dossier invalide."))
		return
	}
	entryID := strings.TrimSpace(r.PostFormValue("entry"))
	c, err := h.store.Case(r.Context(), caseID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	text := oneLine(c.Text)
	switch {
	case text == "":
		h.fail(w, r, pagebot.Errorf(pagebot.EINVALID, "Ce message est vide."))
		return
	case maskedRe.MatchString(text):
		h.fail(w, r, pagebot.Errorf(pagebot.EINVALID, "Ce message contient encore des données masquées : "+
			"ouvrez l'entrée et écrivez la formulation vous-même, sans elles."))
		return
	}
	unlock, err := h.lockFAQ(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	defer unlock()
	old, ok := h.index.FAQ().Entry(entryID)
	if !ok {
		h.renderError(w, r, http.StatusNotFound, fmt.Sprintf("Aucune entrée « %s » dans la FAQ.", entryID))
		return
	}
	n := frtext.Normalize(text)
	if slices.ContainsFunc(append([]string{old.Question}, old.Variants...), func(p string) bool { return frtext.Normalize(p) == n }) {
		h.flash(r, fmt.Sprintf("L'entrée « %s » a déjà cette formulation.", entryID))
		http.Redirect(w, r, Prefix+"/learning", http.StatusSeeOther)
		return
	}
	e := old
	e.Variants = append(slices.Clone(old.Variants), text) // never append to the index's own slice
	if ps := kb.ValidateEntry(e, 0); len(ps) > 0 {
		msgs := make([]string, len(ps))
		for i, p := range ps {
			msgs[i] = p.Message
		}
		h.fail(w, r, pagebot.Errorf(pagebot.EINVALID, "Variante refusée : %s.", strings.Join(msgs, " ; ")))
		return
	}
	if !h.putEntry(w, r, newFAQForm(e, false), func() error { return h.index.Put(old) }) {
		return
	}
	h.audit(r, "faq.variant", "faq:"+entryID, fmt.Sprintf("dossier %d : %s", caseID, text))
	h.flash(r, fmt.Sprintf("Message du dossier %d ajouté comme variante de « %s ».", caseID, entryID))
	http.Redirect(w, r, Prefix+"/learning", http.StatusSeeOther)
}
