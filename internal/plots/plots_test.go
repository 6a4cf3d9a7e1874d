package plots

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
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
			c.EvalLoss = append(c.EvalLoss, 0.002+math.Exp(-float64(s)/180))
		}
	}
	c.Target, c.Chance, c.ChanceLoss = 0.9, 0.5, 1
	p := filepath.Join(outDir(t), "curves.png")
	if err := WriteCurves(p, c); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, p)
	one := Curves{Step: []float64{3}, Loss: []float64{0.8}, Accuracy: []float64{0.7}, EvalStep: []float64{3}, EvalAccuracy: []float64{0.9}}
	if err := WriteCurves(filepath.Join(outDir(t), "curves-one.svg"), one); err != nil {
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
		c := PsychCurve{Label: []string{"context 1", "context 2"}[ctx], Coherence: coh}
		for _, x := range coh {
			c.PChoice1 = append(c.PChoice1, 1/(1+math.Exp(-slope*x)))
			c.N = append(c.N, 50)
		}
		ps.Curves = append(ps.Curves, c)
	}
	p := filepath.Join(outDir(t), "psychometric.png")
	if err := WritePsychometric(p, ps); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, p)
	// The 2×2 of Mante et al. (2013): context × evidence.
	var pp PsychPanels
	for r := range 2 {
		var row []Psychometric
		for k := range 2 {
			c := ps.Curves[0]
			c.Style, c.Label = r+1, fmt.Sprintf("context %d", r+1)
			if r != k {
				c.PChoice1 = []float64{0.5, 0.5, 0.5, 0.5, 0.5, 0.5}
			}
			row = append(row, Psychometric{Title: fmt.Sprintf("context %d", r+1), XLabel: fmt.Sprintf("coherence %d", k+1), Curves: []PsychCurve{c}})
		}
		pp.Panels = append(pp.Panels, row)
	}
	p = filepath.Join(outDir(t), "psychometric-panels.png")
	if err := WritePsychPanels(p, pp); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, p)
	if err := WritePsychPanels(p, PsychPanels{}); err == nil {
		t.Error("WritePsychPanels with no panels: no error")
	}
}

// TestPsychometricWilsonBars checks that a psychometric curve's error bars
// are 95 % Wilson score intervals, which keep a width at P(choice 1) = 0 or 1
// where a binomial standard error vanishes, and that the legend says so.
func TestPsychometricWilsonBars(t *testing.T) {
	const z = 1.959963984540054 // Φ⁻¹(0.975)
	c := PsychCurve{Label: "all trials", Coherence: []float64{-0.5, 0, 0.5, 1}, PChoice1: []float64{0, 0.5, 1, 1}, N: []int{20, 50, 20, 0}}
	errs, bars := wilsonBars(c.Coherence, c.PChoice1, c.N)
	// Closed forms of the Wilson interval: for k = 0 or n successes of n
	// the far end is n/(n+z²) away from the point, and at p = 1/2 the
	// interval is symmetric with half-width z/(1+z²/n)·√(1/(4n)+z²/(4n²)).
	far := 20 / (20 + z*z)
	half := z / (1 + z*z/50) * math.Sqrt(0.25/50+z*z/(4*50*50))
	want := []barWant{
		{-0.5, 0, 0, 1 - far},
		{0, 0.5, half, half},
		{0.5, 1, 1 - far, 0},
	} // no bar for the point with no trials
	checkBars(t, errs, bars, want)
	path := filepath.Join(outDir(t), "psychometric-bars.svg")
	if err := WritePsychometric(path, Psychometric{Curves: []PsychCurve{c}}); err != nil {
		t.Fatal(err)
	}
	checkSays(t, path, "bars: 95 % Wilson interval")
}

