package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npy"
	"codeberg.org/sbinet/npyio/npz"

	"github.com/rnntrain/rnntrain/tasks"
)

func TestTrialMajorRoundTrip(t *testing.T) {
	const T, B, D = 3, 2, 4
	x := make([]float32, T*B*D)
	for i := range x {
		x[i] = float32(i)
	}
	y := trialMajor(x, T, B, D)
	// element (t=1, b=1, d=2) time-major sits at (1*B+1)*D+2; trial-major at (1*T+1)*D+2.
	if got, want := y[(1*T+1)*D+2], x[(1*B+1)*D+2]; got != want {
		t.Fatalf("trialMajor: got %v, want %v", got, want)
	}
	z := timeMajor(y, T, B, D)
	for i := range x {
		if z[i] != x[i] {
			t.Fatalf("timeMajor(trialMajor(x))[%d] = %v, want %v", i, z[i], x[i])
		}
	}
}

func TestRecordingWrite(t *testing.T) {
	dir := t.TempDir()
	r := recording{Trials: 2, T: 3, NIn: 1, N: 4, NOut: 2}
	r.Inputs = make([]float32, 2*3*1)
	r.Hidden = make([]float32, 2*3*4)
	r.Outputs = make([]float32, 2*3*2)
	r.Targets = make([]float32, 2*3*2)
	r.Mask = make([]float32, 2*3*2)
	r.Hidden[(1*3+2)*4+3] = 7
	p := filepath.Join(dir, "rec.npz")
	if err := r.write(p); err != nil {
		t.Fatal(err)
	}
	f, err := npz.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.Keys(), ","); got != "hidden.npy,inputs.npy,mask.npy,outputs.npy,targets.npy" {
		t.Errorf("keys %s", got)
	}
	var h []float32
	if err := f.Read("hidden.npy", &h); err != nil {
		t.Fatal(err)
	}
	if shape := f.Header("hidden.npy").Descr.Shape; len(shape) != 3 || shape[0] != 2 || shape[1] != 3 || shape[2] != 4 {
		t.Errorf("hidden shape %v, want [2 3 4]", shape)
	}
	if h[len(h)-1] != 7 {
		t.Errorf("hidden[1,2,3] = %v, want 7", h[len(h)-1])
	}
	// A recording is also a user dataset (inputs, targets, mask).
	r.Mask[0] = 1
	if err := r.write(p); err != nil {
		t.Fatal(err)
	}
	if _, err := tasks.LoadNPZ(p, tasks.MSE); err != nil {
		t.Errorf("recording as a tasks dataset: %v", err)
	}
}

func writeNpy(t *testing.T, path string, v any) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := npy.Write(f, v); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func TestReadInputs(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.npy")
	writeNpy(t, good, [][][]float64{{{1, 2}, {3, 4}, {5, 6}}})
	x, n, T, err := readInputs(good, 2)
	if err != nil || n != 1 || T != 3 || len(x) != 6 || x[5] != 6 {
		t.Fatalf("readInputs: %v %d %d %v", x, n, T, err)
	}
	for _, c := range []struct {
		name string
		v    any
		want string
	}{
		{"flat.npy", []float32{1, 2, 3}, "want [trials, T, 2]"},
		{"wide.npy", [][][]float32{{{1, 2, 3}}}, "shape [1 1 3], want [trials, T, 2]"},
		{"ints.npy", [][][]int32{{{1, 2}}}, "dtype <i4"},
	} {
		p := filepath.Join(dir, c.name)
		writeNpy(t, p, c.v)
		_, _, _, err := readInputs(p, 2)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming the file and containing %q", c.name, err, c.want)
		}
	}
	if _, _, _, err := readInputs(filepath.Join(dir, "missing.npy"), 2); err == nil || !strings.Contains(err.Error(), "missing.npy") {
		t.Errorf("missing file: %v", err)
	}
	junk := filepath.Join(dir, "junk.npy")
	os.WriteFile(junk, []byte("not numpy"), 0o644)
	if _, _, _, err := readInputs(junk, 2); err == nil || !strings.Contains(err.Error(), "junk.npy") {
		t.Errorf("junk file: %v", err)
	}
}
