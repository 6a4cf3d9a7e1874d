package autodiff

import "fmt"

// Float is the set of element types the engine computes in: float32 for
// training, float64 for gradient checks.
type Float interface{ ~float32 | ~float64 }

// Tensor is a dense row-major matrix: element (i, j) is Data[i*Cols+j].
// Sequences are stored time-major as [T·B, dim] tensors, so that the rows of
// time step t are rows t·B … t·B+B−1.
//
// A Tensor is a view: copying it copies the header, not the data.
type Tensor[T Float] struct {
	Rows, Cols int
	Data       []T
}

// NewTensor returns a zeroed rows×cols tensor. It panics if a dimension is
// negative.
func NewTensor[T Float](rows, cols int) Tensor[T] {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("autodiff: NewTensor negative shape [%d %d]", rows, cols))
	}
	return Tensor[T]{Rows: rows, Cols: cols, Data: make([]T, rows*cols)}
}

// FromSlice returns a rows×cols tensor viewing data, which it does not copy.
// It panics if len(data) != rows·cols.
func FromSlice[T Float](rows, cols int, data []T) Tensor[T] {
	if rows < 0 || cols < 0 || len(data) != rows*cols {
		panic(fmt.Sprintf("autodiff: FromSlice shape [%d %d] needs %d elements, got %d", rows, cols, rows*cols, len(data)))
	}
	return Tensor[T]{Rows: rows, Cols: cols, Data: data}
}

// At returns element (i, j).
func (t Tensor[T]) At(i, j int) T { return t.Data[i*t.Cols+j] }

// Set sets element (i, j) to v.
func (t Tensor[T]) Set(i, j int, v T) { t.Data[i*t.Cols+j] = v }

// Len returns Rows·Cols.
func (t Tensor[T]) Len() int { return t.Rows * t.Cols }

// SameShape reports whether t and u have the same rows and columns.
func (t Tensor[T]) SameShape(u Tensor[T]) bool { return t.Rows == u.Rows && t.Cols == u.Cols }

// Shape returns the shape as [rows cols], for messages.
func (t Tensor[T]) Shape() [2]int { return [2]int{t.Rows, t.Cols} }

// RowSlice returns the view of rows [from, to), [to−from, Cols]: it shares
// t's Data and does not copy. It panics unless 0 ≤ from ≤ to ≤ t.Rows.
func (t Tensor[T]) RowSlice(from, to int) Tensor[T] {
	if from < 0 || to < from || to > t.Rows {
		panic(fmt.Sprintf("autodiff: RowSlice [%d, %d) out of range for %v", from, to, t.Shape()))
	}
	return Tensor[T]{Rows: to - from, Cols: t.Cols, Data: t.Data[from*t.Cols : to*t.Cols]}
}

// Clone returns a deep copy of t.
func (t Tensor[T]) Clone() Tensor[T] {
	return Tensor[T]{Rows: t.Rows, Cols: t.Cols, Data: append([]T(nil), t.Data...)}
}

// CopyFrom copies u's data into t. It panics if the shapes differ.
func (t Tensor[T]) CopyFrom(u Tensor[T]) {
	if !t.SameShape(u) {
		panic(fmt.Sprintf("autodiff: CopyFrom shape mismatch %v vs %v", t.Shape(), u.Shape()))
	}
	copy(t.Data, u.Data)
}

// Zero sets every element of t to zero.
func (t Tensor[T]) Zero() { clear(t.Data) }
