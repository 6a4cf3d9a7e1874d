package main

import (
	"os"
	"strings"
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
	f.Add("[[base.train.curriculum]]\ntask = \"flip-flop\"\n[[base.train.curriculum]]\nsettings = { dt_ms = 10 }\n[axes]\n\"task.name\" = [\"npz\", \"sine-wave\"]\n")
	f.Add("[sweep]\nexecutor = \"slurm\"\ntime = \"2-12:30\"\nmem = \"500M\"\njob_name = \"rank.v2\"\n")
	f.Add("[sweep]\ntime = \"abc\"\nmem = \"-5G\"\njob_name = \"x --wrap='id' $(id)\"\n")
	f.Add("[sweep]\nexecutor = \"slurm\"\npartition = \"debug --wrap=id\"\noutput = \"a \\\"b\\\" $x #y/%A.out\"\n")
	f.Add("[sweep]\nmode = \"random\"\nsamples = 1000000000000\njobs = -1\n")
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := sweep.Parse([]byte(s))
		if err != nil {
			return
		}
		// The Slurm values a spec gives reach the script as one word
		// each, the output path quoted.
		sc, err := sweep.Script(spec.Options, "/sweep", "/bin/rnntrain", []int{0})
		if err != nil {
			t.Fatalf("spec %q parsed, but its script: %v", s, err)
		}
		for _, l := range strings.Split(sc, "\n") {
			for _, opt := range []string{"#SBATCH --job-name=", "#SBATCH --time=", "#SBATCH --mem=", "#SBATCH --partition="} {
				if v, ok := strings.CutPrefix(l, opt); ok && strings.ContainsAny(v, " \t'\"`$;&|<>\\#") {
					t.Fatalf("spec %q: script line %q", s, l)
				}
			}
			if v, ok := strings.CutPrefix(l, "#SBATCH --output="); ok && (len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' || strings.Contains(v[1:len(v)-1], `\`)) {
				t.Fatalf("spec %q: script line %q", s, l)
			}
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
