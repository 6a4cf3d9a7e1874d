package main

import (
	"os"
	"testing"

	"github.com/rnntrain/rnntrain/sweep"
)

// FuzzSweepSpec: no spec makes the parser, the expansion into points or
// the resolution of the points' configs panic, and a spec that resolves
// has one distinct run directory name per point.
func FuzzSweepSpec(f *testing.F) {
	for _, path := range []string{"testdata/sweep-tiny.toml", "../../scripts/sweep-lowrank.toml"} {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("[axes]\n\"model.kind\" = [\"gru\", \"leaky\"]\n\"model.hidden\" = [4, 8]\n[sweep]\nmode = \"random\"\nsamples = 3\nseed = 7\n")
	f.Add("[base.model]\nkind = \"lowrank\"\n[axes]\n\"model.rank\" = [1.5, nan]\n")
	f.Add("[axes]\nseed = [1, 2]\n\"task.name\" = [\"a/b\", \"..\"]\n[sweep]\nexecutor = \"slurm\"\ntime = \"1:00\"\n")
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := sweep.Parse([]byte(s))
		if err != nil {
			return
		}
		pts, err := spec.Points()
		if err != nil || len(pts) > 16 {
			return // resolving thousands of configs adds nothing per input
		}
		plan, err := resolveSweep(spec)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, n := range plan.names {
			if seen[n] {
				t.Fatalf("two points named %s", n)
			}
			seen[n] = true
		}
	})
}
