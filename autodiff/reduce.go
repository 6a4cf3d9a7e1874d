package autodiff

import "fmt"

// Sum returns the sum of all elements of a as a 1×1 tensor.
func Sum[T Float](a *Var[T]) *Var[T] { return reduceAll(opSum, a, 1) }

// Mean returns the mean of all elements of a as a 1×1 tensor. It panics if a
// is empty.
func Mean[T Float](a *Var[T]) *Var[T] {
	if a.Value.Len() == 0 {
		panic(fmt.Sprintf("autodiff: Mean of an empty tensor %v", a.Value.Shape()))
	}
	return reduceAll(opMean, a, 1/T(a.Value.Len()))
}

func reduceAll[T Float](op opcode, a *Var[T], f T) *Var[T] {
	nd, out := a.tape.record(op, 1, 1, a)
	nd.scalar = f
	var s T
	for _, v := range a.Value.Data {
		s += v
	}
	out.Value.Data[0] = f * s
	return out
}

// SumAxis sums a along one axis: axis 0 sums over rows and returns [1, cols];
// axis 1 sums over columns and returns [rows, 1]. It panics for any other
// axis.
func SumAxis[T Float](a *Var[T], axis int) *Var[T] { return reduceAxis(opSumAxis, a, axis) }

// MeanAxis is SumAxis divided by the number of elements summed (rows for
// axis 0, cols for axis 1). It panics for any other axis or if that number
// is zero.
func MeanAxis[T Float](a *Var[T], axis int) *Var[T] { return reduceAxis(opMeanAxis, a, axis) }

func reduceAxis[T Float](op opcode, a *Var[T], axis int) *Var[T] {
	r, c := a.Value.Rows, a.Value.Cols
	var n int // elements summed into each output
	switch axis {
	case 0:
		n = r
	case 1:
		n = c
	default:
		panic(fmt.Sprintf("autodiff: %v axis %d of %v: axis must be 0 (rows) or 1 (columns)", op, axis, a.Value.Shape()))
	}
	f := T(1)
	if op == opMeanAxis {
		if n == 0 {
			panic(fmt.Sprintf("autodiff: %v axis %d of empty %v", op, axis, a.Value.Shape()))
		}
		f = 1 / T(n)
	}
	var nd *node[T]
	var out *Var[T]
	if axis == 0 {
		nd, out = a.tape.record(op, 1, c, a)
	} else {
		nd, out = a.tape.record(op, r, 1, a)
	}
	nd.i0, nd.scalar = axis, f
	y := out.Value.Data
	clear(y)
	for i := range r {
		row := a.Value.Data[i*c : (i+1)*c]
		if axis == 0 {
			for j, v := range row {
				y[j] += v
			}
			continue
		}
		var s T
		for _, v := range row {
			s += v
		}
		y[i] = s
	}
	for k := range y {
		y[k] *= f
	}
	return out
}

// Concat joins its inputs along the feature (column) axis: the result is
// [rows, Σ cols], with the columns of vs[0] first. It panics if vs is empty,
// has more than 12 inputs, or the inputs' row counts differ.
func Concat[T Float](vs ...*Var[T]) *Var[T] {
	if len(vs) == 0 || len(vs) > maxInputs {
		panic(fmt.Sprintf("autodiff: Concat of %d inputs, need 1 to %d", len(vs), maxInputs))
	}
	rows, cols := vs[0].Value.Rows, 0
	for _, v := range vs {
		if v.Value.Rows != rows {
			panic(fmt.Sprintf("autodiff: shape mismatch in Concat: %v vs %v (row counts differ)", vs[0].Value.Shape(), v.Value.Shape()))
		}
		cols += v.Value.Cols
	}
	_, out := vs[0].tape.record(opConcat, rows, cols, vs...)
	off := 0
	for _, v := range vs {
		c := v.Value.Cols
		for i := range rows {
			copy(out.Value.Data[i*cols+off:i*cols+off+c], v.Value.Data[i*c:(i+1)*c])
		}
		off += c
	}
	return out
}

// Slice returns columns [from, to) of a, as a new [rows, to−from] tensor.
// It panics unless 0 ≤ from ≤ to ≤ cols.
func Slice[T Float](a *Var[T], from, to int) *Var[T] {
	r, c := a.Value.Rows, a.Value.Cols
	if from < 0 || to < from || to > c {
		panic(fmt.Sprintf("autodiff: Slice columns [%d, %d) out of range for %v", from, to, a.Value.Shape()))
	}
	w := to - from
	nd, out := a.tape.record(opSlice, r, w, a)
	nd.i0, nd.i1 = from, to
	for i := range r {
		copy(out.Value.Data[i*w:(i+1)*w], a.Value.Data[i*c+from:i*c+to])
	}
	return out
}
