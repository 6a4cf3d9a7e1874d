package plots

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
)

func TestWriteSweep(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sweep.png")
	if err := WriteSweep(p, Sweep{Title: "t", XLabel: "model.rank", YLabel: "accuracy", X: []float64{1, 2, 3}, Mean: []float64{0.5, 0.9, math.NaN()}, StdErr: []float64{0.1, 0.01, 0}}); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, p)
	c := filepath.Join(dir, "cat.png")
	if err := WriteSweep(c, Sweep{Labels: []string{"tanh", "relu"}, Mean: []float64{0.5, 0.6}, StdErr: []float64{0, 0}}); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, c)
	if err := WriteSweep(filepath.Join(dir, "bad.png"), Sweep{X: []float64{1}, Mean: []float64{1, 2}, StdErr: []float64{0, 0}}); err == nil {
		t.Error("mismatched lengths: no error")
	}
	if err := WriteSweep(filepath.Join(dir, "nan.png"), Sweep{X: []float64{1}, Mean: []float64{math.NaN()}, StdErr: []float64{0}}); err == nil {
		t.Error("no finite value: no error")
	}
}

// TestWriteSweepFlatLargeAxis: an axis whose values are all one number
// that ±1 does not widen in float64 (a 64-bit seed swept alone, a loss of
// 1e20 in every run) is drawn, not a panic of the tick marker.
func TestWriteSweepFlatLargeAxis(t *testing.T) {
	dir := t.TempDir()
	for i, s := range []Sweep{
		{X: []float64{1765100000123456789}, Mean: []float64{0.6}, StdErr: []float64{0}},
		{X: []float64{-1e300}, Mean: []float64{0.6}, StdErr: []float64{0}},
		{X: []float64{1, 2}, Mean: []float64{1e20, 1e20}, StdErr: []float64{0, 0}},
	} {
		p := filepath.Join(dir, fmt.Sprintf("flat%d.png", i))
		if err := WriteSweep(p, s); err != nil {
			t.Fatalf("%+v: %v", s, err)
		}
		checkPNG(t, p)
	}
}
