package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/internal/npy"
)

// writeNpy writes a nested slice as a .npy file of its shape and element
// type, as numpy.save does.
func writeNpy(t *testing.T, path string, v any) {
	t.Helper()
	var buf bytes.Buffer
	if err := npy.EncodeValue(&buf, v); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
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
