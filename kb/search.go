package kb

import (
	"math"
	"slices"
	"sort"
	"strings"

	"pagebot/frtext"
)

// Features are the signals that tell how well a candidate entry fits a
// message. Raw Bleve scores are not comparable from one query to the next;
// these are, so that package bot can turn them into a calibrated confidence.
type Features struct {
	// Relative is the Bleve score divided by the entry's score for its own
	// question (about 1 for a message as close as the entry's own wording).
	Relative float64 `json:"relative"`
	// Margin is the gap to the next candidate with a different answer,
	// relative to this candidate's score (0 when they tie).
	Margin float64 `json:"margin"`
	// QueryCoverage is the idf-weighted share of the message's words found in
	// the entry's question and variants.
	QueryCoverage float64 `json:"query_coverage"`
	// EntryCoverage is the idf-weighted share of the words of the entry's
	// closest phrasing found in the message.
	EntryCoverage float64 `json:"entry_coverage"`
	// Cosine is the character 3-gram cosine between the message and the
	// entry's closest phrasing; it survives typos that break whole words.
	Cosine float64 `json:"cosine"`
	// BenefitMatch is 1 when the message and the entry name a common benefit.
	BenefitMatch float64 `json:"benefit_match"`
	// BenefitConflict is 1 when both name benefits and none is shared: a
	// question about the RSA answered with an entry about the APL.
	BenefitConflict float64 `json:"benefit_conflict"`
	// IntentMatch is 1 when the message and the entry ask the same kind of
	// thing (date, amount, how to apply…).
	IntentMatch float64 `json:"intent_match"`
	// IntentConflict is 1 when both ask something and nothing is in common.
	IntentConflict float64 `json:"intent_conflict"`
	// Unknown is the idf-weighted share of the message's words that no entry
	// of the knowledge base uses: a sign the question is about something else.
	Unknown float64 `json:"unknown"`
	// Concepts is the share of the message's concepts (synonym groups:
	// benefits, intents, terms) that the entry also names. It matches "les
	// allocs logement" with "aide personnalisée au logement".
	Concepts float64 `json:"concepts"`
	// Lead compares how well this candidate fits the message with how well
	// the best candidate that gives another answer does: the mean of query
	// coverage, entry coverage, cosine and concepts, this candidate's minus
	// the other's, mapped from [-1, 1] to [0, 1] (0.5 when they tie or when
	// there is no other). A phrasing new to the FAQ may fit its entry only
	// loosely; what tells it apart is fitting it clearly better than the rest.
	Lead float64 `json:"lead"`
}

// FeatureNames lists the features in the order of Vector.
var FeatureNames = []string{"relative", "margin", "query_coverage", "entry_coverage", "cosine",
	"benefit_match", "benefit_conflict", "intent_match", "intent_conflict", "unknown", "concepts", "lead"}

// Vector returns the features as a slice in FeatureNames order.
func (f Features) Vector() []float64 {
	return []float64{f.Relative, f.Margin, f.QueryCoverage, f.EntryCoverage, f.Cosine,
		f.BenefitMatch, f.BenefitConflict, f.IntentMatch, f.IntentConflict, f.Unknown, f.Concepts, f.Lead}
}

// Candidate is an entry found for a message, with its signals.
type Candidate struct {
	Entry    Entry    `json:"entry"`
	Score    float64  `json:"score"`
	Features Features `json:"features"`
	// Benefits are the benefits the entry is about (synonym group names,
	// sorted), from its wording and tags: two candidates on the same
	// benefit are a close pair that only the question's intent separates.
	Benefits []string `json:"benefits,omitempty"`
}

// Result is what a search found for one message.
type Result struct {
	// Normalized is the message as the index saw it.
	Normalized string `json:"normalized"`
	// Benefits and Intents are the concepts named in the message.
	Benefits   []string    `json:"benefits,omitempty"`
	Intents    []string    `json:"intents,omitempty"`
	Concepts   []string    `json:"concepts,omitempty"`
	Candidates []Candidate `json:"candidates"`
}

// Search returns up to k candidates for a message, best Bleve score first,
// each with the features that judge it.
func (x *Index) Search(text string, k int) (*Result, error) {
	norm := frtext.Normalize(text)
	x.mu.RLock()
	defer x.mu.RUnlock()
	s := x.snap
	if s == nil {
		return nil, ErrClosed
	}
	norm = s.unglue(norm, x.syn)
	res := &Result{Normalized: norm}
	m := s.analyse(norm, x.syn)
	res.Benefits = conceptNames(m.concepts, KindBenefit, false)
	res.Intents = conceptNames(m.concepts, KindIntent, false)
	res.Concepts = conceptNames(m.concepts, 0, true)
	hits, err := s.search(m, k)
	if err != nil || len(hits) == 0 {
		return res, err
	}
	q := s.query(m, res)
	for i, h := range hits {
		d := s.docs[h.id]
		if d == nil {
			continue
		}
		f := s.features(q, d, h.score)
		// Margin to the next candidate that says something else.
		f.Margin = 1
		for j := range hits {
			if j == i || hits[j].score > h.score || (hits[j].score == h.score && j < i) {
				continue
			}
			if o := s.docs[hits[j].id]; o != nil && o.entry.Answer != d.entry.Answer {
				f.Margin = (h.score - hits[j].score) / h.score
				break
			}
		}
		for j := range hits {
			if j < i && hits[j].score == h.score {
				f.Margin = 0
			}
		}
		res.Candidates = append(res.Candidates, Candidate{Entry: d.entry, Score: h.score, Features: f, Benefits: d.benefitList})
	}
	setLeads(res.Candidates)
	return res, nil
}

