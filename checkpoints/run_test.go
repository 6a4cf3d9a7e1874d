package checkpoints

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSaveRunRotation(t *testing.T) {
	dir := t.TempDir()
	c := sample()
	for _, step := range []int{0, 10, 20, 30, 40} {
		c.Meta.Step = step
		path, err := SaveRun(dir, c, 3)
		if err != nil {
			t.Fatal(err)
		}
		if path != StepPath(dir, step) {
			t.Errorf("SaveRun returned %s, want %s", path, StepPath(dir, step))
		}
		latest, err := Load(LatestPath(dir))
		if err != nil {
			t.Fatal(err)
		}
		if latest.Meta.Step != step {
			t.Errorf("latest holds step %d, want %d", latest.Meta.Step, step)
		}
		a, _ := os.ReadFile(path)
		b, _ := os.ReadFile(LatestPath(dir))
		if !bytes.Equal(a, b) {
			t.Errorf("step %d: latest and step file differ", step)
		}
	}
	if got := filepath.Base(StepPath(dir, 40)); got != "step-000000040.safetensors" {
		t.Errorf("step file name %q, want step-000000040.safetensors", got)
	}
	steps, err := Steps(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{20, 30, 40}; !slices.Equal(steps, want) {
		t.Errorf("kept steps %v, want %v", steps, want)
	}
	if fi, err := os.Lstat(LatestPath(dir)); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("latest is not a regular file: %v, %v", fi, err)
	}
	assertOnlyFiles(t, dir, LatestName, StepsDir)
	assertOnlyFiles(t, filepath.Join(dir, StepsDir), "step-000000020.safetensors", "step-000000030.safetensors", "step-000000040.safetensors")

	// Resuming from step 20 and saving step 25 keeps the files of the
	// abandoned steps 30 and 40, and rotates among the older ones.
	if err := os.WriteFile(filepath.Join(dir, StepsDir, "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	c.Meta.Step = 25
	if _, err := SaveRun(dir, c, 1); err != nil {
		t.Fatal(err)
	}
	steps, _ = Steps(dir)
	if want := []int{25, 30, 40}; !slices.Equal(steps, want) {
		t.Errorf("after resume: kept steps %v, want %v", steps, want)
	}
	if _, err := os.Stat(filepath.Join(dir, StepsDir, "notes.txt")); err != nil {
		t.Errorf("rotation removed a file it does not own: %v", err)
	}
}

// TestSaveRunOtherSpelling checks that a file naming a step other than as
// StepPath does (step-0000000005.safetensors, ten digits), copied into a
// run's checkpoints by hand, is neither listed nor rotated: it was listed
// as step 5, and the rotation, removing StepPath(5), failed every save of
// the resumed run.
func TestSaveRunOtherSpelling(t *testing.T) {
	dir := t.TempDir()
	c := sample()
	if err := os.MkdirAll(filepath.Join(dir, StepsDir), 0o755); err != nil {
		t.Fatal(err)
	}
	odd := filepath.Join(dir, StepsDir, "step-0000000005.safetensors")
	if err := os.WriteFile(odd, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, step := range []int{10, 20} {
		c.Meta.Step = step
		if _, err := SaveRun(dir, c, 1); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
	}
	steps, err := Steps(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{20}; !slices.Equal(steps, want) {
		t.Errorf("kept steps %v, want %v", steps, want)
	}
	if _, err := os.Stat(odd); err != nil {
		t.Errorf("rotation removed a file it does not own: %v", err)
	}
}

func TestSaveRunKeepAll(t *testing.T) {
	dir := t.TempDir()
	c := sample()
	for step := range 4 {
		c.Meta.Step = step
		if _, err := SaveRun(dir, c, 0); err != nil {
			t.Fatal(err)
		}
	}
	steps, err := Steps(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 1, 2, 3}; !slices.Equal(steps, want) {
		t.Errorf("keep 0: kept %v, want %v", steps, want)
	}
	if s, err := Steps(filepath.Join(dir, "none")); err != nil || s != nil {
		t.Errorf("Steps of a missing run: got %v, %v, want none", s, err)
	}
}

func TestParseStep(t *testing.T) {
	for _, tc := range []struct {
		name string
		step int
		ok   bool
	}{
		{"step-000000123.safetensors", 123, true},
		{"step-1234567890.safetensors", 1234567890, true},
		{"step-123.safetensors", 0, false},
		{"step-00000012x.safetensors", 0, false},
		{".step-000000123.safetensors.tmp-1", 0, false},
		{"step-000000123.safetensors.tmp", 0, false},
		// Not StepPath's spelling of the step: SaveRun could not rotate it.
		{"step-0000000123.safetensors", 0, false},
		{"step-01234567890.safetensors", 0, false},
	} {
		step, ok := parseStep(tc.name)
		if step != tc.step || ok != tc.ok {
			t.Errorf("parseStep(%q) = %d, %v, want %d, %v", tc.name, step, ok, tc.step, tc.ok)
		}
	}
}

func TestSaveRunErrors(t *testing.T) {
	dir := t.TempDir()
	c := sample()
	c.Meta.Step = -1
	if _, err := SaveRun(dir, c, 1); err == nil || err.Error() != "save checkpoint in "+dir+": negative step -1" {
		t.Errorf("negative step: got %v", err)
	}
	bad := &Checkpoint{Tensors: []Tensor{{Name: "w", Shape: []int{3}, F64: []float64{1}}}}
	if _, err := SaveRun(dir, bad, 1); err == nil || err.Error() != "save checkpoint in "+dir+": tensor w: shape [3] needs 3 elements, has 1" {
		t.Errorf("invalid tensor: got %v", err)
	}
	// A file where the steps directory should be.
	if err := os.WriteFile(filepath.Join(dir, StepsDir), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	c.Meta.Step = 1
	if _, err := SaveRun(dir, c, 1); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, StepsDir)) {
		t.Errorf("steps directory is a file: got %v", err)
	}
	if _, err := os.Stat(LatestPath(dir)); !os.IsNotExist(err) {
		t.Errorf("latest written although the step file failed: %v", err)
	}
}
