package train

import (
	"math"
	"strings"
	"testing"
)

func TestEstimate(t *testing.T) {
	small := Footprint{Params: 4545, Hidden: 64, Inputs: 4, Outputs: 1, Matrices: 1, StateVars: 1, Steps: 68, Batch: 32, EvalTrials: 512}
	m := small.Estimate()
	if m.Total() < 1<<20 || m.Total() > 64<<20 {
		t.Errorf("default run: %v, want between 1 MiB and 64 MiB", m)
	}
	// Measured peak RSS of train -hidden 256 -steps 2 grows by 229 MB from
	// batch 64 to 512 (leaky, 68 steps) and 498 MB (GRU): the tape part
	// must agree within 30 %.
	for _, c := range []struct {
		matrices int
		measured float64
	}{{1, 229e6}, {3, 498e6}} {
		f := Footprint{Hidden: 256, Matrices: c.matrices, StateVars: 1, Steps: 68, Outputs: 1}
		f.Batch = 64
		a := f.Estimate().Tape
		f.Batch = 512
		if d := f.Estimate().Tape - a; math.Abs(d-c.measured) > 0.3*c.measured {
			t.Errorf("%d matrices: tape grows by %s from batch 64 to 512, measured %s", c.matrices, FormatBytes(d), FormatBytes(c.measured))
		}
	}
	huge := small
	huge.Hidden, huge.Params = 1e8, 1e16
	if h := huge.Estimate(); !(h.Total() > 1e16) || math.IsInf(h.Total(), 0) || !strings.Contains(h.String(), "PiB") {
		t.Errorf("hidden 1e8: %v", h)
	}
	win := small
	win.Window = 10
	if win.Estimate().Tape >= small.Estimate().Tape {
		t.Error("a TBPTT window does not shrink the tape")
	}
}

func TestMemAvailable(t *testing.T) {
	b, ok := memAvailable([]byte("MemTotal:       16318764 kB\nMemFree:         1000 kB\nMemAvailable:   12345678 kB\n"))
	if !ok || b != 12345678*1024 {
		t.Errorf("memAvailable = %v, %v", b, ok)
	}
	if _, ok := memAvailable([]byte("MemTotal: 1 kB\n")); ok {
		t.Error("no MemAvailable line, yet ok")
	}
	if got := FormatBytes(3 << 30); got != "3 GiB" {
		t.Errorf("FormatBytes(3 GiB) = %q", got)
	}
}
