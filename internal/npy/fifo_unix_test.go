//go:build unix

package npy

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOpenRefusesFIFO checks that the readers refuse a FIFO with an error
// naming it, instead of blocking in its open until someone writes to it.
func TestOpenRefusesFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFO:", err)
	}
	readers := map[string]func() error{
		"OpenArchive":     func() error { _, err := OpenArchive(fifo); return err },
		"ReadFile":        func() error { _, err := ReadFile(fifo); return err },
		"ReadFileNumeric": func() error { _, err := ReadFileNumeric(fifo); return err },
	}
	for name, read := range readers {
		done := make(chan error, 1)
		go func() { done <- read() }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), fifo) || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("%s: got %v, want an error naming the FIFO, not a regular file", name, err)
			}
		case <-time.After(5 * time.Second):
			// Open the FIFO for writing so that the blocked open returns.
			if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close()
			}
			<-done
			t.Errorf("%s still blocked after 5 s", name)
		}
	}
}
