package layers

import "github.com/rnntrain/rnntrain/autodiff"

// Figure is one named scalar figure of a recorded sequence beyond its
// rates, such as an event-based layer's activity sparsity. Name is
// snake_case; it becomes a key of metrics.jsonl and of eval -json.
type Figure struct {
	Name  string
	Value float64
}

// Reporter is implemented by recurrent layers that report figures of a
// sequence they recorded: Figures returns them for the sequence whose rates
// are rates (as returned by the layer's Sequence, on a tape not reset
// since), or nil if rates did not come from the layer. It allocates the
// returned slice.
type Reporter[T autodiff.Float] interface {
	Figures(rates *autodiff.Var[T]) []Figure
}

var _ Reporter[float32] = (*EGRU[float32])(nil)

// Figures implements Reporter: activity_sparsity (1 − mean(o)),
// backward_sparsity, effective_macs (relative to a dense GRU) and, with an
// activity penalty, activity_penalty (see EGRUStats).
func (e *EGRU[T]) Figures(rates *autodiff.Var[T]) []Figure {
	st, ok := e.Stats(rates)
	if !ok {
		return nil
	}
	f := []Figure{
		{"activity_sparsity", 1 - st.Activity},
		{"backward_sparsity", st.BackwardSparsity},
		{"effective_macs", st.EffectiveMACs},
	}
	if e.Options.ActivityReg > 0 {
		f = append(f, Figure{"activity_penalty", st.Penalty})
	}
	return f
}
