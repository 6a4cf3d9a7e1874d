package analysis

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/rnntrain/rnntrain/internal/enum"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/tasks"
)

// Mode says what an inactivation does to its units.
type Mode int

const (
	// Silence zeroes the units' rates: they send nothing to other units
	// or to the readout.
	Silence Mode = iota
	// Clamp holds the units' primary state at a fixed value.
	Clamp
)

// modeNames lists the modes' flag names, indexed by Mode.
func modeNames() []string { return []string{Silence: "silence", Clamp: "clamp"} }

// String returns the mode's flag name, or Mode(i) for a value that is none
// of the constants.
func (m Mode) String() string { return enum.Name(modeNames(), int(m), "Mode") }

// MarshalText implements encoding.TextMarshaler. It returns an error for a
// value that is none of the constants.
func (m Mode) MarshalText() ([]byte, error) {
	return enum.Text("analysis", modeNames(), int(m), "mode")
}

// UnmarshalText implements encoding.TextUnmarshaler: "silence" or "clamp".
func (m *Mode) UnmarshalText(b []byte) error {
	switch string(b) {
	case "silence":
		*m = Silence
	case "clamp":
		*m = Clamp
	default:
		return fmt.Errorf("mode %q: want silence or clamp", b)
	}
	return nil
}

// Window says when, in each trial, an inactivation applies.
type Window struct {
	// Period names one of the trial's periods (tasks.Trial.Periods, e.g.
	// "fixation", "stimulus", "delay", "decision"): the inactivation
	// covers that period's steps in each trial, which may differ from
	// trial to trial. "" means the steps From and To.
	Period string
	// From and To are steps [From, To) of every trial when Period is "";
	// To 0 means to the end of the trial. The zero Window is the whole
	// trial.
	From, To int
}

// String returns the window's flag form: "all", "FROM:TO" or the period.
func (w Window) String() string {
	switch {
	case w.Period != "":
		return w.Period
	case w.From == 0 && w.To == 0:
		return "all"
	case w.To == 0:
		return fmt.Sprintf("%d:", w.From)
	}
	return fmt.Sprintf("%d:%d", w.From, w.To)
}

// MarshalText implements encoding.TextMarshaler.
func (w Window) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler: "all" (the whole
// trial), "FROM:TO" in steps (TO may be empty: to the end), or a period
// name made of letters, digits, '-' and '_'.
func (w *Window) UnmarshalText(b []byte) error {
	s := string(b)
	if s == "all" || s == "" {
		*w = Window{}
		return nil
	}
	if from, to, ok := strings.Cut(s, ":"); ok {
		f, err := strconv.Atoi(from)
		if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(from, "-") {
			return fmt.Errorf("window %q: FROM %s is too large a step (at most %d)", s, from, math.MaxInt)
		}
		if err != nil || f < 0 {
			return fmt.Errorf("window %q: FROM must be a step >= 0", s)
		}
		t := 0
		if to != "" {
			t, err = strconv.Atoi(to)
			if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(to, "-") {
				return fmt.Errorf("window %q: TO %s is too large a step (at most %d)", s, to, math.MaxInt)
			}
			if err != nil || t <= f {
				return fmt.Errorf("window %q: TO must be a step > FROM (or empty: to the end)", s)
			}
		}
		*w = Window{From: f, To: t}
		return nil
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("window %q: want all, FROM:TO or a period name", s)
		}
	}
	*w = Window{Period: s}
	return nil
}

// Span returns the steps [from, to) of tr the window covers (to 0: to the
// end), and false if tr has no period of the window's name.
func (w Window) Span(tr *tasks.Trial) (from, to int, ok bool) {
	if w.Period == "" {
		return w.From, w.To, true
	}
	for _, p := range tr.Periods {
		if p.Name == w.Period {
			return p.Start, p.End, true
		}
	}
	return 0, 0, false
}

// Inactivation is an in-silico perturbation experiment: which units, what
// is done to them and when, and which connections are cut.
type Inactivation struct {
	// Units are the perturbed units' indices, 0-based as in recordings.
	Units []int
	Mode  Mode
	// ClampValue is the state Clamp holds the units at.
	ClampValue float64
	// Cuts are connection lesions, applied over the same Window.
	Cuts   []Cut
	Window Window
}

