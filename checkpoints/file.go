package checkpoints

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rnntrain/rnntrain/internal/files"
)

// Checkpoint is the state of a training run: the metadata and every tensor
// (parameters, then optimizer state under OptimizerPrefix).
type Checkpoint struct {
	Meta    Meta
	Tensors []Tensor
	// Path is the file Load read the checkpoint from, empty for one built in
	// memory. Messages about the checkpoint name it.
	Path string
}

// Tensor returns the tensor named name, and false if there is none. The
// pointer refers into c.Tensors.
func (c *Checkpoint) Tensor(name string) (*Tensor, bool) {
	for i := range c.Tensors {
		if c.Tensors[i].Name == name {
			return &c.Tensors[i], true
		}
	}
	return nil, false
}

// name returns how messages refer to c.
func (c *Checkpoint) name() string {
	if c.Path == "" {
		return "checkpoint"
	}
	return "checkpoint " + c.Path
}

// Save writes c to path atomically: it writes a temporary file in the same
// directory, syncs it, renames it over path and syncs the directory, so that
// path holds either its old contents or the complete new checkpoint, even
// after a crash. On any error the temporary file is removed and an existing
// file at path is left untouched. See Marshal for what is written.
func Save(path string, c *Checkpoint) error {
	return save(path, c, nil)
}

// writeHook, when non-nil, wraps the writer of the temporary file; tests use
// it to inject write failures.
type writeHook func(io.Writer) io.Writer

func save(path string, c *Checkpoint, hook writeHook) error {
	data, err := Marshal(c)
	if err != nil {
		return fmt.Errorf("save checkpoint %s: %w", path, err)
	}
	if err := writeAtomic(path, data, hook); err != nil {
		return fmt.Errorf("save checkpoint %s: %w", path, err)
	}
	return nil
}

// writeAtomic replaces path by a file holding data, through a synced
// temporary file in the same directory and a rename.
func writeAtomic(path string, data []byte, hook writeHook) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	var w io.Writer = f
	if hook != nil {
		w = hook(f)
	}
	if _, err = w.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return files.SyncDir(dir)
}

// Load reads and validates the checkpoint at path (see Unmarshal). Errors
// name the file and what was expected; a newer format version gives a
// *VersionError and a checksum mismatch a *ChecksumError, each naming the
// file. Anything but a regular file is refused before it is opened. Load
// reads and checks the header first, so that a file that is not a
// checkpoint is refused before the rest is read; it then reads the file
// into one buffer of its size and decodes the tensors from it, so it
// allocates about twice the file's size.
func Load(path string) (*Checkpoint, error) {
	data, err := readFile(path)
	var c *Checkpoint
	if he, ok := errors.AsType[*headerError](err); ok {
		err = he.err // reported as Unmarshal's
	} else if err != nil {
		return nil, fmt.Errorf("load checkpoint: %w", err)
	} else {
		c, err = Unmarshal(data)
	}
	if err != nil {
		if ve, ok := errors.AsType[*VersionError](err); ok {
			ve.Path = path
			return nil, ve
		}
		if ce, ok := errors.AsType[*ChecksumError](err); ok {
			ce.Path = path
			return nil, ce
		}
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	c.Path = path
	return c, nil
}

// readFile reads the regular file path whole into a buffer of the size it
// had when opened, failing if it then holds fewer or more bytes. It reads
// the header first and checks it (headerLength, checkHeader): a file that
// is not a checkpoint, however large, is refused before its data are read.
// An error of that check is a *headerError.
func readFile(path string) ([]byte, error) {
	f, size, err := files.OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	read := func(b []byte) error {
		if _, err := io.ReadFull(f, b); err != nil {
			if err == io.ErrUnexpectedEOF || err == io.EOF {
				err = errors.New("file shrank while it was read")
			}
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	}
	if size < 8 {
		data := make([]byte, size)
		return data, read(data) // Unmarshal says it is too short
	}
	head := make([]byte, 8)
	if err := read(head); err != nil {
		return nil, err
	}
	n, err := headerLength(head, uint64(size))
	if err != nil {
		return nil, &headerError{err}
	}
	header := make([]byte, n)
	if err := read(header); err != nil {
		return nil, err
	}
	if err := checkHeader(header, uint64(size)); err != nil {
		return nil, &headerError{err}
	}
	data := make([]byte, size)
	copy(data, head)
	copy(data[8:], header)
	if err := read(data[8+n:]); err != nil {
		return nil, err
	}
	if n, _ := f.Read(make([]byte, 1)); n > 0 {
		return nil, fmt.Errorf("%s: file grew while it was read", path)
	}
	return data, nil
}

// headerError is a header readFile refused before reading the data: Load
// reports it as it reports Unmarshal's errors.
type headerError struct{ err error }

func (e *headerError) Error() string { return e.err.Error() }
func (e *headerError) Unwrap() error { return e.err }
