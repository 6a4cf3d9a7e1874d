package layers

import (
	"fmt"

	"github.com/rnntrain/rnntrain/autodiff"
)

// TuneActivity shifts every threshold ϑ by one common offset, found by
// bisection over iters forward runs of x ([steps·batch, I], zero initial
// state, no noise), so that the mean activity mean(o) comes as close to
// target as the offset allows. It returns the activity reached. It is how
// benchmarks set a layer's activity; it allocates a tape.
//
// It panics if target is outside [0, 1], iters < 1 or x has the wrong shape.
func (e *EGRU[T]) TuneActivity(x autodiff.Tensor[T], steps, batch int, target float64, iters int) float64 {
	if !(target >= 0 && target <= 1) || iters < 1 {
		panic(fmt.Sprintf("layers: EGRU.TuneActivity needs target in [0, 1] and iters ≥ 1, got %g, %d", target, iters))
	}
	base := append([]T(nil), e.Threshold.Value.Data...)
	tp := autodiff.NewTape[T]()
	activity := func(off float64) float64 {
		for j, v := range base {
			e.Threshold.Value.Data[j] = v + T(off)
		}
		tp.Reset()
		r := e.Run(tp, tp.Const(x), nil, steps, batch, SeqOptions{}, false)
		st, _ := e.Stats(r.Rates)
		return st.Activity
	}
	// The activity falls as the thresholds rise; c̃ stays within a few
	// units of 0, so ±8 spans silent to always active.
	lo, hi := -8.0, 8.0
	best, bestAct := 0.0, activity(0)
	for range iters {
		mid := (lo + hi) / 2
		a := activity(mid)
		if abs(a-target) < abs(bestAct-target) {
			best, bestAct = mid, a
		}
		if a > target {
			lo = mid
		} else {
			hi = mid
		}
	}
	activity(best)
	return bestAct
}
