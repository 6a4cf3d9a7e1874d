package plots

import (
	"math"
	"path/filepath"
	"testing"
)

func TestWriteRankSweep(t *testing.T) {
	p := filepath.Join(outDir(t), "ranks.png")
	s := RankSweep{Title: "sweep", Rank: []float64{1, 2, 3}, R2: []float64{0.7, 0.99, 0.995}, Held: []float64{0.6, math.NaN(), 0.98}}
	if err := WriteRankSweep(p, s); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, p)
	s.Held = nil
	if err := WriteRankSweep(p, s); err != nil {
		t.Errorf("without held-out R²: %v", err)
	}
	if err := WriteRankSweep(p, RankSweep{Rank: []float64{1}, R2: []float64{1, 2}}); err == nil {
		t.Error("mismatched lengths: no error")
	}
}
