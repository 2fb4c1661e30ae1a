package bot

import (
	"fmt"
	"math"

	"pagebot/kb"
)

// Model turns a candidate's features (kb.Features) into a calibrated
// probability that the candidate is the right answer: a logistic regression
// with one weight per feature. Raw Bleve scores cannot carry the decision;
// this can, so that a single threshold separates good answers from bad ones.
//
// DefaultModel was fitted with Fit(samples, 0.001, 3000), as `pagebot eval
// --fit` does, on the candidates of all three labelled evaluation sets (CAF,
// CPAM, retraite) together: fitted on one caisse's set alone, the weights
// learn that FAQ's wording; fitted across three FAQs, they carry better to
// a FAQ they have never seen. A caisse can refit it on its own labelled
// messages. The weights predate the intents for renewal, missing payment and
// payment history: refitted with them, they answered two points more on the
// caf set but with one more wrong answer, so they were kept.
type Model struct {
	Bias    float64            `json:"bias" yaml:"bias" mapstructure:"bias"`
	Weights map[string]float64 `json:"weights" yaml:"weights" mapstructure:"weights"`
}

// DefaultModel is the shipped calibration.
func DefaultModel() Model {
	return Model{
		Bias: -7.399,
		Weights: map[string]float64{
			"relative":         2.269,
			"margin":           1.291,
			"query_coverage":   2.463,
			"entry_coverage":   2.597,
			"cosine":           1.134,
			"benefit_match":    0.166,
			"benefit_conflict": -1.361,
			"intent_match":     0.295,
			"intent_conflict":  -0.702,
			"unknown":          0.376,
			"concepts":         0.889,
			"lead":             2.148,
		},
	}
}

// Validate checks that every weight names a known feature.
func (m Model) Validate() error {
	known := map[string]bool{}
	for _, n := range kb.FeatureNames {
		known[n] = true
	}
	for k := range m.Weights {
		if !known[k] {
			return fmt.Errorf("unknown feature %q in model weights", k)
		}
	}
	return nil
}

// Probability returns the model's confidence for features f, in [0, 1].
func (m Model) Probability(f kb.Features) float64 {
	z := m.Bias
	for i, v := range f.Vector() {
		z += m.Weights[kb.FeatureNames[i]] * v
	}
	return 1 / (1 + math.Exp(-z))
}

// Sample is one candidate seen during evaluation, labelled with whether it was
// the right answer.
type Sample struct {
	Features kb.Features
	Good     bool
}

// Fit fits a logistic model on samples by gradient descent with a small L2
// penalty (l2), starting from zero. It is deterministic.
func Fit(samples []Sample, l2 float64, iterations int) Model {
	n := len(kb.FeatureNames)
	w := make([]float64, n)
	var b float64
	if len(samples) == 0 {
		return Model{Weights: map[string]float64{}}
	}
	xs := make([][]float64, len(samples))
	for i, s := range samples {
		xs[i] = s.Features.Vector()
	}
	lr := 0.5
	gw := make([]float64, n)
	for it := 0; it < iterations; it++ {
		for j := range gw {
			gw[j] = 0
		}
		var gb float64
		for i, x := range xs {
			z := b
			for j, v := range x {
				z += w[j] * v
			}
			p := 1 / (1 + math.Exp(-z))
			y := 0.0
			if samples[i].Good {
				y = 1
			}
			d := p - y
			for j, v := range x {
				gw[j] += d * v
			}
			gb += d
		}
		m := float64(len(xs))
		for j := range w {
			w[j] -= lr * (gw[j]/m + l2*w[j])
		}
		b -= lr * gb / m
	}
	out := Model{Bias: round(b), Weights: map[string]float64{}}
	for j, name := range kb.FeatureNames {
		out.Weights[name] = round(w[j])
	}
	return out
}

func round(v float64) float64 { return math.Round(v*1000) / 1000 }
