package plots

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// checkPNG fails unless path holds a decodable PNG of plausible size.
func checkPNG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if r := img.Bounds(); r.Dx() < 300 || r.Dy() < 200 {
		t.Errorf("%s: image %v, want at least 300×200", path, r)
	}
}

func outDir(t *testing.T) string {
	if d := os.Getenv("PLOTS_OUT"); d != "" { // keep the figures for a look
		return d
	}
	return t.TempDir()
}

func TestWriteCurves(t *testing.T) {
	var c Curves
	for s := 0; s <= 1000; s += 20 {
		c.Step = append(c.Step, float64(s))
		c.Loss = append(c.Loss, 0.02+math.Exp(-float64(s)/200))
		c.Accuracy = append(c.Accuracy, 1-0.5*math.Exp(-float64(s)/250))
		if s%100 == 0 {
			c.EvalStep = append(c.EvalStep, float64(s))
			c.EvalAccuracy = append(c.EvalAccuracy, 1-0.5*math.Exp(-float64(s)/300))
		}
	}
	c.Target = 0.9
	p := filepath.Join(outDir(t), "curves.png")
	if err := WriteCurves(p, c); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, p)
	one := Curves{Step: []float64{3}, Loss: []float64{0.8}, Accuracy: []float64{0.7}, EvalStep: []float64{3}, EvalAccuracy: []float64{0.9}}
	if err := WriteCurves(p, one); err != nil {
		t.Errorf("one logged step: %v", err)
	}
	if err := WriteCurves(p, Curves{}); err == nil {
		t.Error("WriteCurves with no steps: no error")
	}
}

func TestWriteTrials(t *testing.T) {
	var tr Trials
	tr.DT = 20
	tr.InputNames = []string{"fixation", "stimulus"}
	for j := range 3 {
		var x Trial
		x.Title = "trial " + string(rune('A'+j))
		for s := range 60 {
			in := []float64{1, 0}
			tgt := []float64{0}
			if s >= 20 && s < 40 {
				in[1] = 0.3 * float64(j-1)
			}
			if s >= 45 {
				in[0] = 0
				tgt[0] = float64(j - 1)
			}
			x.Inputs = append(x.Inputs, in)
			x.Targets = append(x.Targets, tgt)
			x.Outputs = append(x.Outputs, []float64{tgt[0] * (1 - math.Exp(-float64(s-44)/3)) * float64(min(1, max(0, s-44)))})
			x.Scored = append(x.Scored, s < 20 || s >= 45)
		}
		tr.Trials = append(tr.Trials, x)
	}
	p := filepath.Join(outDir(t), "trials.png")
	if err := WriteTrials(p, tr); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, p)
	tr.Trials[1].Scored = tr.Trials[1].Scored[:3]
	if err := WriteTrials(p, tr); err == nil {
		t.Error("WriteTrials with a short Scored: no error")
	}
}

func TestWritePsychometric(t *testing.T) {
	coh := []float64{-0.5, -0.15, -0.05, 0.05, 0.15, 0.5}
	var ps Psychometric
	for ctx, slope := range []float64{12, 5} {
		c := PsychCurve{Label: []string{"context 0", "context 1"}[ctx], Coherence: coh}
		for _, x := range coh {
			c.PRight = append(c.PRight, 1/(1+math.Exp(-slope*x)))
			c.N = append(c.N, 50)
		}
		ps.Curves = append(ps.Curves, c)
	}
	p := filepath.Join(outDir(t), "psychometric.png")
	if err := WritePsychometric(p, ps); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, p)
}

func TestWriteRaster(t *testing.T) {
	t.Parallel()
	dir := outDir(t)
	spikes := make([][]float64, 50)
	for i := range spikes {
		spikes[i] = make([]float64, 20)
		spikes[i][(i*7)%20] = 1
	}
	path := dir + "/raster.png"
	if err := WriteRaster(path, Raster{Title: "task", DT: 20, Trials: []RasterTrial{{Title: "a", Spikes: spikes}, {Title: "b", Spikes: spikes[:10]}}}); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, path)
	if err := WriteRaster(path, Raster{}); err == nil {
		t.Error("no trials: no error")
	}
	if err := WriteRaster(path, Raster{Trials: []RasterTrial{{Spikes: [][]float64{{1, 0}, {1}}}}}); err == nil {
		t.Error("ragged trial: no error")
	}
}
