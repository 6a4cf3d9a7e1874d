package layers

import "github.com/rnntrain/rnntrain/autodiff"

// Figure is one named scalar figure of a recorded sequence beyond its
// rates, such as an event-based layer's activity sparsity. Name is
// snake_case; it becomes a key of metrics.jsonl and of eval -json.
type Figure struct {
	Name  string
	Value float64
}

// Tally is what a recurrent layer counted over a recorded sequence, the
// counts its figures follow from (Figures). The tallies of runs over parts
// of one set of trials (batches, groups of trials, windows of steps) add up
// with Add to the tally of the whole set, so that no figure of the set is a
// plain mean of its parts' figures: a unit silent in one part but active in
// another is not silent, and each part weighs by the unit-steps it counted.
type Tally struct {
	// UnitSteps is the number of unit-steps counted.
	UnitSteps float64
	// Sums are the figures that are means over unit-steps, each as the sum
	// of its value over them (mean·UnitSteps).
	Sums []Figure
	// Spikes is the spike count of each unit of a spiking layer, nil for
	// other layers.
	Spikes []float64
	// DtMS is the task's time step for rate_hz, 0 when it has none
	// (rate_per_step is reported instead).
	DtMS float64
}

// Add adds u's counts to t's. It panics if both have spike counts of
// different sizes or figures of different names.
func (t *Tally) Add(u Tally) {
	if t.UnitSteps == 0 && t.Sums == nil && t.Spikes == nil {
		t.DtMS = u.DtMS
		t.Sums = append([]Figure(nil), u.Sums...)
		t.Spikes = append([]float64(nil), u.Spikes...)
		t.UnitSteps = u.UnitSteps
		return
	}
	if len(t.Spikes) != len(u.Spikes) || len(t.Sums) != len(u.Sums) {
		panic("layers: Tally.Add: tallies of different layers")
	}
	t.UnitSteps += u.UnitSteps
	for j, c := range u.Spikes {
		t.Spikes[j] += c
	}
	for k, f := range u.Sums {
		if t.Sums[k].Name != f.Name {
			panic("layers: Tally.Add: figure " + f.Name + " added to " + t.Sums[k].Name)
		}
		t.Sums[k].Value += f.Value
	}
}

// Figures returns the figures of t: for a spiking layer rate_hz, the mean
// firing rate in spikes per unit and second, or rate_per_step, in spikes
// per unit and step, when DtMS is 0 (a task without a time step);
// silent_units, the fraction of units that never spiked, and
// activity_sparsity, 1 − the fraction of unit-steps with a spike; then the
// means of Sums. It returns nil when nothing was counted, and allocates
// the returned slice.
func (t *Tally) Figures() []Figure {
	if t == nil || t.UnitSteps == 0 {
		return nil
	}
	var f []Figure
	if t.Spikes != nil {
		var total float64
		silent := 0
		for _, c := range t.Spikes {
			if c == 0 {
				silent++
			}
			total += c
		}
		mean := total / t.UnitSteps
		if t.DtMS > 0 {
			f = append(f, Figure{"rate_hz", mean * 1000 / t.DtMS})
		} else {
			f = append(f, Figure{"rate_per_step", mean})
		}
		f = append(f, Figure{"silent_units", float64(silent) / float64(len(t.Spikes))}, Figure{"activity_sparsity", 1 - mean})
	}
	for _, s := range t.Sums {
		f = append(f, Figure{s.Name, s.Value / t.UnitSteps})
	}
	return f
}

// Reporter is implemented by recurrent layers that report figures of a
// sequence they recorded: Tally returns the counts of the sequence whose
// rates are rates (as returned by the layer's Sequence, on a tape not
// reset since), or false if rates did not come from the layer. lengths,
// when not nil, are the steps each of the batch's len(lengths) trials
// really has; the steps after a trial's end are padding, which a layer
// leaves out where it can (the spiking layers; the EGRU counts every
// step). It allocates the returned tally.
type Reporter[T autodiff.Float] interface {
	Tally(rates *autodiff.Var[T], lengths []int) (Tally, bool)
}

var _ Reporter[float32] = (*EGRU[float32])(nil)

// Tally implements Reporter: activity_sparsity (1 − mean(o)),
// backward_sparsity, effective_macs (relative to a dense GRU) and, with an
// activity penalty, activity_penalty (see EGRUStats), each a mean over
// every unit-step, padding included.
func (e *EGRU[T]) Tally(rates *autodiff.Var[T], _ []int) (Tally, bool) {
	st, ok := e.Stats(rates)
	if !ok {
		return Tally{}, false
	}
	n := float64(rates.Value.Len())
	t := Tally{UnitSteps: n, Sums: []Figure{
		{"activity_sparsity", (1 - st.Activity) * n},
		{"backward_sparsity", st.BackwardSparsity * n},
		{"effective_macs", st.EffectiveMACs * n},
	}}
	if e.Options.ActivityReg > 0 {
		t.Sums = append(t.Sums, Figure{"activity_penalty", st.Penalty * n})
	}
	return t, true
}

// Map returns t's figures by name, nil when it has none.
func (t *Tally) Map() map[string]float64 {
	var m map[string]float64
	for _, f := range t.Figures() {
		if m == nil {
			m = map[string]float64{}
		}
		m[f.Name] = f.Value
	}
	return m
}
