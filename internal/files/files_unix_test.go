//go:build unix

package files

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rnntrain/rnntrain/internal/files/fifotest"
)

// TestRegularFIFO: OpenRegular, ReadRegular and OpenRegularFile refuse a
// FIFO with an error naming it instead of blocking in its open until a
// writer (or, to write, a reader) comes.
func TestRegularFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "metrics.jsonl")
	fifotest.Make(t, fifo)
	fifotest.Refused(t, "OpenRegular", fifo, func() error { _, _, err := OpenRegular(fifo); return err })
	fifotest.Refused(t, "ReadRegular", fifo, func() error { _, err := ReadRegular(fifo); return err })
	fifotest.Refused(t, "OpenRegularFile", fifo, func() error {
		_, err := OpenRegularFile(fifo, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		return err
	})
}
