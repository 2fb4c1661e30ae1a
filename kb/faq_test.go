package kb_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pagebot/kb"
)

// MustReadFile returns the content of a file under testdata.
func MustReadFile(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatalf("read testdata: %v", err)
	}
	return data
}

// MustValidationError returns the *kb.ValidationError in err.
func MustValidationError(tb testing.TB, err error) *kb.ValidationError {
	tb.Helper()
	var ve *kb.ValidationError
	if !errors.As(err, &ve) {
		tb.Fatalf("error = %v (%T), want a *kb.ValidationError", err, err)
	}
	return ve
}

// readFAQ reads a testdata file in the format its extension names.
func readFAQ(name string, data []byte) (*kb.FAQ, error) {
	if strings.HasSuffix(name, ".csv") {
		return kb.ReadCSV(bytes.NewReader(data), name)
	}
	return kb.ReadYAML(bytes.NewReader(data), name)
}

const (
	unknownEntryField = " (attendus : id, question, variants, answer, links, tags, reviewed)"
	unknownTopField   = " (attendus : organism, reviewed, entries)"
	badSlug           = " invalide : lettres minuscules, chiffres et tirets seulement"
	badLink           = " invalide : adresse http(s) complète attendue"
	badDate           = " invalide : format AAAA-MM-JJ attendu"
	wantList          = `une liste est attendue, par exemple ["a", "b"]`
	wantText          = "chaque élément de la liste doit être un texte"
)

