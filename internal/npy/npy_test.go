package npy

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// want is the array the testdata files hold: arange(24).reshape(2, 3, 4)/8.
func want() []float32 {
	v := make([]float32, 24)
	for i := range v {
		v[i] = float32(i) / 8
	}
	return v
}

func TestReadNumpyFiles(t *testing.T) {
	for _, name := range []string{"f4.npy", "f8.npy", "f4be.npy", "f4v2.npy", "f4v3.npy"} {
		a, err := ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if fmt.Sprint(a.Shape) != "[2 3 4]" || fmt.Sprint(a.Float32()) != fmt.Sprint(want()) {
			t.Errorf("%s: shape %v values %v, want [2 3 4] %v", name, a.Shape, a.Float32(), want())
		}
	}
	if a, err := ReadFile("testdata/scalar.npy"); err != nil || len(a.Shape) != 0 || fmt.Sprint(a.F64) != "[2.5]" {
		t.Errorf("scalar: %+v %v", a, err)
	}
	if a, err := ReadFile("testdata/b1.npy"); err != nil || fmt.Sprint(a.Shape, a.Float32(), a.Float64()) != "[2 3] [1 0 1 0 0 1] [1 0 1 0 0 1]" {
		t.Errorf("bool: %+v %v", a, err)
	}
	if a, err := ReadFile("testdata/empty.npy"); err != nil || fmt.Sprint(a.Shape) != "[0 3]" || a.Len() != 0 {
		t.Errorf("empty: %+v %v", a, err)
	}
	for name, msg := range map[string]string{
		"fortran.npy": "Fortran",
		"i8.npy":      "dtype <i8 is not supported; want float32 (<f4), float64 (<f8) or bool (|b1)",
		"missing.npy": "no such file",
	} {
		_, err := ReadFile(filepath.Join("testdata", name))
		if err == nil || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want one naming the file and saying %q", name, err, msg)
		}
	}
}

func TestReadNumpyArchives(t *testing.T) {
	for _, name := range []string{"arrays.npz", "compressed.npz"} {
		a, err := OpenArchive(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(a.Names()) != "[inputs targets]" || !a.Has("inputs") || a.Has("mask") {
			t.Errorf("%s: names %v", name, a.Names())
		}
		h, err := a.Header("targets")
		if err != nil || fmt.Sprint(h.Shape) != "[2 3 2]" {
			t.Errorf("%s: targets header %+v %v", name, h, err)
		}
		in, err := a.Read("inputs")
		if err != nil || fmt.Sprint(in.Float32()) != fmt.Sprint(want()) {
			t.Errorf("%s: inputs %v %v", name, in, err)
		}
		if _, err := a.Read("mask"); err == nil || !strings.Contains(err.Error(), "no array mask") || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: missing array: %v", name, err)
		}
		a.Close()
	}
}

func TestWriteRoundTrip(t *testing.T) {
	dir := t.TempDir()
	a := Array{Shape: []int{2, 3, 4}, F32: want()}
	b := Array{Shape: []int{3}, F64: []float64{1, -2, 3.5}}
	c := Array{Shape: []int{2, 1}, Bool: []bool{true, false}}
	p := filepath.Join(dir, "a.npy")
	if err := WriteFile(p, a); err != nil {
		t.Fatal(err)
	}
	mine, _ := os.ReadFile(p)
	theirs, _ := os.ReadFile("testdata/f4.npy")
	if !bytes.Equal(mine, theirs) {
		t.Errorf("WriteFile differs from numpy.save:\n%q\n%q", mine, theirs)
	}
	z := filepath.Join(dir, "a.npz")
	if err := WriteArchive(z, []string{"a", "b", "c"}, []Array{a, b, c}); err != nil {
		t.Fatal(err)
	}
	ar, err := OpenArchive(z)
	if err != nil {
		t.Fatal(err)
	}
	defer ar.Close()
	got, err := ar.Read("b")
	if err != nil || fmt.Sprint(got.Shape, got.F64) != "[3] [1 -2 3.5]" {
		t.Errorf("round trip b: %+v %v", got, err)
	}
	if got, err := ar.Read("c"); err != nil || fmt.Sprint(got.Shape, got.Bool) != "[2 1] [true false]" {
		t.Errorf("round trip c: %+v %v", got, err)
	}
	if err := NewArchiveWriter(&bytes.Buffer{}).Add("x", a); err != nil {
		t.Error(err)
	}
}

