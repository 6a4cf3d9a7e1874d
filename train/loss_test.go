package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
	"github.com/rnntrain/rnntrain/model"
	"github.com/rnntrain/rnntrain/tasks"
)

func randSlice(n int, rng *rand.Rand, f func(*rand.Rand) float64) []float64 {
	s := make([]float64, n)
	for k := range s {
		s[k] = f(rng)
	}
	return s
}

// TestLeakyDoubleGradient checks the test double's hand-written backward
// against finite differences, so that the loop tests stand on a correct
// model.
func TestLeakyDoubleGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	m := newLeaky[float64](2, 5, 2, 0, rng)
	for k := range m.b.Value.Data {
		m.b.Value.Data[k] = 0.1 * rng.NormFloat64()
	}
	const steps, batch = 4, 3
	x := autodiff.FromSlice(steps*batch, 2, randSlice(steps*batch*2, rng, (*rand.Rand).NormFloat64))
	h0 := autodiff.FromSlice(batch, 5, randSlice(batch*5, rng, (*rand.Rand).NormFloat64))
	target := autodiff.FromSlice(steps*batch, 2, randSlice(steps*batch*2, rng, (*rand.Rand).NormFloat64))
	mask := autodiff.FromSlice(steps*batch, 2, randSlice(steps*batch*2, rng, (*rand.Rand).Float64))
	gradcheck.Check(t, gradcheck.Case{Name: "leaky double", Params: m.Params(),
		Loss: func(tp *autodiff.Tape[float64], _ []*autodiff.Var[float64]) *autodiff.Var[float64] {
			out, rates, _ := m.record(tp, x, steps, batch, h0, nil)
			return autodiff.Add(autodiff.MaskedMSE(out, target, mask), autodiff.Mean(autodiff.Mul(rates, rates)))
		}})
}

// TestLossValues checks Loss against values worked out by hand.
func TestLossValues(t *testing.T) {
	tp := autodiff.NewTape[float32]()
	// Two rows of logits: row 0 softmax (1/4, 3/4), target class 1, weight
	// 1; row 1 softmax (½, ½), target class 0, weight ½ (mask mean).
	z := tp.Const(autodiff.FromSlice(2, 2, []float32{0, float32(math.Log(3)), 1, 1}))
	target := autodiff.FromSlice(2, 2, []float32{0, 1, 1, 0})
	mask := autodiff.FromSlice(2, 2, []float32{1, 1, 0, 1})
	got := float64(Loss(tasks.CrossEntropy, z, target, mask, nil).Value.Data[0])
	want := (-math.Log(0.75) + 0.5*math.Log(2)) / 1.5
	if math.Abs(got-want) > 1e-6 {
		t.Errorf("cross-entropy = %v, want %v", got, want)
	}
	if w := LossWeight(tasks.CrossEntropy, mask.Data, 2); w != 1.5 {
		t.Errorf("cross-entropy weight = %v, want 1.5", w)
	}
	// MSE: errors (1, 2, 2) with mask (1, 0, 2): (1 + 2·4)/3.
	p := tp.Const(autodiff.FromSlice(1, 3, []float32{1, 2, 3}))
	got = float64(Loss(tasks.MSE, p, autodiff.FromSlice(1, 3, []float32{0, 0, 1}), autodiff.FromSlice(1, 3, []float32{1, 0, 2}), nil).Value.Data[0])
	if want := 3.0; math.Abs(got-want) > 1e-6 {
		t.Errorf("MSE = %v, want %v", got, want)
	}
}

