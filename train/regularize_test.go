package train

import (
	"math"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
)

// TestRatePenalty checks the value and the gradient of the firing-rate
// penalties against a direct computation on binary spikes.
func TestRatePenalty(t *testing.T) {
	t.Parallel()
	const rows, n = 6, 3
	spikes := []float32{1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0}
	r := Regularization{L2Rate: 0.5, L1Rate: 0.3, L2RateTarget: 2, RateTarget: 0.1}
	p := autodiff.NewParam[float32]("rates", rows, n)
	copy(p.Value.Data, spikes)
	tp := autodiff.NewTape[float32]()
	pen := r.RatePenalty(tp.Param(p), 0.5)
	tp.Backward(pen)

	var sum float64
	mean := make([]float64, n)
	for k, s := range spikes {
		sum += float64(s)
		mean[k%n] += float64(s) / rows
	}
	var dev float64
	for _, m := range mean {
		dev += (m - 0.1) * (m - 0.1) / n
	}
	// Spikes are 0 or 1, so mean(r²) = mean|r| = mean(r).
	want := 0.5 * (0.5*sum/(rows*n) + 0.3*sum/(rows*n) + 2*dev)
	if got := float64(pen.Value.Data[0]); math.Abs(got-want) > 1e-6 {
		t.Errorf("penalty = %g, want %g", got, want)
	}
	for k, s := range spikes {
		j := k % n
		// d/dr of the three terms, times the window share 0.5.
		g := 0.5 * (0.5*2*float64(s)/(rows*n) + 0.3/(rows*n) + 2*2*(mean[j]-0.1)/(n*rows))
		if s == 0 {
			g -= 0.5 * 0.3 / (rows * n) // d|r|/dr at 0 is 0
		}
		if got := float64(p.Grad.Data[k]); math.Abs(got-g) > 1e-6 {
			t.Errorf("dL/dr[%d] = %g, want %g", k, got, g)
		}
	}
	if (Regularization{L2In: 1}).RatePenalty(tp.Param(p), 1) != nil {
		t.Error("RatePenalty without rate weights is not nil")
	}
}
