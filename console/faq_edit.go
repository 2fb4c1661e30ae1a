package console

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"pagebot"
	"pagebot/kb"
)

// faqForm is the content of the entry form, new or existing.
type faqForm struct {
	New   bool
	Entry kb.Entry
	// Variants, Links and Tags are the text areas as typed.
	Variants, Links, Tags string
	// Version identifies the entry as it was when the form was shown, so
	// that an edit does not silently overwrite someone else's.
	Version  string
	Problems []kb.Problem
	// Errors gives the message(s) of each field with a problem.
	Errors map[string]string
}

func newFAQForm(e kb.Entry, isNew bool) *faqForm {
	return &faqForm{New: isNew, Entry: e, Variants: strings.Join(e.Variants, "\n"), Links: strings.Join(e.Links, "\n"),
		Tags: strings.Join(e.Tags, ", "), Version: entryVersion(e)}
}

// addProblems attaches problems to the form and to their fields.
func (f *faqForm) addProblems(ps ...kb.Problem) {
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	for _, p := range ps {
		f.Problems = append(f.Problems, p)
		if f.Errors[p.Field] != "" {
			f.Errors[p.Field] += " ; "
		}
		f.Errors[p.Field] += p.Message
	}
}

// entryVersion is a short hash of an entry's content.
func entryVersion(e kb.Entry) string {
	b, _ := json.Marshal(e)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// lines splits a text area into its non-blank lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// parseFAQForm reads an entry from a posted form.
func parseFAQForm(r *http.Request, isNew bool) *faqForm {
	f := &faqForm{New: isNew, Variants: r.PostFormValue("variants"), Links: r.PostFormValue("links"),
		Tags: r.PostFormValue("tags"), Version: r.PostFormValue("version")}
	f.Entry = kb.Entry{
		ID:       strings.TrimSpace(r.PostFormValue("id")),
		Question: strings.TrimSpace(r.PostFormValue("question")),
		Variants: lines(f.Variants),
		Answer:   strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("answer"), "\r\n", "\n")),
		Links:    lines(f.Links),
		Tags:     strings.FieldsFunc(strings.ToLower(f.Tags), func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t' }),
		Reviewed: strings.TrimSpace(r.PostFormValue("reviewed")),
	}
	return f
}

// faqNew shows an empty entry form.
func (h *handler) faqNew(w http.ResponseWriter, r *http.Request) {
	h.renderFAQForm(w, r, http.StatusOK, newFAQForm(kb.Entry{}, true))
}

// faqEdit shows the form of an existing entry.
func (h *handler) faqEdit(w http.ResponseWriter, r *http.Request) {
	e, ok := h.index.FAQ().Entry(r.PathValue("id"))
	if !ok {
		h.renderError(w, r, http.StatusNotFound, fmt.Sprintf("Aucune entrée « %s » dans la FAQ.", r.PathValue("id")))
		return
	}
	h.renderFAQForm(w, r, http.StatusOK, newFAQForm(e, false))
}

func (h *handler) renderFAQForm(w http.ResponseWriter, r *http.Request, status int, f *faqForm) {
	title := "Nouvelle entrée"
	if !f.New {
		title = "Modifier « " + f.Entry.ID + " »"
	}
	h.render(w, r, status, "faq_edit", h.page(r, title, "faq", f))
}

