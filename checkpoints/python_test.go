package checkpoints

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
)

// snippet is the documented Python loader, run by the tests below.
const snippet = "../docs/load_checkpoint.py"

// python returns the system Python 3 if it can import the given modules,
// and skips the test otherwise.
func python(t *testing.T, modules ...string) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skipf("skipping: %s not found; install python3 and python3-numpy to run the documented loader", py)
	}
	for _, m := range modules {
		if out, err := exec.Command(py, "-c", "import "+m).CombinedOutput(); err != nil {
			t.Skipf("skipping: %s cannot import %s (%v): %s", py, m, err, strings.TrimSpace(string(out)))
		}
	}
	return py
}

// TestPythonSnippet runs docs/load_checkpoint.py on a checkpoint and checks
// that it reads the metadata and every value bit for bit (NaN as NaN).
func TestPythonSnippet(t *testing.T) {
	py := python(t, "numpy")
	path := filepath.Join(t.TempDir(), "c.safetensors")
	c := sample()
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, snippet, path).Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", py, snippet, err, stderr(err))
	}
	seen := map[string]bool{}
	for line := range strings.Lines(strings.TrimSpace(string(out))) {
		f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
		switch f[0] {
		case "format_version", "model", "task", "step":
			want := map[string]string{"format_version": strconv.Itoa(FormatVersion), "model": c.Meta.Model, "task": c.Meta.Task, "step": strconv.Itoa(c.Meta.Step)}[f[0]]
			if f[1] != want {
				t.Errorf("python %s: got %q, want %q", f[0], f[1], want)
			}
		case "metric":
			got, want := parseFloat(t, f[2]), c.Meta.Metrics[f[1]]
			if !(got == want || math.IsNaN(got) && math.IsNaN(want)) {
				t.Errorf("python metric %s: got %v, want %v", f[1], got, want)
			}
		default:
			checkPythonTensor(t, c, f)
		}
		seen[f[0]] = true
	}
	for _, tt := range c.Tensors {
		if !seen[tt.Name] {
			t.Errorf("python did not print tensor %s", tt.Name)
		}
	}
	if !seen["metric"] || !seen["step"] {
		t.Errorf("python output lacks metadata:\n%s", out)
	}
}

// checkPythonTensor compares one "name dtype shape values" line with c.
func checkPythonTensor(t *testing.T, c *Checkpoint, f []string) {
	t.Helper()
	if len(f) != 4 {
		t.Fatalf("python line %q: want 4 tab-separated fields", strings.Join(f, "\t"))
	}
	want, ok := c.Tensor(f[0])
	if !ok {
		t.Fatalf("python printed unknown tensor %s", f[0])
	}
	var shape []int
	if err := json.Unmarshal([]byte(f[2]), &shape); err != nil {
		t.Fatal(err)
	}
	if f[1] != want.DType().String() || !slices.Equal(shape, want.Shape) {
		t.Errorf("python %s: got %s %v, want %v %v", f[0], f[1], shape, want.DType(), want.Shape)
	}
	vals := strings.Fields(f[3])
	if len(vals) != want.Len() {
		t.Fatalf("python %s: got %d values, want %d", f[0], len(vals), want.Len())
	}
	for i, s := range vals {
		got := parseFloat(t, s)
		var w float64
		var same bool
		if want.F32 != nil {
			w = float64(want.F32[i])
			same = math.Float32bits(float32(got)) == math.Float32bits(want.F32[i])
		} else {
			w = want.F64[i]
			same = math.Float64bits(got) == math.Float64bits(w)
		}
		if !same && !(math.IsNaN(got) && math.IsNaN(w)) {
			t.Errorf("python %s[%d]: got %s, want %v", f[0], i, s, w)
		}
	}
}

