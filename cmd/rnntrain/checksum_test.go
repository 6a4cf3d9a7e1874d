package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/checkpoints"
)

// TestCorruptCheckpointRefused: a checkpoint with one byte of its tensor
// data changed after saving is refused by eval, inspect and train -resume
// (exit 1, naming the file) instead of loading as other weights; the
// run's intact step file still evaluates.
func TestCorruptCheckpointRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	rnntrain(t, dir, "train", "-task", "context-dm", "-hidden", "8", "-steps", "3", "-eval-trials", "16", "-save-every", "0", "-quiet", "-out", run).want(t, 0)
	latest := checkpoints.LatestPath(run)
	b, err := os.ReadFile(latest)
	require.NoError(t, err)
	b[len(b)-1] ^= 0x01 // the last byte of the data section
	require.NoError(t, os.WriteFile(latest, b, 0o644))

	want := "checkpoint " + latest + ": the tensor data do not match their checksum (rnntrain_data_sha256 "
	rnntrain(t, dir, "eval", "-checkpoint", run, "-trials", "16").want(t, 1, want, "the file is corrupt")
	rnntrain(t, dir, "inspect", run).want(t, 1, want)
	rnntrain(t, dir, "train", "-resume", run, "-steps", "5", "-quiet").want(t, 1, want,
		"the newest good one, "+checkpoints.StepPath(run, 3)+", holds step 3: copy it to "+latest)
	rnntrain(t, dir, "eval", "-checkpoint", checkpoints.StepPath(run, 3), "-trials", "16").want(t, 0, "accuracy")
}
