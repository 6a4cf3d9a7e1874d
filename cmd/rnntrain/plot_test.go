package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/internal/plots"
	"github.com/rnntrain/rnntrain/tasks"
)

// checkFigure fails unless path holds a usable figure of the format its
// extension names: a PNG that decodes to at least 300×200 pixels, an SVG
// that parses as XML with an <svg> root and drawn paths, a PDF with its
// header and trailer.
func checkFigure(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	switch filepath.Ext(path) {
	case ".png":
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Errorf("%s: %v", path, err)
		} else if r := img.Bounds(); r.Dx() < 300 || r.Dy() < 200 {
			t.Errorf("%s: image %v, want at least 300×200", path, r)
		}
	case ".svg":
		if err := checkSVG(b); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	case ".pdf":
		if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b[max(0, len(b)-64):], []byte("%%EOF")) {
			t.Errorf("%s: not a PDF (%d bytes)", path, len(b))
		}
	default:
		t.Errorf("%s: unexpected figure format", path)
	}
}

// checkSVG parses b as XML and checks the root is <svg> and it draws.
func checkSVG(b []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(b))
	root, paths := "", 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			if se.Name.Local == "path" {
				paths++
			}
		}
	}
	if root != "svg" || paths < 10 {
		return errors.New("root <" + root + ">, want <svg> with drawn paths")
	}
	return nil
}

// checkFigures checks dir/NAME.EXT for every name and extension.
func checkFigures(t *testing.T, dir string, names []string, exts ...string) {
	t.Helper()
	for _, n := range names {
		for _, e := range exts {
			checkFigure(t, filepath.Join(dir, n+"."+strings.TrimPrefix(e, ".")))
		}
	}
}

func TestCLIPlot(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	args := append([]string{"train", "-steps", "10", "-plot-format", "png", "-out", run}, small...)
	rnntrain(t, work, args...).want(t, 0, "stopped at step 10")
	all := []string{"curves", "trials", "psychometric", "psychometric-contexts", "units", "pca"}
	checkFigures(t, filepath.Join(run, "plots"), all, "png")
	if _, err := os.Stat(filepath.Join(run, "plots", "curves.svg")); err == nil {
		t.Error("-plot-format png wrote an SVG too")
	}

	// Again from the checkpoint and metrics.jsonl, in other formats.
	again := filepath.Join(work, "again")
	rnntrain(t, work, "plot", run, "-format", "svg,pdf", "-out", again).want(t, 0, "wrote 6 figures", strings.Join(all, ", "))
	checkFigures(t, again, all, "svg", "pdf")
	// The run's own formats by default, into its plots/.
	os.Remove(filepath.Join(run, "plots", "units.png"))
	rnntrain(t, work, "plot", filepath.Join(run, "checkpoint.safetensors")).want(t, 0, filepath.Join(run, "plots"))
	checkFigures(t, filepath.Join(run, "plots"), []string{"units"}, "png")

	// A metrics.jsonl line that is not a record is left out of the
	// curves, and plot says so.
	metrics := filepath.Join(run, "metrics.jsonl")
	lines, err := os.ReadFile(metrics)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := bytes.Cut(lines, []byte("\n"))
	first = first[:len(first):len(first)] // appending to it leaves lines as they are
	os.WriteFile(metrics, append(append(first, '\n'), "{not json\n"...), 0o644)
	rnntrain(t, work, "plot", run, "-format", "svg", "-out", filepath.Join(work, "short")).
		want(t, 0, "warning: "+metrics+": line 2 is not a metrics record; the curves leave it out", "curves")
	os.WriteFile(metrics, append(append(append(first, '\n'), "{not json\n\x00\n"...), lines...), 0o644)
	rnntrain(t, work, "plot", run, "-format", "svg", "-out", filepath.Join(work, "short")).
		want(t, 0, "warning: "+metrics+": 2 lines, the first line 2, are not metrics records; the curves leave them out", "curves")
	os.WriteFile(metrics, lines, 0o644)

	// A recording.
	rec := filepath.Join(work, "rec.npz")
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "200", "-record", rec).want(t, 0, "recorded 200")
	rnntrain(t, work, "plot", "-recording", rec).want(t, 0, "wrote 5 figures", filepath.Join(work, "rec-plots"))
	// A recording given as the RUN: the error says to give -recording.
	rnntrain(t, work, "plot", rec).want(t, 2, "RUN "+rec+": ", "give -recording "+rec)
	checkFigures(t, filepath.Join(work, "rec-plots"), []string{"trials", "psychometric", "psychometric-contexts", "units", "pca"}, "png", "svg")

	// A file where the default plots directory goes: the error names it
	// as the default, not -out, which was not given.
	for _, c := range []struct {
		dir  string
		args []string
	}{{filepath.Join(run, "plots"), []string{run}}, {filepath.Join(work, "rec-plots"), []string{"-recording", rec}}} {
		if err := os.Rename(c.dir, c.dir+".moved"); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(c.dir, nil, 0o644)
		r := rnntrain(t, work, append([]string{"plot"}, c.args...)...)
		r.want(t, 1, c.dir+", the default plots directory", "give -out DIR")
		if strings.Contains(r.stderr, "-out:") {
			t.Errorf("plot %v blames -out, which was not given:\n%s", c.args, r.stderr)
		}
	}
	rnntrain(t, work, "plot", run, "-out", filepath.Join(run, "plots")).want(t, 1, "-out: ", filepath.Join(run, "plots"))

	garbage := filepath.Join(work, "garbage.npz")
	os.WriteFile(garbage, []byte("PK\x03\x04 not really a zip"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"plot"}, 2, []string{"want one RUN"}},
		{[]string{"plot", run, run}, 2, []string{"got 2 arguments"}},
		{[]string{"plot", run, "-recording", rec}, 2, []string{"not both"}},
		{[]string{"plot", run, "-format", "gif"}, 2, []string{"-format", "gif", "png, svg, pdf"}},
		{[]string{"plot", filepath.Join(work, "nowhere")}, 1, []string{"nowhere", "no such file"}},
		{[]string{"plot", "-recording", filepath.Join(work, "none.npz")}, 1, []string{"-recording", "none.npz"}},
		{[]string{"plot", "-recording", garbage}, 1, []string{"-recording", "garbage.npz"}},
	} {
		rnntrain(t, work, c.args...).want(t, c.code, c.want...)
	}
}

