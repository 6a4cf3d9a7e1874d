package autodiff

import (
	"fmt"
	"math"
)

// MaskedMSE returns the mask-weighted mean squared error between pred and
// target as a 1×1 tensor:
//
//	L = Σ_ij m_ij·(p_ij − t_ij)² / Σ_ij m_ij
//
// The normaliser is the total mask weight over pred's shape (with mask
// broadcast), so with a 0/1 mask L is the mean over the scored elements and
// does not depend on how many elements are masked out. If the mask sums to
// 0, no element is scored: L is 0 and the gradient is 0. Elements of zero
// weight are skipped, not multiplied by 0, so their targets (and
// predictions) may be NaN.
//
// target has pred's shape. mask holds weights ≥ 0 (usually 0 or 1) and
// broadcasts as in Add: pred's shape, [1, cols], [rows, 1] (one weight per
// row, e.g. per time step and trial) or [1, 1]. target and mask are
// constants: no gradient flows to them. The tape aliases both, so the caller
// must not change them before Backward. It panics, naming the shapes, if
// target or mask does not fit pred.
func MaskedMSE[T Float](pred *Var[T], target, mask Tensor[T]) *Var[T] {
	if !pred.Value.SameShape(target) {
		panic(fmt.Sprintf("autodiff: shape mismatch in MaskedMSE: pred %v vs target %v", pred.Value.Shape(), target.Shape()))
	}
	bc := broadcastOf(opMaskedMSE, pred.Value, mask)
	tp := pred.tape
	nd, out := tp.record(opMaskedMSE, 1, 1, pred, tp.Const(target), tp.Const(mask))
	// Sums run in float64 so that long float32 sequences keep their precision.
	w := bc.width
	var num, den float64
	for r := range bc.runs {
		p, t := pred.Value.Data[r*w:(r+1)*w], target.Data[r*w:(r+1)*w]
		if bc.scalar {
			m := float64(mask.Data[r*bc.step])
			if m == 0 {
				continue
			}
			var s float64
			for j, v := range p {
				d := float64(v - t[j])
				s += d * d
			}
			num += m * s
			den += m * float64(w)
			continue
		}
		m := mask.Data[:w]
		for j, v := range p {
			if m[j] != 0 {
				d := float64(v - t[j])
				num += float64(m[j]) * d * d
				den += float64(m[j])
			}
		}
	}
	out.Value.Data[0] = 0
	if den != 0 {
		nd.scalar = T(1 / den)
		out.Value.Data[0] = T(num / den)
	}
	return out
}

// MaskedSoftmaxCE returns the mask-weighted mean cross-entropy between the
// softmax of each row of logits and the matching row of target, as a 1×1
// tensor:
//
//	L = Σ_i m_i·(−Σ_j t_ij·log softmax(z_i)_j) / Σ_i m_i
//
// The softmax runs over the columns (classes) of each row, through a
// log-sum-exp shifted by the row's maximum, so large logits neither overflow
// nor lose precision. target rows are probabilities (one-hot or soft); the
// normaliser is the total row weight, so with a 0/1 mask L is the mean over
// the scored rows. If the mask sums to 0, L is 0 and the gradient is 0.
// Rows of zero weight are skipped, so their targets may be NaN.
//
// target has logits' shape; mask is [rows, 1] (one weight ≥ 0 per row) or
// [1, 1]. target and mask are constants: no gradient flows to them. The tape
// aliases both, so the caller must not change them before Backward. It
// panics, naming the shapes, if target or mask does not fit logits.
func MaskedSoftmaxCE[T Float](logits *Var[T], target, mask Tensor[T]) *Var[T] {
	z := logits.Value
	if !z.SameShape(target) {
		panic(fmt.Sprintf("autodiff: shape mismatch in MaskedSoftmaxCE: logits %v vs target %v", z.Shape(), target.Shape()))
	}
	if mask.Cols != 1 || (mask.Rows != z.Rows && mask.Rows != 1) {
		panic(fmt.Sprintf("autodiff: shape mismatch in MaskedSoftmaxCE: logits %v vs mask %v (mask must be [%d 1] or [1 1])", z.Shape(), mask.Shape(), z.Rows))
	}
	tp := logits.tape
	nd, out := tp.record(opMaskedSoftmaxCE, 1, 1, logits, tp.Const(target), tp.Const(mask))
	// The softmax probabilities are kept for the reverse rule.
	nd.aux = tp.Alloc(z.Rows, z.Cols)
	step := 0
	if mask.Rows == z.Rows {
		step = 1
	}
	c := z.Cols
	var num, den float64
	for i := range z.Rows {
		m := float64(mask.Data[i*step])
		den += m
		zr, tr, pr := z.Data[i*c:(i+1)*c], target.Data[i*c:(i+1)*c], nd.aux.Data[i*c:(i+1)*c]
		mx := math.Inf(-1)
		for _, v := range zr {
			mx = max(mx, float64(v))
		}
		var s float64
		for j, v := range zr {
			e := math.Exp(float64(v) - mx)
			pr[j] = T(e)
			s += e
		}
		lse := mx + math.Log(s)
		var ce float64
		for j, v := range zr {
			pr[j] = T(float64(pr[j]) / s)
			if t := float64(tr[j]); t != 0 {
				ce -= t * (float64(v) - lse)
			}
		}
		if m != 0 {
			num += m * ce
		}
	}
	if den != 0 {
		nd.scalar = T(1 / den)
		out.Value.Data[0] = T(num / den)
	} else {
		out.Value.Data[0] = 0
	}
	return out
}
