package main

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/internal/npy"
)

// readInputs reads a user's input array [trials, T, nIn] from an .npy file
// (float32 or float64, C order). The header is checked against the file's
// size, and its shape against nIn and then by fits (the memory of what the
// caller makes of trials × T steps; nil: none), before anything is read or
// allocated; the errors begin with the flag, -inputs, and name the file and
// the expected shape (fits' are returned as they are).
func readInputs(path string, nIn int, fits func(trials, T int) error) (x []float32, trials, T int, err error) {
	want := fmt.Sprintf("[trials, T, %d] (float32 or float64)", nIn)
	var shapeErr, fitErr error
	a, err := npy.ReadFileChecked(path, func(h npy.Header) error {
		s := h.Shape
		if len(s) != 3 || s[2] != nIn || s[0] < 1 || s[1] < 1 {
			shapeErr = fmt.Errorf("-inputs %s: shape %v, want %s", path, s, want)
			return shapeErr
		}
		if fits != nil {
			fitErr = fits(s[0], s[1])
		}
		return fitErr
	})
	switch {
	case shapeErr != nil:
		return nil, 0, 0, shapeErr
	case fitErr != nil:
		return nil, 0, 0, fitErr
	case err != nil:
		return nil, 0, 0, fmt.Errorf("-inputs: %w; want an array %s", err, want)
	}
	shape := a.Shape
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
