package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

// TestRelocateDataSums: relocateData takes a data file of the
// task.eval_settings or a curriculum stage from beside the run directory
// only under the SHA-256 the checkpoint recorded for that key; a
// checkpoint recording none for it takes no file in its place, and the
// error says why. A config sharing the settings is left as it was.
func TestRelocateDataSums(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "e.npz")
	writeTinyNPZ(t, data)
	sum, err := fileSum(data)
	if err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(dir, "gone", "e.npz")
	for _, key := range []string{"task.eval_settings.path", "train.curriculum[0].settings.path"} {
		shared := &tasks.Settings{Path: gone}
		cfg := runConfig{}
		cfg.Task.Name = "npz"
		if strings.HasPrefix(key, "task.") {
			cfg.Task.EvalSettings = shared
		} else {
			cfg.Train.Curriculum = []train.Stage{{Settings: shared}}
		}
		c := &checkpoints.Checkpoint{Path: filepath.Join(dir, "run", "checkpoint.safetensors")}
		moved, err := relocateData(c, &cfg, nil)
		if err == nil || !strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "records no SHA-256") {
			t.Errorf("%s without a recorded SHA-256: got error %v, want one naming the key and saying the checkpoint records no SHA-256", key, err)
		}
		if moved != nil {
			t.Errorf("%s without a recorded SHA-256: got moves %v, want none", key, moved)
		}
		c.Meta.Files = map[string]string{key: sum}
		moved, err = relocateData(c, &cfg, nil)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if want := []move{{key, gone, data}}; len(moved) != 1 || moved[0] != want[0] {
			t.Errorf("%s: got moves %v, want %v", key, moved, want)
		}
		if shared.Path != gone {
			t.Errorf("%s: the shared settings got path %s, want %s kept", key, shared.Path, gone)
		}
	}
}
