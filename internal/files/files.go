package files

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// NotRegularError is the error for a path that exists but is not a
// regular file (a directory, a FIFO, a device).
type NotRegularError struct{ Path string }

func (e *NotRegularError) Error() string { return e.Path + ": not a regular file" }

// OpenRegular opens path for reading and returns the file and its size. It
// refuses anything but a regular file, with an error naming path, before
// opening it, and checks again after, should path have changed between
// (the open does not wait for a FIFO's writer).
func OpenRegular(path string) (*os.File, int64, error) {
	if st, err := os.Stat(path); err != nil {
		return nil, 0, err
	} else if !st.Mode().IsRegular() {
		return nil, 0, &NotRegularError{Path: path}
	}
	return openNoWait(path, os.O_RDONLY, 0)
}

// OpenRegularFile opens path as os.OpenFile does, for writing (flag holds
// os.O_WRONLY or os.O_RDWR, and os.O_CREATE, os.O_TRUNC or os.O_APPEND as
// wanted). An existing path that is not a regular file is refused, with an
// error naming it, before it is opened (a FIFO's open for writing blocks
// until a reader comes), and checked again after (the open does not wait
// for a FIFO's reader).
func OpenRegularFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path}
	}
	f, _, err := openNoWait(path, flag, perm)
	return f, err
}

// openNoWait opens path as os.OpenFile does, with O_NONBLOCK where there
// is one, so that a FIFO put in path's place after a check is not waited
// on (opened for reading, it opens at once; for writing, without a reader,
// it fails), and refuses what it opened, with an error naming path,
// unless it is a regular file, whose reads and writes O_NONBLOCK leaves
// alone. It returns the file and its size.
func openNoWait(path string, flag int, perm os.FileMode) (*os.File, int64, error) {
	f, err := os.OpenFile(path, flag|nonBlock, perm)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = &NotRegularError{Path: path}
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// AbsPaths makes every non-empty path of ps absolute, relative ones taken
// from the working directory, so that a config names its files wherever it
// is read.
func AbsPaths(ps ...*string) error {
	for _, p := range ps {
		if *p == "" {
			continue
		}
		a, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = a
	}
	return nil
}

// ReadRegular reads the regular file path whole, as os.ReadFile does, and
// refuses anything else as OpenRegular does (so a FIFO does not block
// it), and a file of more than limit bytes, with an error naming it, after
// reading at most limit+1 bytes. A missing file is an error satisfying
// errors.Is(err, fs.ErrNotExist).
func ReadRegular(path string, limit int64) ([]byte, error) {
	f, _, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: more than %d bytes", path, limit)
	}
	return data, nil
}

// SyncDir makes a rename in dir durable: after it, a crash leaves the
// renamed file in place. A file system that cannot sync a directory
// reports EINVAL, which is not an error here.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