// TestPsychometricGivenBars checks that a curve with Low and High (a mean
// over draws of units) is drawn with those intervals as its bars, not the
// Wilson interval on one draw's trials, and that the legend names both
// kinds of bar and the curves each belongs to.
func TestPsychometricGivenBars(t *testing.T) {
	x := []float64{-0.5, 0.5}
	before := PsychCurve{Label: "before", Coherence: x, PChoice1: []float64{0, 1}, N: []int{20, 20}}
	after := PsychCurve{Label: "after", Coherence: x, PChoice1: []float64{0.3, 0.6}, N: []int{20, 20},
		Low: []float64{0.1, 0.6}, High: []float64{0.55, 0.6}, Interval: "t interval across 10 draws"}
	errs, bars := intervalBars(after.Coherence, after.PChoice1, after.Low, after.High)
	checkBars(t, errs, bars, []barWant{{-0.5, 0.3, 0.3 - 0.1, 0.55 - 0.3}, {0.5, 0.6, 0, 0}})
	path := filepath.Join(outDir(t), "psychometric-given-bars.svg")
	if err := WritePsychometric(path, Psychometric{Curves: []PsychCurve{before, after}}); err != nil {
		t.Fatal(err)
	}
	checkSays(t, path, "bars: 95 % Wilson interval (before)")
	checkSays(t, path, "bars: 95 % t interval across 10 draws (after)")
	after.High = after.High[:1]
	if err := WritePsychometric(path, Psychometric{Curves: []PsychCurve{before, after}}); err == nil {
		t.Error("High shorter than Coherence: no error")
	}
}

// barWant is an error bar a test expects: at (x, y), reaching low below
// and high above.
type barWant struct{ x, y, low, high float64 }

// checkBars checks error bars errs at bars against want, to 1e-12.
func checkBars(t *testing.T, errs plotter.YErrors, bars plotter.XYs, want []barWant) {
	t.Helper()
	if len(bars) != len(want) || len(errs) != len(want) {
		t.Fatalf("got %d bars, want %d", len(bars), len(want))
	}
	for i, w := range want {
		got := errs[i]
		if bars[i].X != w.x || bars[i].Y != w.y || math.Abs(got.Low-w.low) > 1e-12 || math.Abs(got.High-w.high) > 1e-12 {
			t.Errorf("bar %d: got (%g, %g) −%g +%g, want (%g, %g) −%g +%g", i, bars[i].X, bars[i].Y, got.Low, got.High, w.x, w.y, w.low, w.high)
		}
	}
}

// checkSays checks that the SVG file at path contains text.
func checkSays(t *testing.T, path, text string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(text)) {
		t.Errorf("%s does not say %q", path, text)
	}
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

// TestWriteRasterMaxUnits: a raster with MaxUnits draws that many evenly
// spaced units, from unit 0, at their own indices, and says so on its unit
// axis; its SVG shrinks with the units drawn.
func TestWriteRasterMaxUnits(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n, most int
		want    string
	}{
		{5, 0, "[0 1 2 3 4]"}, {5, -1, "[0 1 2 3 4]"}, {5, 5, "[0 1 2 3 4]"}, {5, 10, "[0 1 2 3 4]"},
		{10, 4, "[0 2 5 7]"}, {1000, 5, "[0 200 400 600 800]"}, {3, 1, "[0]"},
	} {
		if got := fmt.Sprint(RasterUnits(c.n, c.most)); got != c.want {
			t.Errorf("RasterUnits(%d, %d) = %s, want %s", c.n, c.most, got, c.want)
		}
	}
	dir := outDir(t)
	const n = 1000
	spikes := make([][]float64, 20) // every unit spikes at every step
	for i := range spikes {
		spikes[i] = make([]float64, n)
		for j := range spikes[i] {
			spikes[i][j] = 1
		}
	}
	size := func(most int) (int, string) {
		path := filepath.Join(dir, fmt.Sprintf("raster-%d.svg", most))
		if err := WriteRaster(path, Raster{MaxUnits: most, Trials: []RasterTrial{{Title: "a", Spikes: spikes}}}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return len(b), string(b)
	}
	all, allSVG := size(0)
	few, fewSVG := size(10)
	if few*20 > all {
		t.Errorf("SVG of 10 of %d units: %d bytes, of every unit: %d; want at most a 20th", n, few, all)
	}
	if !strings.Contains(fewSVG, "unit (10 of 1000, evenly spaced)") || strings.Contains(allSVG, " of 1000") {
		t.Error("the unit axis does not say which units are drawn")
	}
	// The unit axis spans every unit's index, not the 10 rows drawn.
	if !strings.Contains(fewSVG, ">900</text>") {
		t.Error("the unit axis of 10 of 1000 units has no tick at unit 900")
	}
}