// lockFAQ serialises the console's FAQ edits; it gives up with the request.
func (h *handler) lockFAQ(r *http.Request) (unlock func(), err error) {
	select {
	case h.faqEdits <- struct{}{}:
		return func() { <-h.faqEdits }, nil
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
}

// faqCreate adds an entry, checked as a file import would check it, to the
// live index, then saves the FAQ.
func (h *handler) faqCreate(w http.ResponseWriter, r *http.Request) {
	f := parseFAQForm(r, true)
	f.Entry.ID = strings.ToLower(f.Entry.ID)
	unlock, err := h.lockFAQ(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	defer unlock()
	f.addProblems(kb.ValidateEntry(f.Entry, 0)...)
	if _, exists := h.index.FAQ().Entry(f.Entry.ID); exists {
		f.addProblems(kb.Problem{ID: f.Entry.ID, Field: "id", Message: "identifiant déjà utilisé par une autre entrée"})
	}
	if len(f.Problems) > 0 {
		h.renderFAQForm(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if !h.putEntry(w, r, f, func() error { return h.index.Delete(f.Entry.ID) }) {
		return
	}
	h.audit(r, "faq.create", "faq:"+f.Entry.ID, f.Entry.Question)
	h.recordVersion(r, pagebot.FAQCreate, f.Entry)
	h.flash(r, fmt.Sprintf("Entrée « %s » créée : elle sert dès maintenant aux réponses.", f.Entry.ID))
	http.Redirect(w, r, Prefix+"/faq/"+f.Entry.ID+"/edit", http.StatusSeeOther)
}

// faqUpdate replaces an entry, unless someone changed it since the form was
// shown.
func (h *handler) faqUpdate(w http.ResponseWriter, r *http.Request) {
	f := parseFAQForm(r, false)
	f.Entry.ID = r.PathValue("id") // ids are stable: evaluation sets and the audit trail use them
	unlock, err := h.lockFAQ(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	defer unlock()
	old, ok := h.index.FAQ().Entry(f.Entry.ID)
	if !ok {
		h.renderError(w, r, http.StatusNotFound, fmt.Sprintf("Aucune entrée « %s » dans la FAQ : elle a peut-être été supprimée.", f.Entry.ID))
		return
	}
	if f.Version != entryVersion(old) {
		f.addProblems(kb.Problem{Message: "Cette entrée a été modifiée par quelqu'un d'autre depuis l'ouverture du formulaire. " +
			"Rechargez la page pour partir de sa version actuelle (copiez d'abord vos changements)."})
		h.renderFAQForm(w, r, http.StatusConflict, f)
		return
	}
	f.addProblems(kb.ValidateEntry(f.Entry, 0)...)
	if len(f.Problems) > 0 {
		h.renderFAQForm(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if !h.putEntry(w, r, f, func() error { return h.index.Put(old) }) {
		return
	}
	h.audit(r, "faq.update", "faq:"+f.Entry.ID, "champs modifiés : "+strings.Join(changedFields(old, f.Entry), ", "))
	h.recordVersion(r, pagebot.FAQUpdate, f.Entry)
	h.flash(r, fmt.Sprintf("Entrée « %s » enregistrée.", f.Entry.ID))
	http.Redirect(w, r, Prefix+"/faq/"+f.Entry.ID+"/edit", http.StatusSeeOther)
}

// putEntry puts the form's entry in the index and saves the FAQ; if saving
// fails, undo restores the index. It reports whether all went well, having
// answered the request otherwise.
func (h *handler) putEntry(w http.ResponseWriter, r *http.Request, f *faqForm, undo func() error) bool {
	if err := h.index.Put(f.Entry); err != nil {
		var ve *kb.ValidationError
		if errors.As(err, &ve) {
			f.addProblems(ve.Problems...)
			h.renderFAQForm(w, r, http.StatusUnprocessableEntity, f)
			return false
		}
		h.serverError(w, r, fmt.Errorf("put entry %s: %w", f.Entry.ID, err))
		return false
	}
	if err := h.saver.SaveFAQ(h.index.FAQ()); err != nil {
		if uerr := undo(); uerr != nil {
			h.serverError(w, r, errors.Join(fmt.Errorf("save faq: %w", err), fmt.Errorf("undo: %w", uerr)))
		} else {
			// ECONFLICT: changed meanwhile through another replica.
			h.fail(w, r, fmt.Errorf("save faq: %w", err))
		}
		return false
	}
	return true
}

// faqDelete removes an entry from the index and saves the FAQ.
func (h *handler) faqDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	unlock, err := h.lockFAQ(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	defer unlock()
	old, ok := h.index.FAQ().Entry(id)
	if !ok {
		h.renderError(w, r, http.StatusNotFound, fmt.Sprintf("Aucune entrée « %s » dans la FAQ.", id))
		return
	}
	if err := h.index.Delete(id); err != nil {
		var ve *kb.ValidationError
		if errors.As(err, &ve) {
			msgs := make([]string, len(ve.Problems))
			for i, p := range ve.Problems {
				msgs[i] = p.Message
			}
			h.fail(w, r, pagebot.Errorf(pagebot.EINVALID, "Suppression impossible : %s.", strings.Join(msgs, " ; ")))
			return
		}
		h.serverError(w, r, fmt.Errorf("delete entry %s: %w", id, err))
		return
	}
	if err := h.saver.SaveFAQ(h.index.FAQ()); err != nil {
		if uerr := h.index.Put(old); uerr != nil {
			h.serverError(w, r, errors.Join(fmt.Errorf("save faq: %w", err), fmt.Errorf("undo: %w", uerr)))
		} else {
			// ECONFLICT: changed meanwhile through another replica.
			h.fail(w, r, fmt.Errorf("save faq: %w", err))
		}
		return
	}
	h.audit(r, "faq.delete", "faq:"+id, old.Question)
	h.recordVersion(r, pagebot.FAQDelete, old)
	h.flash(r, fmt.Sprintf("Entrée « %s » supprimée.", id))
	http.Redirect(w, r, Prefix+"/faq", http.StatusSeeOther)
}

// changedFields names the fields that differ between two versions.
func changedFields(a, b kb.Entry) []string {
	var out []string
	add := func(name string, same bool) {
		if !same {
			out = append(out, name)
		}
	}
	add("question", a.Question == b.Question)
	add("variants", slices.Equal(a.Variants, b.Variants))
	add("answer", a.Answer == b.Answer)
	add("links", slices.Equal(a.Links, b.Links))
	add("tags", slices.Equal(a.Tags, b.Tags))
	add("reviewed", a.Reviewed == b.Reviewed)
	if len(out) == 0 {
		return []string{"aucun"}
	}
	return out
}
