//go:build unix

package checkpoints

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rnntrain/rnntrain/internal/files/fifotest"
)

// TestLoadRefusesNonRegular checks that Load refuses a device and a FIFO
// with an error naming the file, instead of reading /dev/zero until memory
// runs out or blocking in the open of a FIFO that no one writes.
func TestLoadRefusesNonRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.safetensors")
	fifotest.Make(t, fifo)
	for _, path := range []string{os.DevNull, fifo} {
		fifotest.Refused(t, "Load", path, func() error { _, err := Load(path); return err })
	}
}

// TestHolderFIFO: a FIFO in place of a run directory's lock file is no
// holder, found without blocking in its open (sweep -status asks Holder of
// every point).
func TestHolderFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, LockName)
	fifotest.Make(t, fifo)
	var pid int
	if fifotest.Within(t, fifo, func() { pid, _, _ = Holder(dir) }) && pid != 0 {
		t.Errorf("Holder of a FIFO lock file: pid %d, want 0", pid)
	}
}