// Cut is a connection lesion between two populations: every recurrent
// connection from a unit of From to a unit of To is cut (0-based indices).
type Cut struct {
	From, To []int
}

// empty reports whether in perturbs nothing.
func (in *Inactivation) empty() bool {
	if in == nil || len(in.Units) > 0 {
		return in == nil
	}
	for _, c := range in.Cuts {
		if len(c.From) > 0 && len(c.To) > 0 {
			return false
		}
	}
	return true
}

// Validate returns an error if in does not fit a network of n units: a
// perturbed unit or a cut's unit outside [0, n), or a Mode that is none of
// the constants. A nil Inactivation fits every network. Whether each trial
// has the period in's Window names is known only per trial; EvaluateContext
// reports it.
func (in *Inactivation) Validate(n int) error {
	if in == nil {
		return nil
	}
	if in.Mode < 0 || int(in.Mode) >= len(modeNames()) {
		return fmt.Errorf("analysis: inactivation mode %d: want silence or clamp", int(in.Mode))
	}
	for _, u := range in.Units {
		if u < 0 || u >= n {
			return fmt.Errorf("analysis: inactivation unit %d outside [0, %d)", u, n)
		}
	}
	for _, c := range in.Cuts {
		for _, side := range [][]int{c.From, c.To} {
			for _, u := range side {
				if u < 0 || u >= n {
					return fmt.Errorf("analysis: cut unit %d outside [0, %d)", u, n)
				}
			}
		}
	}
	return nil
}

// lesion returns the Lesion of in's cuts for n units over steps
// [from, to), or nil when it cuts nothing there. It panics if a unit index
// is outside [0, n).
func (in *Inactivation) lesion(n, from, to int) *Lesion {
	if in == nil || len(in.Cuts) == 0 || (to != 0 && to <= from) {
		return nil
	}
	mask := make([]bool, n*n)
	some := false
	for _, c := range in.Cuts {
		for _, i := range c.To {
			for _, j := range c.From {
				if i < 0 || i >= n || j < 0 || j >= n {
					panic(fmt.Sprintf("analysis: cut %d→%d outside [0, %d)", j, i, n))
				}
				mask[i*n+j], some = true, true
			}
		}
	}
	if !some {
		return nil
	}
	return &Lesion{Cut: mask, From: from, To: to}
}

// Connections counts the connections c cuts (pairs of a From and a To
// unit, a unit's connection to itself included when it is in both).
func (c Cut) Connections() int {
	seen := map[[2]int]bool{}
	for _, i := range c.To {
		for _, j := range c.From {
			seen[[2]int{i, j}] = true
		}
	}
	return len(seen)
}

// layer returns the layers.Inactivation of in for n units over steps
// [from, to), or nil when it perturbs nothing there. It panics if a unit
// index is outside [0, n).
func (in *Inactivation) layer(n, from, to int) *layers.Inactivation {
	if in == nil || len(in.Units) == 0 || (to != 0 && to <= from) {
		return nil
	}
	mask := make([]bool, n)
	for _, u := range in.Units {
		if u < 0 || u >= n {
			panic(fmt.Sprintf("analysis: inactivation unit %d outside [0, %d)", u, n))
		}
		mask[u] = true
	}
	return &layers.Inactivation{Units: mask, From: from, To: to,
		Silence: in.Mode == Silence, Clamp: in.Mode == Clamp, ClampValue: in.ClampValue}
}

