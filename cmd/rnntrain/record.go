package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
	"codeberg.org/sbinet/npyio/npz"
)

// recording is a set of trials run through a network, trial-major, as
// written by eval -record: element (n, t, i) of Inputs is
// Inputs[(n*T+t)*NIn+i]; likewise Hidden with N, Outputs, Targets and Mask
// with NOut. Targets and Mask are nil when the inputs came from the user.
type recording struct {
	Trials, T, NIn, N, NOut int
	Inputs                  []float32 // [trials, T, n_in]
	Hidden                  []float32 // [trials, T, N]: rates φ(x) (GRU: h)
	Outputs                 []float32 // [trials, T, n_out]
	Targets                 []float32 // [trials, T, n_out] or nil
	Mask                    []float32 // [trials, T, n_out] or nil
}

// swapAxes01 returns x, of shape [a][b][dim], with its first two axes
// swapped: [b][a][dim]. It allocates the result and panics if len(x) is not
// a·b·dim.
func swapAxes01(x []float32, a, b, dim int) []float32 {
	if len(x) != a*b*dim {
		panic(fmt.Sprintf("rnntrain: swapAxes01: len %d, want %d×%d×%d", len(x), a, b, dim))
	}
	out := make([]float32, len(x))
	for i := range a {
		for j := range b {
			copy(out[(j*a+i)*dim:(j*a+i+1)*dim], x[(i*b+j)*dim:(i*b+j+1)*dim])
		}
	}
	return out
}

// trialMajor converts a time-major [T][B][dim] slice into trial-major
// [B][T][dim], allocating the result.
func trialMajor(x []float32, T, B, dim int) []float32 { return swapAxes01(x, T, B, dim) }

// timeMajor is the inverse of trialMajor: [B][T][dim] to [T][B][dim].
func timeMajor(x []float32, T, B, dim int) []float32 { return swapAxes01(x, B, T, dim) }

// nest3 views a flat [a, b, c] slice as nested slices, which npy writes
// with shape (a, b, c). The nested slices share x's memory.
func nest3(x []float32, a, b, c int) [][][]float32 {
	out := make([][][]float32, a)
	for i := range out {
		out[i] = make([][]float32, b)
		for j := range out[i] {
			off := (i*b + j) * c
			out[i][j] = x[off : off+c : off+c]
		}
	}
	return out
}

// write stores the recording as an .npz archive with float32 arrays
// inputs, hidden, outputs and, when present, targets and mask.
// The file is written in full or not at all.
func (r *recording) write(path string) error {
	// Member names carry ".npy", as numpy.savez writes them; numpy.load
	// and tasks.LoadNPZ drop the suffix.
	arrays := map[string]any{
		"inputs.npy":  nest3(r.Inputs, r.Trials, r.T, r.NIn),
		"hidden.npy":  nest3(r.Hidden, r.Trials, r.T, r.N),
		"outputs.npy": nest3(r.Outputs, r.Trials, r.T, r.NOut),
	}
	if r.Targets != nil {
		arrays["targets.npy"] = nest3(r.Targets, r.Trials, r.T, r.NOut)
		arrays["mask.npy"] = nest3(r.Mask, r.Trials, r.T, r.NOut)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".record-*.npz")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	if err := npz.Write(tmp.Name(), arrays); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

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
