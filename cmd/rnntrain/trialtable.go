package main

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
)

// trialTable is a recording as the analysis figures read it: every array
// trial-major (element (n, t, i) of rates is rates[(n·T+t)·N+i]), the
// per-trial arrays of an eval -record file (docs/recordings.md).
type trialTable struct {
	dt                      float64 // ms per step; 0: unknown, time in steps
	trials, T, nIn, N, nOut int
	inputs, rates, outputs  []float32
	targets, mask           []float32 // nil for a recording of the user's inputs
	length                  []int     // [trials]; nil: every trial has T steps
	// choice and response are the correct and the model's response
	// (tasks.Trial.Choice, tasks.Result.Response); nil when absent.
	choice, response []int
	scored           []bool // nil: every trial is scored
	// vars are the task/<name> latent variables; periods the
	// periods/<name> [start, end) steps, −1 where a trial lacks one.
	vars                    map[string][]float64
	periods                 map[string][][2]int
	inputNames, outputNames []string
	// raster is what the raster draws, [trials, T, N], 1 at a spike or
	// event and 0 elsewhere: a spiking net's rates (a recording of lif,
	// alif or ltc holds their spikes, state/z), or an event-based
	// net's events (an egru's: 1 where state/y is nonzero,
	// layers.Model.Events); nil for other recordings.
	raster []float32
}

// steps returns the length of trial n.
func (t *trialTable) steps(n int) int {
	if t.length == nil {
		return t.T
	}
	return t.length[n]
}

// isScored reports whether trial n counts (catch trials do not).
func (t *trialTable) isScored(n int) bool { return t.scored == nil || t.scored[n] }

// varies reports whether the latent variable name exists and takes more
// than one finite value.
func (t *trialTable) varies(name string) bool {
	v := t.vars[name]
	first := math.NaN()
	for _, x := range v {
		if math.IsNaN(x) {
			continue
		}
		if math.IsNaN(first) {
			first = x
		} else if x != first {
			return true
		}
	}
	return false
}

// tableOf converts a recording of task trials into a trialTable.
func tableOf(rec *analysis.Recording, info tasks.Info) trialTable {
	t := trialTable{dt: info.DtMS, trials: rec.Trials, T: rec.T, nIn: rec.NIn, N: rec.N, nOut: rec.NOut,
		inputs: rec.Inputs, rates: rec.Rates, outputs: rec.Outputs, targets: rec.Targets, mask: rec.Mask,
		vars: map[string][]float64{}, periods: map[string][][2]int{}, inputNames: info.Inputs, outputNames: info.Outputs}
	a := rec.Arrays()
	ints := func(name string) []int {
		v, ok := a[name].([]int64)
		if !ok {
			return nil
		}
		out := make([]int, len(v))
		for i, x := range v {
			out[i] = int(x)
		}
		return out
	}
	t.length, t.choice, t.response = ints("length"), ints("choice"), ints("response")
	if s := ints("scored"); s != nil {
		t.scored = make([]bool, len(s))
		for i, x := range s {
			t.scored[i] = x != 0
		}
	}
	for k, v := range a {
		switch {
		case strings.HasPrefix(k, "task/"):
			t.vars[strings.TrimPrefix(k, "task/")] = v.([]float64)
		case strings.HasPrefix(k, "periods/"):
			p := v.([][]int64)
			w := make([][2]int, len(p))
			for i, se := range p {
				w[i] = [2]int{int(se[0]), int(se[1])}
			}
			t.periods[strings.TrimPrefix(k, "periods/")] = w
		}
	}
	return t
}

// maxContexts bounds a recording's task/context: the contexts of a task
// are a few (two in context-dm), and the figures draw a row of panels, a
// curve and a group of trials for each.
const maxContexts = 16

