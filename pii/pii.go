package pii

import (
	"bytes"
	"sort"
	"strings"
)

// Kind names a category of personal data. The values are stable strings so
// that they can be logged and stored next to a masked message.
type Kind string

// The kinds the detector knows. Their declaration order is the order used in
// Result.Kinds, so that results are stable across runs.
const (
	KindNIR        Kind = "nir"
	KindIBAN       Kind = "iban"
	KindCardNumber Kind = "card_number"
	KindPhone      Kind = "phone"
	KindEmail      Kind = "email"
	KindCAFNumber  Kind = "caf_number"
	KindTaxNumber  Kind = "tax_number"
	KindPassport   Kind = "passport"
	KindIDCard     Kind = "id_card"
	KindBirthDate  Kind = "birth_date"
	KindAddress    Kind = "address"
	KindName       Kind = "name"
)

// Kinds lists every kind in a stable order, so callers can build per-kind
// metrics or settings without repeating the list.
var Kinds = []Kind{
	KindNIR, KindIBAN, KindCardNumber, KindPhone, KindEmail, KindCAFNumber,
	KindTaxNumber, KindPassport, KindIDCard, KindBirthDate, KindAddress, KindName,
}

// priority ranks kinds when spans overlap: checksummed identifiers are more
// certain than contextual guesses, so they give their kind to a merged span.
var priority = map[Kind]int{
	KindIBAN: 12, KindNIR: 11, KindCardNumber: 10, KindEmail: 9, KindTaxNumber: 8,
	KindPassport: 7, KindIDCard: 7, KindPhone: 6, KindCAFNumber: 5,
	KindBirthDate: 4, KindAddress: 3, KindName: 2,
}

var placeholders = map[Kind]string{
	KindNIR:        "[n° de sécurité sociale masqué]",
	KindIBAN:       "[IBAN masqué]",
	KindCardNumber: "[n° de carte bancaire masqué]",
	KindPhone:      "[téléphone masqué]",
	KindEmail:      "[e-mail masqué]",
	KindCAFNumber:  "[n° allocataire masqué]",
	KindTaxNumber:  "[n° fiscal masqué]",
	KindPassport:   "[n° de passeport masqué]",
	KindIDCard:     "[n° de carte d'identité masqué]",
	KindBirthDate:  "[date de naissance masquée]",
	KindAddress:    "[adresse masquée]",
	KindName:       "[nom masqué]",
}

var foldedPlaceholders = func() map[Kind]string {
	m := map[Kind]string{}
	for k, p := range placeholders {
		m[k] = foldString(p)
	}
	return m
}()

// foldedPlaceholder returns the folded form of Placeholder(k).
func foldedPlaceholder(k Kind) string {
	if p, ok := foldedPlaceholders[k]; ok {
		return p
	}
	return foldString(Placeholder(k))
}

// Placeholder returns the readable French text that replaces a value of kind
// k in a masked message. Staff reading the console still see what kind of
// data the person gave (and that it was given) without seeing the value.
func Placeholder(k Kind) string {
	if p, ok := placeholders[k]; ok {
		return p
	}
	return "[donnée personnelle masquée]"
}

// Span locates one personal value in the original text. Start and End are
// byte offsets (End exclusive) and include the value's own separators, so
// that masking the span removes the whole value.
type Span struct {
	Kind       Kind
	Start, End int
}

// Result is what Mask returns: the only form of a message that the service
// may log, store, index or show, plus what was removed from it.
type Result struct {
	Masked string
	Spans  []Span
	Kinds  []Kind // unique kinds found, in the order of Kinds
}

// Detector finds personal data in short French messages. It is immutable
// after New and safe for concurrent use, so one value serves the whole
// service.
type Detector struct {
	cues     *cueScanner
	numbers  *numberDetector
	email    *emailDetector
	context  *contextDetector
	birth    *birthDetector
	address  *addressDetector
	name     *nameDetector
	maskable []string // folded placeholders, neutralised before detection
}

// New compiles the detector's regular expressions once; reuse the result.
func New() *Detector {
	d := &Detector{
		numbers: newNumberDetector(),
		email:   newEmailDetector(),
		context: newContextDetector(),
		birth:   newBirthDetector(),
		address: newAddressDetector(),
		name:    newNameDetector(),
	}
	d.cues = &cueScanner{}
	d.cues.add(cueEmail, 64, 128, emailTriggers)
	for _, r := range d.context.rules {
		d.cues.add(r.set, 16, 64, r.prefilt)
	}
	d.cues.add(cueBirth, 8, 80, birthTriggers)
	d.cues.add(cueNameStrong, 24, 24, strongNameTriggers)
	d.cues.add(cueNameWeak, 12, 16, weakNameTriggers)
	d.cues.add(cueSignature, 8, 32, signatureTriggers)
	for _, k := range Kinds {
		d.maskable = append(d.maskable, foldString(Placeholder(k)))
	}
	d.maskable = append(d.maskable, foldString(Placeholder("")))
	return d
}

