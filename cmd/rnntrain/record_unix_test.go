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