// taskTable records n trials of the named task through an untrained
// network of 16 units.
func taskTable(t *testing.T, task string, preset tasks.Preset, n int) trialTable {
	t.Helper()
	cfg := defaultConfig()
	cfg.Task = taskConfig{Name: task, Preset: presetChoice{preset, true}}
	cfg.Model.Hidden = 16
	s, err := newSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	return tableOf(analysis.Record(s.net, s.task, rng, rng, n), tasks.Describe(s.task))
}

func TestTableFiguresPerTask(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// parametric-wm: the stimulus set, every pair counted once per trial.
	wm := taskTable(t, "parametric-wm", tasks.NeuroGym, 120)
	g, ok := stimulusGrid(&wm)
	total := 0
	for _, n := range g.N {
		total += n
	}
	if !ok || len(g.X) != 10 || total != 120 {
		t.Errorf("parametric-wm stimulus grid: %d pairs holding %d trials, want the 10 pairs of NeuroGym's set holding 120", len(g.X), total)
	}
	set := &figureSet{dir: dir, formats: plots.Formats{plots.SVG}}
	err := tableFigures(&wm, set, true)
	wrote := set.wrote
	if err != nil || !slices.Contains(wrote, "stimuli") || !slices.Contains(wrote, "pca") {
		t.Errorf("parametric-wm figures %v (%v), want stimuli and pca among them", wrote, err)
	}
	checkFigures(t, dir, wrote, "svg")

	// ready-set-go: an output that says go exactly at t_p after the set
	// cue produces the target interval.
	rsg := taskTable(t, "ready-set-go", tasks.NeuroGym, 40)
	for i := range rsg.trials {
		for s := range rsg.T {
			o := rsg.outputs[(i*rsg.T+s)*rsg.nOut:]
			o[0], o[1] = 1, 0
		}
		end := rsg.periods["measure"][i][1]
		at := end + int(math.Round(rsg.vars["value"][i]/rsg.dt))
		rsg.outputs[(i*rsg.T+at)*rsg.nOut+1] = 2
	}
	tp, ok := timingPanel(&rsg)
	if !ok {
		t.Fatal("ready-set-go: no timing panel")
	}
	s := tp.Panels[0].Series[0]
	if len(s.X) != rsg.trials {
		t.Fatalf("timing: %d trials with a response, want %d", len(s.X), rsg.trials)
	}
	for i := range s.X {
		if math.Abs(s.X[i]-s.Y[i]) > 1e-9 {
			t.Errorf("trial %d: produced %g ms, want the target %g", i, s.Y[i], s.X[i])
		}
	}
	rsg.dt = 0 // a recording file: the step comes from the measure period
	if tp, _ := timingPanel(&rsg); tp.Panels[0].Series[0].Y[0] != s.Y[0] {
		t.Errorf("timing without dt: produced %g, want %g", tp.Panels[0].Series[0].Y[0], s.Y[0])
	}
	set = &figureSet{dir: dir, formats: plots.Formats{plots.PNG}}
	err = tableFigures(&rsg, set, false)
	wrote = set.wrote
	if err != nil || !slices.Contains(wrote, "timing") {
		t.Errorf("ready-set-go figures %v (%v), want timing among them", wrote, err)
	}
	checkFigures(t, dir, []string{"timing"}, "png")

	// context-dm: four conditions, context × choice.
	cdm := taskTable(t, "context-dm", tasks.Default, 200)
	var labels []string
	for _, g := range conditionGroups(&cdm) {
		labels = append(labels, g.label)
	}
	want := []string{"context 1, choice 1", "context 1, choice 2", "context 2, choice 1", "context 2, choice 2"}
	if !slices.Equal(labels, want) {
		t.Errorf("context-dm conditions %q, want %q", labels, want)
	}
}

