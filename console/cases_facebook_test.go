package console_test

import (
	"net/http"
	"strings"
	"testing"

	"pagebot"
)

func TestCasesFacebookLinks(t *testing.T) {
	f := MustFixture(t)
	f.mustOpenCase(t, "m1", "Julie", "Je n'ai pas reçu mon APL")
	f.mustCommentCase(t, "c1", "111_222", pagebot.Decision{Action: pagebot.ActionEscalate,
		Reasons: []string{"situation personnelle"}}, false)
	r := f.login(t, "alice").get("/console/cases")
	wantStatus(t, "GET cases", r, http.StatusOK)
	wantBody(t, "cases", r,
		`<a href="https://www.facebook.com/111_222" rel="noopener" target="_blank">Voir sur Facebook`,
		`<a href="https://business.facebook.com/latest/inbox/all" rel="noopener" target="_blank">Ouvrir la boîte de réception`)
	if n := strings.Count(r.body, "Voir sur Facebook"); n != 1 {
		t.Errorf("%d comment links, want 1 (the Messenger case has none)", n)
	}
	if n := strings.Count(r.body, "Ouvrir la boîte de réception"); n != 1 {
		t.Errorf("%d inbox links, want 1 (the comment case has none)", n)
	}
}
