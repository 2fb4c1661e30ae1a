package console_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"pagebot/kb"
)

// upload posts a file as the import form does, with the client's CSRF token
// unless csrf is false.
func (c *client) upload(path, filename string, content []byte, csrf bool) response {
	c.tb.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if csrf {
		_ = mw.WriteField("csrf", c.csrf)
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		c.tb.Fatal(err)
	}
	_, _ = fw.Write(content)
	if err := mw.Close(); err != nil {
		c.tb.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, c.f.srv.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// export downloads the FAQ in a format, returning the response and its
// headers.
func (c *client) export(format string) (response, http.Header) {
	c.tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.f.srv.URL+"/console/faq/export?format="+format, nil)
	resp, err := c.http.Do(req)
	if err != nil {
		c.tb.Fatal(err)
	}
	resp.Body.Close()
	return c.do(req), resp.Header
}

func TestFAQExport(t *testing.T) {
	f := MustFixture(t)
	eddie := f.login(t, "eddie")
	for _, tc := range []struct {
		format, ctype, ext string
		read               func(r *strings.Reader) (*kb.FAQ, error)
	}{
		{"yaml", "application/yaml", ".yaml", func(r *strings.Reader) (*kb.FAQ, error) { return kb.ReadYAML(r, "export.yaml") }},
		{"csv", "text/csv", ".csv", func(r *strings.Reader) (*kb.FAQ, error) { return kb.ReadCSV(r, "export.csv") }},
	} {
		t.Run(tc.format, func(t *testing.T) {
			r, hd := eddie.export(tc.format)
			wantStatus(t, "export", r, http.StatusOK)
			if ct := hd.Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
				t.Errorf("Content-Type = %q, want %s", ct, tc.ctype)
			}
			if cd := hd.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "faq-caf-") ||
				!strings.HasSuffix(cd, tc.ext) {
				t.Errorf("Content-Disposition = %q, want an attachment faq-caf-<date>%s", cd, tc.ext)
			}
			got, err := tc.read(strings.NewReader(r.body))
			if err != nil {
				t.Fatalf("the export does not read back: %v\n%s", err, r.body)
			}
			want := f.index.FAQ()
			if len(got.Entries) != len(want.Entries) {
				t.Fatalf("export has %d entries, want %d", len(got.Entries), len(want.Entries))
			}
			for i, e := range want.Entries {
				if g := got.Entries[i]; g.ID != e.ID || g.Question != e.Question || g.Answer != e.Answer ||
					strings.Join(g.Tags, ",") != strings.Join(e.Tags, ",") {
					t.Errorf("exported entry %d = %+v, want %+v", i, g, e)
				}
			}
		})
	}
	r, _ := eddie.export("xml")
	wantStatus(t, "export xml", r, http.StatusBadRequest)
	r, _ = f.login(t, "alice").export("yaml")
	wantStatus(t, "export by an agent", r, http.StatusForbidden)
}

// importedFAQ is the test FAQ with rsa-demande changed, attestation-paiement
// removed and css-demande added.
func importedFAQ() *kb.FAQ {
	faq := testFAQ()
	faq.Entries[1].Question = "Comment faire une demande de RSA ?"
	faq.Entries = append(faq.Entries[:2], kb.Entry{ID: "css-demande", Question: "Comment demander la complémentaire santé solidaire ?",
		Answer: "Elle se demande sur ameli.fr.", Tags: []string{"sante"}})
	return faq
}

func TestFAQImport(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(*bytes.Buffer, *kb.FAQ) error
	}{
		{"faq.csv", func(b *bytes.Buffer, f *kb.FAQ) error { return kb.WriteCSV(b, f) }},
		{"FAQ.YML", func(b *bytes.Buffer, f *kb.FAQ) error { return kb.WriteYAML(b, f) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := MustFixture(t)
			eddie := f.login(t, "eddie")
			wantBody(t, "FAQ list", eddie.get("/console/faq"), `href="/console/faq/import"`, `href="/console/faq/export?format=csv"`)
			wantBody(t, "import form", eddie.get("/console/faq/import"), `enctype="multipart/form-data"`)
			var b bytes.Buffer
			if err := tc.write(&b, importedFAQ()); err != nil {
				t.Fatal(err)
			}
			r := eddie.upload("/console/faq/import", tc.name, b.Bytes(), true)
			if r.status != http.StatusSeeOther || r.location != "/console/faq" {
				t.Fatalf("import = %d to %q, want 303 to the list\n%s", r.status, r.location, r.body)
			}
			live := f.index.FAQ()
			if len(live.Entries) != 3 || live.Organism != "caf" {
				t.Errorf("live FAQ after import = %s, %d entries; want caf, 3", live.Organism, len(live.Entries))
			}
			if e, ok := live.Entry("rsa-demande"); !ok || e.Question != "Comment faire une demande de RSA ?" {
				t.Errorf("rsa-demande after import = %+v, %v", e, ok)
			}
			if _, ok := live.Entry("attestation-paiement"); ok {
				t.Error("an entry missing from the file is still in service")
			}
			if saved := f.saver.last(); saved == nil || len(saved.Entries) != 3 {
				t.Errorf("saved FAQ = %v, want the 3 imported entries", saved)
			}
			if !f.audited(t, "eddie", "faq.import", "faq") {
				t.Error("import not audited")
			}
			wantBody(t, "list after import", eddie.get("/console/faq"), "FAQ importée", "1 créée(s), 1 modifiée(s), 1 supprimée(s)", "<code>css-demande</code>")

			for id, want := range map[string]string{"css-demande": "create", "rsa-demande": "update",
				"attestation-paiement": "delete", "apl-date-versement": ""} {
				vs, err := f.db.FAQVersions(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case want == "" && len(vs) != 0:
					t.Errorf("%s, unchanged, has versions %+v", id, vs)
				case want != "" && (len(vs) != 1 || vs[0].Action != want || vs[0].Actor != "eddie"):
					t.Errorf("%s versions = %+v, want one %s by eddie", id, vs, want)
				}
			}
		})
	}
}

