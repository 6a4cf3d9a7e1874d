package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/tasks"
)

// fakeEventNet is a Runner of n units whose rates are never 0 (as an
// egru's output trace) and whose state y is nonzero at every third
// element, negative at some of them.
type fakeEventNet struct{ nIn, n, nOut int }

func (f fakeEventNet) Dims() (int, int, int) { return f.nIn, f.n, f.nOut }

func (f fakeEventNet) Run(x []float32, steps, batch int, opt analysis.RunOptions) analysis.Activity {
	size := steps * batch * f.n
	act := analysis.Activity{Out: make([]float32, steps*batch*f.nOut), Rates: make([]float32, size)}
	for k := range act.Rates {
		act.Rates[k] = 0.5
	}
	if !opt.Record {
		return act
	}
	y := make([]float32, size)
	for k := range y {
		if k%3 == 0 {
			y[k] = float32(k%7) - 3
		}
	}
	act.States = []analysis.State{{Name: "c", Size: f.n, Data: make([]float32, size)}, {Name: "y", Size: f.n, Data: y}}
	return act
}

// TestRasterFigureEvents: the raster of an event-based model (Events set)
// draws its events, 1 where the state Events is nonzero, not its rates;
// that of a spiking model its rates.
func TestRasterFigureEvents(t *testing.T) {
	t.Parallel()
	task, err := tasks.New("perceptual-dm", tasks.Dubreuil, tasks.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	info := tasks.Describe(task)
	net := fakeEventNet{nIn: len(info.Inputs), n: 5, nOut: len(info.Outputs)}
	ev := rasterFigure(task, net, layers.Model{Events: "y"}, rand.New(rand.NewPCG(1, 1)), 2)
	if len(ev.Trials) != 2 {
		t.Fatalf("got %d trials, want 2", len(ev.Trials))
	}
	// The events of Run with Record, 0 or 1, and never the rates' 0.5.
	var ones, zeros int
	for _, tr := range ev.Trials {
		for _, row := range tr.Spikes {
			for _, v := range row {
				switch v {
				case 1:
					ones++
				case 0:
					zeros++
				default:
					t.Fatalf("event raster holds %g, want 0 or 1", v)
				}
			}
		}
	}
	if ones == 0 || zeros == 0 {
		t.Errorf("event raster has %d events and %d blanks, want both", ones, zeros)
	}
	sp := rasterFigure(task, net, layers.Model{Surrogate: true}, rand.New(rand.NewPCG(1, 1)), 2)
	if len(sp.Trials) != 2 {
		t.Fatalf("spiking raster: got %d trials, want 2", len(sp.Trials))
	}
	for i, tr := range sp.Trials {
		if len(tr.Spikes) == 0 {
			t.Errorf("spiking raster: trial %d draws nothing", i)
		}
		for j, row := range tr.Spikes {
			for k, v := range row {
				if v != 0.5 {
					t.Fatalf("spiking raster draws %g at trial %d [%d][%d], want the rates' 0.5", v, i, j, k)
				}
			}
		}
	}
}

// TestEventRunnerNeedsState: an event runner over a network without the
// events' state variable panics naming it (a programmer error: the model
// table names a state the model does not record).
func TestEventRunnerNeedsState(t *testing.T) {
	t.Parallel()
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), `"h"`) {
			t.Errorf("recovered %v, want a panic naming the state \"h\"", r)
		}
	}()
	eventRunner{Runner: fakeEventNet{nIn: 1, n: 2, nOut: 1}, state: "h"}.Run(make([]float32, 3), 3, 1, analysis.RunOptions{})
}

// TestCLIEGRURaster: an egru run draws the raster of its events o_t (the
// steps where y_t = o_t ⊙ c̃_t is nonzero) like a spiking run's raster,
// with plot_raster_units; plot draws it again, of a run and of an eval
// -record recording, whose raster is its state/y's events even when the
// rates are the output trace, nonzero between events.
func TestCLIEGRURaster(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "egru")
	rnntrain(t, work, append([]string{"train", "-model", "egru", "-trace", "-steps", "2", "-quiet", "-plot-format", "svg",
		"-raster-units", "16", "-out", run}, small...)...).want(t, 0)
	svg := func(dir string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, "raster.svg"))
		if err != nil {
			t.Fatalf("no raster: %v", err)
		}
		return string(b)
	}
	if s := svg(filepath.Join(run, "plots")); !strings.Contains(s, ">unit (16 of 24, evenly spaced)</text>") {
		t.Errorf("train: the raster's unit axis is not labelled with plot_raster_units = 16 of the 24 units")
	}
	again := filepath.Join(work, "again")
	rnntrain(t, work, "plot", run, "-raster-units", "0", "-out", again).want(t, 0, "raster")
	if s := svg(again); !strings.Contains(s, ">unit</text>") {
		t.Errorf("plot -raster-units 0: the raster's unit axis is not labelled unit")
	}

	rec := filepath.Join(work, "rec.npz")
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "6", "-record", rec).want(t, 0, "recorded 6")
	rnntrain(t, work, "plot", "-recording", rec, "-format", "svg", "-raster-units", "8").want(t, 0, "trials, raster,")
	if s := svg(filepath.Join(work, "rec-plots")); !strings.Contains(s, ">unit (8 of 24, evenly spaced)</text>") {
		t.Errorf("plot -recording -raster-units 8: the raster's unit axis is not labelled 8 of 24")
	}

	// The recording's raster is 1 exactly where state/y is nonzero.
	tab, err := readRecording(rec)
	if err != nil {
		t.Fatal(err)
	}
	f, err := npy.OpenArchive(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := f.Read("state/y")
	if err != nil {
		t.Fatal(err)
	}
	y := a.Float32()
	if len(tab.raster) != len(y) {
		t.Fatalf("raster has %d values, state/y %d", len(tab.raster), len(y))
	}
	var events, traceOnly int
	for i, v := range y {
		want := float32(0)
		if v != 0 {
			want, events = 1, events+1
		} else if tab.rates[i] != 0 {
			traceOnly++
		}
		if tab.raster[i] != want {
			t.Fatalf("raster at %s is %g, state/y %g", cell(i, []int{tab.trials, tab.T, tab.N}), tab.raster[i], v)
		}
	}
	if events == 0 || traceOnly == 0 {
		t.Errorf("recording has %d events and %d unit-steps of trace without an event; the test needs both", events, traceOnly)
	}
}
