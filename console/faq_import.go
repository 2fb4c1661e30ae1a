package console

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"

	"pagebot"
	"pagebot/kb"
)

// maxImportBytes bounds an imported FAQ file.
const maxImportBytes = 2 << 20

// importData is the content of the import and export page.
type importData struct {
	// Entries counts the entries of the FAQ in service.
	Entries int
	// File is the name of the file refused, Problems why.
	File     string
	Problems []kb.Problem
}

// faqImportForm shows the export links and the import form.
func (h *handler) faqImportForm(w http.ResponseWriter, r *http.Request) {
	h.renderImport(w, r, http.StatusOK, importData{})
}

func (h *handler) renderImport(w http.ResponseWriter, r *http.Request, status int, d importData) {
	d.Entries = len(h.index.FAQ().Entries)
	h.render(w, r, status, "faq_import", h.page(r, "Importer ou exporter la FAQ", "faq", d))
}

// faqExport sends the FAQ in service as a YAML or CSV file.
func (h *handler) faqExport(w http.ResponseWriter, r *http.Request) {
	faq := h.index.FAQ()
	var (
		buf        bytes.Buffer
		ctype, ext string
		err        error
	)
	switch format := r.URL.Query().Get("format"); format {
	case "yaml", "":
		ctype, ext, err = "application/yaml; charset=utf-8", ".yaml", kb.WriteYAML(&buf, faq)
	case "csv":
		ctype, ext, err = "text/csv; charset=utf-8", ".csv", kb.WriteCSV(&buf, faq)
	default:
		h.fail(w, r, pagebot.Errorf(pagebot.EINVALID, "Format %q inconnu : yaml ou csv.", format))
		return
	}
	if err != nil {
		h.serverError(w, r, fmt.Errorf("export faq: %w", err))
		return
	}
	name := "faq"
	if faq.Organism != "" {
		name += "-" + faq.Organism
	}
	name += "-" + h.cfg.Now().In(h.cfg.Location).Format("2006-01-02") + ext
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

// upload reads a multipart form of at most max bytes of files before next
// runs, since the CSRF check otherwise bounds a form to maxFormBytes. Only
// a request with a logged-in session is read; next still checks the user,
// the role and the CSRF token.
func (h *handler) upload(max int64, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.sessions.GetString(r.Context(), keyUser) == "" {
			h.toLogin(w, r)
			return
		}
		limit := max + maxFormBytes // the other fields and the part headers
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := r.ParseMultipartForm(limit); err != nil {
			if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
				h.renderError(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("Fichier trop volumineux : %d Mio au plus.", max>>20))
				return
			}
			h.renderError(w, r, http.StatusBadRequest, "Envoi de fichier invalide : rechargez la page et recommencez.")
			return
		}
		defer func() { _ = r.MultipartForm.RemoveAll() }()
		next(w, r)
	}
}

// readers read a FAQ file by its extension.
var readers = map[string]func(io.Reader, string) (*kb.FAQ, error){
	".yaml": kb.ReadYAML,
	".yml":  kb.ReadYAML,
	".csv":  kb.ReadCSV,
}

// faqImport replaces the FAQ in service with an uploaded file, if the file
// has no problem at all; otherwise it lists every problem and changes
// nothing.
func (h *handler) faqImport(w http.ResponseWriter, r *http.Request) {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		h.renderImport(w, r, http.StatusBadRequest, importData{Problems: []kb.Problem{{Message: "Choisissez un fichier à importer."}}})
		return
	}
	defer file.Close()
	d := importData{File: path.Base(strings.ReplaceAll(hdr.Filename, `\`, "/"))}
	if hdr.Size > maxImportBytes {
		d.Problems = []kb.Problem{{Message: fmt.Sprintf("fichier trop volumineux : %d Mio au plus", maxImportBytes>>20)}}
		h.renderImport(w, r, http.StatusRequestEntityTooLarge, d)
		return
	}
	ext := strings.ToLower(path.Ext(d.File))
	read, ok := readers[ext]
	if !ok {
		d.Problems = []kb.Problem{{Message: "format inconnu : le nom du fichier doit finir par .yaml, .yml ou .csv"}}
		h.renderImport(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	unlock, err := h.lockFAQ(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	defer unlock()
	cur := h.index.FAQ()
	faq, err := read(io.LimitReader(file, maxImportBytes), d.File)
	if err == nil {
		// A spreadsheet has no organism nor review date: those of the FAQ
		// in service stay.
		if faq.Organism == "" {
			faq.Organism = cur.Organism
		} else if cur.Organism != "" && faq.Organism != cur.Organism {
			err = &kb.ValidationError{Source: d.File, Problems: []kb.Problem{{Field: "organism",
				Message: fmt.Sprintf("organisme %q différent de celui de la FAQ en service (%q)", faq.Organism, cur.Organism)}}}
		}
		if faq.Reviewed == "" {
			faq.Reviewed = cur.Reviewed
		}
	}
	if err == nil {
		err = h.index.Replace(faq)
	}
	if err != nil {
		var ve *kb.ValidationError
		if errors.As(err, &ve) {
			d.Problems = ve.Problems
			h.renderImport(w, r, http.StatusUnprocessableEntity, d)
			return
		}
		h.serverError(w, r, fmt.Errorf("import faq %s: %w", d.File, err))
		return
	}
	if err := h.saver.SaveFAQ(h.index.FAQ()); err != nil {
		if uerr := h.index.Replace(cur); uerr != nil {
			h.serverError(w, r, errors.Join(fmt.Errorf("save faq: %w", err), fmt.Errorf("undo: %w", uerr)))
		} else {
			// ECONFLICT: changed meanwhile through another replica.
			h.fail(w, r, fmt.Errorf("save faq: %w", err))
		}
		return
	}
	created, updated, deleted := faqChanges(cur, faq)
	h.audit(r, "faq.import", "faq", fmt.Sprintf("%d entrées importées de %s : %d créée(s), %d modifiée(s), %d supprimée(s)",
		len(faq.Entries), d.File, len(created), len(updated), len(deleted)))
	for _, e := range created {
		h.recordVersion(r, pagebot.FAQCreate, e)
	}
	for _, e := range updated {
		h.recordVersion(r, pagebot.FAQUpdate, e)
	}
	for _, e := range deleted {
		h.recordVersion(r, pagebot.FAQDelete, e)
	}
	h.flash(r, fmt.Sprintf("FAQ importée de « %s » : %d entrée(s) en service (%d créée(s), %d modifiée(s), %d supprimée(s)).",
		d.File, len(faq.Entries), len(created), len(updated), len(deleted)))
	http.Redirect(w, r, Prefix+"/faq", http.StatusSeeOther)
}

// faqChanges compares two FAQs entry by entry: the entries of next that
// are new or changed, and those of prev that next no longer has.
func faqChanges(prev, next *kb.FAQ) (created, updated, deleted []kb.Entry) {
	for _, e := range next.Entries {
		old, ok := prev.Entry(e.ID)
		switch {
		case !ok:
			created = append(created, e)
		case entryVersion(old) != entryVersion(e):
			updated = append(updated, e)
		}
	}
	for _, e := range prev.Entries {
		if _, ok := next.Entry(e.ID); !ok {
			deleted = append(deleted, e)
		}
	}
	return created, updated, deleted
}
