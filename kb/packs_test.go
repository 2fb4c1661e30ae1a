package kb_test

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pagebot/frtext"
	"pagebot/kb"
)

// MustPack loads an embedded pack.
func MustPack(tb testing.TB, name string) *kb.FAQ {
	tb.Helper()
	f, err := kb.Pack(name)
	if err != nil {
		tb.Fatalf("Pack(%s): %v", name, err)
	}
	return f
}

// MustDirectory loads the shipped organism directory.
func MustDirectory(tb testing.TB) *kb.Directory {
	tb.Helper()
	d, err := kb.DefaultDirectory()
	if err != nil {
		tb.Fatalf("DefaultDirectory: %v", err)
	}
	return d
}

func TestPacks(t *testing.T) {
	if got, want := kb.Packs(), []string{"caf", "cpam", "retraite"}; !cmp.Equal(got, want) {
		t.Errorf("Packs() = %q, want %q", got, want)
	}
	minEntries := map[string]int{"caf": 120, "cpam": 60, "retraite": 40}
	dir := MustDirectory(t)
	for _, name := range kb.Packs() {
		t.Run(name, func(t *testing.T) {
			f := MustPack(t, name)
			if err := f.Validate(name, nil); err != nil {
				t.Errorf("Validate: %v", err)
			}
			if f.Organism != name {
				t.Errorf("Organism = %q, want %q", f.Organism, name)
			}
			if _, ok := dir.Get(f.Organism); !ok {
				t.Errorf("organism %q is not in the directory", f.Organism)
			}
			if min, ok := minEntries[name]; !ok {
				t.Errorf("pack %q has no minimum size in this test", name)
			} else if len(f.Entries) < min {
				t.Errorf("len(Entries) = %d, want at least %d", len(f.Entries), min)
			}
			for _, e := range f.Entries {
				reviewed := e.Reviewed
				if reviewed == "" {
					reviewed = f.Reviewed
				}
				if reviewed == "" {
					t.Errorf("entry %s: no reviewed date, neither on the entry nor on the file", e.ID)
					continue
				}
				if _, err := time.Parse(time.DateOnly, reviewed); err != nil {
					t.Errorf("entry %s: reviewed %q is not a date: %v", e.ID, reviewed, err)
				}
			}
		})
	}
}

func TestPackUnknown(t *testing.T) {
	_, err := kb.Pack("urssaf")
	if err == nil || !strings.Contains(err.Error(), "caf, cpam, retraite") {
		t.Errorf("Pack(urssaf) error = %v, want one listing caf, cpam, retraite", err)
	}
}

// readIDList reads packs/<name>-ids.txt: comment lines start with "#", other
// lines are "id | topic".
func readIDList(tb testing.TB, name string) []string {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("packs", name+"-ids.txt"))
	if err != nil {
		tb.Fatalf("read id list: %v", err)
	}
	var ids []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, topic, ok := strings.Cut(line, "|")
		if !ok || strings.TrimSpace(topic) == "" {
			tb.Errorf("%s-ids.txt line %d: %q, want \"id | topic\"", name, n, line)
		}
		ids = append(ids, strings.TrimSpace(id))
	}
	return ids
}

func TestPackIDLists(t *testing.T) {
	for _, name := range kb.Packs() {
		t.Run(name, func(t *testing.T) {
			f := MustPack(t, name)
			var ids []string
			for _, e := range f.Entries {
				ids = append(ids, e.ID)
			}
			if diff := cmp.Diff(ids, readIDList(t, name)); diff != "" {
				t.Errorf("%s-ids.txt does not list the pack's ids in order (-pack +list):\n%s", name, diff)
			}
		})
	}
}

func TestDefaultSynonymsLoad(t *testing.T) {
	s, err := kb.DefaultSynonyms()
	if err != nil {
		t.Fatalf("DefaultSynonyms: %v", err)
	}
	if len(s.Benefits) == 0 || len(s.Intents) == 0 || len(s.Terms) == 0 {
		t.Errorf("DefaultSynonyms has %d benefits, %d intents, %d terms; want some of each",
			len(s.Benefits), len(s.Intents), len(s.Terms))
	}
	if !bytes.Equal(kb.DefaultSynonymsYAML(), MustReadRepoFile(t, "synonyms.yaml")) {
		t.Errorf("DefaultSynonymsYAML() differs from kb/synonyms.yaml")
	}
	if _, err := kb.LoadSynonyms(""); err != nil {
		t.Errorf("LoadSynonyms(\"\"): %v", err)
	}
}

// MustReadRepoFile reads a file of the kb package folder.
func MustReadRepoFile(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		tb.Fatalf("read %s: %v", name, err)
	}
	return data
}

