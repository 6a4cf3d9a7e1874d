//go:build unix

package npy

import (
	"path/filepath"
	"testing"

	"github.com/rnntrain/rnntrain/internal/files/fifotest"
)

// TestOpenRefusesFIFO checks that the readers refuse a FIFO with an error
// naming it, instead of blocking in its open until someone writes to it.
func TestOpenRefusesFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	fifotest.Make(t, fifo)
	readers := map[string]func() error{
		"OpenArchive":     func() error { _, err := OpenArchive(fifo); return err },
		"ReadFile":        func() error { _, err := ReadFile(fifo); return err },
		"ReadFileNumeric": func() error { _, err := ReadFileNumeric(fifo); return err },
	}
	for name, read := range readers {
		fifotest.Refused(t, name, fifo, read)
	}
}
