package layers

import "github.com/rnntrain/rnntrain/autodiff"

var _ StepMap[float64] = (*Leaky[float64])(nil)

// weightsRef records the effective W_rec [N×N], W_in [N×I] and the bias
// [1×N] (the sum of torch's two) with primitive ops.
func (l *Leaky[T]) weightsRef(tp *autodiff.Tape[T]) (wRec, wIn, bias *autodiff.Var[T]) {
	wRec = effectiveRef(tp, tp.Param(l.wRec.p), &l.wRec.c)
	wIn = effectiveRef(tp, tp.Param(l.wIn.p), &l.wIn.c)
	bias = tp.Param(l.bias[0])
	for _, b := range l.bias[1:] {
		bias = autodiff.Add(bias, tp.Param(b))
	}
	return wRec, wIn, bias
}

// Step implements StepMap. Under state integration s is x and
//
//	F(x, u) = (1−α) x + α (W_rec φ(x) + W_in u + b);
//
// under rate integration s is r and F(r, u) = (1−α) r + α φ(W_rec r + W_in u + b).
func (l *Leaky[T]) Step(tp *autodiff.Tape[T], s, u *autodiff.Var[T]) *autodiff.Var[T] {
	cfg := &l.cfg
	CheckStep("Leaky", s, u, cfg.Units, cfg.Inputs)
	wRec, wIn, bias := l.weightsRef(tp)
	state := cfg.Integration == IntegrateState
	r := s
	if state {
		r = activationRef(tp, cfg.Activation, s)
	}
	pre := autodiff.Add(autodiff.MatMul(r, false, wRec, true), bias)
	if cfg.Inputs > 0 {
		pre = autodiff.Add(pre, autodiff.MatMul(u, false, wIn, true))
	}
	if !state {
		pre = activationRef(tp, cfg.Activation, pre)
	}
	return autodiff.Add(autodiff.Scale(s, T(1-cfg.Alpha)), autodiff.Scale(pre, T(cfg.Alpha)))
}

// Jacobians implements StepMap:
//
//	state integration: ∂F/∂x = (1−α) I + α W_rec diag(φ'(x)),  ∂F/∂u = α W_in
//	rate integration:  ∂F/∂r = (1−α) I + α diag(φ'(p)) W_rec,  ∂F/∂u = α diag(φ'(p)) W_in
//
// with p = W_rec r + W_in u + b.
func (l *Leaky[T]) Jacobians(js, ju, s, u []float64) {
	cfg := &l.cfg
	n, in, a := cfg.Units, cfg.Inputs, cfg.Alpha
	CheckJacobians("Leaky", js, ju, s, u, n, in)
	w, wIn := make([]T, n*n), make([]T, n*in)
	l.EffectiveRecurrent(w)
	l.EffectiveInput(wIn)
	if cfg.Integration == IntegrateState {
		d := make([]float64, n)
		for j, v := range s {
			d[j] = cfg.Activation.Deriv(v)
		}
		for i := range n {
			for j := range n {
				js[i*n+j] = a * float64(w[i*n+j]) * d[j]
			}
			js[i*n+i] += 1 - a
			for k := range in {
				ju[i*in+k] = a * float64(wIn[i*in+k])
			}
		}
		return
	}
	for i := range n {
		p := 0.0
		for _, b := range l.bias {
			p += float64(b.Value.Data[i])
		}
		for j, v := range s {
			p += float64(w[i*n+j]) * v
		}
		for k, v := range u {
			p += float64(wIn[i*in+k]) * v
		}
		d := a * cfg.Activation.Deriv(p)
		for j := range n {
			js[i*n+j] = d * float64(w[i*n+j])
		}
		js[i*n+i] += 1 - a
		for k := range in {
			ju[i*in+k] = d * float64(wIn[i*in+k])
		}
	}
}