// TestReadRecordingChecksBeforeReading: a recording without rates, or
// whose rates do not match its inputs' trials and steps, is refused from
// the names and headers, without reading the inputs' data (which may
// inflate to gigabytes): here that data fails its checksum, so reading it
// would be a different error.
func TestReadRecordingChecksBeforeReading(t *testing.T) {
	t.Parallel()
	const mark = 1234.5 // the values of the array whose data are damaged
	cube := func(T int, v float32) [][][]float32 {
		c := [][][]float32{make([][]float32, T), make([][]float32, T)}
		for i := range c {
			for j := range c[i] {
				c[i][j] = []float32{v}
			}
		}
		return c
	}
	for _, c := range []struct {
		name   string
		arrays map[string]any
		want   string
	}{
		{"no rates", map[string]any{"inputs": cube(3, mark), "outputs": cube(3, 0)}, "no array rates"},
		{"rates of other T", map[string]any{"inputs": cube(3, mark), "outputs": cube(3, 0), "rates": cube(5, 0)},
			"array rates: shape [2 5 1], want [2, 3, size] as inputs"},
		{"choice of other trials", map[string]any{"inputs": cube(3, 0), "outputs": cube(3, 0), "rates": cube(3, 0), "choice": []float32{mark, mark, mark}},
			"array choice: shape [3], want [2] (one per trial)"},
	} {
		arrays := c.arrays
		path := filepath.Join(t.TempDir(), "rec.npz")
		if err := npy.WriteArchiveValues(path, arrays); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		u := math.Float32bits(mark)
		m := []byte{byte(u), byte(u >> 8), byte(u >> 16), byte(u >> 24)} // little-endian
		// The stored member no longer matches its checksum.
		b[bytes.LastIndex(b, m)] ^= 1
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = readRecording(path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming %s and saying %q", c.name, err, path, c.want)
		}
	}
}

