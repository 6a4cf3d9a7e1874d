package autodiff

import (
	"fmt"

	"github.com/rnntrain/rnntrain/internal/kernels"
)

// opcode names a primitive op; backward dispatches on it.
type opcode uint8

const (
	opInvalid opcode = iota
	opFused
	opMatMul
	opAdd
	opSub
	opMul
	opDiv
	opScale
	opTanh
	opSigmoid
	opReLU
	opSoftplus
	opExp
	opLog
	opSquare
	opAbs
	opSpike
	opSum
	opMean
	opSumAxis
	opMeanAxis
	opConcat
	opSlice
	opMaskedMSE
	opMaskedSoftmaxCE
	numOps
)

// opNames returns each opcode's name, for messages. It is a function, not
// a package-level table, so that the package has no mutable state.
func opNames() [numOps]string {
	return [numOps]string{
		opInvalid:         "invalid",
		opFused:           "Fused",
		opMatMul:          "MatMul",
		opAdd:             "Add",
		opSub:             "Sub",
		opMul:             "Mul",
		opDiv:             "Div",
		opScale:           "Scale",
		opTanh:            "Tanh",
		opSigmoid:         "Sigmoid",
		opReLU:            "ReLU",
		opSoftplus:        "Softplus",
		opExp:             "Exp",
		opLog:             "Log",
		opSquare:          "Square",
		opAbs:             "Abs",
		opSpike:           "Spike",
		opSum:             "Sum",
		opMean:            "Mean",
		opSumAxis:         "SumAxis",
		opMeanAxis:        "MeanAxis",
		opConcat:          "Concat",
		opSlice:           "Slice",
		opMaskedMSE:       "MaskedMSE",
		opMaskedSoftmaxCE: "MaskedSoftmaxCE",
	}
}

func (o opcode) String() string {
	if o < numOps && opNames()[o] != "" {
		return opNames()[o]
	}
	return fmt.Sprintf("opcode(%d)", int(o))
}

// MatMul returns op(a)·op(b), where op(x) is x, or xᵀ when the matching
// trans flag is set: op(a) is [m, k], op(b) is [k, n] and the result is
// [m, n]. Transposes are never materialised; the flags go to the GEMM
// kernel (kernels.Gemm) in the forward and in both reverse products. It
// panics, naming both shapes and the flags, if the inner dimensions differ.
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

// bcast says how the second operand b of an element-wise binary op lines up
// with the first, a: a's data is walked as runs of width elements, and run r
// pairs with b's data at offset r·step, either element by element (a vector
// of width elements) or as one scalar for the whole run.
//
//	b's shape      runs   width   step  scalar
//	a's shape      1      len(a)  0     no
//	[1, cols]      rows   cols    0     no
//	[rows, 1]      rows   cols    1     yes
//	[1, 1]         1      len(a)  0     yes
type bcast struct {
	runs, width, step int
	scalar            bool
}

// same reports whether b has a's shape (nothing to undo in the backward).
func (bc bcast) same() bool { return bc.runs == 1 && !bc.scalar }

// broadcastOf returns how b broadcasts against a, or panics naming op and
// both shapes.
func broadcastOf[T Float](op opcode, a, b Tensor[T]) bcast {
	switch {
	case a.SameShape(b):
		return bcast{runs: 1, width: a.Len()}
	case b.Rows == 1 && b.Cols == 1:
		return bcast{runs: 1, width: a.Len(), scalar: true}
	case b.Rows == 1 && b.Cols == a.Cols:
		return bcast{runs: a.Rows, width: a.Cols}
	case b.Cols == 1 && b.Rows == a.Rows:
		return bcast{runs: a.Rows, width: a.Cols, step: 1, scalar: true}
	}
	panic(fmt.Sprintf("autodiff: shape mismatch in %v: %v vs %v (second operand must be %v, [1 %d], [%d 1] or [1 1])",
		op, a.Shape(), b.Shape(), a.Shape(), a.Cols, a.Rows))
}

// accBroadcast adds sign·g, shaped like the first operand, into gb, the
// gradient of a second operand broadcast as bc: it sums over the broadcast
// dimensions. It is the one place broadcasting is undone.
func accBroadcast[T Float](gb, g []T, bc bcast, sign T) {
	w := bc.width
	for r := range bc.runs {
		run := g[r*w : (r+1)*w]
		if bc.scalar {
			var s T
			for _, v := range run {
				s += v
			}
			gb[r*bc.step] += sign * s
			continue
		}
		dst := gb[:w]
		for j, v := range run {
			dst[j] += sign * v
		}
	}
}

// binary records the element-wise op(a, b) with b broadcast as bc.
func binary[T Float](op opcode, a, b *Var[T]) *Var[T] {
	bc := broadcastOf(op, a.Value, b.Value)
	_, out := a.tape.record(op, a.Value.Rows, a.Value.Cols, a, b)
	w := bc.width
	for r := range bc.runs {
		x, y := a.Value.Data[r*w:(r+1)*w], out.Value.Data[r*w:(r+1)*w]
		if bc.scalar {
			s := b.Value.Data[r*bc.step]
			switch op {
			case opAdd:
				for j, v := range x {
					y[j] = v + s
				}
			case opSub:
				for j, v := range x {
					y[j] = v - s
				}
			case opMul:
				for j, v := range x {
					y[j] = v * s
				}
			case opDiv:
				for j, v := range x {
					y[j] = v / s
				}
			}
			continue
		}
		z := b.Value.Data[:w]
		switch op {
		case opAdd:
			for j, v := range x {
				y[j] = v + z[j]
			}
		case opSub:
			for j, v := range x {
				y[j] = v - z[j]
			}
		case opMul:
			for j, v := range x {
				y[j] = v * z[j]
			}
		case opDiv:
			for j, v := range x {
				y[j] = v / z[j]
			}
		}
	}
	return out
}

// Add returns a + b. The second operand broadcasts as a bias: b has a's
// shape, or is a [1, cols] row added to every row, a [rows, 1] column added
// to every column, or a [1, 1] scalar. The result has a's shape. It panics,
// naming both shapes, for any other b.
func Add[T Float](a, b *Var[T]) *Var[T] { return binary(opAdd, a, b) }

// Sub returns a − b, with b broadcast as in Add.
func Sub[T Float](a, b *Var[T]) *Var[T] { return binary(opSub, a, b) }

// Mul returns the element-wise product a⊙b, with b broadcast as in Add.
func Mul[T Float](a, b *Var[T]) *Var[T] { return binary(opMul, a, b) }

// Div returns the element-wise quotient a⊘b, with b broadcast as in Add.
// A zero in b gives ±Inf or NaN, as in IEEE arithmetic; Div does not check.
func Div[T Float](a, b *Var[T]) *Var[T] { return binary(opDiv, a, b) }

// Scale returns c·a for a constant scalar c (no gradient flows to c).
func Scale[T Float](a *Var[T], c T) *Var[T] {
	nd, out := a.tape.record(opScale, a.Value.Rows, a.Value.Cols, a)
	nd.scalar = c
	for k, v := range a.Value.Data {
		out.Value.Data[k] = c * v
	}
	return out
}
