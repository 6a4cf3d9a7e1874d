package sweep

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzSlurmValues: a partition, time, mem or job_name that Set takes is
// one word of the characters of its form, so that its #SBATCH line in the
// script holds exactly the one option it was written for. An output that
// Set takes, and a sweep directory that CheckDir takes, reach sbatch as
// the one --output path they name (with only output's patterns filled
// in), and the directory reaches the shell as one word.
func FuzzSlurmValues(f *testing.F) {
	for _, s := range []string{"00:30:00", "2-12:30:15", "90", "2G", "500m", "rnntrain-sweep", "abc", "-5G", "x --wrap=id", "1:60", "99999999999999999999T", "$(id)\n#SBATCH --x",
		"debug", "gpu,cpu", "debug --wrap=id", "a,,b", "logs/%A_%a.out", `a "b" c`, `x\y`, "50%a #1 $HOME 'q'"} {
		f.Add(s)
	}
	chars := map[string]string{
		"partition": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-,",
		"time":      "0123456789:-",
		"mem":       "0123456789KMGTkmgt",
		"job_name":  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-",
	}
	flag := map[string]string{"partition": "--partition=", "time": "--time=", "mem": "--mem=", "job_name": "--job-name="}
	f.Fuzz(func(t *testing.T, s string) {
		for key, set := range chars {
			o := DefaultOptions()
			if o.Set(key, s) != nil || s == "" {
				continue
			}
			if strings.Trim(s, set) != "" {
				t.Fatalf("sweep.%s = %q taken: a character outside %q", key, s, set)
			}
			var lines []string
			for _, l := range strings.Split(script(t, o, "/sweep"), "\n") {
				if strings.Contains(l, flag[key]) {
					lines = append(lines, l)
				}
			}
			if len(lines) != 1 || lines[0] != "#SBATCH "+flag[key]+s {
				t.Fatalf("sweep.%s = %q: script lines %q, want one #SBATCH %s%s", key, s, lines, flag[key], s)
			}
		}
		if o := DefaultOptions(); o.Set("output", s) == nil {
			want := s
			if !filepath.IsAbs(s) {
				want = filepath.Join("/sweep", s)
			}
			if got := sbatchOutput(t, script(t, o, "/sweep")); got != want {
				t.Fatalf("sweep.output = %q: sbatch reads --output %q, want %q", s, got, want)
			}
		}
		if dir := "/" + s; CheckDir(dir) == nil {
			sc := script(t, DefaultOptions(), dir)
			want := filepath.Join(dir, "logs", "slurm-42_7.out")
			if got := fillPattern(sbatchOutput(t, sc), "42", "7"); got != want {
				t.Fatalf("directory %q: the output goes to %q, want %q", dir, got, want)
			}
			if got := runPointDir(t, sc); got != dir {
				t.Fatalf("directory %q: the shell runs -run-point %q", dir, got)
			}
		}
	})
}