// readRecording reads an eval -record file. Every error names the file
// and the array, and what was expected of it; no input makes it panic or
// allocate beyond what the file declares and holds.
func readRecording(path string) (trialTable, error) {
	var t trialTable
	f, err := npy.OpenArchive(path)
	if err != nil {
		return t, err
	}
	defer f.Close()
	read := []string{"inputs", "rates", "outputs", "targets", "mask", "length", "choice", "response", "scored"}
	for _, name := range f.Names() {
		if strings.HasPrefix(name, "task/") || strings.HasPrefix(name, "periods/") {
			read = append(read, name)
		}
	}
	if err := checkArchiveFits(f, 0, 0, read); err != nil {
		return t, fmt.Errorf("%s: %w", path, err)
	}
	bad := func(name, format string, a ...any) error {
		return fmt.Errorf("%s: array %s: %s", path, name, fmt.Sprintf(format, a...))
	}
	// The shapes of the [trials, T, size] arrays are checked from their
	// headers before any is read: a compressed member may inflate to
	// gigabytes, and a missing or mismatched array refuses the file.
	shape := func(name string, dim *int) error {
		h, err := f.Header(name)
		if err != nil {
			return err
		}
		if len(h.Shape) != 3 {
			return bad(name, "shape %v, want [trials, T, size]", h.Shape)
		}
		if name == "inputs" {
			t.trials, t.T = h.Shape[0], h.Shape[1]
		} else if h.Shape[0] != t.trials || h.Shape[1] != t.T {
			return bad(name, "shape %v, want [%d, %d, size] as inputs", h.Shape, t.trials, t.T)
		}
		if *dim > 0 && h.Shape[2] != *dim {
			return bad(name, "shape %v, want [%d, %d, %d] as outputs", h.Shape, t.trials, t.T, *dim)
		}
		*dim = h.Shape[2]
		return nil
	}
	if err := shape("inputs", &t.nIn); err != nil {
		return t, err
	}
	if t.trials < 1 || t.T < 1 {
		return t, bad("inputs", "shape [%d, %d, %d] holds no steps", t.trials, t.T, t.nIn)
	}
	cubes := []string{"inputs", "rates", "outputs"}
	dims := []*int{&t.nIn, &t.N, &t.nOut}
	if f.Has("targets") && f.Has("mask") {
		cubes, dims = append(cubes, "targets", "mask"), append(dims, &t.nOut, &t.nOut)
	}
	for i, name := range cubes[1:] {
		if err := shape(name, dims[i+1]); err != nil {
			return t, err
		}
		if name == "rates" && t.N < 1 {
			return t, bad("rates", "no units")
		}
	}
	// read reads a [trials, T, size] array whose shape was checked and
	// refuses a value that is not finite.
	read32 := func(name string) ([]float32, error) {
		a, err := f.Read(name)
		if err != nil {
			return nil, err
		}
		v := a.Float32()
		for i, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, bad(name, "holds %v at %s (as float32); want finite values", x, cell(i, a.Shape))
			}
		}
		return v, nil
	}
	for i, dst := range []*[]float32{&t.inputs, &t.rates, &t.outputs, &t.targets, &t.mask}[:len(cubes)] {
		if *dst, err = read32(cubes[i]); err != nil {
			return t, err
		}
	}
	if err := checkStateShapes(f, path, &t); err != nil {
		return t, err
	}
	if f.Has("state/z") {
		// The spikes mark a spiking net's recording; they must be the
		// rates' shape and finite, as the rates the raster draws are.
		n := t.N
		if err := shape("state/z", &n); err != nil {
			return t, err
		}
		if _, err := read32("state/z"); err != nil {
			return t, err
		}
		// A spiking net's rates are its spikes, which the raster draws
		// wherever a rate is not 0.
		for i, x := range t.rates {
			if x != 0 && x != 1 {
				return t, bad("rates", "holds %v at %s; a spiking net's rates are its spikes, 0 or 1", x, cell(i, []int{t.trials, t.T, t.N}))
			}
		}
		t.raster = t.rates
	} else if name := eventState(f); name != "" {
		// checkStateShapes checked its shape; the raster reads it.
		y, err := read32(name)
		if err != nil {
			return t, err
		}
		t.raster = eventsOf(y)
	}
	perTrial := func(name string, cols int) ([]float64, error) {
		if !f.Has(name) {
			return nil, nil
		}
		want := []int{t.trials}
		if cols > 1 {
			want = append(want, cols)
		}
		h, err := f.HeaderNumeric(name) // the shape before the data
		if err != nil {
			return nil, err
		}
		if !slices.Equal(h.Shape, want) {
			return nil, bad(name, "shape %v, want %v (one per trial)", h.Shape, want)
		}
		a, err := f.ReadNumeric(name)
		if err != nil {
			return nil, err
		}
		return a.Float64(), nil
	}
	toInts := func(name string, lo, hi int) ([]int, error) {
		v, err := perTrial(name, 1)
		if v == nil || err != nil {
			return nil, err
		}
		out := make([]int, len(v))
		for i, x := range v {
			if !(x >= float64(lo) && x <= float64(hi)) || x != math.Trunc(x) {
				return nil, bad(name, "trial %d holds %v, want an integer in [%d, %d]", i, x, lo, hi)
			}
			out[i] = int(x)
		}
		return out, nil
	}
	const maxChoice = 1 << 20
	if t.length, err = toInts("length", 1, t.T); err != nil {
		return t, err
	}
	if t.choice, err = toInts("choice", -1, maxChoice); err != nil {
		return t, err
	}
	if t.response, err = toInts("response", -1, maxChoice); err != nil {
		return t, err
	}
	scored, err := toInts("scored", 0, 1)
	if err != nil {
		return t, err
	}
	if scored != nil {
		t.scored = make([]bool, len(scored))
		for i, s := range scored {
			t.scored[i] = s == 1
		}
	}
	t.vars, t.periods = map[string][]float64{}, map[string][][2]int{}
	for _, name := range f.Names() {
		switch {
		case strings.HasPrefix(name, "task/"):
			v, err := perTrial(name, 1)
			if err != nil {
				return t, err
			}
			for i, x := range v {
				if math.IsInf(x, 0) {
					return t, bad(name, "trial %d holds %v; want a finite value (NaN where the trial lacks it)", i, x)
				}
				// The figures draw a row, a curve or a group per
				// context: an index, from 0, of one of a few.
				if name == "task/context" && !math.IsNaN(x) && (x != math.Trunc(x) || x < 0 || x >= maxContexts) {
					return t, bad(name, "trial %d holds %v; want a context index, a whole number in [0, %d) (NaN where the trial lacks it)", i, x, maxContexts)
				}
			}
			t.vars[strings.TrimPrefix(name, "task/")] = v
		case strings.HasPrefix(name, "periods/"):
			v, err := perTrial(name, 2)
			if err != nil {
				return t, err
			}
			w := make([][2]int, t.trials)
			for i := range w {
				s, e := v[2*i], v[2*i+1]
				if s != math.Trunc(s) || e != math.Trunc(e) || s < -1 || e < -1 || s > float64(t.T) || e > float64(t.T) {
					return t, bad(name, "trial %d holds [%v, %v], want steps in [-1, %d]", i, s, e, t.T)
				}
				w[i] = [2]int{int(s), int(e)}
			}
			t.periods[strings.TrimPrefix(name, "periods/")] = w
		}
	}
	return t, nil
}

