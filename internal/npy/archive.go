package npy

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/rnntrain/rnntrain/internal/files"
)

// maxRatio bounds how many times larger than its compressed size an
// archive member may declare itself: deflate cannot compress by more than
// about 1032 to 1.
const maxRatio = 1100

// Archive is an open .npz archive. Its members are .npy arrays, named as
// numpy.load names them: the member name without its ".npy" suffix.
type Archive struct {
	path    string
	size    int64
	members map[string]*zip.File
	names   []string
	closer  io.Closer
}

// OpenArchive opens the .npz archive at path. Errors name the file.
func OpenArchive(path string) (*Archive, error) {
	f, size, err := files.OpenRegular(path)
	if err != nil {
		return nil, err
	}
	a, err := NewArchive(f, size, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	a.closer = f
	return a, nil
}

// NewArchive reads the directory of the .npz archive held in the size
// bytes of r; path names it in errors. Member names must be unique once
// their ".npy" suffix is dropped.
func NewArchive(r io.ReaderAt, size int64, path string) (*Archive, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		// (Member names are only looked up, never used as paths.)
		return nil, fmt.Errorf("%s: not an .npz archive (a zip of .npy files): %w", path, err)
	}
	a := &Archive{path: path, size: size, members: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		name := strings.TrimSuffix(f.Name, ".npy")
		if _, dup := a.members[name]; dup {
			return nil, fmt.Errorf("%s: the archive holds array %s twice", path, name)
		}
		a.members[name] = f
		a.names = append(a.names, name)
	}
	slices.Sort(a.names)
	return a, nil
}

// Close closes the file OpenArchive opened; it does nothing for an archive
// made by NewArchive.
func (a *Archive) Close() error {
	if a.closer == nil {
		return nil
	}
	return a.closer.Close()
}

// Names returns the names of the arrays in the archive, sorted.
func (a *Archive) Names() []string { return slices.Clone(a.names) }

// Has reports whether the archive holds an array named name.
func (a *Archive) Has(name string) bool {
	_, ok := a.members[name]
	return ok
}

// Header reads the header of the array name, checking it as Read does but
// reading no data.
func (a *Archive) Header(name string) (Header, error) { return a.header(name, false) }

// HeaderNumeric reads the header of the array name as Header does, and
// also of an array of integer dtype (as ReadNumeric reads it), reading no
// data.
func (a *Archive) HeaderNumeric(name string) (Header, error) { return a.header(name, true) }

// header reads and checks the header of the array name; ints accepts the
// integer dtypes.
func (a *Archive) header(name string, ints bool) (Header, error) {
	var h Header
	err := a.open(name, func(r io.Reader, size int64) error {
		var used int64
		var err error
		if h, used, err = readHeader(r, size); err != nil {
			return err
		}
		if _, _, derr := h.dtype(); derr != nil && ints {
			return h.checkInts(size - used)
		}
		_, _, need, err := h.dataSize()
		if err == nil && need != size-used {
			err = fmt.Errorf("shape %v of %s needs %d bytes of data, the member holds %d", h.Shape, h.Descr, need, size-used)
		}
		return err
	})
	return h, err
}

// Read reads the array name (see Decode). Errors name the file and the
// array.
func (a *Archive) Read(name string) (Array, error) {
	var arr Array
	err := a.open(name, func(r io.Reader, size int64) error {
		var err error
		if arr, err = Decode(r, size); err != nil {
			return err
		}
		return atEnd(r)
	})
	return arr, err
}

// atEnd checks that r, a member's reader after its data, is at its end:
// reading to the end makes the zip reader check the CRC.
func atEnd(r io.Reader) error {
	if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			err = errors.New("more data than the header declares")
		}
		return fmt.Errorf("after the data: %w", err)
	}
	return nil
}

// ReadNumeric reads the array name as Read does, and also arrays of
// integer dtype, whose values it returns in F64 (exactly up to 2⁵³), as
// ReadFileNumeric does for a file. Errors name the file and the array.
func (a *Archive) ReadNumeric(name string) (Array, error) {
	var arr Array
	err := a.open(name, func(r io.Reader, size int64) error {
		h, used, err := readHeader(r, size)
		if err != nil {
			return err
		}
		if _, _, derr := h.dtype(); derr == nil {
			arr, err = decodeData(r, h, size-used)
		} else {
			arr, err = decodeInts(r, h, size-used)
		}
		if err != nil {
			return err
		}
		return atEnd(r)
	})
	return arr, err
}

