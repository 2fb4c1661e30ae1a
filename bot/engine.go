// Package bot is pagebot's decision engine: given a comment or a private
// message written to a caisse's Facebook Page, it decides what a good level-1
// agent would do — answer from the FAQ, redirect to another organisation,
// escalate to a human, or ignore — and words the reply in formal French.
//
// It has no I/O: the knowledge base and the personal-data masker come in
// through small interfaces, so the engine is fast (well under a millisecond
// of CPU per decision) and tested without a network or a database.
package bot

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"pagebot"
	"pagebot/frtext"
	"pagebot/kb"
)

// Searcher finds FAQ candidates for a message; *kb.Index implements it.
type Searcher interface {
	Search(text string, k int) (*kb.Result, error)
}

// Masker finds personal data in a message and returns the text with each
// value replaced by a typed placeholder, and the kinds found. The engine only
// ever works on the masked text.
type Masker interface {
	Mask(text string) (masked string, kinds []string)
}

// Moderator judges a public comment against the caisse's moderation rules:
// verdict "ok", "review" (kept visible, queued for an agent) or "hide"
// (hidden at once, queued for an agent who can unhide it), and the rule
// that fired ("category:pattern").
type Moderator interface {
	Moderate(text string) (verdict, rule string)
}

// Config tunes the engine.
type Config struct {
	// Organism is the caisse's own organism id (caf, cpam, retraite…): a
	// question for any other organism of the directory is redirected.
	Organism string
	// Threshold is the confidence from which a FAQ answer is posted.
	Threshold float64
	// Gap is the smallest lead the best entry must have over the runner-up
	// with a different answer; closer than that, the engine escalates rather
	// than guess.
	Gap float64
	// Candidates is how many entries are retrieved and re-ranked.
	Candidates int
	// Courtesy, when set, answers thanks and greetings with Wording.Courtesy.
	Courtesy bool
	Model    Model
	Wording  Wording
}

// DefaultConfig returns the engine settings used when nothing is configured.
func DefaultConfig() Config {
	return Config{Organism: "caf", Threshold: 0.4, Gap: 0.1, Candidates: 10, Model: DefaultModel(), Wording: DefaultWording()}
}

// Engine makes decisions. It is safe for concurrent use.
type Engine struct {
	mod    Moderator
	search Searcher
	dir    *kb.Directory
	mask   Masker
	cfg    Config
	tpl    *templates
	own    *kb.Organism
}

// New returns an engine. dir may be nil (no redirects); masker may be nil
// (text used as is, for tools that have already masked it).
func New(s Searcher, dir *kb.Directory, masker Masker, cfg Config) (*Engine, error) {
	if s == nil {
		return nil, errors.New("new engine: no searcher")
	}
	if err := cfg.Model.Validate(); err != nil {
		return nil, fmt.Errorf("new engine: %w", err)
	}
	if cfg.Threshold <= 0 || cfg.Threshold > 1 {
		return nil, fmt.Errorf("new engine: threshold %v out of (0, 1]", cfg.Threshold)
	}
	if cfg.Gap < 0 || cfg.Gap >= 1 {
		return nil, fmt.Errorf("new engine: gap %v out of [0, 1)", cfg.Gap)
	}
	if cfg.Candidates <= 0 {
		cfg.Candidates = 10
	}
	tpl, err := parseWording(cfg.Wording)
	if err != nil {
		return nil, fmt.Errorf("new engine: %w", err)
	}
	e := &Engine{search: s, dir: dir, mask: masker, cfg: cfg, tpl: tpl}
	if dir != nil {
		e.own, _ = dir.Get(cfg.Organism)
	}
	return e, nil
}

// WithModerator returns a copy of e that moderates public comments with m.
func (e *Engine) WithModerator(m Moderator) *Engine {
	c := *e
	c.mod = m
	return &c
}

// Input is one message to decide on.
type Input struct {
	Channel pagebot.Channel
	Text    string
	// When, if set, says when an agent will answer ("à partir de lundi
	// 30 novembre à 8 h 30"); it goes into the holding reply of an escalation.
	When string
	// PII lists kinds of personal data already masked out of Text upstream
	// (the webhook stores only masked text); they count as found.
	PII []string
}

