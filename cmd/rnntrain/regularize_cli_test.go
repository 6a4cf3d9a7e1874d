package main

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/checkpoints"
)

// TestCLIRegularization: each penalty flag adds its term to the loss the
// run trains on. After one update at a learning rate too small to move the
// weights visibly, the checkpoint's loss less its task loss is the weight
// penalty of its weights, λ·mean|W| or λ·mean(W²) of the group's matrix;
// the rate penalties, of the batch's rates, are positive and double with
// their weight. A run without penalties has none.
func TestCLIRegularization(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	penalty := func(name string, args ...string) (float64, map[string][]float32) {
		t.Helper()
		run := filepath.Join(work, name)
		rnntrain(t, work, append([]string{"train", "-steps", "1", "-hidden", "8", "-batch", "4", "-eval-trials", "8",
			"-lr", "1e-9", "-quiet", "-plot-format", "svg", "-out", run}, args...)...).want(t, 0)
		c, err := checkpoints.Load(checkpoints.LatestPath(run))
		require.NoError(t, err)
		w := map[string][]float32{}
		for _, x := range c.Tensors {
			w[x.Name] = x.F32
		}
		return c.Meta.Metrics["loss"] - c.Meta.Metrics["task_loss"], w
	}
	mean := func(xs []float32, f func(float64) float64) float64 {
		s := 0.0
		for _, x := range xs {
			s += f(float64(x))
		}
		return s / float64(len(xs))
	}
	sq := func(x float64) float64 { return x * x }
	if p, _ := penalty("none"); p != 0 {
		t.Errorf("no penalty: loss − task_loss = %g, want 0", p)
	}
	for _, c := range []struct {
		flag, tensor string
		f            func(float64) float64
	}{
		{"-l1-in", "leaky.weight_ih", math.Abs},
		{"-l1-rec", "leaky.weight_hh", math.Abs},
		{"-l1-out", "readout.weight", math.Abs},
		{"-l2-in", "leaky.weight_ih", sq},
		{"-l2-rec", "leaky.weight_hh", sq},
		{"-l2-out", "readout.weight", sq},
	} {
		p, w := penalty(c.flag[1:], c.flag, "0.5")
		want := 0.5 * mean(w[c.tensor], c.f)
		if math.Abs(p-want) > 1e-4*want {
			t.Errorf("%s 0.5: loss − task_loss = %g, want 0.5·mean over %s = %g", c.flag, p, c.tensor, want)
		}
	}
	for _, flag := range []string{"-rate-reg", "-rate-l1"} {
		one, _ := penalty(flag[1:]+"1", flag, "0.5")
		two, _ := penalty(flag[1:]+"2", flag, "1")
		if !(one > 0) || math.Abs(two-2*one) > 1e-4*two {
			t.Errorf("%s: loss − task_loss = %g at 0.5 and %g at 1, want a positive penalty that doubles", flag, one, two)
		}
	}
}
