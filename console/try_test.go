package console_test

import (
	"net/http"
	"net/url"
	"testing"
)

func TestTry(t *testing.T) {
	f := MustFixture(t)
	alice := f.login(t, "alice")
	wantStatus(t, "GET try", alice.get("/console/try"), http.StatusOK)

	r := alice.post("/console/try", url.Values{"channel": {"message"},
		"text": {"bonjour, quand est versée l'APL ? mon numéro 06 12 34 56 78"}})
	wantStatus(t, "POST try", r, http.StatusOK)
	wantBody(t, "decision", r,
		"Décision : ",
		"[numéro de téléphone masqué]",
		"Données personnelles masquées</dt><dd>phone",
		"Meilleures entrées",
		"apl-date-versement",
		"mots du message couverts",
	)

	r = alice.post("/console/try", url.Values{"text": {"  "}})
	wantStatus(t, "empty", r, http.StatusUnprocessableEntity)
	wantBody(t, "empty", r, "Écrivez une question.")
	r = alice.post("/console/try", url.Values{"text": {"apl"}, "channel": {"sms"}})
	wantStatus(t, "bad channel", r, http.StatusUnprocessableEntity)
	wantBody(t, "bad channel", r, "Canal inconnu")
}
