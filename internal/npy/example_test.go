package npy_test

import (
	"bytes"
	"fmt"

	"github.com/rnntrain/rnntrain/internal/npy"
)

// Example writes a 2×3 float32 array as .npy bytes, as numpy.save does, and
// reads it back.
func Example() {
	var buf bytes.Buffer
	a := npy.Array{Shape: []int{2, 3}, F32: []float32{1, 2, 3, 4, 5, 6}}
	if err := npy.Encode(&buf, a); err != nil {
		fmt.Println(err)
		return
	}
	b, err := npy.Decode(&buf, int64(buf.Len()))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.Shape, b.F32)
	fmt.Println("element (1, 2):", b.F32[1*3+2]) // C order
	// Output:
	// [2 3] [1 2 3 4 5 6]
	// element (1, 2): 6
}

// ExampleArchiveWriter writes an .npz archive in memory, as numpy.savez
// does, and reads its members by name.
func ExampleArchiveWriter() {
	var buf bytes.Buffer
	w := npy.NewArchiveWriter(&buf)
	if err := w.Add("x", npy.Array{Shape: []int{3}, F64: []float64{0.5, 1, 1.5}}); err != nil {
		fmt.Println(err)
		return
	}
	if err := w.AddValue("labels", [][]int64{{1, 0}, {0, 1}}); err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
		return
	}

	ar, err := npy.NewArchive(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "mem.npz")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ar.Names())
	x, _ := ar.Read("x")
	fmt.Println("x", x.Shape, x.F64)
	if _, err := ar.Read("labels"); err != nil {
		fmt.Println(err) // Read takes floats and bools only
	}
	labels, _ := ar.ReadNumeric("labels")
	fmt.Println("labels", labels.Shape, labels.F64)
	// Output:
	// [labels x]
	// x [3] [0.5 1 1.5]
	// mem.npz: array labels: dtype <i8 is not supported; want float32 (<f4), float64 (<f8) or bool (|b1)
	// labels [2 2] [1 0 0 1]
}
