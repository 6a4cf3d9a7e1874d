package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/checkpoints"
)

// TestFormat2Checkpoints: checkpoints of format 2 (written before readout
// weights of one output became [1, N] and optimizer state moved under
// optimizer/) evaluate, inspect, and resume into format-3 files.
// testdata/format2-run is `train -task context-dm -hidden 8 -steps 3
// -eval-trials 16 -save-every 0` and format2-lowrank.safetensors `train
// -task perceptual-dm -model lowrank -hidden 8 -steps 3 -eval-trials 16`
// (one input, so lowrank.wi was stored [8]), both written by format 2.
func TestFormat2Checkpoints(t *testing.T) {
	t.Parallel()
	dir, data := t.TempDir(), mustAbs(t, "testdata")
	for _, f := range []string{filepath.Join(data, "format2-run"), filepath.Join(data, "format2-lowrank.safetensors")} {
		res := rnntrain(t, dir, "eval", "-checkpoint", f, "-trials", "64")
		require.Equal(t, 0, res.code, res.stderr)
		require.True(t, strings.HasPrefix(res.stdout, "accuracy "), res.stdout)
		rnntrain(t, dir, "inspect", f).want(t, 0, "format version", "2")
	}
	run := filepath.Join(dir, "run")
	require.NoError(t, os.MkdirAll(run, 0o755))
	for _, f := range []string{"config.json", "checkpoint.safetensors"} {
		b, err := os.ReadFile(filepath.Join(data, "format2-run", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(run, f), b, 0o644))
	}
	rnntrain(t, dir, "train", "-resume", run, "-steps", "5", "-quiet").want(t, 0, "stopped at step 5")
	c, err := checkpoints.Load(checkpoints.LatestPath(run))
	require.NoError(t, err)
	require.Equal(t, checkpoints.FormatVersion, c.Meta.FormatVersion)
	for name, shape := range map[string][]int{
		"readout.weight": {1, 8}, "readout.bias": {1}, "leaky.weight_hh": {8, 8},
		"optimizer/readout.weight.exp_avg": {1, 8}, "optimizer/readout.weight.exp_avg_sq": {1, 8},
	} {
		tt, ok := c.Tensor(name)
		require.True(t, ok, "resumed checkpoint lacks %s", name)
		require.True(t, slices.Equal(tt.Shape, shape), "%s: got shape %v, want %v", name, tt.Shape, shape)
	}
	for _, tt := range c.Tensors {
		require.False(t, strings.HasPrefix(tt.Name, "optim."), "tensor %s under the old prefix", tt.Name)
	}
}
