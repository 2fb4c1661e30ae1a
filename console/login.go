package console

import (
	"fmt"
	"math"
	"net/http"
	"strings"

	"pagebot"
)

// loginData is the content of the login page.
type loginData struct {
	Name  string
	Next  string
	Error string
}

// loginForm shows the login page, or the dashboard to a logged-in user.
func (h *handler) loginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if h.sessions.GetString(r.Context(), keyUser) != "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "login", h.page(r, "Connexion", "", loginData{Next: next}))
}

// login checks a name and password and opens a session. Failures count
// against the client's address and the name; past the limit, the password
// is not even checked.
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := strings.ToLower(strings.TrimSpace(r.PostFormValue("name")))
	password := r.PostFormValue("password")
	d := loginData{Name: name, Next: safeNext(r.PostFormValue("next"))}
	now := h.cfg.Now()
	ipKey, nameKey := "ip:"+h.clientIP(r), "name:"+name

	blocked, wait, err := h.limiter.blocked(ctx, now, ipKey, nameKey)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if blocked {
		h.log.WithField("user", name).Warn("console login blocked")
		d.Error = fmt.Sprintf("Trop de tentatives de connexion. Réessayez dans %d minute(s).", int(math.Ceil(wait.Minutes())))
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
		h.render(w, r, http.StatusTooManyRequests, "login", h.page(r, "Connexion", "", d))
		return
	}
	u, err := h.store.CheckPassword(ctx, name, password)
	if pagebot.ErrorCode(err) == pagebot.EUNAUTHORIZED {
		if err := h.limiter.fail(ctx, now, ipKey, nameKey); err != nil {
			h.log.WithError(err).Error("record a failed login")
		}
		h.log.WithField("user", name).Warn("console login failed")
		d.Error = pagebot.ErrorMessage(err)
		h.render(w, r, http.StatusUnauthorized, "login", h.page(r, "Connexion", "", d))
		return
	} else if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.limiter.reset(ctx, nameKey); err != nil {
		h.log.WithError(err).Error("clear failed logins")
	}
	// A new token at login: a session id planted before cannot be used.
	if err := h.sessions.RenewToken(ctx); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.sessions.Put(ctx, keyUser, u.Name)
	h.sessions.Put(ctx, keyLoginAt, now.UnixMicro())
	h.sessions.Remove(ctx, keyCSRF) // a new one on the next page
	r = r.WithContext(contextWithUser(ctx, u))
	h.audit(r, "user.login", "user:"+u.Name, "")
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

// logout ends the session.
func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.sessions.Destroy(r.Context()); err != nil {
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/login", http.StatusSeeOther)
}