// TestIntTicks: the unit (and step) axis of a raster is labelled with
// whole numbers only, at least one, for one unit as for hundreds.
func TestIntTicks(t *testing.T) {
	t.Parallel()
	for _, r := range [][2]float64{{-0.5, 0.5}, {-0.5, 1.5}, {-0.5, 3.5}, {-0.5, 7.5}, {-0.5, 255.5}, {0, 1}, {0, 68}} {
		var labels []string
		for _, tk := range (intTicks{}).Ticks(r[0], r[1]) {
			if tk.Value != math.Trunc(tk.Value) || tk.Value < r[0] || tk.Value > r[1] {
				t.Errorf("Ticks(%g, %g): tick at %g, want whole numbers in the range", r[0], r[1], tk.Value)
			}
			if tk.Label != "" {
				if want := strconv.Itoa(int(tk.Value)); tk.Label != want {
					t.Errorf("Ticks(%g, %g): label %q at %g, want %q", r[0], r[1], tk.Label, tk.Value, want)
				}
				labels = append(labels, tk.Label)
			}
		}
		if len(labels) == 0 {
			t.Errorf("Ticks(%g, %g): no labels", r[0], r[1])
		}
	}
}

func TestLogTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []string
	}{
		{0.0013, 1.5, []string{"0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"}},
		{1e-5, 10, []string{"1e-05", "0.0001", "0.001", "0.01", "0.1", "1", "10"}},
		{0.03, 0.08, []string{"0.05"}},
	} {
		var got []string
		for _, tk := range (logTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("Ticks(%g, %g) labels %v, want %v", c.lo, c.hi, got, c.want)
		}
	}
}

func TestWritePanels(t *testing.T) {
	t.Parallel()
	dir := outDir(t)
	var units Panels
	for u := range 4 {
		pn := Panel{Title: fmt.Sprintf("unit %d", u+1), XLabel: "time (ms)", YLabel: "rate"}
		for c := range 4 {
			s := Series{Label: fmt.Sprintf("context %d, choice %d", c/2+1, c%2+1), Style: c % 2, Dashed: c >= 2}
			for k := range 30 {
				s.X = append(s.X, float64(20*k))
				s.Y = append(s.Y, math.Tanh(float64(k*(c+1)*(u+1))/100))
			}
			pn.Series = append(pn.Series, s)
		}
		units.Panels = append(units.Panels, pn)
	}
	units.Cols = 2
	traj := Panels{Panels: []Panel{{Title: "PCA", XLabel: "PC 1", YLabel: "PC 2", MarkStart: true, Series: units.Panels[0].Series}}}
	prod := Panels{Panels: []Panel{{Title: "produced", XLabel: "target (ms)", YLabel: "produced (ms)", Points: true, Identity: true,
		Series: []Series{{Label: "trials", X: []float64{800, 1000, 1200}, Y: []float64{850, 990, 1300}}}}}}
	for name, ps := range map[string]Panels{"units.svg": units, "pca.png": traj, "timing.pdf": prod} {
		if err := WritePanels(filepath.Join(dir, name), ps); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	checkPNG(t, filepath.Join(dir, "pca.png"))
	bad := Panels{Panels: []Panel{{Series: []Series{{X: []float64{1}, Y: []float64{1, 2}}}}}}
	if err := WritePanels(filepath.Join(dir, "bad.png"), bad); err == nil {
		t.Error("a series with X and Y of different lengths: no error")
	}
	if err := WritePanels(filepath.Join(dir, "bad.gif"), prod); err == nil || !strings.Contains(err.Error(), "bad.gif") {
		t.Errorf("a .gif path: error %v, want one naming the file", err)
	}
	g := StimulusGrid{Title: "stimulus set", XLabel: "f1 (Hz)", YLabel: "f2 (Hz)", Diagonal: true,
		X: []float64{18, 10, 22, 14}, Y: []float64{10, 18, 14, 22}, Accuracy: []float64{0.95, 0.9, 1, 0.85}, N: []int{20, 21, 19, 22}}
	if err := WriteStimulusGrid(filepath.Join(dir, "grid.png"), g); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, filepath.Join(dir, "grid.png"))
	g.N = g.N[:1]
	if err := WriteStimulusGrid(filepath.Join(dir, "grid.png"), g); err == nil {
		t.Error("short N: no error")
	}
}
