package npy

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// seeds adds every testdata file with the given suffix to f's corpus.
func seeds(f *testing.F, suffix string) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*"+suffix))
	if len(names) == 0 {
		f.Fatalf("no testdata/*%s seed files", suffix)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzDecode checks that no input makes Decode panic or allocate more than
// the input's size warrants, and that what it accepts re-encodes to an
// array it reads back bit for bit. The seeds are numpy's own files and the
// hostile cases of TestDecodeHostile.
func FuzzDecode(f *testing.F) {
	seeds(f, ".npy")
	for _, c := range hostile() {
		f.Add(c.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Decode(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		if n := 4*len(a.F32) + 8*len(a.F64); n > len(data) {
			t.Fatalf("%d bytes of values from a %d-byte file", n, len(data))
		}
		var buf bytes.Buffer
		if err := Encode(&buf, a); err != nil {
			t.Fatal(err)
		}
		b, err := Decode(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("re-encoded array is refused: %v", err)
		}
		var again bytes.Buffer
		Encode(&again, b)
		if !bytes.Equal(buf.Bytes(), again.Bytes()) {
			t.Fatal("re-encoding is not stable")
		}
	})
}

// FuzzArchive checks that no input makes an archive's Header or Read panic,
// and that an array read from it is no larger than deflate could have
// expanded the input to.
func FuzzArchive(f *testing.F) {
	seeds(f, ".npz")
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := NewArchive(bytes.NewReader(data), int64(len(data)), "fuzz.npz")
		if err != nil {
			return
		}
		for _, name := range a.Names() {
			// HeaderNumeric accepts what ReadNumeric reads, with its shape.
			hn, herr := a.HeaderNumeric(name)
			if arr, err := a.ReadNumeric(name); err == nil && (herr != nil || !slices.Equal(hn.Shape, arr.Shape)) {
				t.Fatalf("array %s: ReadNumeric read shape %v, HeaderNumeric gave %v, %v", name, arr.Shape, hn.Shape, herr)
			}
			if _, err := a.Header(name); err != nil {
				continue
			}
			arr, err := a.Read(name)
			if err != nil {
				continue
			}
			if n := 4*len(arr.F32) + 8*len(arr.F64); n > maxRatio*len(data) {
				t.Fatalf("array %s: %d bytes of values from a %d-byte archive", name, n, len(data))
			}
		}
	})
}