// cand is a detection in folded-text offsets.
type cand struct {
	kind       Kind
	start, end int
}

// Detect returns the personal values in text, sorted by Start and never
// overlapping: overlapping findings are merged into one span that takes the
// kind of the most certain finding, so that no part of a value leaks.
func (d *Detector) Detect(text string) []Span {
	spans := d.detect(text)
	if len(spans) == 0 {
		return nil
	}
	return d.settle(text, spans)
}

// detect is one pass of the detectors over text.
func (d *Detector) detect(text string) []Span {
	if text == "" {
		return nil
	}
	var fv folded
	f := &fv
	fold(text, f)
	d.neutralisePlaceholders(f)
	// "+33 (0)6 …": read the trunk zero as a separate digit group.
	for i := bytes.Index(f.b, []byte("(0)")); i >= 0; {
		f.b[i], f.b[i+2] = ' ', ' '
		j := bytes.Index(f.b[i+3:], []byte("(0)"))
		if j < 0 {
			break
		}
		i += 3 + j
	}
	f.s = string(f.b)
	var winBuf [16]cueWindow
	wins := d.cues.scan(f.s, winBuf[:0])
	var cs []cand
	cs = d.numbers.find(f, cs)
	cs = d.email.find(f, wins, cs)
	cs = d.context.find(f, wins, cs)
	cs = d.birth.find(f, wins, cs)
	cs = d.address.find(f, cs)
	cs = d.name.find(f, wins, cs)
	if len(cs) == 0 {
		return nil
	}
	spans := make([]Span, 0, len(cs))
	for _, c := range cs {
		if c.end <= c.start {
			continue
		}
		// Never cut a word or a number: a fragment left next to a
		// placeholder could be read differently on a second pass.
		for c.start > 0 && isAlnum(f.s[c.start-1]) && isAlnum(f.s[c.start]) {
			c.start--
		}
		for c.end < len(f.s) && isAlnum(f.s[c.end]) && isAlnum(f.s[c.end-1]) {
			c.end++
		}
		spans = append(spans, Span{Kind: c.kind, Start: f.origStart(c.start), End: f.origEnd(c.end)})
	}
	return merge(spans)
}

// merge sorts spans and unions overlapping ones, keeping the strongest kind.
func merge(spans []Span) []Span {
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].Start != spans[j].Start {
			return spans[i].Start < spans[j].Start
		}
		return spans[i].End > spans[j].End
	})
	out := spans[:0]
	for _, s := range spans {
		if n := len(out); n > 0 && s.Start < out[n-1].End {
			last := &out[n-1]
			if s.End > last.End {
				last.End = s.End
			}
			if priority[s.Kind] > priority[last.Kind] {
				last.Kind = s.Kind
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// Mask replaces every detected value with Placeholder(kind). Masking is
// idempotent: placeholders are never detected again.
func (d *Detector) Mask(text string) Result {
	spans := d.Detect(text)
	if len(spans) == 0 {
		return Result{Masked: text}
	}
	var b strings.Builder
	b.Grow(len(text) + 16*len(spans))
	prev := 0
	seen := make(map[Kind]bool, len(spans))
	for _, s := range spans {
		b.WriteString(text[prev:s.Start])
		b.WriteString(Placeholder(s.Kind))
		prev = s.End
		seen[s.Kind] = true
	}
	b.WriteString(text[prev:])
	r := Result{Masked: b.String(), Spans: spans}
	for _, k := range Kinds {
		if seen[k] {
			r.Kinds = append(r.Kinds, k)
		}
	}
	return r
}

// neutralisePlaceholders overwrites placeholders already present in the text
// with '#', so that a masked message is never masked again differently and
// the cue words inside placeholders ("sécurité sociale") trigger nothing.
func (d *Detector) neutralisePlaceholders(f *folded) {
	s := f.b
	from := 0
	for {
		i := bytes.Index(s[from:], []byte("masque"))
		if i < 0 {
			return
		}
		i += from
		from = i + 1
		open := bytes.LastIndexByte(s[max(0, i-40):i], '[')
		if open < 0 {
			continue
		}
		open += max(0, i-40)
		for _, p := range d.maskable {
			if bytes.HasPrefix(s[open:], []byte(p)) {
				for k := open; k < open+len(p); k++ {
					s[k] = '#'
				}
				from = open + len(p)
				break
			}
		}
	}
}
