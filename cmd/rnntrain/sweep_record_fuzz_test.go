package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/rnntrain/rnntrain/sweep"
)

// FuzzReadRecord: no sweep.json makes readRecord panic, and a record it
// accepts survives writing and reading back unchanged in its counts.
func FuzzReadRecord(f *testing.F) {
	// The seed is the record prepareSweep writes for the tiny test spec.
	plan, err := loadSweep("testdata/sweep-tiny.toml", new(sweep.DefaultOptions()), nil)
	if err != nil {
		f.Fatal(err)
	}
	rec := sweep.Record{Digest: plan.digest, Points: len(plan.points), Options: plan.spec.Options, SlurmJobs: []string{"12345"}}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
	f.Add(`{"digest": "", "points": -1, "options": {"mode": "random", "executor": "slurm"}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, s string) {
		dir := t.TempDir()
		l := sweep.Layout{Dir: dir}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(l.Record())), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		rec, ok, err := readRecord(l)
		if err != nil {
			return
		}
		if !ok {
			t.Fatal("an existing sweep.json read as missing")
		}
		if err := writeJSONFile(l.Record(), rec); err != nil {
			return // a value the encoder refuses is not this reader's concern
		}
		back, _, err := readRecord(l)
		if err != nil {
			t.Fatalf("a record read once does not read back: %v", err)
		}
		if back.Digest != rec.Digest || back.Points != rec.Points || len(back.SlurmJobs) != len(rec.SlurmJobs) {
			t.Fatalf("read back %+v, wrote %+v", back, rec)
		}
	})
}