// Decision is what the engine decided, with everything needed to act on it
// and to explain it to staff. It is also the JSON line of `pagebot ask --json`.
type Decision struct {
	Action pagebot.Action `json:"action"`
	// FAQID is the entry answered with (answer), or the best candidate.
	FAQID string `json:"faq_id"`
	// RedirectTo is the organism id of a redirect.
	RedirectTo string `json:"redirect_to"`
	// Confidence is the calibrated probability that the best entry is right.
	Confidence float64 `json:"confidence"`
	// Reply is the text to send ("" for none).
	Reply string `json:"reply"`
	// Private is true when Reply must go by private message even though the
	// input was a comment (the comment is hidden).
	Private bool `json:"private,omitempty"`
	// Hide is true for a comment that exposes personal data.
	Hide bool `json:"hide"`
	// PII lists the kinds of personal data found.
	PII []string `json:"pii"`
	// Masked is the text with personal data replaced by placeholders: the
	// only form of the message that may be logged, stored or shown.
	Masked string `json:"masked"`
	// Moderation is the comment's moderation verdict: ok, review or hide.
	Moderation string `json:"moderation"`
	// ModerationRule is the rule that fired ("category:pattern").
	ModerationRule string `json:"moderation_rule,omitempty"`
	// Reasons explain the decision in French, for staff.
	Reasons []string `json:"reasons"`
	// Candidates are the best entries with their confidence, best first.
	Candidates []Scored `json:"candidates,omitempty"`
}

// Scored is a candidate entry with its confidence.
type Scored struct {
	ID         string      `json:"id"`
	Question   string      `json:"question"`
	Confidence float64     `json:"confidence"`
	Score      float64     `json:"score"`
	Features   kb.Features `json:"features"`
	benefits   []string
	answer     string
	link       string
}

// placeholderRe matches a personal-data placeholder and the words that
// introduced the value ("mon numéro de sécu c'est [..]", "tél : [..]"): they
// describe the writer's data, not the question, and would otherwise pull the
// search towards entries about phone numbers or bank details.
var placeholderRe = regexp.MustCompile(`(?i)((mon|ma|mes|le|la|voici|voila|voilà)\s+)?((num[ée]ro|num|n°|no)\s+(d[e']\s*)?)?` +
	`(s[ée]cu(rit[ée] sociale)?|t[ée]l[ée]phone|t[ée]l|portable|iban|rib|e-?mail|mail|adresse|allocataire|dossier|fiscal)?\s*` +
	`(est|c'est|c|:|=)?\s*\[[^\[\]]{1,60}masqu[ée]e?\]`)

