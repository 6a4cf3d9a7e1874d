package main

import (
	"math"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/internal/npy/npytest"
)

// FuzzReadInputs feeds readInputs (-inputs) a file of any contents for a
// network of two inputs: it must never panic; an error begins with the
// flag and names the file; an array it takes is [trials, T, 2] of finite
// values.
func FuzzReadInputs(f *testing.F) {
	for _, v := range []any{[][][]float64{{{1, 2}, {3, 4}, {5, 6}}}, [][][]float32{{{1, float32(math.NaN())}}}, [][][]float64{{{1, 2}, {-1e39, 0}}},
		[]float32{1, 2, 3}, [][][]float32{{{1, 2, 3}}}, [][][]int32{{{1, 2}}}, [][][]float32{}} {
		f.Add(npytest.Encode(f, v))
	}
	f.Add([]byte("not numpy"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := npytest.WriteTemp(t, "in.npy", data)
		x, trials, T, err := readInputs(path, 2, nil)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "-inputs") || !strings.Contains(err.Error(), path) {
				t.Fatalf("readInputs: error %q does not begin with -inputs and name the file", err)
			}
			return
		}
		if trials < 1 || T < 1 || len(x) != trials*T*2 || len(x) > len(data) {
			t.Fatalf("readInputs: %d values as %d trials of %d steps from %d bytes", len(x), trials, T, len(data))
		}
		for i, v := range x {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("readInputs: value %v at %d taken", v, i)
			}
		}
	})
}
