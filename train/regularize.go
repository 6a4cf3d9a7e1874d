package train

import (
	"fmt"
	"math"
	"slices"

	"github.com/rnntrain/rnntrain/autodiff"
)

// Regularization holds the weights of the penalties used in the field,
// with PsychRNN's definitions (psychrnn/backend/regularizations.py; Yang et
// al. 2019's l1_weight, l2_weight and l2_h in network.py are the same
// means). Each weight matrix W with n elements, and the rates r
// (steps·batch·hidden entries), add
//
//	L1In·mean|W_in| + L1Rec·mean|W_rec| + L1Out·mean|W_out|
//	+ L2In·mean(W_in²) + L2Rec·mean(W_rec²) + L2Out·mean(W_out²)
//	+ L2Rate·mean(r²) + L1Rate·mean|r|
//	+ L2RateTarget·mean_j (r̄_j − RateTarget)²,   r̄_j = mean over steps and trials of r_j
//
// to the loss, the rate means over the steps each trial really has (on a
// variable-length task the padding after a shorter trial's end is left
// out). The last two are the firing-rate regularizers of spiking
// networks (r = spikes, 0 or 1 per step): L1 on the rates (activity
// sparsity) and L2 of each unit's mean rate to a target, RateTarget in
// spikes per step (a rate in Hz is RateTarget·1000/dt_ms). r is the rate φ(x) the readout sees (PsychRNN squares
// transfer_function(states), Yang squares h). A group with several matrices
// (a GRU's gates) penalises each matrix's mean and sums them. Zero weights
// cost nothing.
//
// The weight penalties do not depend on the trial, so they are applied
// directly to the gradients once per update, which is exact and cheaper
// than recording them on the tape: ∂/∂W of λ·mean|W| is λ·sign(W)/n (0 at
// W = 0, as TensorFlow's abs), of λ·mean(W²) it is 2λW/n. The rate penalty
// depends on the trial and is recorded on the tape (MeanSquare).
type Regularization struct {
	L1In   float64 `json:"l1_in"`
	L1Rec  float64 `json:"l1_rec"`
	L1Out  float64 `json:"l1_out"`
	L2In   float64 `json:"l2_in"`
	L2Rec  float64 `json:"l2_rec"`
	L2Out  float64 `json:"l2_out"`
	L2Rate float64 `json:"l2_rate"`
	L1Rate float64 `json:"l1_rate"`
	// L2RateTarget weighs the squared distance of each unit's mean rate to
	// RateTarget (spikes per step, in [0, 1] for spiking units).
	L2RateTarget float64 `json:"l2_rate_target"`
	RateTarget   float64 `json:"rate_target"`
}

// Validate reports the first negative weight, or one beyond the range of
// float32 in which the penalties are computed, named by its JSON path.
func (r Regularization) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"l1_in", r.L1In}, {"l1_rec", r.L1Rec}, {"l1_out", r.L1Out}, {"l2_in", r.L2In}, {"l2_rec", r.L2Rec}, {"l2_out", r.L2Out}, {"l2_rate", r.L2Rate},
		{"l1_rate", r.L1Rate}, {"l2_rate_target", r.L2RateTarget}, {"rate_target", r.RateTarget}} {
		if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("regularization.%s: %g must be finite and non-negative", f.name, f.v)
		}
		if f.v > math.MaxFloat32 {
			return fmt.Errorf("regularization.%s: %g is beyond the range of float32 (3.4e38), in which the penalties are computed", f.name, f.v)
		}
	}
	return nil
}

// WeightGroups are the parameter groups the weight penalties act on. A
// Model that implements it gets L1/L2 weight regularization; one that does
// not rejects a nonzero weight penalty at the start of Run.
type WeightGroups interface {
	InputWeights() []*autodiff.Param[float32]
	RecurrentWeights() []*autodiff.Param[float32]
	OutputWeights() []*autodiff.Param[float32]
}