func TestDefaultDirectory(t *testing.T) {
	d := MustDirectory(t)
	var ids []string
	for _, o := range d.Organisms {
		ids = append(ids, o.ID)
		if o.Website == "" {
			t.Errorf("organism %s has no website", o.ID)
		}
		if o.Name == "" || o.Handles == "" {
			t.Errorf("organism %s: name %q, handles %q; want both", o.ID, o.Name, o.Handles)
		}
		if len(o.Signals) == 0 {
			t.Errorf("organism %s has no signal", o.ID)
		}
	}
	want := []string{"caf", "cpam", "retraite", "urssaf", "msa", "france-travail", "impots", "mdph"}
	slices.Sort(ids)
	slices.Sort(want)
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("directory ids mismatch (-want +got):\n%s", diff)
	}
	if o, ok := d.Get("cpam"); !ok || o.Website != "https://www.ameli.fr" {
		t.Errorf("Get(cpam) = %+v, %v; want the Assurance Maladie with https://www.ameli.fr", o, ok)
	}
	if _, ok := d.Get("sncf"); ok {
		t.Errorf("Get(sncf) ok = true, want false")
	}
}

// A signal shared by two organisms would send the same question to both.
func TestDirectorySignalsBelongToOneOrganism(t *testing.T) {
	d := MustDirectory(t)
	for _, o := range d.Organisms {
		for _, s := range o.Signals {
			// Match compares normalised words with plural -s/-x removed;
			// Match of the signal itself tells which organisms claim it.
			norm := frtext.Normalize(s)
			if norm == "" {
				t.Errorf("organism %s: signal %q is empty once normalised", o.ID, s)
				continue
			}
			var claim []string
			for _, m := range d.Match(norm) {
				for _, sig := range m.Signals {
					if sig == strings.Join(keyWords(norm), " ") {
						claim = append(claim, m.Organism.ID)
					}
				}
			}
			if len(claim) != 1 || claim[0] != o.ID {
				t.Errorf("signal %q of %s is claimed by %q, want only %s", s, o.ID, claim, o.ID)
			}
		}
	}
}

// keyWords mirrors kb's matching keys: normalised words without a plural -s
// or -x on words of more than three letters.
func keyWords(norm string) []string {
	var out []string
	for _, w := range frtext.Words(norm) {
		if len(w) > 3 && (strings.HasSuffix(w, "s") || strings.HasSuffix(w, "x")) {
			w = w[:len(w)-1]
		}
		out = append(out, w)
	}
	return out
}

func TestDirectoryMatch(t *testing.T) {
	d := MustDirectory(t)
	tests := []struct {
		name string
		text string
		want []string // organism ids, strongest first
	}{
		{"Nothing", "bonjour je voudrais un renseignement", nil},
		{"CAFByBenefit", "Quand est versée l'APL ?", []string{"caf"}},
		{"CPAMByCard", "J'ai perdu ma carte Vitale", []string{"cpam"}},
		{"Plural", "mes allocations familiales", []string{"caf"}},
		{"WholeWordsOnly", "caféine et rsaz", nil},
		{"ASS", "je touche l'ASS depuis un an", []string{"france-travail"}},
		{"ExceptAssMat", "mon ass mat est en congé", nil},
		{"ExceptAssMats", "les ass mats du quartier", nil},
		{"AME", "l'AME c'est pour qui ?", []string{"cpam"}},
		{"ExceptAme", "j'ai trouvé mon âme sœur", nil},
		{"ExceptAmeBefore", "je m'y donne corps et âme", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, m := range d.Match(frtext.Normalize(tc.text)) {
				got = append(got, m.Organism.ID)
				if m.Weight <= 0 || len(m.Signals) == 0 {
					t.Errorf("Match(%q) %s: weight %v, signals %q; want both set", tc.text, m.Organism.ID, m.Weight, m.Signals)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Match(%q) mismatch (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

func TestReadDirectoryRefuses(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []kb.Problem // nil: any non-validation error
	}{
		{"UnknownField", "organisms:\n  - id: caf\n    nom: CAF\n", nil},
		{"Problems", `organisms:
  - id: caf
    name: CAF
    website: https://www.caf.fr
  - id: caf
    name: Autre
    website: www.autre.fr
  - id: Bad Id
    website: https://x.fr
`, []kb.Problem{
			{ID: "caf", Field: "id", Message: "identifiant en double"},
			{ID: "caf", Field: "website", Message: `lien "www.autre.fr" invalide : adresse http(s) complète attendue`},
			{ID: "Bad Id", Field: "id", Message: "identifiant invalide"},
			{ID: "Bad Id", Field: "name", Message: "nom manquant"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := kb.ReadDirectory(strings.NewReader(tc.yaml), tc.name)
			if err == nil {
				t.Fatalf("ReadDirectory = %d organisms, nil error; want an error", len(d.Organisms))
			}
			var ve *kb.ValidationError
			if tc.want == nil {
				if errors.As(err, &ve) {
					t.Errorf("ReadDirectory error = %v, want a decoding error", err)
				}
				return
			}
			ve = MustValidationError(t, err)
			if diff := cmp.Diff(tc.want, ve.Problems); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
