package autodiff

import (
	"fmt"

	"github.com/rnntrain/rnntrain/autodiff/surrogate"
)

// Spike returns the Heaviside step of v element-wise: 1 where v > 0, else
// 0. v is the distance to threshold, U − ϑ, already subtracted by the
// caller. The step's true derivative is zero almost everywhere, so the
// reverse rule uses the surrogate instead: dL/dv = dL/dS · s.Deriv(v).
//
// Converting a surrogate built from run-time values, such as
// surrogate.ArcTan{Alpha: cfg.Alpha}, to the interface allocates; do it once
// (hold the Surrogate in a field) rather than on every call. Literals with
// constant fields, and zero values, do not allocate. It panics if s is nil.
func Spike[T Float](v *Var[T], s surrogate.Surrogate) *Var[T] {
	if s == nil {
		panic(fmt.Sprintf("autodiff: Spike of %v with a nil surrogate", v.Value.Shape()))
	}
	nd, out := v.tape.record(opSpike, v.Value.Rows, v.Value.Cols, v)
	nd.sur = s
	y := out.Value.Data[:len(v.Value.Data)]
	for k, x := range v.Value.Data {
		y[k] = 0
		if x > 0 {
			y[k] = 1
		}
	}
	return out
}
