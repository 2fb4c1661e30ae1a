package moderation

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSkeleton(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"accents and case", "ENCULÉS", "encules"},
		{"repeated letters", "connnnnnard", "conard"},
		{"leetspeak", "s4l0p3", "salope"},
		{"leet 7 and 5", "7r0u du cu1", "trou du cui"},
		{"at and dollar", "s@lope ba$tard", "salope bastard"},
		{"spaced letters", "c o n n a r d", "conard"},
		{"dotted letters", "c.o.n", "con"},
		{"two letters stay apart", "y a", "y a"},
		{"digits alone stay", "150 euros en 2024", "150 euros en 2024"},
		{"sms", "t nul pk", "t nul pourquoi"},
		{"star inside word", "c*nnard", "cʔnard"},
		{"mention marked", "@Julie vous", "ǂ julie vous"},
		{"link removed", "voir https://bit.ly/x ici", "voir ici"},
	}
	r := mustRules(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(r.prepare(tc.in).words, " ")
			if got != tc.want {
				t.Errorf("prepare(%q).words = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func mustRules(tb testing.TB) *Rules {
	tb.Helper()
	r, err := DefaultRules()
	if err != nil {
		tb.Fatalf("DefaultRules: %v", err)
	}
	return r
}

func TestCheck(t *testing.T) {
	tests := []struct {
		text     string
		want     Verdict
		category string
	}{
		// Obfuscated insults.
		{"CONNNNARD", Hide, "insult"},
		{"c o n n a r d", Hide, "insult"},
		{"c.o.n.n.a.s.s.e", Hide, "insult"},
		{"s4l0p3", Hide, "insult"},
		{"sa1ope", Hide, "insult"},
		{"espèce de c0n", Hide, "insult"},
		{"enc*lés", Hide, "insult"},
		{"vous êtes des c*nnards", Hide, "insult"},
		{"tu es con", Review, "insult_mild"},
		{"c.o.n", Review, "insult_mild"},
		// Hard negatives: words containing a listed word.
		{"mon contrat se termine", OK, ""},
		{"Comment se connecter avec ses identifiants impots.gouv sur le site CAF ?", OK, ""},
		{"j'ai vu mon conseiller", OK, ""},
		{"les conditions d'accès", OK, ""},
		{"le conseil départemental", OK, ""},
		{"la députée a écrit", OK, ""},
		{"un service réputé", OK, ""},
		{"DÉPUTÉ", OK, ""},
		{"Computer science", OK, ""},
		{"second rendez-vous", OK, ""},
		{"allez la squadra Nazionale", OK, ""},
		{"putain de délai", OK, ""},
		{"une connerie de réforme", OK, ""},
		{"quelle condescendance", OK, ""},
		{"il faut constituer un dossier", OK, ""},
		{"la caf de Mâcon", OK, ""},
		{"il est scolarisé en seconde", OK, ""},
		{"vous nous prenez pour des cons", OK, ""},
		{"c'est con, j'ai oublié", OK, ""},
		{"je vais crever de faim", OK, ""},
		{"vos délais me tuent", OK, ""},
		{"je vais porter plainte", OK, ""},
		{"le site plante encore", OK, ""},
		{"le remboursement de mes lunettes", OK, ""},
		{"attention aux faux sms de remboursement", OK, ""},
		{"la caf c'est des voleurs", OK, ""},
		{"gouvernement de voleurs", OK, ""},
		{"vous êtes nuls", OK, ""},
		{"honteux ce service", OK, ""},
		{"la caf c'est des incapables", OK, ""},
		{"Merci à Madame Leroy, très compétente", OK, ""},
		{"pd", Hide, "hate"},
		// Named agents.
		{"Mme Dupont est une voleuse", Hide, "defamation_of_agent"},
		{"M. Martin m'a menti", Hide, "defamation_of_agent"},
		{"@Nathalie Girard menteuse", Hide, "defamation_of_agent"},
		{"la conseillère m'a menti", OK, ""},
		// Threats.
		{"je vais vous tuer", Hide, "threat"},
		{"j vé vs tuer", Hide, "threat"},
		{"je sais où vous habitez", Hide, "threat"},
		// Links.
		{"https://www.caf.fr/allocataires remboursement", OK, ""},
		{"voir pension-alimentaire.caf.fr", OK, ""},
		{"mon espace sur www.impots.gouv.fr cliquez ici", OK, ""},
		{"caf-remboursement.fr", Hide, CategoryLookalike},
		{"http://ameli-fr.com", Hide, CategoryLookalike},
		{"caf.fr.secure-login.xyz", Hide, CategoryLookalike},
		{"bit.ly/abc", Review, CategoryShortener},
		{"remboursement bit.ly/abc", Hide, "scam"},
		{"cliquez ici https://exemple.xyz/a", Hide, "scam"},
		{"article https://www.lemonde.fr/a.html", OK, ""},
		{"on va au café.fr", OK, ""},
		{"réglé.Merci", OK, ""},
		// Nothing to moderate.
		{"@Julie Dubois", OK, CategoryIgnore},
		{"Kevin Lambert", OK, CategoryIgnore},
		{"😡😡😡", OK, CategoryIgnore},
		{"", OK, CategoryIgnore},
		{"Bonjour Madame", OK, ""},
		{"Honteux", OK, ""},
	}
	m := mustNew(t)
	for _, tc := range tests {
		got := m.Check(tc.text)
		if got.Verdict != tc.want || got.Category != tc.category {
			t.Errorf("Check(%q) = %s %q (%s), want %s %q", tc.text, got.Verdict, got.Category, got.Rule, tc.want, tc.category)
		}
		if got.Verdict != OK && (len(got.Reasons) == 0 || got.Reasons[0] != got.Rule || !strings.HasPrefix(got.Rule, got.Category+":")) {
			t.Errorf("Check(%q) = %+v, want Rule = Reasons[0] = %q:…", tc.text, got, got.Category)
		}
	}
}

func TestRepeats(t *testing.T) {
	r := NewRepeats(10*time.Minute, 3)
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	steps := []struct {
		author, text string
		at           time.Duration
		want         Verdict
	}{
		{"a", "Rendez moi mon argent", 0, OK},
		{"a", "rendez-moi mon argent !!", time.Minute, OK},
		{"b", "rendez moi mon argent", 2 * time.Minute, OK},
		{"a", "RENDEZ MOI MON ARGENT", 3 * time.Minute, Review},
		{"a", "autre chose", 4 * time.Minute, OK},
		{"c", "spam", 0, OK},
		{"c", "spam", 11 * time.Minute, OK},
		{"c", "spam", 22 * time.Minute, OK},
		{"d", "", 0, OK},
		{"d", "", 0, OK},
		{"d", "", 0, OK},
	}
	for i, s := range steps {
		got := r.Note(s.author, s.text, t0.Add(s.at))
		if got.Verdict != s.want {
			t.Errorf("step %d: Note(%q, %q) = %s, want %s", i, s.author, s.text, got.Verdict, s.want)
		}
		if got.Verdict == Review && got.Category != CategoryRepeat {
			t.Errorf("step %d: category %q, want %q", i, got.Category, CategoryRepeat)
		}
	}
	if w := Worse(Result{Verdict: Review}, Result{Verdict: Hide}); w.Verdict != Hide {
		t.Errorf("Worse(review, hide) = %s, want hide", w.Verdict)
	}
}

func TestRepeatsConcurrent(t *testing.T) {
	r := NewRepeats(time.Minute, 3)
	now := time.Now()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				r.Note(string(rune('a'+i%26)), "hello", now.Add(time.Duration(i)*time.Second))
			}
		}()
	}
	wg.Wait()
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", `version: 1
categories:
  - name: insult
    verdict: hide
    patterns: [gredin]