// TestWindowsSumToBatchLoss checks that truncated BPTT's windows add up to
// the whole batch's loss (same forward trajectory, weights by mask share),
// and that a window at least as long as the trial is full BPTT exactly.
func TestWindowsSumToBatchLoss(t *testing.T) {
	for _, ce := range []bool{false, true} {
		task := toyTask{steps: 12, ce: ce}
		b := task.Batch(NewRNG(4, StreamBatch), 8)
		grads := map[int][][]float32{}
		losses := map[int][2]float64{}
		for _, k := range []int{0, 12, 5} {
			cfg := toyConfig()
			cfg.TBPTT = k
			cfg.Regularization.L2Rate = 0.3
			m := toyModel(1)
			l, err := newLoop(cfg, m, []tasks.Task{task}, State{})
			if err != nil {
				t.Fatal(err)
			}
			task, rate := l.windows(l.tp, nil, &b, task.Loss(), true, nil)
			losses[k] = [2]float64{task, rate}
			for _, p := range m.Params() {
				grads[k] = append(grads[k], append([]float32(nil), p.Grad.Data...))
			}
		}
		for _, k := range []int{12, 5} {
			for i := range 2 {
				if d := math.Abs(losses[k][i] - losses[0][i]); d > 1e-6*math.Abs(losses[0][i]) {
					t.Errorf("ce=%v K=%d: loss term %d = %v, full BPTT %v", ce, k, i, losses[k][i], losses[0][i])
				}
			}
		}
		for i := range grads[0] {
			for j, v := range grads[0][i] {
				if grads[12][i][j] != v {
					t.Fatalf("ce=%v: K = T gradient differs from full BPTT at param %d [%d]", ce, i, j)
				}
			}
		}
	}
}

// TestWindowsRatePenaltyLeavesOutPadding shortens trials of a batch and
// checks that the rate penalty of the training windows (full BPTT and
// truncated) is the penalty of the rates of the trials' own steps.
func TestWindowsRatePenaltyLeavesOutPadding(t *testing.T) {
	task := toyTask{steps: 12}
	b := task.Batch(NewRNG(4, StreamBatch), 4)
	b.Lengths[1], b.Lengths[3] = 3, 7
	reg := Regularization{L2Rate: 0.3, L1Rate: 0.2}
	// The rates of the whole batch (padding does not change the trials'
	// own steps), kept at the trials' rows.
	m := toyModel(1)
	tp := autodiff.NewTape[float32]()
	pass := m.Forward(tp, autodiff.FromSlice(b.T*b.B, b.NIn, b.Inputs), b.T, b.B, model.Options[float32]{})
	n := pass.Rates.Value.Cols
	var own []float32
	for row := range b.T * b.B {
		if row/b.B < b.Lengths[row%b.B] {
			own = append(own, pass.Rates.Value.Data[row*n:(row+1)*n]...)
		}
	}
	want := float64(reg.RatePenalty(tp.Const(autodiff.FromSlice(len(own)/n, n, own)), 1, nil).Value.Data[0])
	for _, k := range []int{0, 5} {
		cfg := toyConfig()
		cfg.TBPTT = k
		cfg.Regularization = reg
		l, err := newLoop(cfg, toyModel(1), []tasks.Task{task}, State{})
		if err != nil {
			t.Fatal(err)
		}
		_, rate := l.windows(l.tp, nil, &b, task.Loss(), true, nil)
		if math.Abs(rate-want) > 1e-6*want {
			t.Errorf("K=%d: rate penalty %v, want %v (the trials' own steps)", k, rate, want)
		}
	}
}

// TestLossMatchesMaskedCrossEntropy: the cross-entropy evaluations report
// (tasks.MaskedCrossEntropy) is the training loss, on random logits,
// one-hot targets and masks that vary within rows.
func TestLossMatchesMaskedCrossEntropy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const steps, batch, nOut = 7, 5, 4
	rows := steps * batch
	b := tasks.Batch{T: steps, B: batch, NOut: nOut, Targets: make([]float32, rows*nOut), Mask: make([]float32, rows*nOut)}
	out := make([]float32, rows*nOut)
	for r := range rows {
		b.Targets[r*nOut+rng.IntN(nOut)] = 1
		for k := range nOut {
			out[r*nOut+k] = float32(3 * rng.NormFloat64())
			if rng.IntN(4) > 0 {
				b.Mask[r*nOut+k] = float32(rng.Float64())
			}
		}
	}
	tp := autodiff.NewTape[float32]()
	want := float64(Loss(tasks.CrossEntropy, tp.Const(autodiff.FromSlice(rows, nOut, out)),
		autodiff.FromSlice(rows, nOut, b.Targets), autodiff.FromSlice(rows, nOut, b.Mask), nil).Value.Data[0])
	if got := tasks.MaskedCrossEntropy(out, &b); math.Abs(got-want) > 1e-6*want {
		t.Errorf("tasks.MaskedCrossEntropy = %v, train.Loss = %v", got, want)
	}
}