func TestReadInvalidFiles(t *testing.T) {
	tests := []struct {
		file string
		want []kb.Problem
	}{
		{"duplicate_id.yaml", []kb.Problem{
			{Line: 10, ID: "apl-date", Field: "id", Message: "identifiant en double (déjà utilisé ligne 4)"},
		}},
		{"empty_question.yaml", []kb.Problem{
			{Line: 3, ID: "blank-question", Field: "question", Message: "question vide"},
			{Line: 6, ID: "no-question", Field: "question", Message: "question vide"},
		}},
		{"empty_answer.yaml", []kb.Problem{
			{Line: 6, ID: "blank-answer", Field: "answer", Message: "réponse vide"},
			{Line: 9, ID: "no-answer", Field: "answer", Message: "réponse vide"},
		}},
		{"bad_link.yaml", []kb.Problem{
			{Line: 3, ID: "links", Field: "links", Message: `lien "caf.fr/formulaires"` + badLink},
			{Line: 3, ID: "links", Field: "links", Message: `lien "ftp://www.caf.fr/formulaire.pdf"` + badLink},
			{Line: 3, ID: "links", Field: "links", Message: `lien "https://www.caf.fr/mes formulaires"` + badLink},
		}},
		{"unknown_field_entry.yaml", []kb.Problem{
			{Line: 3, ID: "typo", Field: "question", Message: "question vide"},
			{Line: 4, ID: "typo", Field: "questoin", Message: `champ inconnu "questoin"` + unknownEntryField},
			{Line: 9, ID: "extra", Field: "lien", Message: `champ inconnu "lien"` + unknownEntryField},
		}},
		{"unknown_field_top.yaml", []kb.Problem{
			{Line: 2, Field: "organisme", Message: `champ inconnu "organisme"` + unknownTopField},
			{Line: 7, Field: "version", Message: `champ inconnu "version"` + unknownTopField},
		}},
		{"variants_type.yaml", []kb.Problem{
			{Line: 5, ID: "scalar-variants", Field: "variants", Message: wantList},
			{Line: 11, ID: "nested-variants", Field: "variants", Message: wantText},
			{Line: 12, ID: "nested-variants", Field: "variants", Message: wantText},
		}},
		{"syntax_error.yaml", []kb.Problem{
			{Line: 4, Message: "YAML illisible : yaml: line 4: mapping values are not allowed in this context"},
		}},
		{"all_problems.yaml", []kb.Problem{
			{Line: 2, Field: "organism", Message: `organisme "CAF" invalide`},
			{Line: 3, Field: "reviewed", Message: `date "27/11/2026"` + badDate},
			{Line: 5, ID: "Apl_Date", Field: "id", Message: `identifiant "Apl_Date"` + badSlug},
			{Line: 5, ID: "Apl_Date", Field: "question", Message: "question vide"},
			{Line: 5, ID: "Apl_Date", Field: "variants", Message: "variante n° 1 vide"},
			{Line: 5, ID: "Apl_Date", Field: "tags", Message: `étiquette "Logement"` + badSlug},
			{Line: 5, ID: "Apl_Date", Field: "reviewed", Message: `date "hier"` + badDate},
			{Line: 11, ID: "rsa", Field: "answer", Message: "réponse vide"},
			{Line: 11, ID: "rsa", Field: "links", Message: `lien "www.caf.fr"` + badLink},
			{Line: 15, ID: "rsa", Field: "auteur", Message: `champ inconnu "auteur"` + unknownEntryField},
			{Line: 16, ID: "rsa", Field: "id", Message: "identifiant en double (déjà utilisé ligne 11)"},
			{Line: 19, Field: "id", Message: "identifiant manquant"},
			// A list item that is not an entry is reported, then checked as
			// an empty entry.
			{Line: 21, Message: "une entrée doit être un ensemble de champs (id, question, answer…)"},
			{Line: 21, Field: "id", Message: "identifiant manquant"},
			{Line: 21, Field: "question", Message: "question vide"},
			{Line: 21, Field: "answer", Message: "réponse vide"},
			{Line: 22, Field: "extra", Message: `champ inconnu "extra"` + unknownTopField},
		}},

		{"unknown_column.csv", []kb.Problem{
			{Line: 1, Field: "liens", Message: `colonne inconnue "liens" (attendues : id,question,variants,answer,links,tags)`},
		}},
		{"missing_column.csv", []kb.Problem{
			{Line: 1, Field: "answer", Message: `colonne "answer" manquante`},
		}},
		{"cell_count.csv", []kb.Problem{
			{Line: 3, ID: "short", Message: "3 cellules au lieu de 6"},
			{Line: 4, ID: "long", Message: "7 cellules au lieu de 6"},
		}},
		{"duplicate_id.csv", []kb.Problem{
			{Line: 5, ID: "apl-date", Field: "id", Message: "identifiant en double (déjà utilisé ligne 2)"},
		}},
		{"problems.csv", []kb.Problem{
			{Line: 2, ID: "sans-question", Field: "question", Message: "question vide"},
			{Line: 3, ID: "sans-reponse", Field: "answer", Message: "réponse vide"},
			{Line: 4, ID: "mauvais-lien", Field: "links", Message: `lien "caf.fr/logement"` + badLink},
			{Line: 5, ID: "Mauvais_Id", Field: "id", Message: `identifiant "Mauvais_Id"` + badSlug},
			{Line: 5, ID: "Mauvais_Id", Field: "tags", Message: `étiquette "Logement"` + badSlug},
			{Line: 5, ID: "Mauvais_Id", Field: "reviewed", Message: `date "2026/11/01"` + badDate},
		}},
		{"syntax_error.csv", []kb.Problem{
			{Line: 3, Message: `CSV illisible : bare " in non-quoted-field`},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f, err := readFAQ(tc.file, MustReadFile(t, tc.file))
			if err == nil {
				t.Fatalf("read %s = %d entries, nil error; want %d problems", tc.file, len(f.Entries), len(tc.want))
			}
			if f != nil {
				t.Errorf("read %s returned a FAQ with its error, want nil", tc.file)
			}
			ve := MustValidationError(t, err)
			if ve.Source != tc.file {
				t.Errorf("Source = %q, want %q", ve.Source, tc.file)
			}
			if diff := cmp.Diff(tc.want, ve.Problems); diff != "" {
				t.Errorf("read %s problems mismatch (-want +got):\n%s", tc.file, diff)
			}
			for _, p := range tc.want {
				if !strings.Contains(err.Error(), p.String()) {
					t.Errorf("Error() = %q, want it to list %q", err, p.String())
				}
			}
		})
	}
}