links:
  allowed: [caf.fr]
  lookalike: hide
  shortener: ok
`)
	r, err := Load(good)
	if err != nil {
		t.Fatalf("Load(good) = %v", err)
	}
	if got := New(r).Check("espèce de GREDINS"); got.Verdict != Hide || got.Rule != "insult:gredin" {
		t.Errorf("Check with edited rules = %+v, want hide insult:gredin", got)
	}
	if got := New(r).Check("bit.ly/x"); got.Verdict != OK {
		t.Errorf("shortener: ok rule: Check = %s, want ok", got.Verdict)
	}

	tests := []struct {
		name, body, want string
	}{
		{"unknown field", "version: 1\ncategories:\n  - name: x\n    verdict: hide\n    paterns: [a]\n", "line 5"},
		{"bad verdict", "version: 1\nlinks: {lookalike: hide, shortener: ok}\ncategories:\n  - name: x\n    verdict: delete\n    patterns: [abc]\n", ":4: catégorie \"x\" : verdict \"delete\", attendu hide"},
		{"empty pattern", "version: 1\nlinks: {lookalike: hide, shortener: ok}\ncategories:\n  - name: x\n    verdict: hide\n    patterns:\n      - abc\n      - \"!!\"\n", ":8: catégorie \"x\" : motif \"!!\" vide"},
		{"short prefix", "version: 1\nlinks: {lookalike: hide, shortener: ok}\ncategories:\n  - name: x\n    verdict: hide\n    patterns: [\"co*\"]\n", "au moins 4 lettres"},
		{"bad duration", "version: 1\nlinks: {lookalike: hide, shortener: ok}\nrepeats:\n  window: soon\n", ":4: repeats.window"},
		{"version", "version: 2\nlinks: {lookalike: hide, shortener: ok}\n", ":1: version 2 non prise en charge"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(write(tc.name+".yaml", tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load = %v, want error containing %q", err, tc.want)
			}
		})
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("Load(missing) = nil error, want one")
	}
}

func TestCheckConcurrent(t *testing.T) {
	m := mustNew(t)
	set := mustReadLabelled(t, "testdata/labelled.jsonl")
	want := make([]Verdict, len(set))
	for i, l := range set {
		want[i] = m.Check(l.Text).Verdict
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, l := range set {
				if got := m.Check(l.Text).Verdict; got != want[i] {
					t.Errorf("concurrent Check(%q) = %s, want %s", l.Text, got, want[i])
				}
			}
		}()
	}
	wg.Wait()
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", "c o n n a r d", "@", "@@@", "M.", "M. D", "caf.fr.x", "http://", "a*", "**", "c*n", "1111", "é.é.é", "www.", "x...y", "\xff\xfe", "ǂ ʔ", "^$"} {
		f.Add(s)
	}
	m := mustNew(f)
	f.Fuzz(func(t *testing.T, s string) {
		got := m.Check(s)
		switch got.Verdict {
		case OK, Review, Hide:
		default:
			t.Fatalf("Check(%q).Verdict = %q", s, got.Verdict)
		}
		if got.Verdict != OK && got.Rule == "" {
			t.Fatalf("Check(%q) = %s without a rule", s, got.Verdict)
		}
		if !utf8.ValidString(got.Rule) && utf8.ValidString(s) {
			t.Fatalf("Check(%q).Rule = %q is not UTF-8", s, got.Rule)
		}
	})
}

func BenchmarkCheck(b *testing.B) {
	m := mustNew(b)
	texts := []string{
		"Bonjour, ça fait 3 mois que j'attends mon APL et toujours rien, c'est honteux, personne ne répond au téléphone !!!",
		"slt jai tjr pa recu ma prime d activité pk ???",
		"Remboursement CAF disponible, cliquez ici : https://caf-remboursement.fr/login",
	}
	for _, tx := range texts {
		b.Run(strings.Fields(tx)[0], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m.Check(tx)
			}
		})
	}
}
