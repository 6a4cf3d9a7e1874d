package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on what a header may declare.
const (
	// MaxHeader is the longest header accepted, in bytes (numpy writes
	// headers of a few hundred bytes; its own reader refuses more than
	// 10000 by default).
	MaxHeader = 1 << 16
	// MaxDims is the most dimensions a shape may have (numpy's limit).
	MaxDims = 64
)

// magic starts every .npy file.
const magic = "\x93NUMPY"

// prefixLen is the length of the magic (6 bytes) and the two version bytes.
const prefixLen = 8

// Header is the description of an array in a .npy header.
type Header struct {
	// Descr is the dtype string: "<f4", ">f8", "<i8", "|b1", ...
	Descr string
	// Fortran is true for an array stored in column-major order.
	Fortran bool
	// Shape is the array's shape; empty for a scalar.
	Shape []int
}

// DType is an element type this package reads and writes.
type DType int

// The supported element types.
const (
	Float32 DType = iota + 1 // '<f4' or '>f4'
	Float64                  // '<f8' or '>f8'
	Bool                     // '|b1', one byte 0 or 1
)

// Size returns the bytes per element.
func (d DType) Size() int {
	switch d {
	case Float64:
		return 8
	case Bool:
		return 1
	}
	return 4
}

// dtype returns the element type and byte order of h's Descr, or an error
// saying what was found and what is wanted.
func (h Header) dtype() (DType, binary.ByteOrder, error) {
	var order binary.ByteOrder = binary.LittleEndian
	d := h.Descr
	if d == "|b1" {
		return Bool, order, nil
	}
	if len(d) == 3 {
		switch d[0] {
		case '<':
		case '>':
			order = binary.BigEndian
		default:
			d = "?"
		}
		switch d[1:] {
		case "f4":
			return Float32, order, nil
		case "f8":
			return Float64, order, nil
		}
	}
	return 0, nil, fmt.Errorf("dtype %s is not supported; want float32 (<f4), float64 (<f8) or bool (|b1)", h.Descr)
}

// Len returns the number of elements of h's shape, and false if it
// overflows an int.
func (h Header) Len() (int, bool) {
	n := 1
	for _, d := range h.Shape {
		if d < 0 {
			return 0, false
		}
		if d != 0 && n > math.MaxInt/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// dataSize returns the bytes of data h declares, checking the dtype, the
// order and the shape.
func (h Header) dataSize() (DType, binary.ByteOrder, int64, error) {
	dt, order, err := h.dtype()
	if err != nil {
		return 0, nil, 0, err
	}
	if h.Fortran {
		return 0, nil, 0, errors.New("stored in Fortran (column-major) order; want C order (save numpy.ascontiguousarray(x))")
	}
	n, ok := h.Len()
	if !ok || n > math.MaxInt64/dt.Size() {
		return 0, nil, 0, fmt.Errorf("shape %v is too large", h.Shape)
	}
	return dt, order, int64(n) * int64(dt.Size()), nil
}

// dataIn is dataSize checked against avail, the bytes of data a file
// holds after the header: they must be exactly those h declares.
func (h Header) dataIn(avail int64) (DType, binary.ByteOrder, int64, error) {
	dt, order, need, err := h.dataSize()
	if err == nil && need != avail {
		err = fmt.Errorf("shape %v of %s needs %d bytes of data, the file holds %d (truncated or not a .npy file?)", h.Shape, h.Descr, need, avail)
	}
	return dt, order, need, err
}

// readHeader reads the magic, version and header from r, of which at most
// avail bytes remain, and returns the header and the number of bytes read.
func readHeader(r io.Reader, avail int64) (Header, int64, error) {
	var pre [prefixLen + 4]byte
	if avail < prefixLen+2 {
		return Header{}, 0, fmt.Errorf("%d bytes, too short for a .npy header (not a .npy file?)", avail)
	}
	if _, err := io.ReadFull(r, pre[:prefixLen]); err != nil {
		return Header{}, 0, fmt.Errorf("read header: %w", err)
	}
	if string(pre[:len(magic)]) != magic {
		return Header{}, 0, fmt.Errorf("no .npy magic: starts with %q, want %q", pre[:len(magic)], magic)
	}
	major := pre[len(magic)]
	var hlen int64
	var used int64 = prefixLen
	switch major {
	case 1:
		if _, err := io.ReadFull(r, pre[prefixLen:prefixLen+2]); err != nil {
			return Header{}, 0, fmt.Errorf("read header: %w", err)
		}
		hlen, used = int64(binary.LittleEndian.Uint16(pre[prefixLen:])), used+2
	case 2, 3:
		if avail < prefixLen+4 {
			return Header{}, 0, fmt.Errorf("%d bytes, too short for a version %d .npy header", avail, major)
		}
		if _, err := io.ReadFull(r, pre[prefixLen:prefixLen+4]); err != nil {
			return Header{}, 0, fmt.Errorf("read header: %w", err)
		}
		hlen, used = int64(binary.LittleEndian.Uint32(pre[prefixLen:])), used+4
	default:
		return Header{}, 0, fmt.Errorf("format version %d.%d is not supported; want 1.0, 2.0 or 3.0", major, pre[len(magic)+1])
	}
	switch {
	case hlen > MaxHeader:
		return Header{}, 0, fmt.Errorf("header length %d exceeds the limit of %d bytes", hlen, MaxHeader)
	case hlen > avail-used:
		return Header{}, 0, fmt.Errorf("header length %d exceeds the %d bytes that follow it (truncated?)", hlen, avail-used)
	}
	text := make([]byte, hlen)
	if _, err := io.ReadFull(r, text); err != nil {
		return Header{}, 0, fmt.Errorf("read header: %w", err)
	}
	if major == 3 && !utf8.Valid(text) {
		return Header{}, 0, errors.New("version 3 header is not valid UTF-8")
	}
	h, err := parseHeader(text)
	if err != nil {
		return Header{}, 0, fmt.Errorf("header %q: %w", clip(text), err)
	}
	return h, used + hlen, nil
}

// clip shortens a header for messages.
func clip(b []byte) string {
	b = bytes.TrimRight(b, " \n")
	if len(b) > 120 {
		return string(b[:120]) + "…"
	}
	return string(b)
}

// parseHeader parses the header dict: exactly the keys descr (a string),
// fortran_order (True or False) and shape (a tuple of non-negative
// integers), each once, in any order, with an optional trailing comma.
func parseHeader(text []byte) (Header, error) {
	p := &parser{s: string(bytes.TrimRight(text, " \t\n\x00"))}
	var h Header
	seen := map[string]bool{}
	if !p.eat('{') {
		return h, errors.New("not a Python dict: want '{'")
	}
	for !p.eat('}') {
		key, err := p.str()
		if err != nil {
			return h, fmt.Errorf("key: %w", err)
		}
		if seen[key] {
			return h, fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		if !p.eat(':') {
			return h, fmt.Errorf("key %q: want ':'", key)
		}
		switch key {
		case "descr":
			if p.peek() == '[' {
				return h, errors.New("structured dtypes (a descr list) are not supported; want float32 (<f4) or float64 (<f8)")
			}
			if h.Descr, err = p.str(); err != nil {
				return h, fmt.Errorf("descr: %w", err)
			}
		case "fortran_order":
			if h.Fortran, err = p.boolean(); err != nil {
				return h, fmt.Errorf("fortran_order: %w", err)
			}
		case "shape":
			if h.Shape, err = p.tuple(); err != nil {
				return h, fmt.Errorf("shape: %w", err)
			}
		default:
			return h, fmt.Errorf("unknown key %q; want descr, fortran_order and shape", key)
		}
		if !p.eat(',') {
			if !p.eat('}') {
				return h, fmt.Errorf("after key %q: want ',' or '}'", key)
			}
			break
		}
	}
	if p.skip(); p.i != len(p.s) {
		return h, fmt.Errorf("data after the dict at byte %d", p.i)
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("no %q key", k)
		}
	}
	return h, nil
}

// parser scans the small Python-literal grammar of a header.
type parser struct {
	s string
	i int
}

func (p *parser) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *parser) peek() byte {
	p.skip()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *parser) eat(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

// str parses a quoted string without escapes (dtype strings and keys have
// none).
func (p *parser) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", errors.New("want a quoted string")
	}
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", errors.New("unterminated string")
	}
	s := p.s[p.i+1 : p.i+1+end]
	if strings.ContainsRune(s, '\\') {
		return "", errors.New("escapes are not supported in strings")
	}
	p.i += end + 2
	return s, nil
}

