package checkpoints

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// splitFile returns the header members, the __metadata__ map and the data
// section of a safetensors file.
func splitFile(t *testing.T, data []byte) (header map[string]json.RawMessage, md map[string]string, body []byte) {
	t.Helper()
	n := binary.LittleEndian.Uint64(data)
	if err := json.Unmarshal(data[8:8+n], &header); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(header[metadataKey], &md); err != nil {
		t.Fatal(err)
	}
	return header, md, data[8+n:]
}

// withoutSums returns data, a file Marshal wrote, without the checksum
// keys: a file as rnntrain wrote it before checksums were stored.
func withoutSums(t *testing.T, data []byte) []byte {
	t.Helper()
	return withMetadata(t, data, func(md map[string]string) {
		delete(md, DataSumKey)
		delete(md, MetaSumKey)
	})
}

// withMetadata returns the file data with its __metadata__ changed by edit
// and nothing else changed.
func withMetadata(t *testing.T, data []byte, edit func(md map[string]string)) []byte {
	t.Helper()
	header, md, body := splitFile(t, data)
	edit(md)
	var err error
	if header[metadataKey], err = json.Marshal(md); err != nil {
		t.Fatal(err)
	}
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	h = append(h, bytes.Repeat([]byte{' '}, (headerAlign-len(h)%headerAlign)%headerAlign)...)
	return file(string(h), body)
}

// TestChecksumsStored: Marshal stores the SHA-256 of the data section and
// of the metadata string, as hex, where the format documents them.
func TestChecksumsStored(t *testing.T) {
	data, err := Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	_, md, body := splitFile(t, data)
	dataSum, metaSum := sha256.Sum256(body), sha256.Sum256([]byte(md[MetaKey]))
	if got, want := md[DataSumKey], hex.EncodeToString(dataSum[:]); got != want {
		t.Errorf("%s: got %q, want %q", DataSumKey, got, want)
	}
	if got, want := md[MetaSumKey], hex.EncodeToString(metaSum[:]); got != want {
		t.Errorf("%s: got %q, want %q", MetaSumKey, got, want)
	}
}

// TestCorruptDataRefused: any one byte changed in the tensor data of a
// saved checkpoint makes Unmarshal fail with a *ChecksumError, where it
// would otherwise load as different values; Load names the file.
func TestCorruptDataRefused(t *testing.T) {
	data, err := Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	_, _, body := splitFile(t, data)
	start := len(data) - len(body)
	for i := start; i < len(data); i++ {
		bad := bytes.Clone(data)
		bad[i] ^= 0x01
		_, err := Unmarshal(bad)
		var ce *ChecksumError
		if !errors.As(err, &ce) || ce.Key != DataSumKey {
			t.Fatalf("byte %d of %d flipped: got %v, want a checksum error on %s", i, len(data), err, DataSumKey)
		}
	}

	path := filepath.Join(t.TempDir(), "c.safetensors")
	bad := bytes.Clone(data)
	bad[len(bad)-1] ^= 0x80
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	want := "checkpoint " + path + ": the tensor data do not match their checksum (" + DataSumKey + " "
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "the file is corrupt or was changed after it was saved") {
		t.Errorf("Load of a corrupt file: got %v, want %q…", err, want)
	}
	if ce, ok := errors.AsType[*ChecksumError](err); !ok || ce.Path != path {
		t.Errorf("Load of a corrupt file: got %#v, want a *ChecksumError with Path %s", err, path)
	}
}

// TestCorruptMetaRefused: a change in the metadata that keeps it valid JSON
// (here the step) is refused before the metadata are used.
func TestCorruptMetaRefused(t *testing.T) {
	data, err := Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(data, []byte(`\"step\":123`), []byte(`\"step\":124`), 1)
	if bytes.Equal(bad, data) {
		t.Fatal("step not found in the header")
	}
	_, err = Unmarshal(bad)
	if ce, ok := errors.AsType[*ChecksumError](err); !ok || ce.Key != MetaSumKey || !strings.Contains(err.Error(), "the metadata do not match their checksum") {
		t.Errorf("got %v, want a checksum error on %s", err, MetaSumKey)
	}
}

// TestMalformedChecksumRefused: a checksum that is not 64 hex digits is an
// error naming the key, and so is a key one byte away from a checksum key.
func TestMalformedChecksumRefused(t *testing.T) {
	data, err := Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	_, md, _ := splitFile(t, data)
	for _, key := range []string{DataSumKey, MetaSumKey} {
		bad := bytes.Replace(data, []byte(md[key]), []byte(strings.Repeat("z", len(md[key]))), 1)
		_, err := Unmarshal(bad)
		if err == nil || !strings.Contains(err.Error(), `__metadata__["`+key+`"]`) || !strings.Contains(err.Error(), "not a SHA-256 (64 hex digits)") {
			t.Errorf("%s malformed: got %v, want it named", key, err)
		}
		// A damaged key name must not turn the check off.
		damaged := key[:len(key)-1] + "7"
		bad = bytes.Replace(data, []byte(`"`+key+`"`), []byte(`"`+damaged+`"`), 1)
		_, err = Unmarshal(bad)
		if want := `__metadata__ has a key "` + damaged + `" where "` + key + `" is expected: the file is corrupt`; err == nil || err.Error() != want {
			t.Errorf("%s renamed %s: got %v, want %q", key, damaged, err, want)
		}
	}
}

// TestWithoutChecksumsLoads: a file written before checksums were stored
// (no checksum keys) loads with the same values, unverified.
func TestWithoutChecksumsLoads(t *testing.T) {
	c := sample()
	data, err := Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	old := withoutSums(t, data)
	if _, md, _ := splitFile(t, old); md[DataSumKey] != "" || md[MetaSumKey] != "" {
		t.Fatalf("withoutSums left checksums: %v", md)
	}
	path := filepath.Join(t.TempDir(), "old.safetensors")
	if err := os.WriteFile(path, old, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	// Saving it again restores the checksums and the exact bytes.
	if !bytes.Equal(again, data) {
		t.Error("a file without checksums, loaded and saved, differs from the original")
	}
}
