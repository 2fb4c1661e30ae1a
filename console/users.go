package console

import (
	"fmt"
	"net/http"
)

// usersData is the content of the account list.
type usersData struct {
	Users []User
}

// users lists the staff accounts (administrators only). Accounts are
// created with `pagebot user add`.
func (h *handler) users(w http.ResponseWriter, r *http.Request) {
	us, err := h.store.Users(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "users", h.page(r, "Comptes", "users", usersData{Users: us}))
}

// disableUser disables an account, or enables it again when the form says
// enable=1. Administrators cannot disable themselves (and lock everyone
// out).
func (h *handler) disableUser(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	disable := r.PostFormValue("enable") != "1"
	if disable && name == currentUser(r).Name {
		h.renderError(w, r, http.StatusBadRequest, "Vous ne pouvez pas désactiver votre propre compte.")
		return
	}
	if err := h.store.DisableUser(r.Context(), name, disable); err != nil {
		h.fail(w, r, err)
		return
	}
	action, msg := "user.disable", "Compte « %s » désactivé."
	if !disable {
		action, msg = "user.enable", "Compte « %s » réactivé."
	}
	h.audit(r, action, "user:"+name, "")
	h.flash(r, fmt.Sprintf(msg, name))
	http.Redirect(w, r, Prefix+"/users", http.StatusSeeOther)
}