// runBatch runs batch through net under in (nil: unperturbed). When in's
// window falls on different steps in different trials, the trials run in
// groups of equal window and the outputs and rates are put back in batch
// order; the private noise is then drawn group by group, the same
// distribution but not the same numbers as an unperturbed run. It returns
// an error, and runs nothing, if a trial has no period of the window's
// name; it panics if in does not fit net (Validate).
func runBatch(net Runner, batch *tasks.Batch, in *Inactivation, noise *rand.Rand) (Activity, error) {
	_, n, _ := net.Dims()
	if in.empty() {
		return net.Run(batch.Inputs, batch.T, batch.B, RunOptions{Noise: noise, Lengths: batch.Lengths}), nil
	}
	type span struct{ from, to int }
	spans := make([]span, batch.B)
	var order []span
	groups := map[span][]int{}
	for b := range batch.Trials {
		f, t, ok := in.Window.Span(&batch.Trials[b])
		if !ok {
			return Activity{}, fmt.Errorf("analysis: inactivation window %q: trial %d (%s) has no such period", in.Window.Period, b, batch.Trials[b].Condition)
		}
		spans[b] = span{f, t}
		if _, seen := groups[spans[b]]; !seen {
			order = append(order, spans[b])
		}
		groups[spans[b]] = append(groups[spans[b]], b)
	}
	if len(order) == 1 {
		s := order[0]
		return net.Run(batch.Inputs, batch.T, batch.B, RunOptions{Noise: noise, Inactivation: in.layer(n, s.from, s.to), Lesion: in.lesion(n, s.from, s.to), Lengths: batch.Lengths}), nil
	}
	nIn, nOut, T, B := batch.NIn, batch.NOut, batch.T, batch.B
	all := Activity{Out: make([]float32, T*B*nOut), Rates: make([]float32, T*B*n)}
	for _, s := range order {
		rows := groups[s]
		g := len(rows)
		x := make([]float32, T*g*nIn)
		for t := range T {
			for j, b := range rows {
				copy(x[(t*g+j)*nIn:(t*g+j+1)*nIn], batch.Inputs[(t*B+b)*nIn:(t*B+b+1)*nIn])
			}
		}
		var lengths []int
		if batch.Lengths != nil {
			lengths = make([]int, g)
			for j, b := range rows {
				lengths[j] = batch.Lengths[b]
			}
		}
		act := net.Run(x, T, g, RunOptions{Noise: noise, Inactivation: in.layer(n, s.from, s.to), Lesion: in.lesion(n, s.from, s.to), Lengths: lengths})
		for t := range T {
			for j, b := range rows {
				copy(all.Out[(t*B+b)*nOut:(t*B+b+1)*nOut], act.Out[(t*g+j)*nOut:(t*g+j+1)*nOut])
				copy(all.Rates[(t*B+b)*n:(t*B+b+1)*n], act.Rates[(t*g+j)*n:(t*g+j+1)*n])
			}
		}
		if act.Tally != nil {
			if all.Tally == nil {
				all.Tally = &layers.Tally{}
			}
			all.Tally.Add(*act.Tally)
		}
	}
	return all, nil
}

// Sample draws round(fraction·len(units)) of units without replacement
// from rng, sorted. It returns a fresh slice and panics unless
// 0 ≤ fraction ≤ 1.
func Sample(units []int, fraction float64, rng *rand.Rand) []int {
	if !(fraction >= 0 && fraction <= 1) {
		panic(fmt.Sprintf("analysis: Sample fraction %g outside [0, 1]", fraction))
	}
	k := int(math.Round(fraction * float64(len(units))))
	perm := rng.Perm(len(units))[:k]
	out := make([]int, k)
	for i, p := range perm {
		out[i] = units[p]
	}
	slices.Sort(out)
	return out
}

// Streams returns fresh generators of the trials and of the private noise;
// an experiment calls it once per evaluation so that every evaluation sees
// the same trials and, when no trial groups differ, the same noise.
type Streams func() (draw, noise *rand.Rand)

// Effect is the result of one inactivation experiment: the same trials
// scored without (Before) and with (After, one Report per repeat) the
// perturbation.
type Effect struct {
	Before Report
	After  []Report
}