// fit is the model-free summary of how well a candidate fits a message that
// Lead compares between candidates.
func (f Features) fit() float64 {
	return (f.QueryCoverage + f.EntryCoverage + f.Cosine + f.Concepts) / 4
}

// setLeads fills the Lead feature of each candidate.
func setLeads(cs []Candidate) {
	for i := range cs {
		best, found := 0.0, false
		for j := range cs {
			if j == i || cs[j].Entry.Answer == cs[i].Entry.Answer {
				continue
			}
			if v := cs[j].Features.fit(); !found || v > best {
				best, found = v, true
			}
		}
		cs[i].Features.Lead = 0.5
		if found {
			cs[i].Features.Lead = (1 + cs[i].Features.fit() - best) / 2
		}
	}
}

// unglue splits words whose elided article or pronoun was written without
// its apostrophe ("lapl", "dactivite", "jhabite", "lenfant"): when the word
// itself means nothing to the knowledge base but what follows the elided
// letter does, the word is read as "l apl", "d activite"… Folding turns
// "l'apl" into "l apl" already; this catches the same elision typed without
// the apostrophe, a habit of phone keyboards.
func (s *snapshot) unglue(norm string, syn *Synonyms) string {
	if !strings.ContainsAny(norm, "ldjmnstcq") {
		return norm
	}
	words := frtext.Words(norm)
	changed := false
	for i, w := range words {
		n := 1
		if strings.HasPrefix(w, "qu") {
			n = 2
		} else if !strings.ContainsRune("ldjmnstc", rune(w[0])) {
			continue
		}
		if len(w)-n < 3 || !strings.ContainsRune("aeiouyh", rune(w[n])) {
			continue
		}
		if s.knownWord(w, syn, true) || !s.knownWord(w[n:], syn, false) {
			continue
		}
		words[i] = w[:n] + " " + w[n:]
		changed = true
	}
	if !changed {
		return norm
	}
	return strings.Join(words, " ")
}

// knownWord reports whether a single normalised word is a term of the
// knowledge base or starts a synonym phrase; with stop, a stop word counts
// as known too.
func (s *snapshot) knownWord(w string, syn *Synonyms, stop bool) bool {
	if syn != nil && syn.trie != nil && syn.trie.next[key(w)] != nil {
		return true
	}
	ts := terms(s.text, w)
	if len(ts) == 0 {
		return stop
	}
	return len(ts) == 1 && s.vocab[ts[0]]
}

// queryInfo is the analysed message.
type queryInfo struct {
	terms    []string
	resolved []string // each term, or the vocabulary term it is a typo of
	weights  []float64
	known    []bool
	grams    gramVector
	benefits map[string]bool
	intents  map[string]bool
	concepts []string
	set      map[string]bool
	norm     float64
}

func (s *snapshot) idf(t string) float64 {
	if w, ok := s.idfs[t]; ok {
		return w
	}
	return math.Log(1 + float64(s.n)) // a term no entry uses: rarest
}

func (s *snapshot) query(m *message, r *Result) *queryInfo {
	q := &queryInfo{grams: trigrams(m.norm), benefits: map[string]bool{}, intents: map[string]bool{}}
	seen := map[string]bool{}
	for _, t := range m.words {
		if seen[t] {
			continue
		}
		seen[t] = true
		r := s.resolve(t)
		known := s.vocab[r]
		q.terms = append(q.terms, t)
		q.resolved = append(q.resolved, r)
		q.known = append(q.known, known)
		q.weights = append(q.weights, s.idf(r))
	}
	for _, b := range r.Benefits {
		q.benefits[b] = true
	}
	for _, i := range r.Intents {
		q.intents[i] = true
	}
	q.concepts = r.Concepts
	q.set = make(map[string]bool, 2*len(q.terms))
	for i, t := range q.terms {
		q.set[t] = true
		q.set[q.resolved[i]] = true
	}
	q.norm = q.grams.norm()
	return q
}

// resolve maps a misspelt term to the vocabulary term it stands for.
func (s *snapshot) resolve(t string) string {
	if s.vocab[t] {
		return t
	}
	if v := s.fuzzyKnown(t); v != "" {
		return v
	}
	return t
}