// Decide decides what to do with one message.
func (e *Engine) Decide(in Input) (Decision, error) {
	ch := in.Channel
	if ch == "" {
		ch = pagebot.ChannelComment
	}
	d := Decision{Masked: in.Text, PII: []string{}}
	if e.mask != nil {
		d.Masked, d.PII = e.mask.Mask(in.Text)
		if d.PII == nil {
			d.PII = []string{}
		}
	}
	d.PII = mergeKinds(in.PII, d.PII)
	text := d.Masked
	if strings.Contains(text, "masqu") {
		text = placeholderRe.ReplaceAllString(text, " ")
	}
	norm := frtext.Normalize(text)
	d.Hide = ch == pagebot.ChannelComment && len(d.PII) > 0
	d.Moderation = "ok"
	if e.mod != nil && ch == pagebot.ChannelComment {
		d.Moderation, d.ModerationRule = e.mod.Moderate(d.Masked)
		switch d.Moderation {
		case "hide":
			// Abuse, threats, hate, scams: hidden at once, never answered in
			// public, queued for an agent who can unhide it.
			d.Action, d.Hide = pagebot.ActionEscalate, true
			d.Reasons = append(d.Reasons, "commentaire masqué par la modération (règle "+d.ModerationRule+"), à confirmer par un conseiller")
			return d, nil
		case "review":
			// Kept visible, not answered by the bot: an agent decides.
			d.Action = pagebot.ActionEscalate
			d.Reasons = append(d.Reasons, "commentaire à relire par un conseiller (règle "+d.ModerationRule+")")
			return d, nil
		}
	}

	if ok, why := isIgnorable(text, norm); ok && len(d.PII) == 0 {
		d.Action = pagebot.ActionIgnore
		d.Reasons = append(d.Reasons, "rien à répondre : "+why)
		if e.cfg.Courtesy {
			r, err := e.tpl.courtesyReply()
			if err != nil {
				return d, fmt.Errorf("decide: %w", err)
			}
			d.Reply = r
		}
		return d, nil
	}

	res, err := e.search.Search(text, e.cfg.Candidates)
	if err != nil {
		return d, fmt.Errorf("decide: %w", err)
	}
	d.Candidates = e.rank(res)
	var best, runner *Scored
	if len(d.Candidates) > 0 {
		best = &d.Candidates[0]
		d.FAQID, d.Confidence = best.ID, round(best.Confidence)
		for i := 1; i < len(d.Candidates); i++ {
			if d.Candidates[i].answer != best.answer {
				runner = &d.Candidates[i]
				break
			}
		}
	}
	cue, cues := cueScore(norm)
	other, ownWeight := e.otherOrganism(norm)
	confident := best != nil && best.Confidence >= e.cfg.Threshold
	clear := runner == nil || best == nil || best.Confidence-runner.Confidence >= e.gap(best, runner)

	switch {
	case cue >= escalateCueScore && other != nil && ownWeight == 0:
		// A personal problem with another organisation's file: the writer
		// needs that organisation, not one of our agents.
		d.Action = pagebot.ActionRedirect
		d.RedirectTo = other.Organism.ID
		d.Reasons = append(d.Reasons, fmt.Sprintf("situation personnelle relevant de %s (mots : %s)", other.Organism.ID, strings.Join(other.Signals, ", ")))
	case cue >= escalateCueScore:
		d.Action = pagebot.ActionEscalate
		d.Reasons = append(d.Reasons, fmt.Sprintf("situation personnelle ou réclamation (indices : %s)", strings.Join(cues, ", ")))
	case other != nil && other.Weight > ownWeight && !(confident && clear && best.Features.BenefitMatch > 0 && other.Weight < 2):
		d.Action = pagebot.ActionRedirect
		d.RedirectTo = other.Organism.ID
		d.Reasons = append(d.Reasons, fmt.Sprintf("relève de %s (mots : %s)", other.Organism.ID, strings.Join(other.Signals, ", ")))
	case confident && clear:
		d.Action = pagebot.ActionAnswer
		d.Reasons = append(d.Reasons, fmt.Sprintf("réponse « %s » (confiance %.2f)", best.ID, best.Confidence))
	case best == nil:
		d.Action = pagebot.ActionEscalate
		d.Reasons = append(d.Reasons, "aucune entrée de la FAQ ne correspond")
	case !confident:
		d.Action = pagebot.ActionEscalate
		d.Reasons = append(d.Reasons, fmt.Sprintf("confiance insuffisante (%.2f < %.2f pour « %s »)", best.Confidence, e.cfg.Threshold, best.ID))
	default:
		d.Action = pagebot.ActionEscalate
		d.Reasons = append(d.Reasons, fmt.Sprintf("ambigu entre « %s » (%.2f) et « %s » (%.2f)", best.ID, best.Confidence, runner.ID, runner.Confidence))
	}
	if d.Action != pagebot.ActionAnswer {
		if d.Action != pagebot.ActionEscalate || best == nil {
			d.FAQID = ""
		}
	}
	if err := e.word(&d, ch, in.When, best); err != nil {
		return d, fmt.Errorf("decide: %w", err)
	}
	return d, nil
}

