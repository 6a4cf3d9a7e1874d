package main

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/internal/npy"
)

// readInputs reads a user's input array [trials, T, nIn] from an .npy file
// (float32 or float64, C order). The header is checked against the file's
// size before anything is allocated; the errors begin with the flag,
// -inputs, and name the file and the expected shape.
func readInputs(path string, nIn int) (x []float32, trials, T int, err error) {
	want := fmt.Sprintf("[trials, T, %d] (float32 or float64)", nIn)
	a, err := npy.ReadFile(path)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("-inputs: %w; want an array %s", err, want)
	}
	shape := a.Shape
	if len(shape) != 3 || shape[2] != nIn || shape[0] < 1 || shape[1] < 1 {
		return nil, 0, 0, fmt.Errorf("-inputs %s: shape %v, want %s", path, shape, want)
	}
	at := func(i int) string {
		n, rem := i/(shape[1]*nIn), i%(shape[1]*nIn)
		return fmt.Sprintf("[%d, %d, %d]", n, rem/nIn, rem%nIn)
	}
	for i, v := range a.F64 { // before float32 turns it into an infinity
		if math.Abs(v) > math.MaxFloat32 && !math.IsInf(v, 0) {
			return nil, 0, 0, fmt.Errorf("-inputs %s: value %v at %s is beyond the range of float32 (±%.3g), in which the network runs", path, v, at(i), math.MaxFloat32)
		}
	}
	x = a.Float32()
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, 0, 0, fmt.Errorf("-inputs %s: non-finite value %v at %s", path, v, at(i))
		}
	}
	return x, shape[0], shape[1], nil
}