// npyBytes returns a .npy file of the given version, header text and
// data.
func npyBytes(major byte, header string, data []byte) []byte {
	b := []byte(magic)
	b = append(b, major, 0)
	if major == 1 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(header)))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(header)))
	}
	return append(append(b, header...), data...)
}

// hostile lists malformed .npy files and what their errors must say.
func hostile() []struct {
	name string
	data []byte
	msg  string
} {
	f4 := func(shape string) string {
		return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }\n"
	}
	return []struct {
		name string
		data []byte
		msg  string
	}{
		{"empty", nil, "too short"},
		{"no magic", []byte("not numpy at all"), "no .npy magic"},
		{"version 9", npyBytes(9, f4("(1,)"), make([]byte, 4)), "format version 9.0"},
		{"no newline", npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", make([]byte, 4)), ""},
		{"header past end", npyBytes(1, f4("(1,)"), nil)[:20], "exceeds the"},
		{"v2 4 GB header", append([]byte(magic+"\x02\x00"), 0xff, 0xff, 0xff, 0xff, '{'), "header length 4294967295 exceeds the limit"},
		{"1e12 elements in a small file", npyBytes(1, f4("(1000000, 1000000)"), make([]byte, 3000)), "needs 4000000000000 bytes of data, the file holds 3000"},
		{"overflowing shape", npyBytes(1, f4("(4611686018427387904, 4)"), make([]byte, 16)), "too large"},
		{"huge dimension", npyBytes(1, f4("(99999999999999999999999,)"), nil), "too large"},
		{"negative dimension", npyBytes(1, f4("(-1,)"), nil), "non-negative integer"},
		{"truncated data", npyBytes(1, f4("(2, 3)"), make([]byte, 20)), "needs 24 bytes"},
		{"trailing data", npyBytes(1, f4("(2,)"), make([]byte, 12)), "needs 8 bytes"},
		{"unknown key", npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", make([]byte, 4)), "unknown key"},
		{"missing key", npyBytes(1, "{'descr': '<f4', 'shape': (1,)}", make([]byte, 4)), `no "fortran_order" key`},
		{"duplicate key", npyBytes(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", make([]byte, 4)), "twice"},
		{"structured", npyBytes(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", make([]byte, 4)), "structured"},
		{"not a dict", npyBytes(1, "[1, 2]", nil), "not a Python dict"},
		{"junk after dict", npyBytes(1, f4("(1,)")+"xyz", make([]byte, 4)), "data after the dict"},
		{"bad bool", npyBytes(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", make([]byte, 4)), "True or False"},
		{"unterminated", npyBytes(1, "{'descr': '<f4", nil), "unterminated"},
		{"too many dims", npyBytes(1, f4("("+strings.Repeat("1,", 65)+")"), make([]byte, 4)), "more than 64 dimensions"},
		{"v3 invalid utf8", npyBytes(3, "{'descr': '\xff', 'fortran_order': False, 'shape': ()}", nil), "UTF-8"},
		{"bool byte 2", npyBytes(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2,)}", []byte{1, 2}), "bool array holds the byte 2 at flat index 1"},
		{"int dtype", npyBytes(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (1,)}", make([]byte, 4)), "dtype <i4"},
	}
}

func TestDecodeHostile(t *testing.T) {
	for _, c := range hostile() {
		_, err := Decode(bytes.NewReader(c.data), int64(len(c.data)))
		switch {
		case c.msg == "" && err != nil:
			t.Errorf("%s: %v, want it read", c.name, err)
		case c.msg != "" && (err == nil || !strings.Contains(err.Error(), c.msg)):
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.msg)
		}
	}
}

// zipOf builds a zip archive holding one member with the given method,
// declared sizes patched in afterwards when declare > 0.
func zipOf(t testing.TB, name string, method uint16, content []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(content)
	zw.Close()
	return buf.Bytes()
}

// patchSize rewrites the uncompressed size of the single member in the
// central directory of a zip archive.
func patchSize(b []byte, size uint32) []byte {
	b = bytes.Clone(b)
	i := bytes.LastIndex(b, []byte("PK\x01\x02"))
	binary.LittleEndian.PutUint32(b[i+24:], size)
	j := bytes.Index(b, []byte("PK\x03\x04"))
	binary.LittleEndian.PutUint32(b[j+22:], size)
	return b
}

func TestArchiveHostile(t *testing.T) {
	var one bytes.Buffer
	Encode(&one, Array{Shape: []int{2}, F32: []float32{1, 2}})
	big := npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000,), }\n", nil)
	two := zipOf(t, "a.npy", zip.Store, one.Bytes())
	cases := []struct {
		name string
		data []byte
		msg  string
	}{
		{"not zip", []byte("hello"), "not an .npz archive"},
		{"claims 4 GB deflated", patchSize(zipOf(t, "a.npy", zip.Deflate, big), 0xfffffff0), "more than deflate can give"},
		{"claims 4 GB stored", patchSize(two, 0xfffffff0), "stored member claims"},
		{"shape beyond the member", zipOf(t, "a.npy", zip.Deflate, big), "needs 4000000000 bytes of data, the file holds 0"},
		{"bad crc", bytes.Replace(two, one.Bytes()[len(one.Bytes())-8:], []byte{9, 9, 9, 9, 9, 9, 9, 9}, 1), "checksum"},
	}
	for _, c := range cases {
		a, err := NewArchive(bytes.NewReader(c.data), int64(len(c.data)), "x.npz")
		if err == nil {
			_, err = a.Read("a")
		}
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "x.npz") {
			t.Errorf("%s: error %v, want one naming x.npz and containing %q", c.name, err, c.msg)
		}
	}
	// Two members that are one array to numpy.load.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range []string{"a.npy", "a"} {
		w, _ := zw.Create(n)
		w.Write(one.Bytes())
	}
	zw.Close()
	if _, err := NewArchive(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "x.npz"); err == nil || !strings.Contains(err.Error(), "array a twice") {
		t.Errorf("duplicate member: %v", err)
	}
}

func TestEncodeValue(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{[][][]float32{{{1, 2}}, {{3, 4}}}, "[2 1 2] [1 2 3 4]"},
		{[]float64{1.5}, "[1] [1.5]"},
		{2.5, "[] [2.5]"},
		{[][]bool{{true}, {false}}, "[2 1] [1 0]"},
	} {
		var buf bytes.Buffer
		if err := EncodeValue(&buf, c.v); err != nil {
			t.Fatal(err)
		}
		a, err := Decode(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil || fmt.Sprint(a.Shape, a.Float64()) != c.want {
			t.Errorf("EncodeValue(%v) reads back as %v %v (%v), want %s", c.v, a.Shape, a.Float64(), err, c.want)
		}
	}
	var buf bytes.Buffer
	EncodeValue(&buf, [][]int64{{1, 2}})
	if _, err := Decode(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err == nil || !strings.Contains(err.Error(), "dtype <i8") {
		t.Errorf("int64 array: %v, want a dtype error", err)
	}
	if err := EncodeValue(&buf, [][]float32{{1, 2}, {3}}); err == nil || !strings.Contains(err.Error(), "ragged") {
		t.Errorf("ragged slice: %v", err)
	}
	if err := EncodeValue(&buf, []string{"a"}); err == nil {
		t.Error("string slice encoded")
	}
	// A uint64 keeps all 64 bits (a seed), as numpy's <u8.
	buf.Reset()
	if err := EncodeValue(&buf, uint64(math.MaxUint64)); err != nil {
		t.Fatal(err)
	}
	h, used, err := readHeader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil || h.Descr != "<u8" || len(h.Shape) != 0 || !bytes.Equal(buf.Bytes()[used:], bytes.Repeat([]byte{0xff}, 8)) {
		t.Errorf("uint64: header %+v (%v), data % x; want <u8 of shape () and ff × 8", h, err, buf.Bytes()[min(int(used), buf.Len()):])
	}
}

func TestReadFileNumeric(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		v    any
		want string
	}{
		{[][]int64{{1, -2}, {0, 3}}, "[2 2] [1 -2 0 3]"},
		{[]int32{-7, 7}, "[2] [-7 7]"},
		{[]float32{0.5}, "[1] [0.5]"},
		{[]bool{true, false}, "[2] [1 0]"},
	} {
		p := filepath.Join(dir, "x.npy")
		var buf bytes.Buffer
		EncodeValue(&buf, c.v)
		os.WriteFile(p, buf.Bytes(), 0o644)
		a, err := ReadFileNumeric(p)
		if err != nil || fmt.Sprint(a.Shape, a.Float64()) != c.want {
			t.Errorf("%v: %v %v (%v), want %s", c.v, a.Shape, a.Float64(), err, c.want)
		}
	}
	p := filepath.Join(dir, "u1.npy")
	os.WriteFile(p, append(npyBytes(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,)}", nil), 255, 1), 0o644)
	if a, err := ReadFileNumeric(p); err != nil || fmt.Sprint(a.F64) != "[255 1]" {
		t.Errorf("u1: %v %v", a.F64, err)
	}
	os.WriteFile(p, append(npyBytes(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1000000000,)}", nil), 1, 2), 0o644)
	if _, err := ReadFileNumeric(p); err == nil || !strings.Contains(err.Error(), "does not match") || !strings.Contains(err.Error(), p) {
		t.Errorf("oversized int array: %v", err)
	}
	os.WriteFile(p, append(npyBytes(1, "{'descr': '<U3', 'fortran_order': False, 'shape': (1,)}", nil), make([]byte, 12)...), 0o644)
	if _, err := ReadFileNumeric(p); err == nil || !strings.Contains(err.Error(), "dtype <U3") {
		t.Errorf("string array: %v", err)
	}
}

// TestHeaderNumeric: the header of an integer array, which Header refuses,
// with its shape checked against the member's size, and of a float array
// as Header reads it.
func TestHeaderNumeric(t *testing.T) {
	var ints, floats bytes.Buffer
	EncodeValue(&ints, [][]int64{{1, 2, 3}, {4, 5, 6}})
	EncodeValue(&floats, []float32{1, 2})
	big := append(npyBytes(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1000000000,)}", nil), make([]byte, 16)...)
	for _, c := range []struct {
		member []byte
		want   string // the shape and dtype, or the error's text
	}{
		{ints.Bytes(), "[2 3] <i8"},
		{floats.Bytes(), "[2] <f4"},
		{big, "shape [1000000000] of <i8 does not match the 16 bytes of data"},
		{append(npyBytes(1, "{'descr': '<U3', 'fortran_order': False, 'shape': (1,)}", nil), make([]byte, 12)...), "dtype <U3 is not supported"},
	} {
		data := zipOf(t, "a.npy", zip.Deflate, c.member)
		a, err := NewArchive(bytes.NewReader(data), int64(len(data)), "x.npz")
		if err != nil {
			t.Fatal(err)
		}
		h, err := a.HeaderNumeric("a")
		got := fmt.Sprint(h.Shape, " ", h.Descr)
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("HeaderNumeric: %q, want %q", got, c.want)
		}
	}
}

// TestArchiveChecksums: every reader of a member checks its checksum, not
// Read alone: a damaged integer array is an error, not other values.
func TestArchiveChecksums(t *testing.T) {
	var ints bytes.Buffer
	EncodeValue(&ints, []int64{7, 8, 9})
	good := zipOf(t, "a.npy", zip.Store, ints.Bytes())
	bad := bytes.Replace(good, ints.Bytes()[len(ints.Bytes())-8:], []byte{1, 0, 0, 0, 0, 0, 0, 0}, 1)
	for _, c := range []struct {
		name string
		read func(a *Archive) error
	}{
		{"ReadNumeric", func(a *Archive) error { _, err := a.ReadNumeric("a"); return err }},
		{"Raw", func(a *Archive) error { _, _, err := a.Raw("a"); return err }},
	} {
		a, err := NewArchive(bytes.NewReader(good), int64(len(good)), "x.npz")
		if err != nil {
			t.Fatal(err)
		}
		if err := c.read(a); err != nil {
			t.Errorf("%s of an intact member: %v", c.name, err)
		}
		a, err = NewArchive(bytes.NewReader(bad), int64(len(bad)), "x.npz")
		if err != nil {
			t.Fatal(err)
		}
		if err := c.read(a); err == nil || !strings.Contains(err.Error(), "checksum") || !strings.Contains(err.Error(), "x.npz") {
			t.Errorf("%s of a damaged member: error %v, want a checksum error naming x.npz", c.name, err)
		}
	}
}
