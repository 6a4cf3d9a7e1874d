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
	fifotest.Refused(t, "ReadRegular", fifo, func() error { _, err := ReadRegular(fifo, 1<<20); return err })
	fifotest.Refused(t, "OpenRegularFile", fifo, func() error {
		_, err := OpenRegularFile(fifo, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		return err
	})
}

// TestOpenNoWaitFIFO: the open behind OpenRegular's and OpenRegularFile's
// check returns at once for a FIFO put in the path's place after the
// check, refusing it, instead of waiting for its writer (or reader).
func TestOpenNoWaitFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "metrics.jsonl")
	fifotest.Make(t, fifo)
	fifotest.Refused(t, "openNoWait for reading", fifo, func() error { _, _, err := openNoWait(fifo, os.O_RDONLY, 0); return err })
	var err error
	if fifotest.Within(t, fifo, func() { _, _, err = openNoWait(fifo, os.O_WRONLY|os.O_APPEND, 0) }) && err == nil {
		t.Errorf("openNoWait for writing of FIFO %s: got no error, want one", fifo)
	}
}
