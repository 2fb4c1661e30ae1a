package pagebot

import "encoding/json"

// Validate checks what a store needs to record v: an entry id, an actor,
// one of the three actions and an entry that is a JSON object. Returns
// EINVALID otherwise.
func (v FAQVersion) Validate() error {
	switch {
	case v.EntryID == "":
		return Errorf(EINVALID, "Version de la FAQ sans identifiant d'entrée.")
	case v.Actor == "":
		return Errorf(EINVALID, "Version de la FAQ sans auteur.")
	case v.Action != FAQCreate && v.Action != FAQUpdate && v.Action != FAQDelete:
		return Errorf(EINVALID, "Action %q inconnue : attendu create, update ou delete.", v.Action)
	}
	var obj map[string]any
	if err := json.Unmarshal(v.Entry, &obj); err != nil || obj == nil {
		return Errorf(EINVALID, "Version de l'entrée %q : le contenu doit être un objet JSON.", v.EntryID)
	}
	return nil
}
