package kb

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"

	"pagebot/frtext"
)

// schemaVersion changes whenever the mapping, the analyzers or the document
// fields change, so that an index left on disk by an older pagebot is rebuilt.
const schemaVersion = "pagebot-kb-3"

// Index is the searchable form of a FAQ. It is safe for concurrent use:
// searches run while an edit rebuilds the index, and the new version replaces
// the old one atomically once it is complete.
type Index struct {
	dir string // "" keeps the index in memory only
	syn *Synonyms

	// wmu serialises writers (Replace, Put, Delete, Close): each edit starts
	// from the FAQ the previous one left, and one index directory is built
	// at a time. mu guards the snapshot pointer for readers.
	wmu  sync.Mutex
	mu   sync.RWMutex
	snap *snapshot
}

// snapshot is one immutable version of the index: the Bleve index and the
// per-entry data computed from the same FAQ.
type snapshot struct {
	faq   *FAQ
	bleve bleve.Index
	path  string
	text  analysis.Analyzer // analyzerText: words of the question, variants, tags and answer fields
	grams analysis.Analyzer // analyzerGrams: the grams field
	// conceptTerms holds, for each concept name of the synonym list, what
	// analyzerConcept makes of it: the names are fixed between rebuilds, so
	// a search does not analyse them again.
	conceptTerms map[string][]string
	// dict holds the terms of each search field (see fieldQuery).
	dict  map[string]map[string]struct{}
	docs  map[string]*doc
	order []*doc
	df    map[string]int     // entries whose phrasings contain a term
	idfs  map[string]float64 // idf of each term of df, computed once
	vocab map[string]bool
	// fuzzyVocab is the vocabulary terms of five bytes or more, sorted: the
	// candidates of fuzzyKnown, which wants the smallest one within an edit.
	fuzzyVocab []string
	n          int
}

// doc is what the confidence features need to know about one entry.
type doc struct {
	entry     Entry
	phrasings [][]string // analysed terms of the question and of each variant
	// weights[i][j] is the idf of phrasings[i][j] and weightTotals[i] their
	// sum, added in the same order as the features would: computed once here
	// rather than looked up for each candidate of each search.
	weights      [][]float64
	weightTotals []float64
	terms        map[string]bool
	grams        []gramVector // character 3-gram vectors of each phrasing
	gramNorms    []float64
	benefits     map[string]bool
	benefitList  []string // benefits, sorted
	intents      map[string]bool
	concepts     []string
	conceptSet   map[string]bool
	self         float64 // score of the entry for its own question
}

// Open builds (or reopens from dir) the index of faq. dir is where the index
// lives on disk, "" for memory only. An index found in dir is reused only if
// it was built from exactly this FAQ and synonym list; otherwise it is rebuilt.
func Open(dir string, faq *FAQ, syn *Synonyms) (*Index, error) {
	if syn == nil {
		var err error
		if syn, err = DefaultSynonyms(); err != nil {
			return nil, err
		}
	}
	x := &Index{dir: dir, syn: syn}
	faq = copyFAQ(faq)
	if dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open index: %w", err)
		}
	}
	snap, err := x.build(faq, true)
	if err != nil {
		return nil, err
	}
	x.snap = snap
	x.removeStale(snap.path)
	return x, nil
}

// Close releases the index. Later calls return ErrClosed.
func (x *Index) Close() error {
	x.wmu.Lock()
	defer x.wmu.Unlock()
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.snap == nil {
		return nil
	}
	err := x.snap.bleve.Close()
	x.snap = nil
	return err
}

// ErrClosed is returned by an index used after Close.
var ErrClosed = errors.New("index closed")

// FAQ returns a copy of the FAQ the index currently serves (an empty FAQ
// after Close).
func (x *Index) FAQ() *FAQ {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.snap == nil {
		return &FAQ{}
	}
	return copyFAQ(x.snap.faq)
}

func copyFAQ(f *FAQ) *FAQ {
	c := *f
	c.Entries = append([]Entry(nil), f.Entries...)
	return &c
}

// Replace rebuilds the index from faq and swaps it in. Searches keep being
// served by the previous version until the new one is ready. It is how staff
// edits become searchable: rebuilding a few hundred entries takes a fraction
// of a second, and a whole rebuild keeps the index to one segment.
func (x *Index) Replace(faq *FAQ) error {
	x.wmu.Lock()
	defer x.wmu.Unlock()
	return x.replace(copyFAQ(faq))
}