func (p *parser) boolean() (bool, error) {
	p.skip()
	for _, w := range []string{"True", "False"} {
		if strings.HasPrefix(p.s[p.i:], w) {
			p.i += len(w)
			return w == "True", nil
		}
	}
	return false, errors.New("want True or False")
}

// tuple parses (d0, d1, ...) of non-negative integers, at most MaxDims.
func (p *parser) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, errors.New("want a tuple '('")
	}
	shape := []int{}
	for !p.eat(')') {
		if len(shape) == MaxDims {
			return nil, fmt.Errorf("more than %d dimensions", MaxDims)
		}
		p.skip()
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		if j == p.i {
			return nil, errors.New("want a non-negative integer")
		}
		d, err := strconv.Atoi(p.s[p.i:j])
		if err != nil {
			return nil, fmt.Errorf("dimension %s is too large", p.s[p.i:j])
		}
		p.i = j
		if p.i < len(p.s) && p.s[p.i] == 'L' { // Python 2 long
			p.i++
		}
		shape = append(shape, d)
		if !p.eat(',') {
			if !p.eat(')') {
				return nil, errors.New("want ',' or ')'")
			}
			break
		}
	}
	return shape, nil
}

// encodeHeader returns the bytes of a version 1.0 header for h (version 2.0
// if it does not fit), padded so the data start at a multiple of 64 bytes,
// as numpy writes them.
func encodeHeader(h Header) []byte {
	var b strings.Builder
	order := "False"
	if h.Fortran {
		order = "True"
	}
	fmt.Fprintf(&b, "{'descr': '%s', 'fortran_order': %s, 'shape': (", h.Descr, order)
	for i, d := range h.Shape {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(d))
	}
	if len(h.Shape) == 1 {
		b.WriteString(",")
	}
	b.WriteString("), }")
	text := b.String()
	major, lenSize := byte(1), 2
	if prefixLen+2+len(text)+1 > math.MaxUint16 {
		major, lenSize = 2, 4
	}
	total := prefixLen + lenSize + len(text) + 1
	pad := (64 - total%64) % 64
	hlen := len(text) + pad + 1
	out := make([]byte, 0, total+pad)
	out = append(out, magic...)
	out = append(out, major, 0)
	if lenSize == 2 {
		out = binary.LittleEndian.AppendUint16(out, uint16(hlen))
	} else {
		out = binary.LittleEndian.AppendUint32(out, uint32(hlen))
	}
	out = append(out, text...)
	out = append(out, bytes.Repeat([]byte{' '}, pad)...)
	return append(out, '\n')
}
