package sweep

import (
	"strings"
	"testing"
)

// FuzzSlurmValues: a time, mem or job_name that Set takes is one word of
// the characters of its form, so that its #SBATCH line in the script holds
// exactly the one option it was written for.
func FuzzSlurmValues(f *testing.F) {
	for _, s := range []string{"00:30:00", "2-12:30:15", "90", "2G", "500m", "rnntrain-sweep", "abc", "-5G", "x --wrap=id", "1:60", "99999999999999999999T", "$(id)\n#SBATCH --x"} {
		f.Add(s)
	}
	chars := map[string]string{
		"time":     "0123456789:-",
		"mem":      "0123456789KMGTkmgt",
		"job_name": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-",
	}
	flag := map[string]string{"time": "--time=", "mem": "--mem=", "job_name": "--job-name="}
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
			for _, l := range strings.Split(Script(o, "/sweep", "/bin/rnntrain", []int{0}), "\n") {
				if strings.Contains(l, flag[key]) {
					lines = append(lines, l)
				}
			}
			if len(lines) != 1 || lines[0] != "#SBATCH "+flag[key]+s {
				t.Fatalf("sweep.%s = %q: script lines %q, want one #SBATCH %s%s", key, s, lines, flag[key], s)
			}
		}
	})
}
