package npy

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzReadFileNumeric feeds ReadFileNumeric and ReadFile a file of any
// contents: neither may panic, errors name the file, the values read are
// at most eight bytes for each byte of the file (an i1 or u1 array widened
// to float64), and a file ReadFile reads, ReadFileNumeric reads the same.
func FuzzReadFileNumeric(f *testing.F) {
	seeds(f, ".npy")
	for _, c := range hostile() {
		f.Add(c.data)
	}
	// An i1 array claiming 2⁴⁰ elements in a few bytes.
	f.Add(append([]byte("\x93NUMPY\x01\x00\x46\x00{'descr': '|i1', 'fortran_order': False, 'shape': (1099511627776,), }"), bytes.Repeat([]byte(" "), 3)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "x.npy")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		num, nerr := ReadFileNumeric(path)
		if nerr != nil && !strings.Contains(nerr.Error(), path) {
			t.Fatalf("ReadFileNumeric: error %q does not name the file", nerr)
		}
		if nerr == nil {
			if n := 4*len(num.F32) + 8*len(num.F64) + len(num.Bool); n > 8*len(data) {
				t.Fatalf("%d bytes of values from a %d-byte file", n, len(data))
			}
			if l, ok := (Header{Shape: num.Shape}).Len(); !ok || l != num.Len() {
				t.Fatalf("ReadFileNumeric: shape %v holds %d values, not %d", num.Shape, l, num.Len())
			}
		}
		a, err := ReadFile(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("ReadFile: error %q does not name the file", err)
			}
			return
		}
		if nerr != nil {
			t.Fatalf("ReadFile reads the file, ReadFileNumeric does not: %v", nerr)
		}
		same := func(x, y []float64) bool {
			return slices.EqualFunc(x, y, func(p, q float64) bool { return math.Float64bits(p) == math.Float64bits(q) })
		}
		if !slices.Equal(a.Shape, num.Shape) || !slices.Equal(a.Bool, num.Bool) || !same(a.F64, num.F64) ||
			!slices.EqualFunc(a.F32, num.F32, func(p, q float32) bool { return math.Float32bits(p) == math.Float32bits(q) }) {
			t.Fatalf("ReadFile and ReadFileNumeric read the file differently")
		}
	})
}