// fuzzyMinLen is the length from which a term may stand for a vocabulary
// term one edit away: shorter ones collide too easily.
const fuzzyMinLen = 5

// fuzzyKnown returns the smallest vocabulary term (in byte order) within one
// edit of t, or "". s.fuzzyVocab is sorted, so the first match is it.
func (s *snapshot) fuzzyKnown(t string) string {
	if len(t) < fuzzyMinLen {
		return ""
	}
	for _, v := range s.fuzzyVocab {
		if within1(t, v) {
			return v
		}
	}
	return ""
}

func (s *snapshot) features(q *queryInfo, d *doc, score float64) Features {
	var f Features
	f.Relative = math.Min(score/d.self, 1.5)
	var total, covered, unknown float64
	for i, t := range q.terms {
		w := q.weights[i]
		total += w
		if d.terms[t] || d.terms[q.resolved[i]] {
			covered += w
		}
		if !q.known[i] {
			unknown += w
		}
	}
	if total > 0 {
		f.QueryCoverage = covered / total
		f.Unknown = unknown / total
	}
	qset := q.set
	for i, ph := range d.phrasings {
		var cov float64
		ws := d.weights[i]
		for j, t := range ph {
			if qset[t] {
				cov += ws[j]
			}
		}
		if tot := d.weightTotals[i]; tot > 0 && cov/tot > f.EntryCoverage {
			f.EntryCoverage = cov / tot
		}
		if c := cosine(q.grams, q.norm, d.grams[i], d.gramNorms[i]); c > f.Cosine {
			f.Cosine = c
		}
	}
	if len(q.benefits) > 0 && len(d.benefits) > 0 {
		f.BenefitConflict = 1
		for b := range q.benefits {
			if d.benefits[b] {
				f.BenefitMatch, f.BenefitConflict = 1, 0
				break
			}
		}
	}
	if len(q.concepts) > 0 {
		n := 0
		for _, c := range q.concepts {
			if d.conceptSet[c] {
				n++
			}
		}
		f.Concepts = float64(n) / float64(len(q.concepts))
	}
	if len(q.intents) > 0 && len(d.intents) > 0 {
		f.IntentConflict = 1
		for i := range q.intents {
			if d.intents[i] {
				f.IntentMatch, f.IntentConflict = 1, 0
				break
			}
		}
	}
	return f
}

// gramVector is the character 3-gram counts of a text, as (gram, count)
// pairs sorted by gram. The features compare one message with every phrasing
// of ten candidates: a merge of two short sorted slices is several times
// cheaper than map lookups, and the counts are whole numbers, so dot products
// and norms are exact in any order.
type gramVector []gramCount

type gramCount struct {
	gram uint32 // the three bytes of the gram, big-endian
	n    float64
}

// trigrams returns the character 3-gram counts of normalised text, words
// padded with a space so that word starts and ends count. Grams are bytes,
// not runes, like the keys of a string map would be.
func trigrams(norm string) gramVector {
	var (
		gs []uint32
		p  []byte
	)
	for _, w := range strings.Fields(norm) {
		if len(w) < 2 {
			continue
		}
		p = append(append(append(p[:0], ' '), w...), ' ')
		for i := 0; i+3 <= len(p); i++ {
			gs = append(gs, uint32(p[i])<<16|uint32(p[i+1])<<8|uint32(p[i+2]))
		}
	}
	slices.Sort(gs)
	v := make(gramVector, 0, len(gs))
	for _, g := range gs {
		if n := len(v); n > 0 && v[n-1].gram == g {
			v[n-1].n++
		} else {
			v = append(v, gramCount{gram: g, n: 1})
		}
	}
	return v
}

// cosine returns the cosine of two 3-gram vectors given their norms.
func cosine(a gramVector, na float64, b gramVector, nb float64) float64 {
	if na == 0 || nb == 0 {
		return 0
	}
	var dot float64
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i].gram < b[j].gram:
			i++
		case a[i].gram > b[j].gram:
			j++
		default:
			dot += a[i].n * b[j].n
			i++
			j++
		}
	}
	return dot / (na * nb)
}

// norm is the Euclidean norm of the vector.
func (v gramVector) norm() float64 {
	var n float64
	for _, g := range v {
		n += g.n * g.n
	}
	return math.Sqrt(n)
}

// within1 reports whether a and b are at most one edit apart (insertion,
// deletion, substitution or transposition of adjacent letters).
func within1(a, b string) bool {
	la, lb := len(a), len(b)
	if la-lb > 1 || lb-la > 1 {
		return false
	}
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	i := 0
	for i < la && a[i] == b[i] {
		i++
	}
	if i == la {
		return true
	}
	if la == lb {
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	return a[i:] == b[i+1:]
}

// sortCandidates orders candidates by decreasing score (stable).
func sortCandidates(cs []Candidate) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Score > cs[j].Score })
}
