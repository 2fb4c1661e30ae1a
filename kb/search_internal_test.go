package kb

import (
	"math"
	"strings"
	"testing"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/character"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"pagebot/frtext"
)

// The search shortcuts of query.go and search.go must not change a score:
// these tests hold each one to the plain form it replaces, bit for bit.

// matchQuerySearch is how snapshot.search queried the index before it built
// its query from terms analysed once: one bleve.MatchQuery per field.
func matchQuerySearch(t *testing.T, s *snapshot, syn *Synonyms, norm string, k int) []hit {
	t.Helper()
	var qs []query.Query
	match := func(field, text string, boost float64) {
		q := bleve.NewMatchQuery(text)
		q.SetField(field)
		q.SetBoost(boost)
		qs = append(qs, q)
	}
	match("question", norm, 3)
	match("variants", norm, 2)
	match("grams", norm, 1.5)
	match("tags", norm, 0.5)
	match("answer", norm, 0.2)
	if cs := conceptNames(syn.Concepts(norm), 0, true); len(cs) > 0 {
		match("concepts", strings.Join(cs, " "), 2)
	}
	res, err := s.bleve.Search(bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), k, 0, false))
	if err != nil {
		t.Fatalf("reference search %q: %v", norm, err)
	}
	out := make([]hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, hit{id: h.ID, score: h.Score})
	}
	return out
}

func TestSearchScoresEqualMatchQueries(t *testing.T) {
	for _, name := range Packs() {
		t.Run(name, func(t *testing.T) {
			faq, err := Pack(name)
			if err != nil {
				t.Fatal(err)
			}
			x, err := Open("", faq, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			s := x.snap
			// Entry wordings, the same with typos and noise, and messages
			// with words no entry uses (absent terms).
			var texts []string
			for _, e := range faq.Entries {
				texts = append(texts, e.Question, strings.ReplaceAll(e.Question, "e", "é")+" svp zorglub",
					"bjr "+strings.ReplaceAll(e.Question, "ai", "e")+" merci")
				texts = append(texts, e.Variants...)
			}
			texts = append(texts, "", "merci", "xyzzy plugh", "c quand ke tombe mon apl", "toujours pas recu mon rsa c est une honte")
			for _, text := range texts {
				norm := frtext.Normalize(text)
				got, err := s.search(s.analyse(norm, x.syn), 20)
				if err != nil {
					t.Fatalf("search(%q): %v", norm, err)
				}
				want := matchQuerySearch(t, s, x.syn, norm, 20)
				if diff := cmp.Diff(want, got, cmp.AllowUnexported(hit{}), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("search(%q) differs from MatchQuery search (-want +got):\n%s", norm, diff)
				}
			}
		})
	}
}

func TestSpaceTokenizerEqualsWhitespace(t *testing.T) {
	bleveWS := character.NewCharacterTokenizer(func(r rune) bool { return !unicode.IsSpace(r) })
	for _, in := range []string{
		"", " ", "a", "apl", "c quand ke tombe l apl", "  deux  espaces  ", "tab\tet\nligne",
		"insécable\u00a0et\u2003em", "été œuvre", "coupé \xff ici", "fin\xe2", "😀 emoji",
	} {
		want, got := bleveWS.Tokenize([]byte(in)), spaceTokenizer{}.Tokenize([]byte(in))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Tokenize(%q) differs from Bleve's whitespace tokenizer (-want +got):\n%s", in, diff)
		}
	}
}

func TestQueryAnalyzersEqualIndexAnalyzers(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{analyzerText, analyzerGrams, analyzerConcept} {
		a := m.AnalyzerNamed(name)
		q := queryAnalyzer(a)
		if q == a {
			t.Errorf("queryAnalyzer(%s) kept Bleve's tokenizer", name)
		}
		for _, in := range []string{"", "c quand ke tombe l apl", "bonjour je voudrais savoir comment faire ma declaration trimestrielle",
			"aide_logement prime_activite", "les allocations familiales"} {
			if diff := cmp.Diff(a.Analyze([]byte(in)), q.Analyze([]byte(in))); diff != "" {
				t.Errorf("%s: query analysis of %q differs (-index +query):\n%s", name, in, diff)
			}
		}
	}
}

// mapTrigrams and mapCosine are the map-based 3-gram vectors the sorted
// gramVector replaced.
func mapTrigrams(norm string) map[string]float64 {
	g := map[string]float64{}
	for _, w := range strings.Fields(norm) {
		if len(w) < 2 {
			continue
		}
		p := " " + w + " "
		for i := 0; i+3 <= len(p); i++ {
			g[p[i:i+3]]++
		}
	}
	return g
}

func mapCosine(a, b map[string]float64) float64 {
	var dot, na, nb float64
	for k, v := range a {
		dot += v * b[k]
		na += v * v
	}
	for _, v := range b {
		nb += v * v
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / (math.Sqrt(na) * math.Sqrt(nb))
}

func TestGramCosineEqualsMapCosine(t *testing.T) {
	texts := []string{"", "a", "apl", "c quand ke tombe l apl ce mois ci", "a quelle date l aide au logement est elle versee chaque mois",
		"allocation allocations alocation", "ete oeuvre 😀 \u00e9t\u00e9", "rsa rsa rsa", "prime d activite declaration trimestrielle"}
	for _, a := range texts {
		for _, b := range texts {
			ga, gb := trigrams(a), trigrams(b)
			got := cosine(ga, ga.norm(), gb, gb.norm())
			want := mapCosine(mapTrigrams(a), mapTrigrams(b))
			if got != want {
				t.Errorf("cosine(%q, %q) = %v, want %v", a, b, got, want)
			}
		}
	}
}

var _ analysis.Tokenizer = spaceTokenizer{}