func TestReadValidYAML(t *testing.T) {
	got, err := kb.ReadYAML(bytes.NewReader(MustReadFile(t, "valid.yaml")), "valid.yaml")
	if err != nil {
		t.Fatalf("ReadYAML(valid.yaml): %v", err)
	}
	want := &kb.FAQ{
		Organism: "caf",
		Reviewed: "2026-11-01",
		Entries: []kb.Entry{
			{
				ID:       "apl-date-versement",
				Question: "À quelle date l'aide au logement est-elle versée ?",
				Variants: []string{"Quel jour sont payées les APL ?", "L'allocation logement tombe quand ?"},
				Answer:   "L'aide au logement est versée chaque mois, en général autour du 5, au titre du mois précédent.",
				Links:    []string{"https://www.caf.fr/allocataires/aides-et-demarches/droits-et-prestations/logement"},
				Tags:     []string{"logement", "date"},
			},
			{
				ID:       "rsa-declaration",
				Question: "Comment faire ma déclaration trimestrielle de ressources pour le RSA ?",
				Answer:   "Déclarez vos ressources chaque trimestre dans Mon Compte sur caf.fr :\n« Déclarer mes ressources trimestrielles ».\n",
				Reviewed: "2026-10-15",
			},
			{
				ID:       "attestation",
				Question: "Comment obtenir une attestation de paiement ?",
				Answer:   "Dans Mon Compte, rubrique « Mes attestations » : l'attestation est immédiate.",
				Links:    []string{"https://www.caf.fr/allocataires/mon-compte", "http://www.caf.fr"},
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadYAML(valid.yaml) mismatch (-want +got):\n%s", diff)
	}
	if e, ok := got.Entry("rsa-declaration"); !ok || e.ID != "rsa-declaration" {
		t.Errorf("Entry(rsa-declaration) = %v, %v; want the entry, true", e.ID, ok)
	}
	if _, ok := got.Entry("absent"); ok {
		t.Errorf("Entry(absent) ok = true, want false")
	}
}

func TestReadValidCSV(t *testing.T) {
	tests := []struct {
		file string
		want []kb.Entry
	}{
		{"comma.csv", []kb.Entry{
			{
				ID:       "apl-date",
				Question: "À quelle date l'APL est-elle versée ?",
				Variants: []string{"Quel jour sont payées les APL ?", "L'APL tombe quand ?"},
				Answer:   "Autour du 5, au titre du mois précédent.",
				Links:    []string{"https://www.caf.fr/logement"},
				Tags:     []string{"logement", "date"},
			},
			{
				ID:       "rsa-declaration",
				Question: "Comment déclarer mes ressources pour le RSA ?",
				Answer:   "Chaque trimestre, dans Mon Compte :\n« Déclarer mes ressources trimestrielles ».",
				Tags:     []string{"rsa"},
			},
			{
				ID:       "attestation",
				Question: "Comment obtenir une attestation ?",
				Variants: []string{"Attestation de paiement", "attestation CAF"},
				Answer:   `Dans Mon Compte, rubrique "Mes attestations".`,
				Links:    []string{"https://www.caf.fr", "http://www.caf.fr/mon-compte"},
			},
		}},
		// Excel's "CSV (séparateur : point-virgule)": byte-order mark, CRLF,
		// a blank line, columns in another order, reviewed column.
		{"semicolon_bom.csv", []kb.Entry{
			{
				ID:       "apl-date",
				Question: "À quelle date l'APL est-elle versée ?",
				Variants: []string{"Quel jour sont payées les APL ?", "APL date"},
				Answer:   "Autour du 5, au titre du mois précédent.",
				Links:    []string{"https://www.caf.fr/logement"},
				Tags:     []string{"logement", "date"},
				Reviewed: "2026-11-01",
			},
			{
				ID:       "rsa-declaration",
				Question: "Comment déclarer mes ressources ?",
				Answer:   "Chaque trimestre ;\ndans Mon Compte.",
				Tags:     []string{"rsa"},
			},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, err := kb.ReadCSV(bytes.NewReader(MustReadFile(t, tc.file)), tc.file)
			if err != nil {
				t.Fatalf("ReadCSV(%s): %v", tc.file, err)
			}
			want := &kb.FAQ{Entries: tc.want}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ReadCSV(%s) mismatch (-want +got):\n%s", tc.file, diff)
			}
		})
	}
}

func TestReadEmpty(t *testing.T) {
	tests := []struct {
		name string
		read func(string) error
		want []kb.Problem
	}{
		{"YAMLEmpty", readYAMLString(""), []kb.Problem{{Message: "fichier vide"}}},
		{"YAMLNotAMapping", readYAMLString("- a\n- b\n"),
			[]kb.Problem{{Line: 1, Message: "le fichier doit commencer par « organism: » et « entries: »"}}},
		{"YAMLNoEntries", readYAMLString("organism: caf\n"),
			[]kb.Problem{{Field: "entries", Message: "aucune entrée"}}},
		{"YAMLEntriesNotAList", readYAMLString("organism: caf\nentries: aucune\n"), []kb.Problem{
			{Line: 2, Field: "entries", Message: "une liste d'entrées est attendue"},
			{Line: 2, Field: "entries", Message: "aucune entrée"},
		}},
		{"CSVEmpty", readCSVString(""),
			[]kb.Problem{{Line: 1, Message: "fichier vide : la première ligne doit nommer les colonnes id,question,variants,answer,links,tags"}}},
		{"CSVHeaderOnly", readCSVString("id,question,answer\n"),
			[]kb.Problem{{Field: "entries", Message: "aucune entrée"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ve := MustValidationError(t, tc.read(tc.name))
			if diff := cmp.Diff(tc.want, ve.Problems); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func readYAMLString(s string) func(string) error {
	return func(source string) error {
		_, err := kb.ReadYAML(strings.NewReader(s), source)
		return err
	}
}

func readCSVString(s string) func(string) error {
	return func(source string) error {
		_, err := kb.ReadCSV(strings.NewReader(s), source)
		return err
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		name string
		p    kb.Problem
		want string
	}{
		{"All", kb.Problem{Line: 12, ID: "apl-date", Field: "question", Message: "question vide"}, "ligne 12 (apl-date) question : question vide"},
		{"NoLine", kb.Problem{ID: "apl-date", Field: "id", Message: "identifiant en double"}, "(apl-date) id : identifiant en double"},
		{"LineOnly", kb.Problem{Line: 3, Message: "3 cellules au lieu de 6"}, "ligne 3 : 3 cellules au lieu de 6"},
		{"MessageOnly", kb.Problem{Message: "fichier vide"}, "fichier vide"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
	err := &kb.ValidationError{Source: "faq.csv", Problems: []kb.Problem{{Line: 2, Message: "a"}, {Line: 3, Message: "b"}}}
	if got, want := err.Error(), "faq.csv : 2 problème(s)\n  ligne 2 : a\n  ligne 3 : b"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestValidateEntryAnswerLength(t *testing.T) {
	e := kb.Entry{ID: "long", Question: "Q ?", Answer: strings.Repeat("é", kb.MaxAnswerLen)}
	if ps := kb.ValidateEntry(e, 7); len(ps) != 0 {
		t.Errorf("ValidateEntry(answer of %d runes) = %v, want no problem", kb.MaxAnswerLen, ps)
	}
	e.Answer += "x"
	want := []kb.Problem{{Line: 7, ID: "long", Field: "answer", Message: "réponse trop longue (1501 caractères, maximum 1500)"}}
	if diff := cmp.Diff(want, kb.ValidateEntry(e, 7)); diff != "" {
		t.Errorf("ValidateEntry(answer too long) mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "faq.CSV")
	if err := os.WriteFile(csvPath, MustReadFile(t, "comma.csv"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := kb.LoadFile(csvPath, "cpam")
	if err != nil {
		t.Fatalf("LoadFile(%s): %v", csvPath, err)
	}
	if f.Organism != "cpam" || len(f.Entries) != 3 {
		t.Errorf("LoadFile(csv) = organism %q, %d entries; want cpam, 3", f.Organism, len(f.Entries))
	}
	yml := filepath.Join(dir, "faq.yml")
	if err := os.WriteFile(yml, MustReadFile(t, "valid.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err = kb.LoadFile(yml, "cpam")
	if err != nil {
		t.Fatalf("LoadFile(%s): %v", yml, err)
	}
	if f.Organism != "caf" {
		t.Errorf("LoadFile(yaml).Organism = %q, want the file's %q", f.Organism, "caf")
	}
	if _, err := kb.LoadFile(filepath.Join(dir, "faq.txt"), "caf"); err == nil {
		t.Errorf("LoadFile(faq.txt) = nil error, want an error")
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, MustReadFile(t, "duplicate_id.csv"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = kb.LoadFile(bad, "caf")
	if ve := MustValidationError(t, err); ve.Source != bad {
		t.Errorf("LoadFile(bad.csv) Source = %q, want %q", ve.Source, bad)
	}
}

// trickyFAQ has values that a careless encoder would change: YAML keywords,
// numbers, colons, quotes, comment signs, line breaks, non-ASCII text.
func trickyFAQ() *kb.FAQ {
	return &kb.FAQ{
		Organism: "caf",
		Reviewed: "2026-11-27",
		Entries: []kb.Entry{
			{ID: "yes", Question: "yes", Variants: []string{"no", "null", "~", "true", "123", "1e3", "0x1F"}, Answer: "null"},
			{ID: "colon", Question: "Qu'est-ce que: la prime ?", Variants: []string{"- tiret", "# dièse", "&ancre", "*etoile", "{accolade}"},
				Answer: "Réponse : « oui ».\n\nDeuxième paragraphe ; fin.", Links: []string{"https://www.caf.fr/a?b=c&d=e#f"},
				Tags: []string{"a", "b-2"}, Reviewed: "2026-01-02"},
			{ID: "quotes", Question: `Il a dit "bonjour" et 'au revoir'`, Answer: "Ligne 1\nLigne 2\n", Tags: []string{"123"}},
			{ID: "emoji", Question: "Ça marche 👍 ?", Answer: "Oui\t(tab) et œ, ß, 漢字."},
		},
	}
}

func TestYAMLRoundTrip(t *testing.T) {
	valid, err := kb.ReadYAML(bytes.NewReader(MustReadFile(t, "valid.yaml")), "valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	caf, err := kb.Pack("caf")
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]*kb.FAQ{"valid": valid, "tricky": trickyFAQ(), "caf": caf} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := kb.WriteYAML(&buf, f); err != nil {
				t.Fatalf("WriteYAML: %v", err)
			}
			got, err := kb.ReadYAML(&buf, name)
			if err != nil {
				t.Fatalf("ReadYAML(WriteYAML(f)): %v", err)
			}
			if diff := cmp.Diff(f, got); diff != "" {
				t.Errorf("YAML round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCSVRoundTrip(t *testing.T) {
	comma, err := kb.ReadCSV(bytes.NewReader(MustReadFile(t, "comma.csv")), "comma.csv")
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]*kb.FAQ{"comma": comma, "tricky": trickyFAQ()} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := kb.WriteCSV(&buf, f); err != nil {
				t.Fatalf("WriteCSV: %v", err)
			}
			got, err := kb.ReadCSV(&buf, name)
			if err != nil {
				t.Fatalf("ReadCSV(WriteCSV(f)): %v", err)
			}
			// CSV has no organism nor file date; answers are trimmed.
			want := make([]kb.Entry, len(f.Entries))
			for i, e := range f.Entries {
				e.Answer = strings.TrimSpace(e.Answer)
				want[i] = e
			}
			if diff := cmp.Diff(want, got.Entries); diff != "" {
				t.Errorf("CSV round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
	for _, name := range kb.Packs() {
		t.Run("pack-"+name, func(t *testing.T) {
			f, err := kb.Pack(name)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := kb.WriteCSV(&buf, f); err != nil {
				t.Fatalf("WriteCSV: %v", err)
			}
			got, err := kb.ReadCSV(&buf, name)
			if err != nil {
				t.Fatalf("ReadCSV(WriteCSV(pack %s)): %v", name, err)
			}
			if diff := cmp.Diff(f.Entries, got.Entries); diff != "" {
				t.Errorf("CSV round trip of pack %s mismatch (-want +got):\n%s", name, diff)
			}
		})
	}
}
