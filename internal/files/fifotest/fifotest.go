//go:build unix

package fifotest

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Wait is how long Within waits for a reader.
const Wait = 5 * time.Second

// Make creates a FIFO at path, or skips t where none can be made.
func Make(t testing.TB, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skip("no FIFO:", err)
	}
}

// Within runs read, a reader (or writer) of the FIFO at path, and reports
// whether it returned within Wait. If it did not, Within fails t, opens
// the FIFO for reading and for writing so that the blocked open returns,
// and waits for read.
func Within(t testing.TB, path string, read func()) bool {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		read()
	}()
	select {
	case <-done:
		return true
	case <-time.After(Wait):
		// The reader, open first, lets a blocked writer's open return and
		// the writer's open succeed; the writer lets a blocked reader's.
		if r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			defer r.Close()
		}
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			defer w.Close()
		}
		<-done
		t.Errorf("opening FIFO %s: still blocked after %v", path, Wait)
		return false
	}
}

// Refused checks that read, a reader of the FIFO at path, returns within
// Wait an error naming path as not a regular file; what names the reader
// in a failure.
func Refused(t testing.TB, what, path string, read func() error) {
	t.Helper()
	var err error
	if Within(t, path, func() { err = read() }) && (err == nil || !strings.Contains(err.Error(), path+": not a regular file")) {
		t.Errorf("%s of FIFO %s: got %v, want an error naming it, not a regular file", what, path, err)
	}
}