func TestFAQImportRefused(t *testing.T) {
	badYAML := "organism: caf\n" +
		"entries:\n" +
		"  - id: rsa-demande\n" +
		"    question: Comment demander le RSA ?\n" +
		"    answer: \"\"\n" +
		"  - id: apl-date\n" +
		"    question: Quand l'APL est-elle versée ?\n" +
		"    answer: Vers le 5 du mois.\n" +
		"    links: [www.caf.fr]\n"
	badCSV := "id,question,variants,answer,links,tags\n" +
		"rsa-demande,Comment demander le RSA ?,,La demande se fait sur caf.fr.,,rsa\n" +
		"rsa-demande,Autre question,,Autre réponse,,rsa\n" +
		"apl-date,,,Vers le 5 du mois.,,logement\n"
	tests := []struct {
		name, file, content string
		status              int
		want                []string
	}{
		{"YAMLProblems", "faq.yaml", badYAML, http.StatusUnprocessableEntity,
			[]string{"Ligne 3 : <code>rsa-demande</code> answer : réponse vide", "Ligne 6 : <code>apl-date</code> links", "www.caf.fr", "2 problème(s)"}},
		{"CSVProblems", "faq.csv", badCSV, http.StatusUnprocessableEntity,
			[]string{"Ligne 3 :", "Ligne 4 :", "2 problème(s)"}},
		{"OtherOrganism", "faq.yaml", "organism: cpam\nentries:\n  - id: css-demande\n    question: Comment demander la C2S ?\n    answer: Sur ameli.fr.\n",
			http.StatusUnprocessableEntity, []string{"organisme &#34;cpam&#34; différent", "1 problème(s)"}},
		{"YAMLSyntax", "faq.yaml", "organism: caf\nentries:\n  - id: [\n", http.StatusUnprocessableEntity, []string{"Ligne "}},
		{"Extension", "faq.txt", badCSV, http.StatusUnprocessableEntity, []string{".yaml, .yml ou .csv"}},
		{"TooBig", "faq.csv", strings.Repeat("x", 2<<20+1), http.StatusRequestEntityTooLarge, []string{"2 Mio"}},
		{"MuchTooBig", "faq.csv", strings.Repeat("x", 3<<20), http.StatusRequestEntityTooLarge, []string{"Fichier trop volumineux : 2 Mio au plus"}},
	}
	f := MustFixture(t)
	eddie := f.login(t, "eddie")
	eddie.get("/console/faq/import")
	before := f.index.FAQ()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := eddie.upload("/console/faq/import", tc.file, []byte(tc.content), true)
			wantStatus(t, "import", r, tc.status)
			wantBody(t, "import", r, tc.want...)
			if tc.status == http.StatusUnprocessableEntity {
				wantBody(t, "import", r, `role="alert"`, "la FAQ en service n'a pas changé")
			}
		})
	}
	t.Run("NoCSRF", func(t *testing.T) {
		var b bytes.Buffer
		if err := kb.WriteCSV(&b, importedFAQ()); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, "import without token", eddie.upload("/console/faq/import", "faq.csv", b.Bytes(), false), http.StatusForbidden)
		alice := f.login(t, "alice")
		wantStatus(t, "import by an agent", alice.upload("/console/faq/import", "faq.csv", b.Bytes(), true), http.StatusForbidden)
	})
	after := f.index.FAQ()
	if len(after.Entries) != len(before.Entries) {
		t.Fatalf("a refused import changed the FAQ: %d entries, want %d", len(after.Entries), len(before.Entries))
	}
	for i, e := range before.Entries {
		if a := after.Entries[i]; a.ID != e.ID || a.Question != e.Question || a.Answer != e.Answer {
			t.Errorf("a refused import changed entry %s: %+v", e.ID, a)
		}
	}
	if f.saver.last() != nil {
		t.Error("a refused import was saved")
	}
	if f.audited(t, "eddie", "faq.import", "faq") {
		t.Error("a refused import was audited")
	}
}
