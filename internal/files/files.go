package files

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// OpenRegular opens path for reading and returns the file and its size. It
// refuses anything but a regular file, with an error naming path, before
// opening it (and checks again after, should path have changed between).
func OpenRegular(path string) (*os.File, int64, error) {
	if st, err := os.Stat(path); err != nil {
		return nil, 0, err
	} else if !st.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("%s: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("%s: not a regular file", path)
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
// it). A missing file is an error satisfying errors.Is(err,
// fs.ErrNotExist).
func ReadRegular(path string) ([]byte, error) {
	f, _, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
