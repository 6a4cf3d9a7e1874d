package main

import (
	"testing"
)

// TestCLIWriteUnwritableDir: an output file (populations -write, eval
// -record) in a directory that cannot be written in, /proc/self (not even
// by root), or below one that does not exist yet, is a failure (exit 1)
// named before the work, not after the fits or the trials.
func TestCLIWriteUnwritableDir(t *testing.T) {
	t.Parallel()
	work, run := lowrankRun(t)
	for _, p := range []string{"/proc/self/pops.json", "/proc/self/new/dir/pops.json"} {
		r := rnntrain(t, work, "populations", "-checkpoint", run, "-max-k", "1", "-resample", "0", "-trials", "4", "-write", p)
		r.want(t, 1, "-write "+p+": cannot write in /proc/self")
		if r.stdout != "" {
			t.Errorf("populations printed results before refusing -write %s:\n%s", p, r.stdout)
		}
	}
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "4", "-record", "/proc/self/rec.npz").
		want(t, 1, "-record /proc/self/rec.npz: cannot write in /proc/self")
}