// replace does Replace; the caller holds wmu.
func (x *Index) replace(faq *FAQ) error {
	x.mu.RLock()
	closed := x.snap == nil
	x.mu.RUnlock()
	if closed {
		return ErrClosed
	}
	if err := faq.Validate("faq", nil); err != nil {
		return err
	}
	snap, err := x.build(faq, false)
	if err != nil {
		return err
	}
	x.mu.Lock()
	old := x.snap
	x.snap = snap
	x.mu.Unlock()
	if old != nil {
		_ = old.bleve.Close()
		x.removeStale(snap.path)
	}
	return nil
}

// Put adds or replaces one entry.
func (x *Index) Put(e Entry) error {
	x.wmu.Lock()
	defer x.wmu.Unlock()
	f := x.FAQ()
	replaced := false
	for i := range f.Entries {
		if f.Entries[i].ID == e.ID {
			f.Entries[i] = e
			replaced = true
		}
	}
	if !replaced {
		f.Entries = append(f.Entries, e)
	}
	return x.replace(f)
}

// Delete removes one entry; it is an error if no entry has that id.
func (x *Index) Delete(id string) error {
	x.wmu.Lock()
	defer x.wmu.Unlock()
	f := x.FAQ()
	out := f.Entries[:0]
	for _, e := range f.Entries {
		if e.ID != id {
			out = append(out, e)
		}
	}
	if len(out) == len(f.Entries) {
		return fmt.Errorf("delete entry %q: %w", id, ErrNotFound)
	}
	f.Entries = out
	return x.replace(f)
}

// ErrNotFound is returned for an entry id that does not exist.
var ErrNotFound = errors.New("entry not found")

type current struct {
	Path string `json:"path"`
	Hash string `json:"hash"`
}

func (x *Index) sourceHash(faq *FAQ) string {
	h := sha256.New()
	_, _ = h.Write([]byte(schemaVersion))
	_ = json.NewEncoder(h).Encode(faq)
	_ = json.NewEncoder(h).Encode(x.syn)
	_ = json.NewEncoder(h).Encode(stopWords())
	return hex.EncodeToString(h.Sum(nil))
}

// build makes a snapshot of faq. With reuse, an on-disk index built from the
// same source is reopened instead of rebuilt.
func (x *Index) build(faq *FAQ, reuse bool) (*snapshot, error) {
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	text, grams, concept := m.AnalyzerNamed(analyzerText), m.AnalyzerNamed(analyzerGrams), m.AnalyzerNamed(analyzerConcept)
	if text == nil || grams == nil || concept == nil {
		return nil, errors.New("build index: analyzer missing")
	}
	s := &snapshot{faq: faq, text: queryAnalyzer(text), grams: queryAnalyzer(grams)}
	s.conceptTerms = x.syn.analysedNames(concept)
	s.prepare(x.syn)
	hash := x.sourceHash(faq)
	if x.dir != "" && reuse {
		if idx, path, ok := x.reopen(hash); ok {
			s.bleve, s.path = idx, path
		}
	}
	if s.bleve == nil {
		if err := x.fill(s, m, hash); err != nil {
			return nil, err
		}
	}
	if s.dict, err = dictionaries(s.bleve); err != nil {
		_ = s.bleve.Close()
		return nil, fmt.Errorf("build index: %w", err)
	}
	s.computeSelfScores(x.syn)
	return s, nil
}

