package bot

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"pagebot"
)

// Case is one labelled message of an evaluation set (one JSON line).
type Case struct {
	Text    string          `json:"text"`
	Channel pagebot.Channel `json:"channel,omitempty"`
	Expect  Expect          `json:"expect"`
	Line    int             `json:"-"`
}

// Expect is the expected outcome of a case: an action with its FAQ id
// (answer) or organism (redirect), or several acceptable outcomes (Any).
type Expect struct {
	Action pagebot.Action `json:"action,omitempty"`
	FAQID  string         `json:"faq_id,omitempty"`
	To     string         `json:"to,omitempty"`
	Any    []Expect       `json:"any,omitempty"`
}

// Accepts reports whether decision d meets the expectation.
func (x Expect) Accepts(d Decision) bool {
	if len(x.Any) > 0 {
		for _, a := range x.Any {
			if a.Accepts(d) {
				return true
			}
		}
		return false
	}
	if d.Action != x.Action {
		return false
	}
	switch x.Action {
	case pagebot.ActionAnswer:
		return d.FAQID == x.FAQID
	case pagebot.ActionRedirect:
		return x.To == "" || d.RedirectTo == x.To
	}
	return true
}

// primary is the action a case counts under in per-action figures: the
// expected action, or the first alternative's.
func (x Expect) primary() pagebot.Action {
	if len(x.Any) > 0 {
		return x.Any[0].primary()
	}
	return x.Action
}

func (x Expect) String() string {
	if len(x.Any) > 0 {
		var parts []string
		for _, a := range x.Any {
			parts = append(parts, a.String())
		}
		return strings.Join(parts, " | ")
	}
	switch x.Action {
	case pagebot.ActionAnswer:
		return "answer " + x.FAQID
	case pagebot.ActionRedirect:
		return "redirect " + x.To
	}
	return string(x.Action)
}

func (x Expect) validate() error {
	if len(x.Any) > 0 {
		for _, a := range x.Any {
			if err := a.validate(); err != nil {
				return err
			}
		}
		return nil
	}
	if !x.Action.Valid() {
		return fmt.Errorf("expect.action %q: want answer, redirect, escalate or ignore", x.Action)
	}
	if x.Action == pagebot.ActionAnswer && x.FAQID == "" {
		return fmt.Errorf("expect: answer without faq_id")
	}
	return nil
}

// ReadCases reads an evaluation set: one JSON object per line; blank lines
// and lines starting with # are skipped. Every bad line is reported.
func ReadCases(r io.Reader) ([]Case, error) {
	var (
		cases []Case
		errs  []string
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		var c Case
		dec := json.NewDecoder(strings.NewReader(s))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			errs = append(errs, fmt.Sprintf("line %d: %v", line, err))
			continue
		}
		if err := c.Expect.validate(); err != nil {
			errs = append(errs, fmt.Sprintf("line %d: %v", line, err))
			continue
		}
		if _, err := pagebot.ParseChannel(string(c.Channel)); err != nil {
			errs = append(errs, fmt.Sprintf("line %d: channel %q", line, c.Channel))
			continue
		}
		c.Line = line
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("read cases: %d bad line(s):\n  %s", len(errs), strings.Join(errs, "\n  "))
	}
	return cases, nil
}

// Outcome is the decision taken for one case.
type Outcome struct {
	Case     Case
	Decision Decision
	OK       bool
	// WrongAnswer is set when the engine answered and should not have, or
	// answered with the wrong entry: the mistake a public body must avoid.
	WrongAnswer bool
}

// Report sums up an evaluation.
type Report struct {
	Total, Correct int
	// ByAction counts cases by their expected action: total and correct.
	ByAction map[pagebot.Action][2]int
	// Answered is how many cases got an answer; AnsweredRight how many of
	// those were acceptable.
	Answered, AnsweredRight int
	// Answerable is how many cases expect an answer (and only an answer);
	// AnswerableEscalated how many of those were escalated instead.
	Answerable, AnswerableEscalated, AnswerableRight int
	// EscalateExpected and Escalated: recall of escalations.
	EscalateExpected, EscalateRecalled int
	WrongAnswers                       int
	Outcomes                           []Outcome
}

