package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/rnntrain/rnntrain/analysis"
)

// inputKind says how fixedpoints chooses the constant input u*.
type inputKind int

const (
	inputZero    inputKind = iota // every input 0
	inputPeriod                   // the mean input over a task period
	inputContext                  // a context's stimulus period with the evidence zeroed
	inputVector                   // given values
)

// inputSpec is a parsed -input.
type inputSpec struct {
	kind    inputKind
	period  string
	context int
	vec     []float64
}

// maxPeriodName bounds a period name in -input.
const maxPeriodName = 64

// parseInputSpec parses -input for a network of nIn inputs: "zero" (or
// ""), a period name, "context=K", or nIn comma-separated numbers, finite
// as float32. It never allocates more than nIn values.
func parseInputSpec(s string, nIn int) (inputSpec, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" || s == "zero":
		return inputSpec{kind: inputZero}, nil
	case strings.HasPrefix(s, "context="):
		k, err := strconv.Atoi(s[len("context="):])
		if err != nil || k < 1 || k > 1_000_000 {
			return inputSpec{}, fmt.Errorf("%q: want context=K with K a context number ≥ 1 (context 1 is the first, as in the figures)", s)
		}
		return inputSpec{kind: inputContext, context: k - 1}, nil
	}
	if first, _, _ := strings.Cut(s, ","); strings.Contains(s, ",") || isNumber(first) {
		vec := make([]float64, 0, min(nIn, strings.Count(s, ",")+1))
		for item := range strings.SplitSeq(s, ",") {
			if len(vec) == nIn {
				return inputSpec{}, fmt.Errorf("%q: more than %d values (the network has %d inputs)", clipArg(s), nIn, nIn)
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(item), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return inputSpec{}, fmt.Errorf("%q is not a finite number", clipArg(item))
			}
			if math.Abs(v) > math.MaxFloat32 {
				return inputSpec{}, fmt.Errorf("%q is beyond the range of float32 (±%.3g), the network's", clipArg(item), math.MaxFloat32)
			}
			vec = append(vec, v)
		}
		if len(vec) != nIn {
			return inputSpec{}, fmt.Errorf("%d values, the network has %d inputs", len(vec), nIn)
		}
		return inputSpec{kind: inputVector, vec: vec}, nil
	}
	if len(s) > maxPeriodName || strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) {
		return inputSpec{}, fmt.Errorf("%q: want zero, a task period (fixation, stimulus, ...), context=K or %d comma-separated numbers", clipArg(s), nIn)
	}
	return inputSpec{kind: inputPeriod, period: s}, nil
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return err == nil
}

// clipArg shortens s for an error message.
func clipArg(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// inputOf resolves spec to u* [nIn] from the recorded trials r:
//
//   - zero: every input 0;
//   - PERIOD: the mean input over the steps of that period, over every
//     trial that has it;
//   - context=K: the same over the stimulus period of the trials of
//     context K, then every channel that differs between those trials (the
//     evidence: coherences and input noise) set to 0, leaving the cues that
//     are constant within a context (fixation, context cue), as Mante et
//     al. (2013) located the fixed points under the context input without
//     sensory input;
//   - a vector: itself.
//
// Errors are usage errors naming -input.
func inputOf(spec inputSpec, r *analysis.Recording) ([]float64, error) {
	nIn := r.NIn
	switch spec.kind {
	case inputZero:
		return make([]float64, nIn), nil
	case inputVector:
		return spec.vec, nil
	}
	period, want := spec.period, -1
	if spec.kind == inputContext {
		period, want = "stimulus", spec.context
	}
	sum := make([]float64, nIn)
	var perTrial [][]float64
	steps := 0
	var names []string
	var contexts []int // of every recorded trial, 1-based
	for i, tr := range r.Drawn {
		if !slices.Contains(contexts, tr.Context+1) {
			contexts = append(contexts, tr.Context+1)
		}
		if want >= 0 && tr.Context != want {
			continue
		}
		for _, p := range tr.Periods {
			if !slices.Contains(names, p.Name) {
				names = append(names, p.Name)
			}
			if p.Name != period || p.End <= p.Start {
				continue
			}
			mean := make([]float64, nIn)
			for t := p.Start; t < min(p.End, r.T); t++ {
				for c := range nIn {
					v := float64(r.Inputs[(i*r.T+t)*nIn+c])
					sum[c] += v
					mean[c] += v / float64(p.End-p.Start)
				}
				steps++
			}
			perTrial = append(perTrial, mean)
		}
	}
	if steps == 0 {
		what := fmt.Sprintf("no recorded trial has a period %q", period)
		if want >= 0 && !slices.Contains(contexts, want+1) {
			slices.Sort(contexts)
			return nil, usagef("-input %s: no recorded trial is of context %d (contexts: %s)", specString(spec), want+1, strings.ReplaceAll(strings.Trim(fmt.Sprint(contexts), "[]"), " ", ", "))
		}
		if want >= 0 {
			what = fmt.Sprintf("no recorded trial of context %d has a stimulus period", want+1)
		}
		return nil, usagef("-input %s: %s (periods: %s)", specString(spec), what, strings.Join(names, ", "))
	}
	for c := range sum {
		sum[c] /= float64(steps)
	}
	if spec.kind == inputContext {
		if len(perTrial) < 2 {
			return nil, usagef("-input %s: need at least 2 recorded trials of context %d, got %d (raise -trials)", specString(spec), want+1, len(perTrial))
		}
		for c := range nIn {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, m := range perTrial {
				lo, hi = min(lo, m[c]), max(hi, m[c])
			}
			if hi-lo > 1e-9*(1+math.Abs(sum[c])) {
				sum[c] = 0
			}
		}
	}
	return sum, nil
}

// specString is -input as the user wrote it, normalised.
func specString(s inputSpec) string {
	switch s.kind {
	case inputPeriod:
		return s.period
	case inputContext:
		return fmt.Sprintf("context=%d", s.context+1)
	case inputVector:
		parts := make([]string, len(s.vec))
		for i, v := range s.vec {
			parts[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		return strings.Join(parts, ",")
	}
	return "zero"
}
