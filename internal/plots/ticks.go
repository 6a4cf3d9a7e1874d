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

// intTicks marks an axis of whole numbers (unit indices, time steps): the
// ticks of plot.DefaultTicks that fall on integers, labelled without a
// fraction, or every integer of the range when none of the labelled ones
// does (a raster of one unit spans −0.5 … 0.5, whose default labels are
// −0.5, 0 and 0.5; one of four units gets 0.5, 1.5, 2.5 and 3.5).
type intTicks struct{}

var _ plot.Ticker = intTicks{}

// Ticks implements plot.Ticker.
func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	labelled := false
	for _, t := range (plot.DefaultTicks{}).Ticks(lo, hi) {
		if t.Value != math.Trunc(t.Value) {
			continue
		}
		if t.Label != "" {
			t.Label = strconv.FormatFloat(t.Value, 'f', 0, 64)
			labelled = true
		}
		ticks = append(ticks, t)
	}
	if labelled {
		return ticks
	}
	ticks = ticks[:0]
	for v := math.Ceil(lo); v <= hi && len(ticks) < 50; v++ {
		if v == 0 {
			v = 0 // not −0, which Ceil(−0.5) is
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
	}
	return ticks
}
