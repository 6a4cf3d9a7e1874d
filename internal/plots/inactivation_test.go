package plots

import (
	"math"
	"path/filepath"
	"testing"
)

func TestWriteDoseResponse(t *testing.T) {
	t.Parallel()
	p := filepath.Join(outDir(t), "dose-response.png")
	f := []float64{0, 0.1, 0.2, 0.5, 1}
	d := DoseResponse{Title: "silencing", Chance: 0.5, Curves: []DoseCurve{
		{Label: "exc", Fraction: f, Accuracy: []float64{1, 0.92, 0.75, 0.51, 0.5},
			Low: []float64{0.996, 0.85, 0.63, 0.51, 0.5}, High: []float64{1, 0.99, 0.87, 0.51, 0.5}},
		{Label: "inh", Fraction: f, Accuracy: []float64{1, 0.98, 0.93, 0.69, math.NaN()},
			Low: []float64{0.996, 0.96, 0.86, 0.58, math.NaN()}, High: []float64{1, 1, 1, 0.8, math.NaN()}},
	}}
	if err := WriteDoseResponse(p, d); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, p)
	d.Curves[1].High = d.Curves[1].High[:2]
	if err := WriteDoseResponse(p, d); err == nil {
		t.Error("short High: no error")
	}
	if err := WriteDoseResponse(p, DoseResponse{}); err == nil {
		t.Error("no curves: no error")
	}
}

// TestDoseResponseIntervalBars checks that a dose–response point's bar runs
// from its interval's Low to its High, so a point at accuracy 1 keeps the
// width of its Wilson interval where a binomial standard error is 0, and
// that the legend says what the bars are.
func TestDoseResponseIntervalBars(t *testing.T) {
	t.Parallel()
	x := []float64{0, 0.5, 1, 0.2}
	y := []float64{1, 0.7, 0.5, math.NaN()}
	lo := []float64{0.996, 0.6, 0.5, 0.1}
	hi := []float64{1, 0.85, 0.5, 0.3}
	errs, bars := intervalBars(x, y, lo, hi)
	checkBars(t, errs, bars, []barWant{
		{0, 1, 1 - 0.996, 0},
		{0.5, 0.7, 0.7 - 0.6, 0.85 - 0.7},
		{1, 0.5, 0, 0},
	}) // no bar for the NaN point
	path := filepath.Join(outDir(t), "dose-response-bars.svg")
	d := DoseResponse{Interval: "t interval across 10 draws", Curves: []DoseCurve{{Label: "exc", Fraction: x, Accuracy: y, Low: lo, High: hi}}}
	if err := WriteDoseResponse(path, d); err != nil {
		t.Fatal(err)
	}
	checkSays(t, path, "bars: 95 % t interval across 10 draws")
}

func TestWriteUnitRanking(t *testing.T) {
	t.Parallel()
	p := filepath.Join(outDir(t), "unit-ranking.png")
	var r UnitRanking
	for i := range 64 {
		r.Units = append(r.Units, (i*37)%64)
		r.Drop = append(r.Drop, 0.3*math.Exp(-float64(i)/5))
	}
	if err := WriteUnitRanking(p, r); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, p)
	if err := WriteUnitRanking(p, UnitRanking{Units: []int{1}}); err == nil {
		t.Error("Drop shorter than Units: no error")
	}
}
