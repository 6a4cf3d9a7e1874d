package main

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/checkpoints"
)

// TestCLIGradientClipping: train.clip_norm and train.clip_mode bound the
// first update of plain SGD, θ₀ − θ₁ = lr·g clipped, whose norms the
// checkpoint against the config's θ₀ shows: with -clip 0 the update's norm
// is lr times metrics.jsonl's grad_norm (taken before clipping); global
// clipping to c scales the whole gradient to norm c, per-tensor clipping
// each tensor's (grad_norm is far above c here for both).
func TestCLIGradientClipping(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	const lr, c = 0.1, 0.01
	// update returns the norm of each parameter's first update and the
	// logged gradient norm.
	update := func(name string, args ...string) (map[string]float64, float64) {
		t.Helper()
		run := filepath.Join(work, name)
		rnntrain(t, work, append([]string{"train", "-optimizer", "sgd", "-lr", "0.1", "-steps", "1", "-hidden", "8", "-batch", "4",
			"-eval-trials", "4", "-quiet", "-plot-format", "svg", "-out", run}, args...)...).want(t, 0)
		ck, err := checkpoints.Load(checkpoints.LatestPath(run))
		require.NoError(t, err)
		norms := map[string]float64{}
		for pname, w0 := range initialParams(t, ck) {
			w, ok := ck.Tensor(pname)
			require.True(t, ok, "%s: no %s", name, pname)
			s := 0.0
			for i, x := range w0 {
				d := float64(x) - float64(w.F32[i])
				s += d * d
			}
			if s > 0 {
				norms[pname] = math.Sqrt(s)
			}
		}
		require.NotEmpty(t, norms, "%s: the update moved nothing", name)
		m := metricsOf(t, run)
		require.NotEmpty(t, m, name)
		return norms, m[0].GradNorm
	}
	total := func(norms map[string]float64) float64 {
		s := 0.0
		for _, n := range norms {
			s += n * n
		}
		return math.Sqrt(s)
	}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-3*want {
			t.Errorf("%s: got %g, want %g", what, got, want)
		}
	}
	free, g := update("none", "-clip", "0")
	require.Greater(t, g, 10*c, "the gradient norm is too small for the test")
	near("-clip 0: the update's norm", total(free), lr*g)
	global, _ := update("global", "-clip", "0.01")
	near("-clip 0.01: the update's norm", total(global), lr*c)
	perTensor, _ := update("per-tensor", "-config", writeSpec(t, work, "clip.toml", "[train]\nclip_norm = 0.01\nclip_mode = \"per-tensor\"\n"))
	checked := 0
	for name, n := range perTensor {
		if free[name] > 10*lr*c { // that tensor's own gradient norm is above c
			near("per-tensor clipping: the update's norm of "+name, n, lr*c)
			checked++
		}
	}
	require.Greater(t, checked, 1, "tensors whose gradient per-tensor clipping bounds")
	require.Greater(t, total(perTensor), total(global), "per-tensor clipping lets each tensor reach c")
}
