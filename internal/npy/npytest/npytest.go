// Package npytest makes .npy files for tests: seed corpora of fuzz targets
// and fixtures of readers.
package npytest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/rnntrain/rnntrain/internal/npy"
)

// Encode returns v, a nested slice as npy.EncodeValue takes it, as the
// bytes of a .npy file of its shape and element type (what numpy.save
// writes). It fails t if v cannot be encoded.
func Encode(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := npy.EncodeValue(&buf, v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// WriteTemp writes data to a file named name in a fresh temporary
// directory of t and returns its path. It fails t if it cannot.
func WriteTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