// TestPythonChecksums: the documented loader refuses a checkpoint whose
// tensor data do not match their checksum, or with a checksum key one byte
// off, loads the first with verify_checksums=False, and loads a file
// without checksums.
func TestPythonChecksums(t *testing.T) {
	py := python(t, "numpy")
	data, err := Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bad, old := filepath.Join(dir, "bad.safetensors"), filepath.Join(dir, "old.safetensors")
	corrupt := slices.Clone(data)
	corrupt[len(corrupt)-1] ^= 1
	if err := os.WriteFile(bad, corrupt, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, withoutSums(t, data), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = exec.Command(py, snippet, bad).Output()
	if err == nil || !strings.Contains(stderr(err), "ValueError: "+bad+": the tensor data do not match their checksum (rnntrain_data_sha256)") {
		t.Errorf("python on a corrupt file: got %v, want a ValueError naming the file\n%s", err, stderr(err))
	}
	// A checksum key one byte off is damage, refused as Load refuses it,
	// not a file without checksums.
	near := filepath.Join(dir, "near.safetensors")
	nearData := withMetadata(t, data, func(md map[string]string) {
		md["rnntrain_data_sha257"] = md[DataSumKey]
		delete(md, DataSumKey)
	})
	if err := os.WriteFile(near, nearData, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(near); err == nil {
		t.Fatalf("Load(%s) with a checksum key one byte off: no error", near)
	}
	_, err = exec.Command(py, snippet, near).Output()
	if err == nil || !strings.Contains(stderr(err), `ValueError: `+near+`: __metadata__ has a key 'rnntrain_data_sha257' where 'rnntrain_data_sha256' is expected`) {
		t.Errorf("python on a file with a checksum key one byte off: got %v, want a ValueError naming the file and the key\n%s", err, stderr(err))
	}
	prog := `import sys; sys.path.insert(0, sys.argv[1])
from load_checkpoint import load
for path, check in ((sys.argv[2], False), (sys.argv[3], True)):
    tensors, meta = load(path, verify_checksums=check)
    print(meta["step"], len(tensors))
`
	out, err := exec.Command(py, "-c", prog, filepath.Dir(snippet), bad, old).Output()
	if err != nil {
		t.Fatalf("python without verification, and on a file without checksums: %v\n%s", err, stderr(err))
	}
	if got, want := string(out), "123 4\n123 4\n"; got != want {
		t.Errorf("python printed %q, want %q", got, want)
	}
}

// TestPythonTorchGRU loads GRU weights into torch.nn.GRU with the
// documented load_gru and checks the values torch holds.
func TestPythonTorchGRU(t *testing.T) {
	py := python(t, "numpy", "torch")
	params := gruParams[float32](3, 4, 0)
	for _, p := range params {
		for i := range p.Value.Data {
			p.Value.Data[i] = p.Value.Data[i] / 64
		}
	}
	path := filepath.Join(t.TempDir(), "gru.safetensors")
	c := &Checkpoint{Meta: Meta{Model: "gru", Created: created}, Tensors: FromParams(params)}
	c.Tensors = append(c.Tensors, NewTensor("readout.weight", []int{2, 4}, make([]float32, 8)))
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	prog := `import sys; sys.path.insert(0, sys.argv[1])
from load_checkpoint import load, load_gru
tensors, meta = load(sys.argv[2])
gru = load_gru(tensors)
print(gru.input_size, gru.hidden_size, gru.num_layers)
for name, p in sorted(gru.state_dict().items()):
    print(name, " ".join(repr(float(x)) for x in p.flatten()))
`
	out, err := exec.Command(py, "-c", prog, filepath.Dir(snippet), path).Output()
	if err != nil {
		t.Fatalf("torch loader: %v\n%s", err, stderr(err))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if lines[0] != "3 4 1" {
		t.Errorf("torch GRU sizes (input hidden layers): got %q, want \"3 4 1\"", lines[0])
	}
	want := map[string]*autodiff.Param[float32]{}
	for _, p := range params {
		want[strings.TrimPrefix(p.Name, "gru.")] = p
	}
	for _, line := range lines[1:] {
		name, vals, _ := strings.Cut(line, " ")
		p := want[name]
		if p == nil {
			t.Fatalf("torch GRU has unexpected parameter %s", name)
		}
		if got, w := vals, joinFloats(p.Value.Data); got != w {
			t.Errorf("torch %s: got %s, want %s", name, got, w)
		}
		delete(want, name)
	}
	if len(want) != 0 {
		t.Errorf("torch GRU lacks %v", want)
	}
}

func joinFloats(xs []float32) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.FormatFloat(float64(x), 'f', -1, 64)
		if !strings.Contains(s[i], ".") {
			s[i] += ".0" // Python's repr of an integral float
		}
	}
	return strings.Join(s, " ")
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("python printed %q: %v", s, err)
	}
	return v
}

func stderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return fmt.Sprint(err)
}
