package tasks

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/internal/npy"
)

// cube returns a [n][T][d] nested slice with values f(i, t, k).
func cube[E float32 | float64 | int64](n, T, d int, f func(i, t, k int) E) [][][]E {
	c := make([][][]E, n)
	for i := range c {
		c[i] = make([][]E, T)
		for t := range c[i] {
			c[i][t] = make([]E, d)
			for k := range c[i][t] {
				c[i][t][k] = f(i, t, k)
			}
		}
	}
	return c
}

// npzBytes returns an .npz archive of the arrays (members NAME.npy, stored,
// as numpy.savez writes them).
func npzBytes(t *testing.T, arrays map[string]any) []byte {
	var buf bytes.Buffer
	w := npy.NewArchiveWriter(&buf)
	for _, name := range []string{"inputs", "targets", "mask"} {
		if v, ok := arrays[name]; ok {
			if err := w.AddValue(name, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeNPZ(t *testing.T, arrays map[string]any) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trials.npz")
	if err := os.WriteFile(path, npzBytes(t, arrays), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadNPZ(t *testing.T) {
	t.Parallel()
	const n, T, nIn, nOut = 5, 4, 3, 2
	in := cube(n, T, nIn, func(i, t, k int) float32 { return float32(100*i + 10*t + k) })
	// One-hot targets on channel i%2 at every step.
	tgt := cube(n, T, nOut, func(i, t, k int) float64 {
		if k == i%2 {
			return 1
		}
		return 0
	})
	mask := cube(n, T, nOut, func(i, t, k int) float32 { return float32(t / (T - 1)) }) // last step only
	path := writeNPZ(t, map[string]any{"inputs": in, "targets": tgt, "mask": mask})

	task, err := New("npz", Dataset, Settings{Path: path, Loss: CrossEntropy, ValidationFraction: ptr(0)})
	if err != nil {
		t.Fatal(err)
	}
	d := task.(*UserData)
	if d.Len() != n {
		t.Fatalf("Len = %d, want %d", d.Len(), n)
	}
	if a, b := task.Dims(); a != nIn || b != nOut {
		t.Fatalf("Dims = %d, %d, want %d, %d", a, b, nIn, nOut)
	}
	b := d.BatchOf([]int{3, 0})
	// Time-major: element (t, b, k) of Inputs is inputs[idx[b]][t][k].
	if got := b.Inputs[(2*b.B+0)*nIn+1]; got != 321 {
		t.Errorf("Inputs(t=2, b=0, k=1) = %v, want 321 (trial 3)", got)
	}
	if got := b.Inputs[(1*b.B+1)*nIn+2]; got != 12 {
		t.Errorf("Inputs(t=1, b=1, k=2) = %v, want 12 (trial 0)", got)
	}
	if b.Trials[0].Choice != 1 || b.Trials[1].Choice != 0 {
		t.Errorf("choices %d, %d, want 1, 0", b.Trials[0].Choice, b.Trials[1].Choice)
	}
	if r := task.Score(b.Targets, &b); r.Accuracy != 1 {
		t.Errorf("targets as outputs score %v, want 1", r.Accuracy)
	}
	rb := task.Batch(rand.New(rand.NewPCG(1, 1)), 7)
	if rb.B != 7 || rb.T != T {
		t.Errorf("Batch gives B=%d T=%d, want 7, %d", rb.B, rb.T, T)
	}

	// Without a mask every step is scored; float64 inputs are accepted.
	in64 := cube(n, T, nIn, func(i, t, k int) float64 { return 0.5 })
	path2 := writeNPZ(t, map[string]any{"inputs": in64, "targets": tgt})
	d2, err := LoadNPZ(path2, MSE)
	if err != nil {
		t.Fatal(err)
	}
	b2 := d2.BatchOf([]int{0})
	for _, m := range b2.Mask {
		if m != 1 {
			t.Fatalf("default mask has %v, want all ones", m)
		}
	}
	if b2.Inputs[0] != 0.5 {
		t.Errorf("float64 input read as %v, want 0.5", b2.Inputs[0])
	}
}

// TestLoadNPZMaskedNaNTargets: targets the mask leaves out (padding after
// a trial's end) may be NaN or infinite, float32 or float64; they are read
// as 0 and the scored ones as they are.
func TestLoadNPZMaskedNaNTargets(t *testing.T) {
	t.Parallel()
	const n, T = 2, 4
	in := cube(n, T, 1, func(i, t, k int) float32 { return 1 })
	mask := cube(n, T, 1, func(i, t, k int) float32 { return float32(min(1, max(0, 2-t+i))) }) // trial 0: t < 2, trial 1: t < 3
	for _, tgt := range []any{
		cube(n, T, 1, func(i, t, k int) float32 {
			if t >= 2+i {
				return float32(math.NaN())
			}
			return float32(t + 1)
		}),
		cube(n, T, 1, func(i, t, k int) float64 {
			if t >= 2+i {
				return math.Inf(1)
			}
			return float64(t + 1)
		}),
	} {
		d, err := LoadNPZ(writeNPZ(t, map[string]any{"inputs": in, "targets": tgt, "mask": mask}), MSE)
		if err != nil {
			t.Fatal(err)
		}
		b := d.BatchOf([]int{0, 1})
		for tt := range T {
			for i := range n {
				got, want := b.Targets[tt*b.B+i], float32(tt+1)
				if tt >= 2+i {
					want = 0
				}
				if got != want {
					t.Errorf("%T: target of trial %d at t = %d is %v, want %v", tgt, i, tt, got, want)
				}
			}
		}
	}
}

func TestLoadNPZErrors(t *testing.T) {
	t.Parallel()
	good := func(n, T, d int) [][][]float32 { return cube(n, T, d, func(i, t, k int) float32 { return 0 }) }
	nan := good(2, 3, 2)
	nan[1][2][0] = float32(math.NaN())
	neg := good(2, 3, 1)
	neg[0][1][0] = -1
	cases := []struct {
		name   string
		arrays map[string]any
		loss   Loss
		want   []string // substrings of the error
	}{
		{"missing targets", map[string]any{"inputs": good(2, 3, 2)}, MSE,
			[]string{"missing array targets", "want inputs, targets"}},
		{"missing inputs", map[string]any{"targets": good(2, 3, 2)}, MSE,
			[]string{"missing array inputs"}},
		{"2-d inputs", map[string]any{"inputs": [][]float32{{1, 2}}, "targets": good(1, 2, 1)}, MSE,
			[]string{"array inputs has shape [1 2]", "[trials, T, n]"}},
		{"trials mismatch", map[string]any{"inputs": good(2, 3, 2), "targets": good(3, 3, 1)}, MSE,
			[]string{"array targets has shape [3 3 1]", "want [2, 3, n]"}},
		{"T mismatch", map[string]any{"inputs": good(2, 3, 2), "targets": good(2, 4, 1)}, MSE,
			[]string{"array targets has shape [2 4 1]", "want [2, 3, n]"}},
		{"mask shape", map[string]any{"inputs": good(2, 3, 2), "targets": good(2, 3, 1), "mask": good(2, 3, 2)}, MSE,
			[]string{"array mask has shape [2 3 2]", "shape of targets [2 3 1]"}},
		{"int dtype", map[string]any{"inputs": cube(2, 3, 2, func(i, t, k int) int64 { return 1 }), "targets": good(2, 3, 1)}, MSE,
			[]string{"array inputs: dtype <i8", "float32 (<f4), float64 (<f8)"}},
		{"zero mask", map[string]any{"inputs": good(2, 3, 2), "targets": good(2, 3, 1), "mask": good(2, 3, 1)}, MSE,
			[]string{"array mask is zero everywhere"}},
		{"NaN", map[string]any{"inputs": nan, "targets": good(2, 3, 1)}, MSE,
			[]string{"array inputs has the non-finite value NaN at [1, 2, 0]"}},
		{"negative mask", map[string]any{"inputs": good(2, 3, 2), "targets": good(2, 3, 1), "mask": neg}, MSE,
			[]string{"array mask has a negative value -1 at [0, 1, 0]"}},
		{"not one-hot", map[string]any{"inputs": good(2, 3, 2), "targets": good(2, 3, 2)}, CrossEntropy,
			[]string{"array targets, trial 0", "no one", "one-hot"}},
		// Every shape is checked from the headers before any data are read
		// (an array may inflate to gigabytes): the NaN is never reached.
		{"shapes before data", map[string]any{"inputs": nan, "targets": good(3, 3, 1)}, MSE,
			[]string{"array targets has shape [3 3 1]", "want [2, 3, n]"}},
		{"float64 beyond float32", map[string]any{"inputs": cube(2, 3, 2, func(i, t, k int) float64 { return float64(i*t) * 1e39 }), "targets": good(2, 3, 1)}, MSE,
			[]string{"array inputs has the value 1e+39 at [1, 1, 0], beyond the range of float32"}},
		{"mask shape before data", map[string]any{"inputs": nan, "targets": good(2, 3, 1), "mask": good(2, 3, 2)}, MSE,
			[]string{"array mask has shape [2 3 2]"}},
		// A NaN target is refused where the mask scores it, and without a
		// mask with the way to mark padding.
		{"NaN target scored", map[string]any{"inputs": good(2, 3, 2), "targets": nan, "mask": cube(2, 3, 2, func(i, t, k int) float32 { return 1 })}, MSE,
			[]string{"array targets has the non-finite value NaN at [1, 2, 0] where mask is not 0"}},
		{"NaN target without mask", map[string]any{"inputs": good(2, 3, 2), "targets": nan}, MSE,
			[]string{"array targets has the non-finite value NaN at [1, 2, 0] (a target without meaning, such as padding, may be NaN where an array mask is 0)"}},
	}
	for _, c := range cases {
		path := writeNPZ(t, c.arrays)
		_, err := LoadNPZ(path, c.loss)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, path) {
			t.Errorf("%s: error %q does not name the file", c.name, msg)
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: error %q lacks %q", c.name, msg, w)
			}
		}
	}
	// The error names the file once, with what failed: no "open stat".
	if _, err := LoadNPZ(filepath.Join(t.TempDir(), "absent.npz"), MSE); err == nil || !strings.Contains(err.Error(), "absent.npz") || strings.Contains(err.Error(), "open stat") {
		t.Errorf("absent file error %v", err)
	}
	if _, err := New("npz", Dataset, Settings{}); err == nil || !strings.Contains(err.Error(), "path") {
		t.Errorf("npz without path: error %v, want it to ask for settings.path", err)
	}
}
