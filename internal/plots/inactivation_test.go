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
		{Label: "exc", Fraction: f, Accuracy: []float64{1, 0.92, 0.75, 0.51, 0.5}, StdErr: []float64{0, 0.03, 0.05, 0, 0}},
		{Label: "inh", Fraction: f, Accuracy: []float64{1, 0.98, 0.93, 0.69, math.NaN()}, StdErr: []float64{0, 0.01, 0.03, 0.05, 0}},
	}}
	if err := WriteDoseResponse(p, d); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, p)
	d.Curves[1].StdErr = d.Curves[1].StdErr[:2]
	if err := WriteDoseResponse(p, d); err == nil {
		t.Error("short StdErr: no error")
	}
	if err := WriteDoseResponse(p, DoseResponse{}); err == nil {
		t.Error("no curves: no error")
	}
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