// RatePenalty records the rate penalties of r on the tape of rates
// ([rows, N], the rates of the steps of one window, time-major) and returns
// their sum scaled by share (the window's share of the batch's counted
// rows; 1 without truncation), or nil when every rate weight is zero or no
// row counts. inTrial, nil when every row counts, has one entry per row: 1
// for a step within its trial's length, 0 for the padding after a shorter
// trial's end. The means are over the counted rows only (r̄_j too), so
// padding neither dilutes the penalties nor gets a gradient. It panics if
// inTrial is not nil and has not one entry per row.
func (r Regularization) RatePenalty(rates *autodiff.Var[float32], share float64, inTrial []float32) *autodiff.Var[float32] {
	if r.L2Rate == 0 && r.L1Rate == 0 && r.L2RateTarget == 0 {
		return nil
	}
	tp := rates.Tape()
	// scale turns a mean over every row into one over the counted rows.
	scale := 1.0
	if inTrial != nil {
		rows := rates.Value.Rows
		if len(inTrial) != rows {
			panic(fmt.Sprintf("train: RatePenalty: %d row weights for %d rows", len(inTrial), rows))
		}
		m := tp.Alloc(rows, 1)
		counted := 0
		for i, w := range inTrial {
			m.Data[i] = w
			if w != 0 {
				counted++
			}
		}
		if counted == 0 {
			return nil
		}
		rates = autodiff.Mul(rates, tp.Const(m))
		scale = float64(rows) / float64(counted)
	}
	var pen *autodiff.Var[float32]
	add := func(v *autodiff.Var[float32], w float64) {
		v = autodiff.Scale(v, float32(w*share))
		if pen == nil {
			pen = v
		} else {
			pen = autodiff.Add(pen, v)
		}
	}
	if r.L2Rate != 0 {
		add(autodiff.Mean(autodiff.Mul(rates, rates)), r.L2Rate*scale)
	}
	if r.L1Rate != 0 {
		add(autodiff.Mean(autodiff.Abs(rates)), r.L1Rate*scale)
	}
	if r.L2RateTarget != 0 {
		tgt := tp.Alloc(1, 1)
		tgt.Data[0] = float32(-r.RateTarget)
		mean := autodiff.MeanAxis(rates, 0)
		if scale != 1 {
			mean = autodiff.Scale(mean, float32(scale))
		}
		d := autodiff.Add(mean, tp.Const(tgt))
		add(autodiff.Mean(autodiff.Mul(d, d)), r.L2RateTarget)
	}
	return pen
}

// trialRows sets the rows of steps [t0, t1) of a batch whose trials have
// lengths steps (time-major, batch trials) in *buf, reused and grown as
// needed: 1 for a step within its trial's length, 0 for padding. It
// returns them and how many are 1, or nil and the rows when every row is
// within its trial (or lengths is empty).
func trialRows(buf *[]float32, lengths []int, t0, t1, batch int) ([]float32, int) {
	rows := (t1 - t0) * batch
	if len(lengths) == 0 || slices.Min(lengths) >= t1 {
		return nil, rows
	}
	if cap(*buf) < rows {
		*buf = make([]float32, rows)
	}
	dst := (*buf)[:rows]
	counted := 0
	for t := t0; t < t1; t++ {
		for b, l := range lengths {
			w := float32(0)
			if t < l {
				w, counted = 1, counted+1
			}
			dst[(t-t0)*batch+b] = w
		}
	}
	return dst, counted
}

// windowLengths sets in *buf, reused and grown as needed, the steps of
// [t0, t1) each trial of lengths has, min(max(l − t0, 0), t1 − t0), and
// returns them, or nil when every trial runs through the window (or
// lengths is empty), as model.Options.Lengths wants them.
func windowLengths(buf *[]int, lengths []int, t0, t1 int) []int {
	if len(lengths) == 0 || slices.Min(lengths) >= t1 {
		return nil
	}
	if cap(*buf) < len(lengths) {
		*buf = make([]int, len(lengths))
	}
	dst := (*buf)[:len(lengths)]
	for b, l := range lengths {
		dst[b] = min(max(l-t0, 0), t1-t0)
	}
	return dst
}

// trialSteps returns the steps of a batch of batch trials padded to steps
// that are within the trials' lengths (steps·batch when lengths is empty).
func trialSteps(lengths []int, steps, batch int) int {
	if len(lengths) == 0 {
		return steps * batch
	}
	n := 0
	for _, l := range lengths {
		n += min(max(l, 0), steps)
	}
	return n
}

func (r Regularization) weightTerms() bool {
	return r.L1In != 0 || r.L1Rec != 0 || r.L1Out != 0 || r.L2In != 0 || r.L2Rec != 0 || r.L2Out != 0
}

// ApplyWeightPenalties adds the gradients of the weight penalties of r to
// the Grad buffers of the input, recurrent and output weight groups and
// returns the penalties' value. Frozen parameters are skipped (they cannot
// move). It allocates nothing.
func (r Regularization) ApplyWeightPenalties(in, rec, out []*autodiff.Param[float32]) float64 {
	if !r.weightTerms() {
		return 0
	}
	return penalize(in, r.L1In, r.L2In) + penalize(rec, r.L1Rec, r.L2Rec) + penalize(out, r.L1Out, r.L2Out)
}

func penalize(ps []*autodiff.Param[float32], l1, l2 float64) float64 {
	if l1 == 0 && l2 == 0 {
		return 0
	}
	var total float64
	for _, p := range ps {
		if p.Frozen {
			continue
		}
		n := float64(p.Value.Len())
		c1, c2 := float32(l1/n), float32(2*l2/n)
		var a, s float64
		for k, w := range p.Value.Data {
			a += math.Abs(float64(w))
			s += float64(w) * float64(w)
			var sg float32
			switch {
			case w > 0:
				sg = 1
			case w < 0:
				sg = -1
			}
			p.Grad.Data[k] += c1*sg + c2*w
		}
		total += l1*a/n + l2*s/n
	}
	return total
}
