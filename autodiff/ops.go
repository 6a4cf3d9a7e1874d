package autodiff

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/internal/kernels"
)

// opcode names a primitive op; backward dispatches on it.
type opcode uint8

const (
	opInvalid opcode = iota
	opFused
	opMatMul
	opAdd
	opMul
	opTanh
	opSum
)

var opNames = [...]string{
	opInvalid: "invalid",
	opFused:   "Fused",
	opMatMul:  "MatMul",
	opAdd:     "Add",
	opMul:     "Mul",
	opTanh:    "Tanh",
	opSum:     "Sum",
}

func (o opcode) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return fmt.Sprintf("opcode(%d)", int(o))
}

// MatMul returns op(a)·op(b), where op(x) is x, or xᵀ when the matching
// trans flag is set. It panics if the inner dimensions differ.
func MatMul[T Float](a *Var[T], transA bool, b *Var[T], transB bool) *Var[T] {
	m, ka := a.Value.Rows, a.Value.Cols
	if transA {
		m, ka = ka, m
	}
	kb, n := b.Value.Rows, b.Value.Cols
	if transB {
		kb, n = n, kb
	}
	if ka != kb {
		panic(fmt.Sprintf("autodiff: shape mismatch in MatMul (transA=%v, transB=%v): %v vs %v", transA, transB, a.Value.Shape(), b.Value.Shape()))
	}
	nd, out := a.tape.record(opMatMul, m, n, a, b)
	nd.b0, nd.b1 = transA, transB
	kernels.Gemm(transA, transB, m, n, ka, 1, a.Value.Data, a.Value.Cols, b.Value.Data, b.Value.Cols, 0, out.Value.Data, n)
	return out
}

// broadcastShape checks that b can be combined element-wise with a: the
// same shape, a [1, cols] row broadcast over a's rows (a bias), or a [1, 1]
// scalar. It panics naming op and both shapes otherwise.
func broadcastShape[T Float](op opcode, a, b *Var[T]) {
	av, bv := a.Value, b.Value
	if av.SameShape(bv) || (bv.Rows == 1 && bv.Cols == av.Cols) || (bv.Rows == 1 && bv.Cols == 1) {
		return
	}
	panic(fmt.Sprintf("autodiff: shape mismatch in %v: %v vs %v (second operand must match, be [1 %d] or [1 1])", op, av.Shape(), bv.Shape(), av.Cols))
}

// bAt returns the element of the broadcast operand b matching flat index k
// of a tensor with cols columns.
func bAt[T Float](b Tensor[T], k, cols int) T {
	switch {
	case b.Rows == 1 && b.Cols == 1:
		return b.Data[0]
	case b.Rows == 1:
		return b.Data[k%cols]
	}
	return b.Data[k]
}

// accBroadcast adds g (shaped like the broadcast result) into gb, summing over
// the broadcast dimensions. It is the one place broadcasting is undone.
func accBroadcast[T Float](gb Tensor[T], g Tensor[T]) {
	switch {
	case gb.SameShape(g):
		for k, v := range g.Data {
			gb.Data[k] += v
		}
	case gb.Rows == 1 && gb.Cols == 1:
		var s T
		for _, v := range g.Data {
			s += v
		}
		gb.Data[0] += s
	default:
		for i := 0; i < g.Rows; i++ {
			row := g.Data[i*g.Cols : (i+1)*g.Cols]
			for j, v := range row {
				gb.Data[j] += v
			}
		}
	}
}

// Add returns a + b, with b broadcast as in bias addition: b has a's shape,
// or is [1, cols] (added to every row), or [1, 1]. It panics on other shapes.
func Add[T Float](a, b *Var[T]) *Var[T] {
	broadcastShape(opAdd, a, b)
	_, out := a.tape.record(opAdd, a.Value.Rows, a.Value.Cols, a, b)
	cols := a.Value.Cols
	for k, v := range a.Value.Data {
		out.Value.Data[k] = v + bAt(b.Value, k, cols)
	}
	return out
}

// Mul returns the element-wise product a⊙b, with b broadcast as in Add.
func Mul[T Float](a, b *Var[T]) *Var[T] {
	broadcastShape(opMul, a, b)
	_, out := a.tape.record(opMul, a.Value.Rows, a.Value.Cols, a, b)
	cols := a.Value.Cols
	for k, v := range a.Value.Data {
		out.Value.Data[k] = v * bAt(b.Value, k, cols)
	}
	return out
}

// Tanh returns tanh(a) element-wise.
func Tanh[T Float](a *Var[T]) *Var[T] {
	_, out := a.tape.record(opTanh, a.Value.Rows, a.Value.Cols, a)
	for k, v := range a.Value.Data {
		out.Value.Data[k] = T(math.Tanh(float64(v)))
	}
	return out
}

// Sum returns the sum of all elements of a as a 1×1 tensor.
func Sum[T Float](a *Var[T]) *Var[T] {
	_, out := a.tape.record(opSum, 1, 1, a)
	var s T
	for _, v := range a.Value.Data {
		s += v
	}
	out.Value.Data[0] = s
	return out
}