// AnswerAccuracy is the share of answers given that were right (precision).
func (r *Report) AnswerAccuracy() float64 { return ratio(r.AnsweredRight, r.Answered) }

// AnswerRate is the share of answerable questions answered with the right
// entry (the automation the caisse gets).
func (r *Report) AnswerRate() float64 { return ratio(r.AnswerableRight, r.Answerable) }

// WrongAnswerRate is wrong answers over all cases.
func (r *Report) WrongAnswerRate() float64 { return ratio(r.WrongAnswers, r.Total) }

// EscalationRate is the share of answerable questions escalated.
func (r *Report) EscalationRate() float64 { return ratio(r.AnswerableEscalated, r.Answerable) }

// EscalationRecall is the share of must-escalate cases escalated.
func (r *Report) EscalationRecall() float64 { return ratio(r.EscalateRecalled, r.EscalateExpected) }

// Accuracy is the share of cases whose outcome was acceptable.
func (r *Report) Accuracy() float64 { return ratio(r.Correct, r.Total) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Evaluate decides every case with e and scores the outcomes.
func Evaluate(e *Engine, cases []Case) (*Report, error) {
	r := &Report{ByAction: map[pagebot.Action][2]int{}}
	for _, c := range cases {
		d, err := e.Decide(Input{Channel: c.Channel, Text: c.Text})
		if err != nil {
			return nil, fmt.Errorf("evaluate line %d: %w", c.Line, err)
		}
		o := Outcome{Case: c, Decision: d, OK: c.Expect.Accepts(d)}
		if d.Action == pagebot.ActionAnswer {
			r.Answered++
			if o.OK {
				r.AnsweredRight++
			} else {
				o.WrongAnswer = true
				r.WrongAnswers++
			}
		}
		r.add(o)
	}
	return r, nil
}

func (r *Report) add(o Outcome) {
	c, d := o.Case, o.Decision
	r.Total++
	if o.OK {
		r.Correct++
	}
	p := c.Expect.primary()
	n := r.ByAction[p]
	n[0]++
	if o.OK {
		n[1]++
	}
	r.ByAction[p] = n
	if len(c.Expect.Any) == 0 && c.Expect.Action == pagebot.ActionAnswer {
		r.Answerable++
		if d.Action == pagebot.ActionEscalate {
			r.AnswerableEscalated++
		}
		if o.OK {
			r.AnswerableRight++
		}
	}
	if len(c.Expect.Any) == 0 && c.Expect.Action == pagebot.ActionEscalate {
		r.EscalateExpected++
		if d.Action == pagebot.ActionEscalate {
			r.EscalateRecalled++
		}
	}
	r.Outcomes = append(r.Outcomes, o)
}

// Mistakes returns the failed outcomes, worst first: wrong answers by
// decreasing confidence, then the others.
func (r *Report) Mistakes() []Outcome {
	var out []Outcome
	for _, o := range r.Outcomes {
		if !o.OK {
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].WrongAnswer != out[j].WrongAnswer {
			return out[i].WrongAnswer
		}
		return out[i].Decision.Confidence > out[j].Decision.Confidence
	})
	return out
}

