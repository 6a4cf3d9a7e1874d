package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCLIOutputsReplaceOnlyTheirOwn: latent, inactivate and fixedpoints
// write into an -out directory that holds their own earlier files, and
// refuse, before the work and leaving it as it was, one where a file of
// their names holds something else.
func TestCLIOutputsReplaceOnlyTheirOwn(t *testing.T) {
	t.Parallel()
	work, run := lowrankRun(t)
	cases := []struct {
		file string
		args []string
	}{
		{"latent.npz", []string{"latent", "-checkpoint", run, "-trials", "2"}},
		{"inactivation.json", []string{"inactivate", "-checkpoint", run, "-units", "0,1", "-trials", "8"}},
		{"fixedpoints.json", []string{"fixedpoints", "-checkpoint", run, "-n-init", "4", "-trials", "2"}},
		{"fixedpoints.npz", []string{"fixedpoints", "-checkpoint", run, "-n-init", "4", "-trials", "2"}},
	}
	for i, c := range cases {
		out := filepath.Join(work, "out", c.file)
		args := append(c.args, "-out", out)
		rnntrain(t, work, args...).want(t, 0)
		rnntrain(t, work, args...).want(t, 0) // its own earlier file
		foreign := filepath.Join(work, "foreign"+string(rune('0'+i)))
		if err := os.MkdirAll(foreign, 0o755); err != nil {
			t.Fatal(err)
		}
		mine := filepath.Join(foreign, c.file)
		if err := os.WriteFile(mine, []byte(`{"mine": true}`), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(c.args, "-out", foreign)
		rnntrain(t, work, args...).want(t, 2, mine+" exists and is not an earlier output of "+c.args[0], "choose another -out")
		if b, _ := os.ReadFile(mine); string(b) != `{"mine": true}` {
			t.Errorf("%s after the refused %s: %q", c.file, c.args[0], b)
		}
	}
}