// Inactivate evaluates net on trials trials of task (see EvalOptions)
// without perturbation and then once under each of ins, every evaluation
// with fresh generators from streams. It panics as Evaluate does.
func Inactivate(net Runner, task tasks.Task, trials int, streams Streams, ins ...Inactivation) Effect {
	eval := func(in *Inactivation) Report {
		draw, noise := streams()
		return Evaluate(net, task, EvalOptions{Trials: trials, Draw: draw, Noise: noise, Inactivation: in})
	}
	e := Effect{Before: eval(nil)}
	for i := range ins {
		e.After = append(e.After, eval(&ins[i]))
	}
	return e
}

// ConditionSummary is one condition's accuracy over repeats: with one
// repeat StdErr is the binomial standard error, with several it is the
// standard error of the mean across repeats.
type ConditionSummary struct {
	Condition string  `json:"condition"`
	Trials    int     `json:"trials"`
	Accuracy  float64 `json:"accuracy"`
	StdErr    float64 `json:"accuracy_stderr"`
	// CI95 is the 95 % interval of Accuracy by the rule of
	// Summary.Interval95: Wilson's on the condition's trials for one
	// repeat; for several, Accuracy ± t95 times StdErr, widened where
	// needed to Wilson's on the condition's trials, within [0, 1].
	CI95 [2]float64 `json:"accuracy_ci95"`
}

// Summary is the accuracy of one or more evaluations of the same trials:
// the mean and its standard error (binomial for one evaluation, across
// evaluations for several), per condition likewise, the mean
// psychometric points (with their standard error across evaluations) and
// their logistic fit per context.
type Summary struct {
	Accuracy     float64            `json:"accuracy"`
	StdErr       float64            `json:"accuracy_stderr"`
	Trials       int                `json:"trials"`
	Repeats      int                `json:"repeats"`
	Accuracies   []float64          `json:"repeat_accuracies,omitempty"`
	Conditions   []ConditionSummary `json:"conditions"`
	Psychometric []PsychPoint       `json:"psychometric,omitempty"`
	// PsychometricFit is a logistic fit per context to Psychometric
	// (FitPsychometric).
	PsychometricFit []PsychFit `json:"psychometric_fit,omitempty"`
}

// MarshalJSON writes s with accuracy and accuracy_stderr null, and no
// repeat_accuracies, when no trial was scored (Trials 0, every trial a
// catch trial): the accuracy is then undefined, not 0.
func (s Summary) MarshalJSON() ([]byte, error) {
	type plain Summary
	if s.Trials > 0 {
		return json.Marshal(plain(s))
	}
	return json.Marshal(struct {
		plain
		Accuracy   *float64  `json:"accuracy"`
		StdErr     *float64  `json:"accuracy_stderr"`
		Accuracies []float64 `json:"repeat_accuracies,omitempty"`
	}{plain: plain(s)})
}

// Summarize pools reps, evaluations of the same trials. It panics if reps
// is empty.
func Summarize(reps []Report) Summary {
	if len(reps) == 0 {
		panic("analysis: Summarize of no reports")
	}
	k := len(reps)
	s := Summary{Trials: reps[0].Trials, Repeats: k}
	acc := make([]float64, k)
	for i, r := range reps {
		acc[i] = r.Accuracy
	}
	s.Accuracy, s.StdErr = meanSE(acc)
	if k == 1 {
		s.StdErr = reps[0].StdErr
	} else {
		s.Accuracies = acc
	}
	for j, c := range reps[0].Conditions {
		v := make([]float64, k)
		for i, r := range reps {
			v[i] = r.Conditions[j].Accuracy
		}
		m, se := meanSE(v)
		if k == 1 && c.Trials > 0 {
			se = math.Sqrt(m * (1 - m) / float64(c.Trials))
		}
		lo, hi := interval95(m, se, c.Trials, k)
		s.Conditions = append(s.Conditions, ConditionSummary{Condition: c.Condition, Trials: c.Trials, Accuracy: m, StdErr: se, CI95: [2]float64{lo, hi}})
	}
	for j, p := range reps[0].Psychometric {
		v := make([]float64, k)
		for i, r := range reps {
			v[i] = r.Psychometric[j].PChoice1
		}
		p.PChoice1, p.StdErr = meanSE(v)
		s.Psychometric = append(s.Psychometric, p)
	}
	if len(s.Psychometric) > 0 {
		s.PsychometricFit = FitPsychometric(s.Psychometric)
	}
	return s
}

