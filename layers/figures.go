package layers

import (
	"fmt"

	"github.com/rnntrain/rnntrain/autodiff"
)

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
// really has; the steps after a trial's end are padding, which the layer
// leaves out of its counts. It allocates the returned tally.
type Reporter[T autodiff.Float] interface {
	Tally(rates *autodiff.Var[T], lengths []int) (Tally, bool)
}

var _ Reporter[float32] = (*EGRU[float32])(nil)

// Tally implements Reporter: each unit's count of events o_t = 1, for
// rate_per_step (events per unit and step), silent_units (the fraction of
// units with no event) and activity_sparsity (1 − mean(o)) as a spiking
// layer's (Tally.Figures); then backward_sparsity, effective_macs
// (relative to a dense GRU) and, with an activity penalty,
// activity_penalty (see EGRUStats), each a mean over the unit-steps
// within each trial's length, or over every unit-step when lengths is
// nil. It panics if the rates' rows are not a whole number of steps of
// len(lengths) trials.
func (e *EGRU[T]) Tally(rates *autodiff.Var[T], lengths []int) (Tally, bool) {
	if rates == nil || len(rates.Value.Data) == 0 {
		return Tally{}, false
	}
	rec, ok := e.stats.get(&rates.Value.Data[0])
	if !ok {
		return Tally{}, false
	}
	st := rec.stats
	n := float64(rates.Value.Len())
	var events []float64
	if lengths != nil {
		st, n, events = rec.within(lengths, e.inputs, e.Options)
	} else {
		events, _ = spikeCounts(rec.ev, nil)
	}
	t := Tally{UnitSteps: n, Spikes: events, Sums: []Figure{
		{"backward_sparsity", st.BackwardSparsity * n},
		{"effective_macs", st.EffectiveMACs * n},
	}}
	if e.Options.ActivityReg > 0 {
		t.Sums = append(t.Sums, Figure{"activity_penalty", st.Penalty * n})
	}
	return t, true
}

// within returns the statistics of r's rows within each trial's length,
// lengths[b] steps of trial b of the batch of len(lengths), counted from
// the op's events and pseudo-derivatives, the unit-steps they cover (0,
// with zero statistics, when no trial has a step) and each unit's count
// of events over them. in is the layer's input size; o its options, for
// the penalty.
func (r *egruRecord[T]) within(lengths []int, in int, o EGRUOptions) (EGRUStats, float64, []float64) {
	batch, n := len(lengths), r.ev.Cols
	if batch == 0 || r.ev.Rows != r.steps*batch {
		panic(fmt.Sprintf("layers: EGRU.Tally: %d rows are not %d steps of %d trials", r.ev.Rows, r.steps, batch))
	}
	var fired, flat, reads float64
	events := make([]float64, n)
	rows := 0
	for t := range r.steps {
		for b, l := range lengths {
			if t >= l {
				continue
			}
			row := t*batch + b
			rows++
			for j, v := range r.ev.Data[row*n : (row+1)*n] {
				fired += float64(v)
				events[j] += float64(v)
				if r.pd.Data[row*n+j] == 0 {
					flat++
				}
			}
			prev := r.yPrev.Data[b*n : (b+1)*n]
			if t > 0 {
				prev = r.y.Data[(row-batch)*n : (row-batch+1)*n]
			}
			for _, v := range prev {
				if v != 0 {
					reads++
				}
			}
		}
	}
	if rows == 0 {
		return EGRUStats{}, 0, events
	}
	return egruStatsOf(fired, flat, reads, rows, n, in, o), float64(rows * n), events
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
