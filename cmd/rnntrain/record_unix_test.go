//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/internal/files/fifotest"
)

// TestCheckRecordPathNotRegular: a FIFO or a device given as eval -record
// is refused as not a regular file, naming it, without blocking in open.
func TestCheckRecordPathNotRegular(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "rec.npz")
	fifotest.Make(t, fifo)
	fifotest.Refused(t, "checkRecordPath", fifo, func() error { return checkRecordPath(fifo) })
	if err := checkRecordPath(os.DevNull); err == nil || !strings.Contains(err.Error(), os.DevNull+": not a regular file") {
		t.Errorf("checkRecordPath(%s): got %v, want an error naming it, not a regular file", os.DevNull, err)
	}
}

// TestCLIWriteDevice: a device given as an output file (populations
// -write, eval -record) is refused as a usage error (exit 2), as the
// other paths these flags refuse (a directory, another file) are, naming
// the flag and the path.
func TestCLIWriteDevice(t *testing.T) {
	t.Parallel()
	work, run := lowrankRun(t)
	rnntrain(t, work, "populations", "-checkpoint", run, "-max-k", "1", "-resample", "0", "-trials", "4", "-write", os.DevNull).
		want(t, 2, "-write "+os.DevNull, "not a regular file")
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "4", "-record", os.DevNull).
		want(t, 2, "-record "+os.DevNull, "not a regular file")
}