// meanSE returns the mean of v and its standard error (0 for one value).
func meanSE(v []float64) (mean, se float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) < 2 {
		return mean, 0
	}
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(v)-1) / float64(len(v)))
}

// ParseUnits parses a unit list such as "3,7,10-20" (0-based indices,
// inclusive ranges) for a network of n units and returns the sorted,
// distinct indices. It rejects indices outside [0, n), reversed ranges and
// anything else, naming the bad item.
func ParseUnits(s string, n int) ([]int, error) {
	seen := make([]bool, n)
	var out []int
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		lo, hi, isRange := strings.Cut(item, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("unit %q: want an index or a range FROM-TO", item)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("unit range %q: want FROM-TO with FROM <= TO", item)
			}
		}
		if a < 0 || b >= n {
			return nil, fmt.Errorf("unit %q: outside 0…%d (indices are 0-based)", item, n-1)
		}
		for u := a; u <= b; u++ {
			if !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// namedSets is how many unit sets a population file may hold beyond one
// per unit (MaxPopulations).
const namedSets = 4096

// MaxPopulations is the most unit sets ParsePopulations accepts for a
// network of n units: one per unit (single-unit lesions) and 4096 more,
// far beyond the groups one names by hand or a clustering writes.
func MaxPopulations(n int) int { return max(n, 0) + namedSets }

// ParsePopulations decodes a JSON object of named unit sets,
// {"name": [indices]}, for a network of n units; each set comes back
// sorted and without repeats (null is an empty set). It rejects indices
// outside [0, n), a name given twice, more than MaxPopulations(n) sets
// and anything but such an object, naming the set. It reads the file as
// a stream: beyond its result, which holds at most n indices per set, it
// allocates a constant amount.
func ParsePopulations(b []byte, n int) (map[string][]int, error) {
	const want = `want a JSON object {"name": [unit indices]}`
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%s: %w", want, err)
	} else if tok != json.Delim('{') {
		return nil, fmt.Errorf("%s, got %v", want, tok)
	}
	limit := MaxPopulations(n)
	out := map[string][]int{}
	seen := make([]bool, max(n, 0))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", want, err)
		}
		name := tok.(string) // an object's keys are strings
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("set %q appears twice", name)
		}
		if len(out) == limit {
			return nil, fmt.Errorf("more than %d unit sets (a network of %d units: one per unit and %d more)", limit, n, namedSets)
		}
		units, err := parseUnitSet(dec, name, n, seen)
		if err != nil {
			return nil, err
		}
		out[name] = units
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, fmt.Errorf("%s: %w", want, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: data after the object", want)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no unit sets")
	}
	return out, nil
}

// parseUnitSet reads the set name's array of unit indices, for a network
// of n units, from dec and returns them sorted and distinct; seen, of
// length n and all false, is scratch it leaves all false.
func parseUnitSet(dec *json.Decoder, name string, n int, seen []bool) ([]int, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("set %q: %w", name, err)
	}
	if tok == nil {
		return []int{}, nil
	}
	if tok != json.Delim('[') {
		return nil, fmt.Errorf("set %q: want an array of unit indices, got %v", name, tok)
	}
	units := []int{}
	defer func() {
		for _, u := range units {
			seen[u] = false
		}
	}()
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("set %q: %w", name, err)
		}
		num, ok := tok.(json.Number)
		if !ok {
			return nil, fmt.Errorf("set %q: %v is not a unit index", name, tok)
		}
		u, err := strconv.Atoi(string(num))
		if err != nil {
			return nil, fmt.Errorf("set %q: %s is not a unit index (a whole number)", name, num)
		}
		if u < 0 || u >= n {
			return nil, fmt.Errorf("set %q: unit %d outside 0…%d (indices are 0-based)", name, u, n-1)
		}
		if !seen[u] {
			seen[u] = true
			units = append(units, u)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return nil, fmt.Errorf("set %q: %w", name, err)
	}
	slices.Sort(units)
	return units, nil
}