// Write prints the report for people.
func (r *Report) Write(w io.Writer, worst int) {
	fmt.Fprintf(w, "cas : %d, décisions acceptables : %d (%.1f %%)\n", r.Total, r.Correct, 100*r.Accuracy())
	for _, a := range []pagebot.Action{pagebot.ActionAnswer, pagebot.ActionRedirect, pagebot.ActionEscalate, pagebot.ActionIgnore} {
		n := r.ByAction[a]
		fmt.Fprintf(w, "  %-9s %4d cas, %5.1f %% justes\n", a, n[0], 100*ratio(n[1], n[0]))
	}
	fmt.Fprintf(w, "précision des réponses (réponses justes / réponses données) : %.1f %% (%d/%d)\n", 100*r.AnswerAccuracy(), r.AnsweredRight, r.Answered)
	fmt.Fprintf(w, "questions répondables traitées automatiquement : %.1f %% (%d/%d)\n", 100*r.AnswerRate(), r.AnswerableRight, r.Answerable)
	fmt.Fprintf(w, "taux de mauvaises réponses (sur tous les cas) : %.2f %% (%d)\n", 100*r.WrongAnswerRate(), r.WrongAnswers)
	fmt.Fprintf(w, "taux d'escalade des questions répondables : %.1f %% (%d/%d)\n", 100*r.EscalationRate(), r.AnswerableEscalated, r.Answerable)
	fmt.Fprintf(w, "rappel des escalades attendues : %.1f %% (%d/%d)\n", 100*r.EscalationRecall(), r.EscalateRecalled, r.EscalateExpected)
	ms := r.Mistakes()
	if worst > len(ms) {
		worst = len(ms)
	}
	if worst > 0 {
		fmt.Fprintf(w, "\npires erreurs (%d sur %d) :\n", worst, len(ms))
	}
	for _, o := range ms[:worst] {
		got := string(o.Decision.Action)
		switch o.Decision.Action {
		case pagebot.ActionAnswer:
			got += " " + o.Decision.FAQID
		case pagebot.ActionRedirect:
			got += " " + o.Decision.RedirectTo
		case pagebot.ActionEscalate:
			if o.Decision.FAQID != "" {
				got += " (meilleure : " + o.Decision.FAQID + ")"
			}
		}
		text := o.Decision.Masked
		if len([]rune(text)) > 110 {
			text = string([]rune(text)[:110]) + "…"
		}
		fmt.Fprintf(w, "  ligne %d [%.2f] attendu %s, obtenu %s\n    %q\n", o.Case.Line, o.Decision.Confidence, o.Case.Expect, got, text)
	}
}

// Samples returns, for fitting a Model, every candidate considered for every
// case, labelled good when it is an acceptable answer for that case. Cases
// that must not be answered contribute only bad candidates.
func Samples(e *Engine, cases []Case) ([]Sample, error) {
	var out []Sample
	for _, c := range cases {
		d, err := e.Decide(Input{Channel: c.Channel, Text: c.Text})
		if err != nil {
			return nil, fmt.Errorf("samples line %d: %w", c.Line, err)
		}
		if d.Action == pagebot.ActionIgnore {
			continue
		}
		for _, cand := range d.Candidates {
			good := c.Expect.Accepts(Decision{Action: pagebot.ActionAnswer, FAQID: cand.ID})
			out = append(out, Sample{Features: cand.Features, Good: good})
		}
	}
	return out, nil
}

// CrossValidate estimates how the engine does on messages its calibration
// has not seen: the cases are split into folds; for each fold the model is
// fitted on the others and the fold is decided with it.
func CrossValidate(e *Engine, cases []Case, folds int) (*Report, error) {
	if folds < 2 {
		return nil, fmt.Errorf("cross-validate: %d folds", folds)
	}
	total := &Report{ByAction: map[pagebot.Action][2]int{}}
	for f := 0; f < folds; f++ {
		var train, test []Case
		for i, c := range cases {
			if i%folds == f {
				test = append(test, c)
			} else {
				train = append(train, c)
			}
		}
		samples, err := Samples(e, train)
		if err != nil {
			return nil, err
		}
		fe := *e
		fe.cfg.Model = Fit(samples, 0.001, 3000)
		r, err := Evaluate(&fe, test)
		if err != nil {
			return nil, err
		}
		for _, o := range r.Outcomes {
			if o.Decision.Action == pagebot.ActionAnswer {
				total.Answered++
				if o.OK {
					total.AnsweredRight++
				} else {
					total.WrongAnswers++
				}
			}
			total.add(o)
		}
	}
	return total, nil
}
