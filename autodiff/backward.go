package autodiff

import (
	"fmt"

	"github.com/rnntrain/rnntrain/internal/kernels"
)

// backward applies the reverse rule of one primitive node: it accumulates
// into each input's Grad the contribution of n.out.Grad. All rules live here.
func backward[T Float](n *node[T]) {
	g := n.out.Grad
	a := n.in[0]
	var b *Var[T]
	if n.nIn > 1 {
		b = n.in[1]
	}
	switch n.op {
	case opMatMul:
		// C = op(A)·op(B).
		ta, tb := n.b0, n.b1
		m, nn := n.out.Value.Rows, n.out.Value.Cols
		k := a.Value.Cols
		if ta {
			k = a.Value.Rows
		}
		if a.needsGrad {
			ga := a.Grad
			if !ta { // dA = dC·op(B)ᵀ  (m×k)
				kernels.Gemm(false, !tb, m, k, nn, 1, g.Data, nn, b.Value.Data, b.Value.Cols, 1, ga.Data, ga.Cols)
			} else { // A is k×m: dA = op(B)·dCᵀ
				kernels.Gemm(tb, true, k, m, nn, 1, b.Value.Data, b.Value.Cols, g.Data, nn, 1, ga.Data, ga.Cols)
			}
		}
		if b.needsGrad {
			gb := b.Grad
			if !tb { // dB = op(A)ᵀ·dC  (k×n)
				kernels.Gemm(!ta, false, k, nn, m, 1, a.Value.Data, a.Value.Cols, g.Data, nn, 1, gb.Data, gb.Cols)
			} else { // B is n×k: dB = dCᵀ·op(A)
				kernels.Gemm(true, ta, nn, k, m, 1, g.Data, nn, a.Value.Data, a.Value.Cols, 1, gb.Data, gb.Cols)
			}
		}
	case opAdd:
		if a.needsGrad {
			for k, v := range g.Data {
				a.Grad.Data[k] += v
			}
		}
		if b.needsGrad {
			accBroadcast(b.Grad, g)
		}
	case opMul:
		cols := a.Value.Cols
		if a.needsGrad {
			for k, v := range g.Data {
				a.Grad.Data[k] += v * bAt(b.Value, k, cols)
			}
		}
		if b.needsGrad {
			if b.Value.SameShape(a.Value) {
				for k, v := range g.Data {
					b.Grad.Data[k] += v * a.Value.Data[k]
				}
			} else {
				// Undo the broadcast of g⊙a without a temporary: sum per column.
				for k, v := range g.Data {
					if b.Value.Cols == 1 {
						b.Grad.Data[0] += v * a.Value.Data[k]
					} else {
						b.Grad.Data[k%cols] += v * a.Value.Data[k]
					}
				}
			}
		}
	case opTanh:
		if a.needsGrad {
			y := n.out.Value.Data
			for k, v := range g.Data {
				a.Grad.Data[k] += v * (1 - y[k]*y[k])
			}
		}
	case opSum:
		if a.needsGrad {
			s := g.Data[0]
			for k := range a.Grad.Data {
				a.Grad.Data[k] += s
			}
		}
	default:
		panic(fmt.Sprintf("autodiff: no reverse rule for %v", n.op))
	}
}
