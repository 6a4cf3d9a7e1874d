package rnn

import (
	"math"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/internal/npy/npytest"
)

// FuzzLoadMask feeds LoadMask a file of any contents for a [2, 3] mask: it
// must never panic, an error names the key and the file, and a mask it
// takes has the six entries the shape asks for, each set where the file's
// value, finite, is not 0.
func FuzzLoadMask(f *testing.F) {
	for _, v := range []any{[][]float64{{1, 0, 1}, {0, 0, 1}}, [][]bool{{true, false, true}, {false, true, true}}, [][]int32{{1, 0, -1}, {2, 0, 0}},
		[][]float32{{1, 0}, {0, 1}}, []float64{1, 0, 1, 0, 1, 0}, [][]float64{{1, 0, 1}, {0, 0, math.Inf(1)}}} {
		f.Add(npytest.Encode(f, v))
	}
	f.Add([]byte("\x93NUMPY"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := npytest.WriteTemp(t, "mask.npy", data)
		m, err := LoadMask(path, "rec_mask", 2, 3)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "rec_mask: ") || !strings.Contains(err.Error(), path) {
				t.Fatalf("LoadMask: error %q does not begin with the key and name the file", err)
			}
			return
		}
		if len(m) != 6 {
			t.Fatalf("LoadMask: %d entries for a [2 3] mask", len(m))
		}
		a, err := npy.ReadFileNumeric(path)
		if err != nil {
			t.Fatalf("LoadMask takes a file ReadFileNumeric refuses: %v", err)
		}
		for i, x := range a.Float64() {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Fatalf("LoadMask takes %v at %d", x, i)
			}
			if m[i] != (x != 0) {
				t.Fatalf("LoadMask: entry %d is %v for the value %v", i, m[i], x)
			}
		}
	})
}
