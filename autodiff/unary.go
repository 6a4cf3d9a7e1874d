package autodiff

import "math"

// unary records the element-wise op(a). The math runs in float64 for both
// element types; each op is one tight loop.
func unary[T Float](op opcode, a *Var[T]) *Var[T] {
	_, out := a.tape.record(op, a.Value.Rows, a.Value.Cols, a)
	x, y := a.Value.Data, out.Value.Data[:len(a.Value.Data)]
	switch op {
	case opTanh:
		for k, v := range x {
			y[k] = T(math.Tanh(float64(v)))
		}
	case opSigmoid:
		for k, v := range x {
			y[k] = T(sigmoid(float64(v)))
		}
	case opReLU:
		for k, v := range x {
			y[k] = max(v, 0)
		}
	case opSoftplus:
		for k, v := range x {
			f := float64(v)
			y[k] = T(max(f, 0) + math.Log1p(math.Exp(-math.Abs(f))))
		}
	case opExp:
		for k, v := range x {
			y[k] = T(math.Exp(float64(v)))
		}
	case opLog:
		for k, v := range x {
			y[k] = T(math.Log(float64(v)))
		}
	case opSquare:
		for k, v := range x {
			y[k] = v * v
		}
	case opAbs:
		for k, v := range x {
			y[k] = T(math.Abs(float64(v)))
		}
	}
	return out
}

// sigmoid is 1/(1+e^−x), evaluated without overflow for large |x|.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Tanh returns tanh(a) element-wise.
func Tanh[T Float](a *Var[T]) *Var[T] { return unary(opTanh, a) }

// Sigmoid returns the logistic function σ(a) = 1/(1+e^−a) element-wise.
func Sigmoid[T Float](a *Var[T]) *Var[T] { return unary(opSigmoid, a) }

// ReLU returns max(a, 0) element-wise. Its gradient at exactly 0 is taken
// as 0.
func ReLU[T Float](a *Var[T]) *Var[T] { return unary(opReLU, a) }

// Softplus returns log(1+e^a) element-wise, computed as
// max(a,0) + log1p(e^−|a|) so that it neither overflows nor loses precision.
// Its derivative is σ(a).
func Softplus[T Float](a *Var[T]) *Var[T] { return unary(opSoftplus, a) }

// Exp returns e^a element-wise.
func Exp[T Float](a *Var[T]) *Var[T] { return unary(opExp, a) }

// Log returns the natural logarithm of a element-wise. Non-positive
// elements give −Inf or NaN, as in package math; Log does not check.
func Log[T Float](a *Var[T]) *Var[T] { return unary(opLog, a) }

// Square returns a⊙a element-wise.
func Square[T Float](a *Var[T]) *Var[T] { return unary(opSquare, a) }

// Abs returns |a| element-wise. Its gradient at exactly 0 is taken as 0.
func Abs[T Float](a *Var[T]) *Var[T] { return unary(opAbs, a) }
