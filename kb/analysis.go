package kb

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/ngram"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"

	"pagebot/frtext"
)

// Analyzer names registered in every index mapping.
const (
	// analyzerText: words of normalised French (see frtext.Normalize), stop
	// words removed, light French stemming.
	analyzerText = "pagebot_fr"
	// analyzerGrams: character 3-grams of the same words without stemming;
	// they tolerate typos ("alocation", "logemant") at little cost.
	analyzerGrams = "pagebot_fr_ngram"
	// analyzerConcept: one token per concept name, as produced by Synonyms.
	analyzerConcept = "pagebot_concept"
	stopName        = "pagebot_stop_fr"
)

// extraStopWords are words that carry no meaning in a message to a caisse:
// greetings, politeness and fillers. They would otherwise match every entry
// whose question happens to contain them.
var extraStopWords = []string{
	"bonjour", "bonsoir", "salut", "coucou", "hello", "merci", "remercie", "cordialement", "madame", "monsieur",
	"plait", "svp", "stp", "bonne", "journee", "soiree", "svp", "please", "alors", "voila", "voici", "aussi",
	"donc", "car", "est", "sont", "etre", "avoir", "ai", "as", "avons", "avez", "ont", "fait", "faire", "faut",
	"peux", "peut", "pouvez", "pourriez", "pourrais", "voudrais", "veux", "veut", "savoir", "sais", "svp",
	"comment", "quoi", "quel", "quelle", "quels", "quelles", "ca", "cela", "ceci", "ici", "la", "bien", "tres",
	"encore", "deja", "tout", "tous", "toute", "toutes", "il", "y", "a", "est", "ce", "que", "qui", "dois", "doit",
	"dans", "chez", "vers", "depuis", "entre", "sans", "sous", "apres", "avant", "si", "oui", "non",
}

// stopWords is the Snowball French list folded like frtext.Fold, plus
// extraStopWords.
func stopWords() []interface{} {
	tm := analysis.NewTokenMap()
	if err := tm.LoadBytes(fr.FrenchStopWords); err != nil {
		panic(fmt.Sprintf("load french stop words: %v", err)) // embedded data: cannot fail
	}
	seen := map[string]bool{}
	var out []interface{}
	add := func(w string) {
		for _, f := range strings.Fields(frtext.Fold(w)) {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	// Sorted: the list is part of the index's source hash (see
	// Index.sourceHash), which map order would make differ from run to run.
	snowball := make([]string, 0, len(tm))
	for w := range tm {
		snowball = append(snowball, w)
	}
	sort.Strings(snowball)
	for _, w := range snowball {
		add(w)
	}
	for _, w := range extraStopWords {
		add(w)
	}
	return out
}

// addAnalyzers registers pagebot's analyzers in m. Text reaches them already
// normalised by frtext (lower case, accents folded, SMS spellings expanded),
// so the whitespace tokenizer is enough.
func addAnalyzers(m *mapping.IndexMappingImpl) error {
	steps := []struct {
		name string
		add  func(string, map[string]interface{}) error
		cfg  map[string]interface{}
	}{
		{stopName, m.AddCustomTokenMap, map[string]interface{}{"type": tokenmap.Name, "tokens": stopWords()}},
		{stopName, m.AddCustomTokenFilter, map[string]interface{}{"type": stop.Name, "stop_token_map": stopName}},
		{"pagebot_ngram3", m.AddCustomTokenFilter, map[string]interface{}{"type": ngram.Name, "min": 3.0, "max": 3.0}},
		{analyzerText, m.AddCustomAnalyzer, map[string]interface{}{"type": custom.Name, "tokenizer": whitespace.Name,
			"token_filters": []interface{}{lowercase.Name, stopName, fr.LightStemmerName}}},
		{analyzerGrams, m.AddCustomAnalyzer, map[string]interface{}{"type": custom.Name, "tokenizer": whitespace.Name,
			"token_filters": []interface{}{lowercase.Name, stopName, "pagebot_ngram3"}}},
		{analyzerConcept, m.AddCustomAnalyzer, map[string]interface{}{"type": custom.Name, "tokenizer": whitespace.Name,
			"token_filters": []interface{}{lowercase.Name}}},
	}
	for _, s := range steps {
		if err := s.add(s.name, s.cfg); err != nil {
			return fmt.Errorf("add analyzer part %s: %w", s.name, err)
		}
	}
	return nil
}

// newMapping returns the index mapping of FAQ documents. Question and
// variants weigh more than tags and answer at query time (see Index.search).
func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve_NewIndexMapping()
	if err := addAnalyzers(m); err != nil {
		return nil, err
	}
	m.DefaultAnalyzer = analyzerText
	m.ScoringModel = "tf-idf" // BM25's average length drifts with segment layout (see docs)
	doc := mapping.NewDocumentStaticMapping()
	field := func(name, analyzer string) {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		doc.AddFieldMappingsAt(name, f)
	}
	field("question", analyzerText)
	field("variants", analyzerText)
	field("grams", analyzerGrams)
	field("concepts", analyzerConcept)
	field("tags", analyzerText)
	field("answer", analyzerText)
	m.DefaultMapping = doc
	return m, nil
}

// terms runs analyzer on normalised text and returns its terms in order.
func terms(a analysis.Analyzer, norm string) []string {
	ts := a.Analyze([]byte(norm))
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, string(t.Term))
	}
	return out
}

// spaceTokenizer splits text at Unicode white space exactly as Bleve's
// whitespace tokenizer does (character.CharacterTokenizer with
// !unicode.IsSpace, which also stops at the first invalid UTF-8 sequence).
// Bleve's allocates room for 1,024 tokens on every call, about a sixth of
// the bytes a search allocated; this one sizes its result to the text.
// Only searches use it (see queryAnalyzer); the index keeps Bleve's.
type spaceTokenizer struct{}

// Tokenize implements analysis.Tokenizer.
func (spaceTokenizer) Tokenize(input []byte) analysis.TokenStream {
	rv := make(analysis.TokenStream, 0, 1+bytes.Count(input, []byte{' '}))
	start, end, offset := 0, 0, 0
	emit := func() {
		rv = append(rv, &analysis.Token{Term: input[start:end], Start: start, End: end,
			Position: len(rv) + 1, Type: analysis.AlphaNumeric})
	}
	for r, size := utf8.DecodeRune(input); r != utf8.RuneError; r, size = utf8.DecodeRune(input[offset:]) {
		if !unicode.IsSpace(r) {
			end = offset + size
		} else {
			if end > start {
				emit()
			}
			start = offset + size
			end = start
		}
		offset += size
	}
	if end > start {
		emit()
	}
	return rv
}

// queryAnalyzer returns analyzer a of the mapping with spaceTokenizer in
// place of its whitespace tokenizer: the same terms for less garbage. Every
// pagebot analyzer is a custom one on the whitespace tokenizer (see
// addAnalyzers); anything else is returned as is.
func queryAnalyzer(a analysis.Analyzer) analysis.Analyzer {
	d, ok := a.(*analysis.DefaultAnalyzer)
	if !ok || len(d.CharFilters) > 0 {
		return a
	}
	return &analysis.DefaultAnalyzer{Tokenizer: spaceTokenizer{}, TokenFilters: d.TokenFilters}
}
