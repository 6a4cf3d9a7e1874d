//go:build unix

package sweep

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rnntrain/rnntrain/internal/files/fifotest"
)

// TestReadersRefuseFIFO: a FIFO in place of a run's attempts file,
// eval.json or metrics.jsonl is an error of ReadRun or ReadResult naming
// it, not an open that blocks until a writer comes.
func TestReadersRefuseFIFO(t *testing.T) {
	for _, name := range []string{AttemptsFile, "eval.json", "metrics.jsonl"} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "eval.json"), []byte(`{"step":5,"accuracy":0.5}`), 0o644); err != nil {
			t.Fatal(err)
		}
		fifo := filepath.Join(dir, name)
		os.Remove(fifo)
		fifotest.Make(t, fifo)
		if name == AttemptsFile {
			fifotest.Refused(t, "ReadRun", fifo, func() error { _, err := ReadRun(dir); return err })
		} else {
			fifotest.Refused(t, "ReadResult", fifo, func() error { _, err := ReadResult(dir); return err })
		}
	}
}
