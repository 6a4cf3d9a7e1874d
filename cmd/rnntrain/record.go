package main

import (
	"fmt"
	"math"
	"os"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
)

// readInputs reads a user's input array [trials, T, nIn] from an .npy file
// (float32 or float64). The errors name the file and the expected shape.
func readInputs(path string, nIn int) (x []float32, trials, T int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("read inputs: %w", err)
	}
	defer f.Close()
	want := fmt.Sprintf("[trials, T, %d] (float32 or float64)", nIn)
	r, err := npy.NewReader(f)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("inputs %s: not a .npy file (%v); want an array %s", path, err, want)
	}
	shape := r.Header.Descr.Shape
	if len(shape) != 3 || shape[2] != nIn || shape[0] < 1 || shape[1] < 1 {
		return nil, 0, 0, fmt.Errorf("inputs %s: shape %v, want %s", path, shape, want)
	}
	if r.Header.Descr.Fortran {
		return nil, 0, 0, fmt.Errorf("inputs %s: Fortran-ordered array; save a C-ordered array %s (numpy.ascontiguousarray)", path, want)
	}
	switch strings.Trim(r.Header.Descr.Type, "'\"") {
	case "<f4":
		err = r.Read(&x)
	case "<f8":
		var x64 []float64
		if err = r.Read(&x64); err == nil {
			x = make([]float32, len(x64))
			for i, v := range x64 {
				x[i] = float32(v)
			}
		}
	default:
		return nil, 0, 0, fmt.Errorf("inputs %s: dtype %s, want %s", path, strings.Trim(r.Header.Descr.Type, "'\""), want)
	}
	if err != nil {
		return nil, 0, 0, fmt.Errorf("inputs %s: %w", path, err)
	}
	if len(x) != shape[0]*shape[1]*shape[2] {
		return nil, 0, 0, fmt.Errorf("inputs %s: %d values for shape %v (truncated file?)", path, len(x), shape)
	}
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			n, rem := i/(shape[1]*nIn), i%(shape[1]*nIn)
			return nil, 0, 0, fmt.Errorf("inputs %s: non-finite value %v at [%d, %d, %d]", path, v, n, rem/nIn, rem%nIn)
		}
	}
	return x, shape[0], shape[1], nil
}
