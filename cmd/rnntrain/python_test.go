package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// systemPython returns /usr/bin/python3 if it imports every module, and
// skips the test otherwise, saying what to install.
func systemPython(t *testing.T, modules ...string) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skipf("skipping: %s not found (Debian: apt-get install python3 python3-numpy python3-torch)", py)
	}
	for _, m := range modules {
		if out, err := exec.Command(py, "-c", "import "+m).CombinedOutput(); err != nil {
			t.Skipf("skipping: %s cannot import %s (Debian: apt-get install python3-%s): %s", py, m, m, strings.TrimSpace(string(out)))
		}
	}
	return py
}

// runPython runs py with args in dir and returns its standard output,
// failing the test with its standard error.
func runPython(t *testing.T, dir, py string, args ...string) string {
	t.Helper()
	cmd := exec.Command(py, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg += "\n" + string(ee.Stderr)
		}
		t.Fatalf("%s %v: %s", py, args, msg)
	}
	return string(out)
}

// docExample runs the example of docs/load_checkpoint.py's docstring (the
// indented block after "In your own code") as it stands, in dir.
const docExample = `import sys, textwrap
sys.path.insert(0, sys.argv[1])
import load_checkpoint
block = load_checkpoint.__doc__.split("In your own code", 1)[1].split("\n", 1)[1]
lines = []
for line in block.splitlines():
    if line.strip() and not line.startswith("    "):
        break
    lines.append(line)
exec(textwrap.dedent("\n".join(lines)))
`

// TestPythonLoaderExample: the docstring example of docs/load_checkpoint.py
// runs on a checkpoint of the default model and reads the names it uses.
func TestPythonLoaderExample(t *testing.T) {
	t.Parallel()
	py := systemPython(t, "numpy")
	dir := t.TempDir()
	rnntrain(t, dir, "train", "-hidden", "8", "-steps", "2", "-eval-trials", "16", "-quiet", "-out", "run").want(t, 0, "stopped at step 2")
	out := runPython(t, dir, py, "-c", docExample, mustAbs(t, "../../docs"))
	if want := "context-dm 2 "; !strings.HasPrefix(out, want) || !strings.HasSuffix(strings.TrimSpace(out), "(8, 8) (1, 8)") {
		t.Errorf("docstring example printed %q, want %q… ending in the shapes (8, 8) (1, 8)", out, want)
	}
}

// TestTorchLoadStateDict: scripts/torch_load_state_dict.py loads the
// readout of one-output checkpoints into torch.nn.Linear(N, 1) with strict
// load_state_dict (and the GRU and vanilla layers into torch.nn.GRU and
// torch.nn.RNN), also from a format-2 file, whose readout was stored [N].
func TestTorchLoadStateDict(t *testing.T) {
	t.Parallel()
	py := systemPython(t, "numpy", "torch")
	dir := t.TempDir()
	script := mustAbs(t, "../../scripts/torch_load_state_dict.py")
	cases := []struct{ model, want string }{
		{"leaky", "torch.nn.Linear(8, 1).load_state_dict(<All keys matched successfully>); weight (1, 8), output matches numpy"},
		{"gru", "torch.nn.GRU(1, 8).load_state_dict(<All keys matched successfully>)"},
		{"rnn", "torch.nn.RNN(1, 8).load_state_dict(<All keys matched successfully>)"},
	}
	args := []string{script}
	for _, c := range cases {
		rnntrain(t, dir, "train", "-task", "perceptual-dm", "-model", c.model, "-hidden", "8", "-steps", "2", "-eval-trials", "16",
			"-quiet", "-out", c.model).want(t, 0, "stopped at step 2")
		args = append(args, filepath.Join(c.model, "checkpoint.safetensors"))
	}
	args = append(args, filepath.Join(mustAbs(t, "testdata"), "format2-run", "checkpoint.safetensors"))
	out := runPython(t, dir, py, args...)
	for _, c := range cases {
		if !strings.Contains(out, c.want) {
			t.Errorf("%s: script lacks %q", c.model, c.want)
		}
	}
	// One Linear line per checkpoint, the format-2 file's among them.
	if n := strings.Count(out, "torch.nn.Linear(8, 1).load_state_dict(<All keys matched successfully>)"); n != len(args)-1 {
		t.Errorf("%d of %d checkpoints loaded into torch.nn.Linear(8, 1)", n, len(args)-1)
	}
	// A low-rank network that reads out itself has no readout.* to load:
	// the script says so instead of failing with a KeyError.
	rnntrain(t, dir, "train", "-task", "perceptual-dm", "-model", "lowrank", "-hidden", "8", "-steps", "2", "-eval-trials", "16",
		"-quiet", "-out", "lowrank").want(t, 0, "stopped at step 2")
	if got := runPython(t, dir, py, script, filepath.Join("lowrank", "checkpoint.safetensors")); !strings.Contains(got, "lowrank perceptual-dm step 2: no readout.weight") {
		t.Errorf("low-rank checkpoint: script printed %q, want a line saying it has no readout.weight", got)
	}
	if t.Failed() {
		t.Logf("script output:\n%s", out)
	}
}
