package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/lowrank"
)

// FuzzFitHoldout feeds fitHoldout a fit.json of any bytes beside an older
// fit checkpoint of a 6-trial data file: it must not panic, and what it
// takes as held-out conditions, saying it took them from that fit.json,
// must be distinct trials of that file in ascending order, at least one
// and not all. The report a
// fit with -holdout 2 writes is first checked to give its two conditions.
func FuzzFitHoldout(f *testing.F) {
	dir := f.TempDir()
	data := filepath.Join(dir, "fit", "data.npz")
	if err := os.MkdirAll(filepath.Dir(data), 0o755); err != nil {
		f.Fatal(err)
	}
	in, tgt := make([][][]float32, 6), make([][][]float32, 6)
	for i := range in {
		in[i], tgt[i] = [][]float32{{float32(i)}, {1}}, [][]float32{{0}, {1}}
	}
	if err := npy.WriteArchiveValues(data, map[string]any{"inputs": in, "targets": tgt}); err != nil {
		f.Fatal(err)
	}
	r2, held := 0.5, 0.25
	c := &checkpoints.Checkpoint{Path: filepath.Join(dir, "fit", "rank-1", "checkpoint.safetensors"),
		Meta: checkpoints.Meta{Metrics: checkpoints.Metrics{"fit_r2": r2, "fit_r2_heldout": held}}}
	run := func(t testing.TB, report []byte) (string, []int) {
		if err := os.WriteFile(filepath.Join(dir, "fit", "fit.json"), report, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := &runConfig{}
		cfg.Task.Name, cfg.Task.Settings.Path = "npz", data
		return fitHoldout(c, cfg), cfg.Task.Settings.ValidationTrials
	}
	good, err := json.Marshal(fitReport{Conditions: 6, Config: lowrank.FitConfig{Holdout: 2, Seed: 1},
		Fits: []fitRow{{Rank: 1, R2: &r2, R2Heldout: &held, Checkpoint: "fit/rank-1/checkpoint.safetensors"}}})
	if err != nil {
		f.Fatal(err)
	}
	if from, vt := run(f, good); from == "" || len(vt) != 2 {
		f.Fatalf("the report of this fit gave %q and conditions %v, want two", from, vt)
	}
	f.Add(good)
	f.Add([]byte(`{"conditions": 6, "config": {"holdout": 7, "seed": 1}, "fits": [{"r2": 0.5, "r2_heldout": 0.25, "checkpoint": "x/rank-1/c"}]}`))
	f.Add([]byte(`{"conditions": -1, "config": {"holdout": 1}, "full_rank": {"checkpoint": "rank-1/c"}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, report []byte) {
		from, vt := run(t, report)
		if from == "" && len(vt) > 0 {
			t.Fatalf("conditions %v taken without saying from where", vt)
		}
		if from == "" {
			return
		}
		if !strings.HasPrefix(from, filepath.Join(dir, "fit", "fit.json")) {
			t.Fatalf("conditions %v taken from %q, not the fit.json beside the run", vt, from)
		}
		if len(vt) < 1 || len(vt) >= 6 {
			t.Fatalf("%d held-out conditions of a 6-trial file, want at least one and one left to fit: %v", len(vt), vt)
		}
		for k, i := range vt {
			if i < 0 || i >= 6 {
				t.Fatalf("held-out condition %d of a 6-trial file", i)
			}
			if k > 0 && i <= vt[k-1] {
				t.Fatalf("held-out conditions %v are not distinct and ascending", vt)
			}
		}
	})
}