// rank turns search candidates into scored ones, best confidence first.
// Entries that share an answer are one candidate: they do not compete.
func (e *Engine) rank(res *kb.Result) []Scored {
	out := make([]Scored, 0, len(res.Candidates))
	for _, c := range res.Candidates {
		s := Scored{ID: c.Entry.ID, Question: c.Entry.Question, Score: c.Score, Features: c.Features,
			Confidence: e.cfg.Model.Probability(c.Features), answer: c.Entry.Answer, benefits: c.Benefits}
		if len(c.Entry.Links) > 0 {
			s.link = c.Entry.Links[0]
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Confidence > out[j].Confidence })
	return out
}

// siblingGap is the smallest lead over a runner-up about the same benefit
// (renewal vs application, payment date vs missing payment): such close
// pairs share most of their words, so a small lead between them is weak
// evidence, and a wrong answer from a public administration costs more than
// an escalation.
const siblingGap = 0.2

// gap returns the lead best must have over runner to be answered.
func (e *Engine) gap(best, runner *Scored) float64 {
	if e.cfg.Gap < siblingGap && sharesBenefit(best.benefits, runner.benefits) {
		return siblingGap
	}
	return e.cfg.Gap
}

// sharesBenefit reports whether two sorted benefit lists have one in common.
func sharesBenefit(a, b []string) bool {
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			return true
		}
	}
	return false
}

// otherOrganism returns the strongest organism other than the caisse's own
// whose vocabulary the message uses, and the weight of the caisse's own
// vocabulary in it.
func (e *Engine) otherOrganism(norm string) (*kb.SignalMatch, float64) {
	if e.dir == nil {
		return nil, 0
	}
	var (
		other *kb.SignalMatch
		own   float64
	)
	for _, m := range e.dir.Match(norm) {
		if m.Organism.ID == e.cfg.Organism {
			own = m.Weight
			continue
		}
		if other == nil {
			m := m
			other = &m
		}
	}
	return other, own
}

// word fills the reply of d.
func (e *Engine) word(d *Decision, ch pagebot.Channel, when string, best *Scored) error {
	replyCh := ch
	if d.Hide {
		replyCh, d.Private = pagebot.ChannelMessage, true
	}
	var (
		r   string
		err error
	)
	switch d.Action {
	case pagebot.ActionAnswer:
		r, err = e.tpl.answer(replyCh, best.answer, best.link)
	case pagebot.ActionRedirect:
		o, _ := e.dir.Get(d.RedirectTo)
		r, err = e.tpl.redirectTo(OrganismInfo{ID: o.ID, Name: o.Name, Handles: o.Handles, Website: o.Website, Phone: o.Phone, PhoneNote: o.PhoneNote})
	case pagebot.ActionEscalate:
		r, err = e.tpl.escalate(replyCh, when)
	}
	if err != nil {
		return err
	}
	if d.Hide {
		notice, err := e.tpl.hiddenReply(piiLabels(d.PII))
		if err != nil {
			return err
		}
		if r != "" {
			r = notice + "\n\n" + r
		} else {
			r = notice
		}
	}
	d.Reply = r
	return nil
}

// mergeKinds returns the kinds of a and b, each once, a's first.
func mergeKinds(a, b []string) []string {
	if len(a) == 0 {
		return b
	}
	out := append([]string{}, a...)
	for _, k := range b {
		dup := false
		for _, x := range out {
			if x == k {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, k)
		}
	}
	return out
}

// piiLabels names kinds of personal data in French for the writer.
func piiLabels(kinds []string) string {
	labels := map[string]string{
		"nir": "numéro de sécurité sociale", "iban": "coordonnées bancaires", "card_number": "numéro de carte bancaire",
		"phone": "numéro de téléphone", "email": "adresse e-mail", "caf_number": "numéro allocataire",
		"tax_number": "numéro fiscal", "passport": "numéro de passeport", "id_card": "numéro de carte d'identité",
		"birth_date": "date de naissance", "address": "adresse", "name": "nom",
	}
	var out []string
	for _, k := range kinds {
		if l, ok := labels[k]; ok {
			out = append(out, l)
		} else {
			out = append(out, k)
		}
	}
	return strings.Join(out, ", ")
}