func (x *Index) reopen(hash string) (bleve.Index, string, bool) {
	data, err := os.ReadFile(filepath.Join(x.dir, "CURRENT"))
	if err != nil {
		return nil, "", false
	}
	var c current
	if json.Unmarshal(data, &c) != nil || c.Hash != hash || strings.ContainsAny(c.Path, `/\`) {
		return nil, "", false
	}
	idx, err := bleve.Open(filepath.Join(x.dir, c.Path))
	if err != nil {
		return nil, "", false
	}
	return idx, c.Path, true
}

func (x *Index) fill(s *snapshot, m mapping.IndexMapping, hash string) error {
	var (
		idx bleve.Index
		err error
	)
	if x.dir == "" {
		idx, err = bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	} else {
		s.path = fmt.Sprintf("index-%s-%d", hash[:12], time.Now().UnixNano())
		idx, err = bleve.NewUsing(filepath.Join(x.dir, s.path), m, scorch.Name, scorch.Name, nil)
	}
	if err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	b := idx.NewBatch()
	for _, d := range s.order {
		e := d.entry
		var variants []string
		for _, v := range e.Variants {
			variants = append(variants, frtext.Normalize(v))
		}
		q := frtext.Normalize(e.Question)
		grams := q + " " + strings.Join(variants, " ")
		tags := strings.ReplaceAll(strings.Join(e.Tags, " "), "-", " ")
		if err := b.Index(e.ID, map[string]interface{}{
			"question": q,
			"variants": variants,
			"grams":    grams,
			"concepts": strings.Join(d.concepts, " "),
			"tags":     tags,
			"answer":   frtext.Normalize(e.Answer),
		}); err != nil {
			_ = idx.Close()
			return fmt.Errorf("index entry %s: %w", e.ID, err)
		}
	}
	if err := idx.Batch(b); err != nil {
		_ = idx.Close()
		return fmt.Errorf("index batch: %w", err)
	}
	s.bleve = idx
	if x.dir != "" {
		data, _ := json.Marshal(current{Path: s.path, Hash: hash})
		tmp := filepath.Join(x.dir, "CURRENT.tmp")
		if err := os.WriteFile(tmp, data, 0o640); err != nil {
			return fmt.Errorf("write index pointer: %w", err)
		}
		if err := os.Rename(tmp, filepath.Join(x.dir, "CURRENT")); err != nil {
			return fmt.Errorf("write index pointer: %w", err)
		}
	}
	return nil
}

// removeStale deletes index directories other than keep.
func (x *Index) removeStale(keep string) {
	if x.dir == "" {
		return
	}
	ents, err := os.ReadDir(x.dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if e.IsDir() && strings.HasPrefix(e.Name(), "index-") && e.Name() != keep {
			_ = os.RemoveAll(filepath.Join(x.dir, e.Name()))
		}
	}
}

// prepare computes the per-entry data used by the confidence features.
func (s *snapshot) prepare(syn *Synonyms) {
	s.docs = make(map[string]*doc, len(s.faq.Entries))
	s.df = map[string]int{}
	s.vocab = map[string]bool{}
	for _, e := range s.faq.Entries {
		d := &doc{entry: e, terms: map[string]bool{}, benefits: map[string]bool{}, intents: map[string]bool{}}
		concepts := map[string]bool{}
		for i, p := range append([]string{e.Question}, e.Variants...) {
			norm := frtext.Normalize(p)
			ts := terms(s.text, norm)
			d.phrasings = append(d.phrasings, ts)
			g := trigrams(norm)
			d.grams = append(d.grams, g)
			d.gramNorms = append(d.gramNorms, g.norm())
			for _, t := range ts {
				d.terms[t] = true
			}
			for _, c := range syn.Concepts(norm) {
				concepts[c.Name] = true
				switch c.Kind {
				case KindBenefit:
					d.benefits[c.Name] = true
				case KindIntent:
					if i == 0 || len(d.intents) == 0 {
						d.intents[c.Name] = true
					}
				}
			}
		}
		for _, c := range syn.Concepts(frtext.Normalize(strings.ReplaceAll(strings.Join(e.Tags, " "), "-", " "))) {
			concepts[c.Name] = true
			if c.Kind == KindBenefit {
				d.benefits[c.Name] = true
			}
		}
		d.conceptSet = concepts
		for b := range d.benefits {
			d.benefitList = append(d.benefitList, b)
		}
		sort.Strings(d.benefitList)
		for c := range concepts {
			d.concepts = append(d.concepts, c)
		}
		sort.Strings(d.concepts)
		for t := range d.terms {
			s.df[t]++
			s.vocab[t] = true
		}
		s.docs[e.ID] = d
		s.order = append(s.order, d)
	}
	s.n = len(s.order)
	s.idfs = make(map[string]float64, len(s.df))
	for t, df := range s.df {
		s.idfs[t] = math.Log(1 + float64(s.n)/float64(df))
	}
	for _, d := range s.order {
		d.weights = make([][]float64, len(d.phrasings))
		d.weightTotals = make([]float64, len(d.phrasings))
		for i, ph := range d.phrasings {
			d.weights[i] = make([]float64, len(ph))
			for j, t := range ph {
				w := s.idf(t)
				d.weights[i][j] = w
				d.weightTotals[i] += w
			}
		}
	}
	for t := range s.vocab {
		if len(t) >= fuzzyMinLen {
			s.fuzzyVocab = append(s.fuzzyVocab, t)
		}
	}
	sort.Strings(s.fuzzyVocab)
}

func (s *snapshot) computeSelfScores(syn *Synonyms) {
	for _, d := range s.order {
		hits, err := s.search(s.analyse(frtext.Normalize(d.entry.Question), syn), 20)
		if err != nil || len(hits) == 0 {
			d.self = 1
			continue
		}
		d.self = hits[0].score
		for _, h := range hits {
			if h.id == d.entry.ID {
				d.self = h.score
				break
			}
		}
		if d.self <= 0 {
			d.self = 1
		}
	}
}

// DocCount returns the number of entries in the index.
func (x *Index) DocCount() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.snap == nil {
		return 0
	}
	return x.snap.n
}
