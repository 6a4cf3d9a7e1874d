package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

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

// TestCheckpointLabelsRefused: a checkpoint whose model or task label was
// edited (its checksums recomputed) to disagree with the run config it
// stores is refused by inspect, which showed the label, and by eval and
// train -resume, which built the config's network (exit 1, naming the
// file and both values).
func TestCheckpointLabelsRefused(t *testing.T) {
	t.Parallel()
	dir, ck := tinyCheckpoint(t)
	run, latest, meta := filepath.Join(dir, "run"), ck.Path, ck.Meta
	for _, c := range []struct {
		edit func(m *checkpoints.Meta)
		want string
	}{
		{func(m *checkpoints.Meta) { m.Model = "gru" }, `its model label "gru" is not the model of the run config it stores, "leaky"`},
		{func(m *checkpoints.Meta) { m.Task = "perceptual-dm" }, `its task label "perceptual-dm" is not the task of the run config it stores, "context-dm"`},
	} {
		ck.Meta = meta
		c.edit(&ck.Meta)
		require.NoError(t, checkpoints.Save(latest, ck))
		want := "checkpoint " + latest + ": " + c.want
		rnntrain(t, dir, "inspect", run).want(t, 1, want)
		rnntrain(t, dir, "inspect", "-json", latest).want(t, 1, want)
		rnntrain(t, dir, "eval", "-checkpoint", run, "-trials", "16").want(t, 1, want)
		rnntrain(t, dir, "train", "-resume", run, "-steps", "5", "-quiet").want(t, 1, want)
	}
}

// TestCLINotACheckpointRefusedUnread: a file that is not a checkpoint (a
// run's config.json, a recording, a figure) given as one is refused naming
// what it is, and a large one (sparse, far beyond the memory) is refused
// from its first bytes, without being read into memory whole: as an .npz
// archive, or as zeros, whose header length 0 holds no JSON header.
func TestCLINotACheckpointRefusedUnread(t *testing.T) {
	t.Parallel()
	dir, ck := tinyCheckpoint(t)
	run := filepath.Join(dir, "run")
	rec := filepath.Join(dir, "rec.npz")
	rnntrain(t, dir, "eval", "-checkpoint", ck.Path, "-trials", "4", "-record", rec).want(t, 0)
	for _, c := range []struct{ path, want string }{
		{filepath.Join(run, "config.json"), "the file is JSON text (a run's config.json"},
		{rec, "the file is a zip archive (an .npz recording or dataset?)"},
	} {
		rnntrain(t, dir, "inspect", c.path).want(t, 1, "checkpoint "+c.path+": not a safetensors checkpoint: "+c.want)
		rnntrain(t, dir, "eval", "-checkpoint", c.path, "-trials", "4").want(t, 1, "checkpoint "+c.path+": not a safetensors checkpoint: "+c.want)
	}
	sparse := func(name string, head []byte) string {
		t.Helper()
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		require.NoError(t, err)
		_, err = f.Write(head)
		require.NoError(t, err)
		require.NoError(t, f.Truncate(1<<40)) // 1 TiB, of which only head is on disk
		require.NoError(t, f.Close())
		return p
	}
	zip := sparse("big.npz", []byte("PK\x03\x04\x14\x00\x00\x00"))
	rnntrainWithin(t, dir, 30*time.Second, "inspect", zip).want(t, 1, "checkpoint "+zip+": not a safetensors checkpoint: the file is a zip archive")
	zeros := sparse("zeros.safetensors", nil)
	rnntrainWithin(t, dir, 30*time.Second, "eval", "-checkpoint", zeros).want(t, 1, "checkpoint "+zeros+": header does not start with '{'")
}
