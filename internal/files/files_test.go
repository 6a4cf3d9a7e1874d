package files

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenRegular(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.bin")
	if err := os.WriteFile(p, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, n, err := OpenRegular(p)
	if err != nil || n != 5 {
		t.Fatalf("OpenRegular(%s) = %v, %d, want size 5", p, err, n)
	}
	f.Close()
	for _, bad := range []string{dir, os.DevNull} {
		if _, _, err := OpenRegular(bad); err == nil || !strings.Contains(err.Error(), bad+": not a regular file") {
			t.Errorf("OpenRegular(%s): got %v, want an error naming it, not a regular file", bad, err)
		}
	}
	if _, _, err := OpenRegular(filepath.Join(dir, "none")); !os.IsNotExist(err) {
		t.Errorf("OpenRegular of a missing file: got %v, want not-exist", err)
	}
}

func TestReadRegular(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.jsonl")
	if err := os.WriteFile(p, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadRegular(p, 3); err != nil || string(b) != "{}\n" {
		t.Fatalf("ReadRegular(%s) = %q, %v, want the file", p, b, err)
	}
	for _, bad := range []string{dir, os.DevNull} {
		if _, err := ReadRegular(bad, 1<<20); err == nil || !strings.Contains(err.Error(), bad+": not a regular file") {
			t.Errorf("ReadRegular(%s): got %v, want an error naming it, not a regular file", bad, err)
		}
	}
	if _, err := ReadRegular(p, 2); err == nil || !strings.Contains(err.Error(), p+": more than 2 bytes") {
		t.Errorf("ReadRegular(%s, 2) of a 3-byte file: got %v, want an error naming it and the limit", p, err)
	}
	if _, err := ReadRegular(filepath.Join(dir, "none"), 1<<20); !os.IsNotExist(err) {
		t.Errorf("ReadRegular of a missing file: got %v, want not-exist", err)
	}
}

func TestOpenRegularFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "attempts.jsonl")
	for _, line := range []string{"a\n", "b\n"} {
		f, err := OpenRegularFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(line)
		f.Close()
	}
	if b, _ := os.ReadFile(p); string(b) != "a\nb\n" {
		t.Errorf("after two appends: %q, want \"a\\nb\\n\"", b)
	}
	for _, bad := range []string{dir, os.DevNull} {
		if _, err := OpenRegularFile(bad, os.O_WRONLY|os.O_APPEND, 0o644); err == nil || !strings.Contains(err.Error(), bad+": not a regular file") {
			t.Errorf("OpenRegularFile(%s): got %v, want an error naming it, not a regular file", bad, err)
		}
	}
}

func TestAbsPaths(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := "x.npy", "", "/abs/y.npy"
	if err := AbsPaths(&a, &b, &c); err != nil {
		t.Fatal(err)
	}
	if a != filepath.Join(wd, "x.npy") || b != "" || c != "/abs/y.npy" {
		t.Errorf("AbsPaths: got %q, %q, %q", a, b, c)
	}
}

func TestSyncDir(t *testing.T) {
	if err := SyncDir(t.TempDir()); err != nil {
		t.Errorf("SyncDir of a directory: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	if err := SyncDir(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("SyncDir(%s): %v, want an error naming it", missing, err)
	}
}
