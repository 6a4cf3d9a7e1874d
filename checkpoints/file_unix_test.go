//go:build unix

package checkpoints

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadRefusesNonRegular checks that Load refuses a device and a FIFO
// with an error naming the file, instead of reading /dev/zero until memory
// runs out or blocking in the open of a FIFO that no one writes.
func TestLoadRefusesNonRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.safetensors")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFO:", err)
	}
	for _, path := range []string{os.DevNull, fifo} {
		done := make(chan error, 1)
		go func() {
			_, err := Load(path)
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("Load(%s): got %v, want an error naming it, not a regular file", path, err)
			}
		case <-time.After(5 * time.Second):
			// Open the FIFO for writing so that the blocked open returns.
			if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close()
			}
			<-done
			t.Errorf("Load(%s) still blocked after 5 s", path)
		}
	}
}
