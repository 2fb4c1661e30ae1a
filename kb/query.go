package kb

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

type hit struct {
	id    string
	score float64
}

// message is a normalised message analysed once for the whole search: the
// Bleve query and the confidence features share its terms.
type message struct {
	norm string
	// words (analyzerText) and grams (analyzerGrams) keep repeated terms and
	// their order: each one is a clause of the query, as it would be in a
	// bleve.MatchQuery, so that scores are those of a MatchQuery per field.
	words    []string
	grams    []string
	concepts []Concept
}

// analyse analyses normalised text for search.
func (s *snapshot) analyse(norm string, syn *Synonyms) *message {
	m := &message{norm: norm, concepts: syn.Concepts(norm)}
	if strings.TrimSpace(norm) != "" {
		m.words = terms(s.text, norm)
		m.grams = terms(s.grams, norm)
	}
	return m
}

// search runs the Bleve query for an analysed message and returns the top k.
func (s *snapshot) search(m *message, k int) ([]hit, error) {
	if strings.TrimSpace(m.norm) == "" {
		return nil, nil
	}
	qs := []query.Query{
		s.fieldQuery("question", m.words, 3),
		s.fieldQuery("variants", m.words, 2),
		s.fieldQuery("grams", m.grams, 1.5),
		s.fieldQuery("tags", m.words, 0.5),
		s.fieldQuery("answer", m.words, 0.2),
	}
	if cs := conceptNames(m.concepts, 0, true); len(cs) > 0 {
		var ts []string
		for _, c := range cs {
			ts = append(ts, s.conceptTerms[c]...)
		}
		qs = append(qs, s.fieldQuery("concepts", ts, 2))
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), k, 0, false)
	res, err := s.bleve.Search(req)
	if err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	out := make([]hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, hit{id: h.ID, score: h.Score})
	}
	return out, nil
}

// searchFields are the indexed fields a search queries.
var searchFields = []string{"question", "variants", "grams", "tags", "answer", "concepts"}

// fieldQuery returns, for terms analysed for field, the query that
// bleve.MatchQuery builds with the default OR operator (see its Searcher
// method): a disjunction of one term query per token, repeats included, at
// least one to match; match-none without tokens. Building it from terms
// analysed once saves a MatchQuery's analysis of the whole text per field.
//
// A term that no entry has in the field gets an absentTermQuery instead of a
// term query. It changes no score (see absentTermQuery) and saves the
// dictionary lookup and the postings reader Bleve sets up for every term:
// about a quarter of the clauses of a typical message.
func (s *snapshot) fieldQuery(field string, terms []string, boost float64) query.Query {
	if len(terms) == 0 {
		return query.NewMatchNoneQuery()
	}
	dict := s.dict[field]
	tqs := make([]query.Query, len(terms))
	for i, t := range terms {
		if _, ok := dict[t]; !ok {
			tqs[i] = absentTermQuery{boost: boost}
			continue
		}
		tq := query.NewTermQuery(t)
		tq.SetField(field)
		tq.SetBoost(boost)
		tqs[i] = tq
	}
	q := query.NewDisjunctionQuery(tqs)
	q.SetMin(1)
	q.SetBoost(boost)
	return q
}

// dictionaries returns the terms of each search field of idx. The index is
// never modified after it is built, so they stay true for its lifetime.
func dictionaries(idx bleve.Index) (map[string]map[string]struct{}, error) {
	out := make(map[string]map[string]struct{}, len(searchFields))
	for _, field := range searchFields {
		fd, err := idx.FieldDict(field)
		if err != nil {
			return nil, fmt.Errorf("read %s dictionary: %w", field, err)
		}
		terms := map[string]struct{}{}
		for {
			e, err := fd.Next()
			if err != nil {
				_ = fd.Close()
				return nil, fmt.Errorf("read %s dictionary: %w", field, err)
			}
			if e == nil {
				break
			}
			if e.Count > 0 {
				terms[e.Term] = struct{}{}
			}
		}
		if err := fd.Close(); err != nil {
			return nil, fmt.Errorf("read %s dictionary: %w", field, err)
		}
		out[field] = terms
	}
	return out, nil
}

// absentTermQuery is a term query, boosted by boost, on a term that no
// document has in its field. Bleve's term searcher for such a term matches
// nothing but still takes part in scoring: its weight, (boost·idf)² with
// idf = 1 + ln(docCount/(0+1)) (search/scorer/scorer_term.go), adds to the
// query norm, and it counts as a clause in the coordination factor of its
// disjunction. absentSearcher keeps both, so every score is unchanged.
type absentTermQuery struct {
	boost float64
}

// Searcher returns the searcher of q; it implements query.Query.
func (q absentTermQuery) Searcher(_ context.Context, r index.IndexReader, _ mapping.IndexMapping, _ search.SearcherOptions) (search.Searcher, error) {
	n, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	// The same operations as TermQueryScorer.computeIDF and Weight.
	idf := 1.0 + math.Log(float64(n)/float64(1))
	w := q.boost * idf
	return absentSearcher{weight: w * w}, nil
}

// absentSearcher is the searcher of an absentTermQuery: a weight and no
// matches. Its methods implement search.Searcher.
type absentSearcher struct {
	weight float64
}

func (a absentSearcher) Weight() float64    { return a.weight }
func (absentSearcher) SetQueryNorm(float64) {}
func (absentSearcher) Next(*search.SearchContext) (*search.DocumentMatch, error) {
	return nil, nil
}
func (absentSearcher) Advance(*search.SearchContext, index.IndexInternalID) (*search.DocumentMatch, error) {
	return nil, nil
}
func (absentSearcher) Count() uint64              { return 0 }
func (absentSearcher) Min() int                   { return 0 }
func (absentSearcher) Size() int                  { return 8 } // its one float64
func (absentSearcher) DocumentMatchPoolSize() int { return 0 } // it never takes a match from the pool
func (absentSearcher) Close() error               { return nil }
