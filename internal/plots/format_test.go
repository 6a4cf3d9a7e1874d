package plots

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestWriteRemovesStaleTemps checks that a figure written into a
// directory removes the temporary files of figure writes whose process
// died (SIGKILL cannot be caught, so the killed process cannot), and only
// those: a live process's, another host's and other files stay.
func TestWriteRemovesStaleTemps(t *testing.T) {
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skipf("no process to outlive: %v", err)
	}
	host := tempHost()
	dir := t.TempDir()
	old := time.Now().Add(-2 * time.Hour)
	files := []struct {
		name  string
		mtime time.Time
		stale bool
	}{
		{".plot-" + host + "-" + strconv.Itoa(dead.Process.Pid) + "-123", time.Time{}, true},
		{".plot-" + host + "-" + strconv.Itoa(os.Getpid()) + "-456", time.Time{}, false},
		{".plot-elsewhere.example-" + strconv.Itoa(dead.Process.Pid) + "-789", time.Time{}, false},
		{".plot-4242", old, true},          // an earlier version's name, an hour old
		{".plot-4343", time.Time{}, false}, // one just written
		{"notes.plot-1", old, false},
		{".plot-x-y-z", old, false},
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, []byte("half a figure"), 0o600); err != nil {
			t.Fatal(err)
		}
		if !f.mtime.IsZero() {
			if err := os.Chtimes(p, f.mtime, f.mtime); err != nil {
				t.Fatal(err)
			}
		}
	}
	c := Curves{Step: []float64{1, 2}, Loss: []float64{1, 0.5}, Accuracy: []float64{0.5, 0.6}}
	if err := WriteCurves(filepath.Join(dir, "curves.svg"), c); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(dir, f.name))
		if kept := err == nil; kept == f.stale {
			t.Errorf("after a write: %s kept %v, want %v", f.name, kept, !f.stale)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "curves.svg")); err != nil {
		t.Error(err)
	}
}