// checkStateShapes checks, from their headers alone, that the recording's
// state/<name> and pre arrays, which the figures do not read, are
// [trials, T, size] as inputs, of size n_out for state/readout, n_in for
// state/input and N for the others (their units are the rates' units).
func checkStateShapes(f *npy.Archive, path string, t *trialTable) error {
	for _, name := range f.Names() {
		if name != "pre" && !strings.HasPrefix(name, "state/") {
			continue
		}
		size, of := t.N, "rates"
		switch name {
		case "state/readout":
			size, of = t.nOut, "outputs"
		case "state/input":
			size, of = t.nIn, "inputs"
		}
		h, err := f.Header(name)
		if err != nil {
			return err
		}
		if want := []int{t.trials, t.T, size}; !slices.Equal(h.Shape, want) {
			return fmt.Errorf("%s: array %s: shape %v, want %v (trials and T as inputs, size as %s)", path, name, h.Shape, want, of)
		}
	}
	return nil
}

// eventState returns the name of the array of f that holds an
// event-based net's events where nonzero (layers.Model.Events: state/y of
// an egru's recording), or "" when f holds none.
func eventState(f *npy.Archive) string {
	for _, m := range rnn.Models() {
		if name := "state/" + m.Events; m.Events != "" && f.Has(name) {
			return name
		}
	}
	return ""
}

// cell is the position of the i-th value of a [trials, T, size] array:
// "trial n, step t, column j" (from 0).
func cell(i int, shape []int) string {
	size, T := max(shape[2], 1), max(shape[1], 1)
	return fmt.Sprintf("trial %d, step %d, column %d", i/size/T, i/size%T, i%size)
}
