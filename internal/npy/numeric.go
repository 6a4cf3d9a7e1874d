package npy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/rnntrain/rnntrain/internal/files"
)

// ReadFileNumeric reads the .npy array at path as ReadFile does, and also
// arrays of integer dtype (signed i1, i2, i4, i8 and unsigned u1, u2, u4,
// u8, either byte order), whose values it returns in F64 (exactly up to
// 2⁵³). Errors name the file.
func ReadFileNumeric(path string) (Array, error) {
	f, size, err := files.OpenRegular(path)
	if err != nil {
		return Array{}, err
	}
	defer f.Close()
	h, used, err := readHeader(f, size)
	if err == nil {
		if _, _, derr := h.dtype(); derr == nil {
			var a Array
			a, err = decodeData(f, h, size-used)
			if err == nil {
				return a, nil
			}
		} else {
			var a Array
			a, err = decodeInts(f, h, size-used)
			if err == nil {
				return a, nil
			}
		}
	}
	return Array{}, fmt.Errorf("%s: %w", path, err)
}

// intDType returns the item size and byte order of an integer dtype
// (signed i1 … i8, unsigned u1 … u8), or size 0.
func intDType(d string) (size int, order binary.ByteOrder) {
	order = binary.LittleEndian
	if len(d) == 3 && (d[0] == '<' || d[0] == '>' || d[0] == '|') && (d[1] == 'i' || d[1] == 'u') {
		switch d[2] {
		case '1', '2', '4', '8':
			size = int(d[2] - '0')
		}
		if d[0] == '>' {
			order = binary.BigEndian
		}
	}
	return size, order
}

// checkInts checks that h is a C-order integer array whose data are
// exactly avail bytes.
func (h Header) checkInts(avail int64) error {
	size, _ := intDType(h.Descr)
	if size == 0 {
		return fmt.Errorf("dtype %s is not supported; want a float, integer or bool dtype", h.Descr)
	}
	if h.Fortran {
		return errors.New("stored in Fortran (column-major) order; want C order (save numpy.ascontiguousarray(x))")
	}
	n, ok := h.Len()
	if !ok || n > math.MaxInt64/size || int64(n*size) != avail {
		return fmt.Errorf("shape %v of %s does not match the %d bytes of data in the file", h.Shape, h.Descr, avail)
	}
	return nil
}

// decodeInts reads the data of an integer array with header h from r,
// which holds exactly avail more bytes, into F64.
func decodeInts(r io.Reader, h Header, avail int64) (Array, error) {
	if err := h.checkInts(avail); err != nil {
		return Array{}, err
	}
	d := h.Descr
	size, order := intDType(d)
	n, _ := h.Len()
	a := Array{Shape: append([]int{}, h.Shape...), F64: make([]float64, n)}
	buf := make([]byte, min(n*size, 1<<16))
	signed := d[1] == 'i'
	for i := 0; i < n; {
		k := min(n-i, len(buf)/size)
		chunk := buf[:k*size]
		if _, err := io.ReadFull(r, chunk); err != nil {
			return Array{}, fmt.Errorf("read data: %w", err)
		}
		for j := range k {
			var u uint64
			switch size {
			case 1:
				u = uint64(chunk[j])
			case 2:
				u = uint64(order.Uint16(chunk[2*j:]))
			case 4:
				u = uint64(order.Uint32(chunk[4*j:]))
			case 8:
				u = order.Uint64(chunk[8*j:])
			}
			v := float64(u)
			if signed {
				shift := 64 - 8*size
				v = float64(int64(u<<shift) >> shift)
			}
			a.F64[i+j] = v
		}
		i += k
	}
	return a, nil
}