// Raw reads the array name of any fixed-size dtype ("<i8", "|u1", ...,
// besides the ones Read converts) and returns its header and its data
// bytes, checked to be exactly the size the shape and the dtype's item
// size need. The caller interprets the bytes. Errors name the file and the
// array.
func (a *Archive) Raw(name string) (Header, []byte, error) {
	var h Header
	var data []byte
	err := a.open(name, func(r io.Reader, size int64) error {
		var used int64
		var err error
		if h, used, err = readHeader(r, size); err != nil {
			return err
		}
		n, ok := h.Len()
		item, err := strconv.Atoi(strings.TrimLeft(h.Descr, "<>|=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
		if err != nil || item < 1 || item > 16 {
			return fmt.Errorf("dtype %s has no fixed item size", h.Descr)
		}
		if h.Fortran {
			return errors.New("stored in Fortran (column-major) order; want C order")
		}
		if !ok || n > math.MaxInt64/item || int64(n*item) != size-used {
			return fmt.Errorf("shape %v of %s does not match the member's %d bytes of data", h.Shape, h.Descr, size-used)
		}
		data = make([]byte, n*item)
		if _, err := io.ReadFull(r, data); err != nil {
			return err
		}
		return atEnd(r)
	})
	return h, data, err
}

// open checks the sizes member name declares and calls read with its
// contents and uncompressed size.
func (a *Archive) open(name string, read func(r io.Reader, size int64) error) error {
	f, ok := a.members[name]
	if !ok {
		return fmt.Errorf("%s: no array %s; the archive holds %q", a.path, name, a.names)
	}
	bad := func(err error) error { return fmt.Errorf("%s: array %s: %w", a.path, name, err) }
	c, u := f.CompressedSize64, f.UncompressedSize64
	switch {
	case c > uint64(a.size):
		return bad(fmt.Errorf("member claims %d compressed bytes in a %d-byte file (truncated?)", c, a.size))
	case u > math.MaxInt64:
		return bad(fmt.Errorf("member claims %d bytes", u))
	case f.Method == zip.Store && c != u:
		return bad(fmt.Errorf("stored member claims %d bytes but holds %d", u, c))
	case f.Method == zip.Deflate && u/maxRatio > c:
		return bad(fmt.Errorf("member claims %d bytes from %d compressed, more than deflate can give", u, c))
	case f.Method != zip.Store && f.Method != zip.Deflate:
		return bad(fmt.Errorf("compression method %d is not supported; want stored or deflated (numpy.savez, numpy.savez_compressed)", f.Method))
	}
	rc, err := f.Open()
	if err != nil {
		return bad(err)
	}
	defer rc.Close()
	if err := read(rc, int64(u)); err != nil {
		return bad(err)
	}
	return nil
}

// ArchiveWriter writes an .npz archive as numpy.savez does: each array a
// stored (uncompressed) member NAME.npy.
type ArchiveWriter struct {
	zw    *zip.Writer
	names map[string]bool
}

// NewArchiveWriter returns a writer of an .npz archive onto w.
func NewArchiveWriter(w io.Writer) *ArchiveWriter {
	return &ArchiveWriter{zw: zip.NewWriter(w), names: map[string]bool{}}
}

// Add writes array a as member name.npy. It fails if name was added
// before.
func (w *ArchiveWriter) Add(name string, a Array) error {
	m, err := w.member(name)
	if err != nil {
		return err
	}
	return Encode(m, a)
}

// AddValue writes v (see EncodeValue) as member name.npy. It fails if name
// was added before.
func (w *ArchiveWriter) AddValue(name string, v any) error {
	m, err := w.member(name)
	if err != nil {
		return err
	}
	return EncodeValue(m, v)
}

// member starts member name.npy.
func (w *ArchiveWriter) member(name string) (io.Writer, error) {
	if w.names[name] {
		return nil, fmt.Errorf("npy: array %s added twice", name)
	}
	w.names[name] = true
	return w.zw.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: zip.Store})
}

// Close finishes the archive; it does not close the underlying writer.
func (w *ArchiveWriter) Close() error { return w.zw.Close() }

// WriteArchive writes the arrays, in order, under names to an .npz file at
// path, atomically (a temporary file and a rename). It panics if names and
// arrays differ in length.
func WriteArchive(path string, names []string, arrays []Array) error {
	if len(names) != len(arrays) {
		panic(fmt.Sprintf("npy: WriteArchive: %d names for %d arrays", len(names), len(arrays)))
	}
	return writeAtomic(path, func(f io.Writer) error {
		w := NewArchiveWriter(f)
		for i, a := range arrays {
			if err := w.Add(names[i], a); err != nil {
				return err
			}
		}
		return w.Close()
	})
}
