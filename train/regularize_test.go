package train

import (
	"math"
	"math/rand/v2"
	"slices"
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
	pen := r.RatePenalty(tp.Param(p), 0.5, nil)
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
	if (Regularization{L2In: 1}).RatePenalty(tp.Param(p), 1, nil) != nil {
		t.Error("RatePenalty without rate weights is not nil")
	}
}

// TestRatePenaltyLeavesOutPadding pads the second of two trials from 2 to
// 5 steps and checks that the penalties and their gradient with the
// trials' rows equal those of the unpadded trials' rows alone, and that
// the padding gets no gradient; then that the windows of truncated BPTT,
// each weighed by its share of the trials' steps, add up to the same L1
// and L2 penalties.
func TestRatePenaltyLeavesOutPadding(t *testing.T) {
	t.Parallel()
	const steps, short, batch, n = 5, 2, 2, 3
	lengths := []int{steps, short}
	r := Regularization{L2Rate: 0.5, L1Rate: 0.3, L2RateTarget: 2, RateTarget: 0.1}
	rng := rand.New(rand.NewPCG(3, 3))
	padded := autodiff.NewParam[float32]("padded", steps*batch, n)
	for i := range padded.Value.Data {
		padded.Value.Data[i] = float32(rng.Float64())
	}
	// The trials' own rows, in the same order.
	var own []int
	for row := range steps * batch {
		if row/batch < lengths[row%batch] {
			own = append(own, row)
		}
	}
	unpadded := autodiff.NewParam[float32]("unpadded", len(own), n)
	for i, row := range own {
		copy(unpadded.Value.Data[i*n:(i+1)*n], padded.Value.Data[row*n:(row+1)*n])
	}
	tp := autodiff.NewTape[float32]()
	want := r.RatePenalty(tp.Param(unpadded), 1, nil)
	tp.Backward(want)
	var buf []float32
	in, counted := trialRows(&buf, lengths, 0, steps, batch)
	if counted != len(own) || counted != trialSteps(lengths, steps, batch) {
		t.Fatalf("trialRows counted %d rows, trialSteps %d, want %d", counted, trialSteps(lengths, steps, batch), len(own))
	}
	tp2 := autodiff.NewTape[float32]()
	got := r.RatePenalty(tp2.Param(padded), 1, in)
	tp2.Backward(got)
	if g, w := got.Value.Data[0], want.Value.Data[0]; math.Abs(float64(g-w)) > 1e-6 {
		t.Errorf("penalty = %g, want %g (the unpadded trials')", g, w)
	}
	k := 0
	for row := range steps * batch {
		for j := range n {
			g := padded.Grad.Data[row*n+j]
			var w float32
			if k < len(own) && own[k] == row {
				w = unpadded.Grad.Data[k*n+j]
			}
			if math.Abs(float64(g-w)) > 1e-6 {
				t.Errorf("dL/dr[row %d, unit %d] = %g, want %g", row, j, g, w)
			}
		}
		if k < len(own) && own[k] == row {
			k++
		}
	}

	// Windows of 2 steps: the last two hold only the first trial's rows.
	lin := Regularization{L2Rate: 0.5, L1Rate: 0.3}
	tp3 := autodiff.NewTape[float32]()
	whole := float64(lin.RatePenalty(tp3.Param(unpadded), 1, nil).Value.Data[0])
	var sum float64
	for t0 := 0; t0 < steps; t0 += 2 {
		t1 := min(t0+2, steps)
		win := autodiff.NewParam[float32]("window", (t1-t0)*batch, n)
		copy(win.Value.Data, padded.Value.Data[t0*batch*n:t1*batch*n])
		in, counted := trialRows(&buf, lengths, t0, t1, batch)
		if p := lin.RatePenalty(tp3.Param(win), float64(counted)/float64(trialSteps(lengths, steps, batch)), in); p != nil {
			sum += float64(p.Value.Data[0])
		}
	}
	if math.Abs(sum-whole) > 1e-6 {
		t.Errorf("windows' penalties add up to %g, want %g", sum, whole)
	}
	if p := r.RatePenalty(tp3.Param(padded), 1, make([]float32, steps*batch)); p != nil {
		t.Errorf("penalty of no counted row = %v, want nil", p.Value.Data)
	}
}

// TestWindowLengths checks the trials' lengths within a window: nil when
// every trial runs through it, else each trial's steps in the window.
func TestWindowLengths(t *testing.T) {
	t.Parallel()
	var buf []int
	for _, c := range []struct {
		lengths []int
		t0, t1  int
		want    []int
	}{
		{nil, 0, 4, nil},
		{[]int{9, 8}, 0, 8, nil},
		{[]int{9, 8}, 4, 8, nil},
		{[]int{9, 3}, 0, 4, []int{4, 3}},
		{[]int{9, 3}, 4, 8, []int{4, 0}},
		{[]int{6, 3}, 4, 8, []int{2, 0}},
		{[]int{10, 5}, 4, 8, []int{4, 1}},
	} {
		got := windowLengths(&buf, c.lengths, c.t0, c.t1)
		if !slices.Equal(got, c.want) || (got == nil) != (c.want == nil) {
			t.Errorf("windowLengths(%v, %d, %d) = %v, want %v", c.lengths, c.t0, c.t1, got, c.want)
		}
	}
}