// FuzzReadRecording: no recording file makes the reader panic.
func FuzzReadRecording(f *testing.F) {
	dir := f.TempDir()
	for _, task := range []string{"context-dm", "ready-set-go"} {
		cfg := defaultConfig()
		cfg.Task = taskConfig{Name: task}
		cfg.Model.Hidden = 4
		s, err := newSession(cfg)
		if err != nil {
			f.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		path := filepath.Join(dir, task+".npz")
		if err := analysis.Record(s.net, s.task, rng, rng, 3).WriteNPZ(path); err != nil {
			f.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "rec.npz")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		tab, err := readRecording(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		groups := conditionGroups(&tab)
		groupMeans(&tab, groups)
		psychCurvesOK(&tab)
	})
}

// psychCurvesOK runs the per-trial figures' data builders on t.
func psychCurvesOK(t *trialTable) {
	if t.response != nil && t.vars["coherence"] != nil {
		psychCurves(t, "coherence", t.vars["context"] != nil)
	}
	contextPanels(t)
	stimulusGrid(t)
	timingPanel(t)
}

// TestCLIPlotRecordingContexts checks that plot -recording refuses a
// task/context that is not a context index of one of a few contexts (a
// whole number in [0, 16)), naming the file, the array and the trial:
// each context draws a row of the psychometric-contexts figure, so that a
// recording of 1000 contexts drew one 1000 rows high, for minutes and
// gigabytes, and fractional or negative contexts were labelled as others.
func TestCLIPlotRecordingContexts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const trials, T = 40, 3
	cube := func(size int, v func(i int) float32) [][][]float32 {
		return recordingCube(trials, T, size, func(i, _, _ int) float32 { return v(i) })
	}
	rec := func(name string, context func(i int) float64) string {
		arrays := map[string]any{
			"inputs":  cube(2, func(i int) float32 { return float32(i%5) / 5 }),
			"rates":   cube(4, func(i int) float32 { return float32(i%7) / 7 }),
			"outputs": cube(1, func(i int) float32 { return float32(i%3) - 1 }),
		}
		response := make([]int64, trials)
		mod1, mod2, ctx := make([]float64, trials), make([]float64, trials), make([]float64, trials)
		for i := range trials {
			response[i] = int64(1 + i%2)
			mod1[i], mod2[i], ctx[i] = float64(i%4-2), float64(i%3-1), context(i)
		}
		arrays["response"], arrays["task/coherence_mod1"], arrays["task/coherence_mod2"], arrays["task/context"] = response, mod1, mod2, ctx
		path := filepath.Join(dir, name+".npz")
		if err := npy.WriteArchiveValues(path, arrays); err != nil {
			t.Fatal(err)
		}
		return path
	}
	many := rec("many", func(i int) float64 { return float64(i) })
	rnntrain(t, dir, "plot", "-recording", many).want(t, 1, many, "array task/context: trial 16 holds 16; want a context index, a whole number in [0, 16)")
	half := rec("half", func(i int) float64 { return float64(i%2) + 0.5 })
	rnntrain(t, dir, "plot", "-recording", half).want(t, 1, half, "array task/context: trial 0 holds 0.5; want a context index")
	negative := rec("negative", func(i int) float64 { return -float64(i % 2) })
	rnntrain(t, dir, "plot", "-recording", negative).want(t, 1, negative, "array task/context: trial 1 holds -1; want a context index")
	two := rec("two", func(i int) float64 {
		if i%10 == 0 {
			return math.NaN() // a trial without a context
		}
		return float64(i % 2)
	})
	rnntrain(t, dir, "plot", "-recording", two, "-format", "svg").want(t, 0, "psychometric-contexts")
}

// TestCLIPlotRecordingCatchTrials checks that plot -recording of trials
// that are all catch trials (scored 0) draws what it can and leaves out the
// psychometric figures, whose curves count only scored trials: they failed
// the command with "no psychometric curves to draw".
func TestCLIPlotRecordingCatchTrials(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const trials, T = 12, 3
	cube := func(size int) [][][]float32 {
		return recordingCube(trials, T, size, func(i, j, k int) float32 { return float32((i+j+k)%5) / 5 })
	}
	response, scored := make([]int64, trials), make([]int64, trials)
	coh, mod1, mod2, ctx := make([]float64, trials), make([]float64, trials), make([]float64, trials), make([]float64, trials)
	for i := range trials {
		response[i] = int64(1 + i%2)
		coh[i], mod1[i], mod2[i], ctx[i] = float64(i%4-2), float64(i%4-2), float64(i%3-1), float64(i%2)
	}
	path := filepath.Join(dir, "catch.npz")
	if err := npy.WriteArchiveValues(path, map[string]any{
		"inputs": cube(2), "rates": cube(4), "outputs": cube(1), "targets": cube(1), "mask": cube(1),
		"response": response, "scored": scored, "task/coherence": coh,
		"task/coherence_mod1": mod1, "task/coherence_mod2": mod2, "task/context": ctx,
	}); err != nil {
		t.Fatal(err)
	}
	r := rnntrain(t, dir, "plot", "-recording", path, "-format", "svg", "-out", filepath.Join(dir, "figs"))
	r.want(t, 0, "wrote 1 figures", "trials")
	if strings.Contains(r.stdout, "psychometric") {
		t.Errorf("drew a psychometric figure of catch trials alone:\n%s", r.stdout)
	}
}

// recordingCube is an array [trials][T][size] of a recording, element
// (i, j, k) v(i, j, k).
func recordingCube(trials, T, size int, v func(i, j, k int) float32) [][][]float32 {
	c := make([][][]float32, trials)
	for i := range c {
		c[i] = make([][]float32, T)
		for j := range c[i] {
			c[i][j] = make([]float32, size)
			for k := range c[i][j] {
				c[i][j][k] = v(i, j, k)
			}
		}
	}
	return c
}
