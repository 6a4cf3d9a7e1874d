package main

import (
	"math"
	"path/filepath"
	"strconv"
	"testing"
)

// TestCLILearningRateSchedules: the schedule keys of a config file and
// -warmup set the learning rate of every update, which metrics.jsonl logs
// (-log-every 1; step s is update t = s − 1). The rates are worked out
// here from the schedules' definitions at -lr 0.01.
func TestCLILearningRateSchedules(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	cos := func(t, span float64) float64 { return 0.002 + 0.008*(1+math.Cos(math.Pi*t/span))/2 }
	for _, c := range []struct {
		name, toml string
		args       []string
		want       []float64
	}{
		// Warm-up 2, then halved every 2 updates.
		{"step", "kind = \"step\"\nstep_size = 2\ngamma = 0.5\nwarmup_steps = 2", nil,
			[]float64{0.005, 0.01, 0.01, 0.01, 0.005, 0.005, 0.0025}},
		// gamma left out is PyTorch's 0.1.
		{"step-gamma", "kind = \"step\"\nstep_size = 2", nil, []float64{0.01, 0.01, 0.001, 0.001, 1e-4}},
		// One warm-up update, then a cosine over the other 4 towards 0.002.
		{"cosine", "kind = \"cosine\"\nmin_lr = 0.002", []string{"-warmup", "1"},
			[]float64{0.01, cos(0, 4), cos(1, 4), cos(2, 4), cos(3, 4)}},
		{"warmup", "", []string{"-warmup", "4"}, []float64{0.0025, 0.005, 0.0075, 0.01, 0.01}},
	} {
		run := filepath.Join(work, c.name)
		args := append([]string{"train", "-steps", strconv.Itoa(len(c.want)), "-lr", "0.01", "-log-every", "1", "-hidden", "8",
			"-batch", "2", "-eval-trials", "4", "-quiet", "-plot-format", "svg", "-out", run}, c.args...)
		if c.toml != "" {
			args = append(args, "-config", writeSpec(t, work, c.name+".toml", "[train.schedule]\n"+c.toml+"\n"))
		}
		rnntrain(t, work, args...).want(t, 0)
		lines := metricsOf(t, run)
		if len(lines) != len(c.want) {
			t.Fatalf("%s: %d lines in metrics.jsonl, want %d", c.name, len(lines), len(c.want))
		}
		for i, m := range lines {
			if m.Step != i+1 || math.Abs(m.LR-c.want[i]) > 1e-12 {
				t.Errorf("%s: step %d: lr %g, want step %d at lr %g", c.name, m.Step, m.LR, i+1, c.want[i])
			}
		}
	}
}
