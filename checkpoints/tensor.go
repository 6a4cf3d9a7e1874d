package checkpoints

import (
	"fmt"
	"math"
	"unsafe"
)

// DType is the element type of a stored tensor. Its text form is the
// safetensors dtype string ("F32", "F64").
type DType uint8

// The element types a checkpoint holds. Both are IEEE 754 little-endian.
const (
	F32 DType = iota + 1 // float32, 4 bytes
	F64                  // float64, 8 bytes
)

// String returns the safetensors dtype string, or "DType(n)" for an invalid
// value.
func (d DType) String() string {
	switch d {
	case F32:
		return "F32"
	case F64:
		return "F64"
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

// Size returns the number of bytes of one element, or 0 for an invalid DType.
func (d DType) Size() int {
	switch d {
	case F32:
		return 4
	case F64:
		return 8
	}
	return 0
}

// MarshalText implements encoding.TextMarshaler. It fails for an invalid
// DType.
func (d DType) MarshalText() ([]byte, error) {
	if d.Size() == 0 {
		return nil, fmt.Errorf("checkpoints: invalid dtype %d", uint8(d))
	}
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler. It accepts "F32" and
// "F64" only; the other safetensors dtypes (F16, BF16, I64, ...) are refused
// with a message listing the accepted ones.
func (d *DType) UnmarshalText(b []byte) error {
	switch string(b) {
	case "F32":
		*d = F32
	case "F64":
		*d = F64
	default:
		return fmt.Errorf("unsupported dtype %q: rnntrain reads F32 and F64", b)
	}
	return nil
}

// Tensor is one named array in a checkpoint: Shape gives its dimensions and
// exactly one of F32 or F64 holds its elements in row-major (C) order, with
// len equal to the product of Shape (1 for a scalar, Shape empty). For a
// tensor with no elements the set slice is empty but non-nil, so that its
// dtype is still known.
//
// A Tensor owns its slices: Load and FromParams return fresh copies that
// alias nothing else.
type Tensor struct {
	Name  string
	Shape []int
	F32   []float32
	F64   []float64
}

// NewTensor returns a tensor named name of the given shape holding a copy of
// data, stored as F32 when T's underlying type is float32 and as F64 when it
// is float64. It panics if len(data) differs from the product of shape or a
// dimension is negative.
func NewTensor[T ~float32 | ~float64](name string, shape []int, data []T) Tensor {
	n, ok := numElements(shape)
	if !ok || n != len(data) {
		panic(fmt.Sprintf("checkpoints: NewTensor %s shape %v needs %d elements, got %d", name, shape, n, len(data)))
	}
	t := Tensor{Name: name, Shape: append([]int{}, shape...)}
	if isFloat32[T]() {
		t.F32 = make([]float32, n)
		for i, v := range data {
			t.F32[i] = float32(v)
		}
	} else {
		t.F64 = make([]float64, n)
		for i, v := range data {
			t.F64[i] = float64(v)
		}
	}
	return t
}

// isFloat32 reports whether T's underlying type is float32.
func isFloat32[T ~float32 | ~float64]() bool {
	var zero T
	return unsafe.Sizeof(zero) == 4
}

// dtypeOf returns the DType stored for element type T.
func dtypeOf[T ~float32 | ~float64]() DType {
	if isFloat32[T]() {
		return F32
	}
	return F64
}

// DType returns the tensor's element type: F32 if F32 is non-nil, F64 if F64
// is non-nil, and 0 (invalid) if neither or both are set.
func (t *Tensor) DType() DType {
	switch {
	case t.F32 != nil && t.F64 == nil:
		return F32
	case t.F64 != nil && t.F32 == nil:
		return F64
	}
	return 0
}

// Len returns the number of stored elements.
func (t *Tensor) Len() int { return len(t.F32) + len(t.F64) }

// check reports what is wrong with t as a tensor to save: its name, dtype
// and element count.
func (t *Tensor) check() error {
	switch {
	case t.Name == "":
		return fmt.Errorf("tensor with shape %v has an empty name", t.Shape)
	case t.Name == metadataKey:
		return fmt.Errorf("tensor name %q is reserved by safetensors", t.Name)
	case t.DType() == 0:
		return fmt.Errorf("tensor %s must set exactly one of F32 and F64", t.Name)
	}
	n, ok := numElements(t.Shape)
	if !ok {
		return fmt.Errorf("tensor %s has invalid shape %v", t.Name, t.Shape)
	}
	if n != t.Len() {
		return fmt.Errorf("tensor %s: shape %v needs %d elements, has %d", t.Name, t.Shape, n, t.Len())
	}
	return nil
}

// numElements returns the product of shape, and false if a dimension is
// negative or the product overflows.
func numElements(shape []int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		if d != 0 && n > maxElements/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// maxElements bounds the element count of one tensor so that its size
// in bytes fits in an int.
const maxElements = math.MaxInt / 8
