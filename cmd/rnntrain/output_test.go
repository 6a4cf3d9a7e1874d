package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCLIQuiet: train -quiet prints no header and no per-step lines, only
// the final summary, and still writes the run.
func TestCLIQuiet(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := rnntrain(t, dir, "train", "-task", "perceptual-dm", "-hidden", "8", "-steps", "4", "-log-every", "1", "-eval-every", "2",
		"-eval-trials", "16", "-out", "run", "-quiet")
	r.want(t, 0, "stopped at step 4", "final evaluation: accuracy")
	for _, s := range []string{"seed 1", "task   perceptual-dm", "step 1/4", "steps/s", "ETA"} {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("-quiet output has %q\nstdout:\n%s\nstderr:\n%s", s, r.stdout, r.stderr)
		}
	}
	if r.stderr != "" {
		t.Errorf("-quiet wrote to stderr without an error:\n%s", r.stderr)
	}
	// With no header above it, the summary starts on the first line.
	if !strings.HasPrefix(r.stdout, "stopped at step 4") {
		t.Errorf("-quiet output does not start with the summary:\n%q", r.stdout)
	}
	rnntrain(t, dir, "inspect", filepath.Join("run", "checkpoint.safetensors")).want(t, 0, "step")
}

// TestCLIProgressETA: the per-step lines carry the measured rate and the
// time left, which the last step leaves out.
func TestCLIProgressETA(t *testing.T) {
	t.Parallel()
	r := rnntrain(t, t.TempDir(), "train", "-task", "perceptual-dm", "-hidden", "8", "-steps", "3", "-log-every", "1", "-eval-every", "1",
		"-eval-trials", "16", "-out", "run")
	r.want(t, 0, "step 1/3", "step 3/3")
	eta := regexp.MustCompile(`(?m)^step 1/3 .* [0-9.e+]+ steps/s, ETA [0-9]+(s|m[0-9]{2}s|h[0-9]{2}m)$`)
	if !eta.MatchString(r.stderr) {
		t.Errorf("step 1 line lacks the rate and ETA:\n%s", r.stderr)
	}
	last := regexp.MustCompile(`(?m)^step 3/3 .*steps/s$`)
	if !last.MatchString(r.stderr) {
		t.Errorf("last step line should end with the rate and no ETA:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "0 steps/hr") {
		t.Errorf("progress reads 0 steps/hr:\n%s", r.stderr)
	}
}

func TestETAText(t *testing.T) {
	for _, c := range []struct {
		sec  float64
		want string
	}{{0, "0s"}, {44.6, "45s"}, {59.4, "59s"}, {60, "1m00s"}, {725, "12m05s"}, {3599, "59m59s"}, {3600, "1h00m"}, {11250, "3h08m"}} {
		if got := etaText(c.sec); got != c.want {
			t.Errorf("etaText(%v) = %q, want %q", c.sec, got, c.want)
		}
	}
}

// TestCLIWording: the header and error messages the issue tracker quoted
// read as sentences, without doubled prefixes or internal key names.
func TestCLIWording(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		name   string
		args   []string
		code   int
		want   []string
		refuse []string
	}{
		{"tasks unknown", []string{"tasks", "juggle"}, 2, []string{`rnntrain tasks: unknown task "juggle"; valid tasks:`}, []string{"tasks: tasks:"}},
		{"train unknown task", []string{"train", "-task", "juggle"}, 2, []string{`-task: unknown task "juggle"`}, []string{"tasks: unknown"}},
		{"unknown preset", []string{"train", "-task", "go-nogo", "-preset", "dubreuil"}, 2, []string{`task go-nogo has no preset "dubreuil"; valid presets: neurogym`}, []string{"tasks: task"}},
		{"npz without data", []string{"train", "-task", "npz"}, 2, []string{"-task npz: needs -data FILE", "inputs [trials, T, n_in]"}, []string{"settings.path is", "tasks: npz"}},
		{"eval at the end", []string{"train", "-task", "perceptual-dm", "-hidden", "8", "-steps", "2", "-eval-every", "0", "-eval-trials", "16", "-out", "r0"}, 0,
			[]string{"evaluate on 16 held-out fresh trials at the end"}, []string{"every 0 steps"}},
		{"eval every", []string{"train", "-task", "perceptual-dm", "-hidden", "8", "-steps", "2", "-eval-every", "1", "-eval-trials", "16", "-out", "r1"}, 0,
			[]string{"evaluate on 16 held-out fresh trials after every step"}, []string{"every 1 steps"}},
		{"eval every 2", []string{"train", "-task", "perceptual-dm", "-hidden", "8", "-steps", "4", "-eval-every", "2", "-eval-trials", "16", "-out", "r2"}, 0,
			[]string{"evaluate on 16 held-out fresh trials every 2 steps"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rnntrain(t, dir, c.args...)
			r.want(t, c.code, c.want...)
			for _, s := range c.refuse {
				if strings.Contains(r.stdout+r.stderr, s) {
					t.Errorf("output has %q\nstdout:\n%s\nstderr:\n%s", s, r.stdout, r.stderr)
				}
			}
		})
	}
}
