package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"strings"
	"time"

	"pagebot"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages are the templates of the console, each rendered inside layout.html.
var pages = []string{"login", "error", "dashboard", "faq_list", "faq_edit", "try", "cases", "users", "moderation", "drafts", "learning", "faq_import", "faq_history"}

// views are the parsed templates, one per page.
type views struct {
	pages map[string]*template.Template
}

// assetVersion changes with the static files, so that browsers fetch new
// ones after an upgrade although they cache them.
var assetVersion = func() string {
	h := sha256.New()
	_ = fs.WalkDir(staticFS, "static", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := staticFS.ReadFile(path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:10]
}()

func parseViews(loc *time.Location) (*views, error) {
	funcs := template.FuncMap{
		"static": func(name string) string { return Prefix + "/static/" + name + "?v=" + assetVersion },
		"date":   func(t time.Time) string { return formatDate(t, loc) },
		"pct":    func(p float64) string { return fmt.Sprintf("%d %%", int(math.Round(p*100))) },
		"num":    func(f float64) string { return strings.Replace(fmt.Sprintf("%.2f", f), ".", ",", 1) },
		"join":   strings.Join,
		"action": actionLabel,
		"channel": func(c pagebot.Channel) string {
			if c == pagebot.ChannelMessage {
				return "Message privé"
			}
			return "Commentaire public"
		},
		"can": func(u User, role string) bool { return parseRole(u.Role) >= parseRole(role) },
		"roleLabel": func(r string) string {
			switch r {
			case "admin":
				return "administrateur"
			case "editor":
				return "rédacteur"
			}
			return "agent"
		},
	}
	v := &views{pages: map[string]*template.Template{}}
	for _, p := range pages {
		t, err := template.New(p).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("parse console templates: %w", err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("parse console templates: %s.html defines no content", p)
		}
		v.pages[p] = t
	}
	return v, nil
}

// formatDate writes a time the French way in the console's time zone.
func formatDate(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(loc)
	days := [...]string{"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."}
	return fmt.Sprintf("%s %s à %d h %02d", days[t.Weekday()], t.Format("02/01/2006"), t.Hour(), t.Minute())
}

// age says how long ago something happened, in French ("2 h 05", "3 j").
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "moins d'une minute"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %02d", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d j", int(d.Hours()/24))
}

func actionLabel(a pagebot.Action) string {
	switch a {
	case pagebot.ActionAnswer:
		return "Répondre avec la FAQ"
	case pagebot.ActionRedirect:
		return "Réorienter vers un autre organisme"
	case pagebot.ActionEscalate:
		return "Transmettre à un conseiller"
	case pagebot.ActionIgnore:
		return "Ne rien répondre"
	}
	return string(a)
}

// page is what every template receives.
type page struct {
	Title string
	// Nav names the menu entry of the page, marked aria-current.
	Nav   string
	User  User
	CSRF  string
	Flash string
	// Data is the page's own content.
	Data any
}

// page returns the common part of a page for the request's user.
func (h *handler) page(r *http.Request, title, nav string, data any) page {
	return page{Title: title, Nav: nav, User: currentUser(r), CSRF: h.csrfToken(r),
		Flash: h.sessions.PopString(r.Context(), "flash"), Data: data}
}

// flash leaves a message for the next page the user sees.
func (h *handler) flash(r *http.Request, msg string) {
	h.sessions.Put(r.Context(), "flash", msg)
}

// render executes a page into a buffer and sends it only if that worked.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := h.views.pages[name]
	if !ok {
		h.serverError(w, r, fmt.Errorf("render: no template %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		h.serverError(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// renderError shows msg on an error page with status.
func (h *handler) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	p := page{Title: "Erreur", User: currentUser(r), Data: msg}
	if p.User.Name != "" {
		p.CSRF = h.csrfToken(r)
	}
	t := h.views.pages["error"]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		h.log.WithError(err).Error("render error page")
		http.Error(w, msg, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// serverError logs an unexpected error and shows a generic page.
func (h *handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.log.WithError(err).WithFields(map[string]any{"method": r.Method, "path": r.URL.Path}).Error("console")
	h.renderError(w, r, http.StatusInternalServerError, "Erreur interne. Réessayez ; si elle persiste, prévenez l'administrateur.")
}

// errorStatus maps pagebot error codes to HTTP statuses, for the pages and
// the API alike; any other code is an internal error.
var errorStatus = map[string]int{
	pagebot.EINVALID:      http.StatusBadRequest,
	pagebot.ENOTFOUND:     http.StatusNotFound,
	pagebot.ECONFLICT:     http.StatusConflict,
	pagebot.EUNAUTHORIZED: http.StatusUnauthorized,
	pagebot.EFORBIDDEN:    http.StatusForbidden,
}

// fail shows a staff-facing error with the status of its code, or a generic
// page for an internal error.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, ok := errorStatus[pagebot.ErrorCode(err)]
	if !ok {
		h.serverError(w, r, err)
		return
	}
	h.renderError(w, r, status, pagebot.ErrorMessage(err))
}

// staticHandler serves the embedded CSS and script.
func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // embedded folder: cannot fail
	}
	files := http.StripPrefix(Prefix+"/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}
