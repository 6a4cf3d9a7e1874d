package npy

import (
	"encoding/binary"

	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/rnntrain/rnntrain/internal/files"
)

// Array is a float32, float64 or bool array in C order: exactly one of F32,
// F64 and Bool holds its values.
type Array struct {
	Shape []int
	F32   []float32
	F64   []float64
	Bool  []bool
}

// Len returns the number of values.
func (a Array) Len() int { return len(a.F32) + len(a.F64) + len(a.Bool) }

// Float32 returns the values as float32: F32 itself, or F64 rounded, or
// Bool as 0 and 1, in a new slice.
func (a Array) Float32() []float32 {
	if a.F32 != nil {
		return a.F32
	}
	out := make([]float32, a.Len())
	for i := range out {
		out[i] = float32(a.at(i))
	}
	return out
}

// Float64 returns the values as float64: F64 itself, or F32 or Bool (as 0
// and 1) converted into a new slice.
func (a Array) Float64() []float64 {
	if a.F64 != nil {
		return a.F64
	}
	out := make([]float64, a.Len())
	for i := range out {
		out[i] = a.at(i)
	}
	return out
}

// at returns value i as a float64.
func (a Array) at(i int) float64 {
	switch {
	case a.F32 != nil:
		return float64(a.F32[i])
	case a.F64 != nil:
		return a.F64[i]
	case a.Bool[i]:
		return 1
	}
	return 0
}

// header returns the .npy header of a: little-endian, C order.
func (a Array) header() Header {
	h := Header{Descr: "<f4", Shape: a.Shape}
	switch {
	case a.F64 != nil:
		h.Descr = "<f8"
	case a.Bool != nil:
		h.Descr = "|b1"
	}
	return h
}

// Decode reads one .npy array from r, which holds exactly size bytes. It
// reads and checks the header (see the package documentation) and that the
// data are exactly the bytes the shape and dtype need before it allocates
// them.
func Decode(r io.Reader, size int64) (Array, error) {
	h, used, err := readHeader(r, size)
	if err != nil {
		return Array{}, err
	}
	return decodeData(r, h, size-used)
}

// decodeData reads the data of an array with header h from r, which holds
// exactly avail more bytes.
func decodeData(r io.Reader, h Header, avail int64) (Array, error) {
	dt, order, need, err := h.dataIn(avail)
	if err != nil {
		return Array{}, err
	}
	n := int(need) / dt.Size()
	a := Array{Shape: append([]int{}, h.Shape...)}
	buf := make([]byte, min(need, 1<<16))
	switch dt {
	case Float32:
		a.F32 = make([]float32, n)
	case Float64:
		a.F64 = make([]float64, n)
	case Bool:
		a.Bool = make([]bool, n)
	}
	for i := 0; i < n; {
		k := min(n-i, len(buf)/dt.Size())
		chunk := buf[:k*dt.Size()]
		if _, err := io.ReadFull(r, chunk); err != nil {
			return Array{}, fmt.Errorf("read data: %w", err)
		}
		for j := range k {
			switch dt {
			case Float32:
				a.F32[i+j] = math.Float32frombits(order.Uint32(chunk[4*j:]))
			case Float64:
				a.F64[i+j] = math.Float64frombits(order.Uint64(chunk[8*j:]))
			case Bool:
				if chunk[j] > 1 {
					return Array{}, fmt.Errorf("bool array holds the byte %d at flat index %d; want 0 or 1", chunk[j], i+j)
				}
				a.Bool[i+j] = chunk[j] == 1
			}
		}
		i += k
	}
	return a, nil
}

// ReadFile reads the .npy array in the file at path. Errors name the file.
func ReadFile(path string) (Array, error) { return ReadFileChecked(path, nil) }

// ReadFileChecked is ReadFile calling check, when not nil, with the
// array's header once the header is read and found to describe the data
// the file holds, before the data are read or allocated: an error of check
// is returned as it is and nothing more is read. It lets a caller refuse an
// array too large for what it would make of it without holding the array.
func ReadFileChecked(path string, check func(Header) error) (Array, error) {
	f, size, err := files.OpenRegular(path)
	if err != nil {
		return Array{}, err
	}
	defer f.Close()
	h, used, err := readHeader(f, size)
	if err == nil {
		_, _, _, err = h.dataIn(size - used)
	}
	if err != nil {
		return Array{}, fmt.Errorf("%s: %w", path, err)
	}
	if check != nil {
		if err := check(h); err != nil {
			return Array{}, err
		}
	}
	a, err := decodeData(f, h, size-used)
	if err != nil {
		return Array{}, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// Encode writes a as a .npy array (version 1.0, little-endian, C order).
// It panics if more than one of F32, F64 and Bool is non-nil, or if the
// number of values does not match the shape.
func Encode(w io.Writer, a Array) error {
	n, ok := Header{Shape: a.Shape}.Len()
	set := 0
	for _, x := range []bool{a.F32 != nil, a.F64 != nil, a.Bool != nil} {
		if x {
			set++
		}
	}
	if !ok || set > 1 || a.Len() != n {
		panic(fmt.Sprintf("npy: Encode: %d float32, %d float64 and %d bool values for shape %v", len(a.F32), len(a.F64), len(a.Bool), a.Shape))
	}
	if err := WriteHeader(w, a.header()); err != nil {
		return err
	}
	buf := make([]byte, 0, 1<<16)
	flush := func() error {
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	for _, v := range a.F32 {
		if buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v)); len(buf) == cap(buf) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	for _, v := range a.F64 {
		if buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v)); len(buf) == cap(buf) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	for _, v := range a.Bool {
		b := byte(0)
		if v {
			b = 1
		}
		if buf = append(buf, b); len(buf) == cap(buf) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// WriteHeader writes the magic, version and header of h, as numpy writes
// them; the caller writes the data. It lets tests and tools write arrays of
// any dtype.
func WriteHeader(w io.Writer, h Header) error {
	_, err := w.Write(encodeHeader(h))
	return err
}

// WriteFile writes a to path as a .npy file, atomically: through a
// temporary file in the same directory and a rename.
func WriteFile(path string, a Array) error {
	return writeAtomic(path, func(w io.Writer) error { return Encode(w, a) })
}

// writeAtomic writes path through fill, a temporary file and a rename.
func writeAtomic(path string, fill func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	if err = fill(f); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
