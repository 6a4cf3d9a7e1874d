package plots

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// logTicks marks a log axis at every 1…9 × 10^k inside the range and
// labels the decades, plus 2 and 5 × 10^k when the range spans at most
// three and a half decades, so that every axis carries at least two labels however
// small its values (plot.LogTicks truncates the lowest decade towards
// zero and leaves ranges below 0.01 unlabelled).
type logTicks struct{}

var _ plot.Ticker = logTicks{}

// Ticks implements plot.Ticker. It panics if lo or hi is not positive, as
// a log scale would.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > 0) {
		panic("plots: log axis range must be positive")
	}
	if hi < lo {
		lo, hi = hi, lo
	}
	k0, k1 := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	dense := math.Log10(hi/lo) <= 3.5
	var ticks []plot.Tick
	for k := k0; k <= k1; k++ {
		dec := math.Pow10(k)
		for m := 1; m <= 9; m++ {
			v := float64(m) * dec
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (dense && (m == 2 || m == 5)) {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}
