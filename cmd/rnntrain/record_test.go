package main

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/internal/npy/npytest"
	"github.com/rnntrain/rnntrain/train"
)

// writeNpy writes a nested slice as a .npy file of its shape and element
// type, as numpy.save does.
func writeNpy(t *testing.T, path string, v any) {
	t.Helper()
	if err := os.WriteFile(path, npytest.Encode(t, v), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadInputs(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.npy")
	writeNpy(t, good, [][][]float64{{{1, 2}, {3, 4}, {5, 6}}})
	x, n, T, err := readInputs(good, 2, nil)
	if err != nil || n != 1 || T != 3 || len(x) != 6 || x[5] != 6 {
		t.Fatalf("readInputs: %v %d %d %v", x, n, T, err)
	}
	for _, c := range []struct {
		name string
		v    any
		want string
	}{
		{"flat.npy", []float32{1, 2, 3}, "want [trials, T, 2]"},
		{"wide.npy", [][][]float32{{{1, 2, 3}}}, "shape [1 1 3], want [trials, T, 2]"},
		{"ints.npy", [][][]int32{{{1, 2}}}, "dtype <i4"},
		{"nan.npy", [][][]float32{{{1, float32(math.NaN())}}}, "non-finite value NaN at [0, 0, 1]"},
		// Finite in the file, infinite as float32: the file's value is named.
		{"huge.npy", [][][]float64{{{1, 2}, {-1e39, 0}}}, "value -1e+39 at [0, 1, 0] is beyond the range of float32"},
	} {
		p := filepath.Join(dir, c.name)
		writeNpy(t, p, c.v)
		_, _, _, err := readInputs(p, 2, nil)
		if err == nil || !strings.HasPrefix(err.Error(), "-inputs") || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one beginning with the flag, naming the file and containing %q", c.name, err, c.want)
		}
	}
	if _, _, _, err := readInputs(filepath.Join(dir, "missing.npy"), 2, nil); err == nil || !strings.HasPrefix(err.Error(), "-inputs: ") || !strings.Contains(err.Error(), "missing.npy") {
		t.Errorf("missing file: error %v, want one beginning with -inputs and naming the file", err)
	}
	// The caller's check of the sizes runs on the header, before the data
	// are read (the NaN in them is not reached).
	var got [2]int
	tooBig := errors.New("too big")
	if _, _, _, err := readInputs(filepath.Join(dir, "nan.npy"), 2, func(n, T int) error { got = [2]int{n, T}; return tooBig }); err != tooBig || got != [2]int{1, 1} {
		t.Errorf("a check refusing [1, 1, 2]: error %v, check given %v", err, got)
	}
	junk := filepath.Join(dir, "junk.npy")
	os.WriteFile(junk, []byte("not numpy"), 0o644)
	if _, _, _, err := readInputs(junk, 2, nil); err == nil || !strings.HasPrefix(err.Error(), "-inputs: ") || !strings.Contains(err.Error(), "junk.npy") {
		t.Errorf("junk file: error %v, want one beginning with -inputs and naming the file", err)
	}
}

// TestRecordMemory checks the estimate eval -record is refused by: a
// recording of a spiking net's trials (all in one batch) needs more memory
// the more trials it records, and one beyond the limit is a usage error
// naming -trials.
func TestRecordMemory(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-model", "alif", "-steps", "1", "-hidden", "32", "-batch", "4", "-eval-trials", "8", "-out", run).
		want(t, 0, "stopped at step 1")
	s, _, err := loadSession(run)
	if err != nil {
		t.Fatal(err)
	}
	small, large := recordBytes(s, 100, 68), recordBytes(s, 100000, 68)
	// 100000 trials × 68 steps × (32 rates, 32 pre, 3 × 32 states, ...)
	// float32 values, twice (time- and trial-major): over 10 GiB.
	if !(small > 0 && large > 900*small && large > 10<<30) {
		t.Errorf("recording needs %g bytes for 100 trials and %g for 100000, want > 0 and growing with the trials past 10 GiB", small, large)
	}
	if err := checkRecordMemory(s, 100, 68, "-trials 100", large); err != nil {
		t.Errorf("100 trials within the limit: %v", err)
	}
	err = checkRecordMemory(s, 100000, 68, "-trials 100000", large/2)
	var u usageError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "-trials 100000") || !strings.Contains(err.Error(), "more than") {
		t.Errorf("100000 trials beyond the limit: %v, want a usage error naming -trials", err)
	}
}

// TestCLIRecordProvenance: a recording says how it was made, so that it
// can be made again from the checkpoint: seed (eval's -seed, of its trials
// and noise, all 64 bits), step (the checkpoint's) and noise (whether the
// private noise ran); also a recording of -inputs.
func TestCLIRecordProvenance(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, append([]string{"train", "-out", run, "-steps", "3", "-quiet"}, tiny...)...).want(t, 0)
	rec, rec2 := filepath.Join(work, "rec.npz"), filepath.Join(work, "rec2.npz")
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "4", "-seed", "18446744073709551615", "-noise=false", "-record", rec).want(t, 0)
	check := func(path string, seed []byte, noise byte) {
		t.Helper()
		f, err := npy.OpenArchive(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		h, b, err := f.Raw("seed")
		if err != nil || h.Descr != "<u8" || len(h.Shape) != 0 || !bytes.Equal(b, seed) {
			t.Errorf("%s: seed %+v % x (%v), want <u8 of shape () % x", path, h, b, err, seed)
		}
		h, b, err = f.Raw("step")
		if err != nil || h.Descr != "<i8" || len(h.Shape) != 0 || !bytes.Equal(b, []byte{3, 0, 0, 0, 0, 0, 0, 0}) {
			t.Errorf("%s: step %+v % x (%v), want <i8 of shape () 3", path, h, b, err)
		}
		h, b, err = f.Raw("noise")
		if err != nil || h.Descr != "|b1" || len(h.Shape) != 0 || !bytes.Equal(b, []byte{noise}) {
			t.Errorf("%s: noise %+v % x (%v), want |b1 of shape () %d", path, h, b, err, noise)
		}
	}
	check(rec, bytes.Repeat([]byte{0xff}, 8), 0)
	f, err := npy.OpenArchive(rec)
	if err != nil {
		t.Fatal(err)
	}
	in, err := f.Read("inputs")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	inputs := filepath.Join(work, "in.npy")
	if err := npy.WriteFile(inputs, in); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "eval", "-checkpoint", run, "-inputs", inputs, "-seed", "2", "-record", rec2).want(t, 0, "seed, step and noise")
	check(rec2, []byte{2, 0, 0, 0, 0, 0, 0, 0}, 1)
}

// TestCLIInputsTooLarge: -inputs whose recording would not fit in memory
// is refused from the file's header, before its data are read: here a
// sparse file declaring [1 000 000, 1000, 1] float32 (4 GB of data) whose
// first value, a NaN, would be refused if the data were read first.
func TestCLIInputsTooLarge(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-task", "perceptual-dm", "-hidden", "8", "-steps", "1", "-eval-trials", "8", "-quiet", "-out", run).want(t, 0)
	p := filepath.Join(work, "huge.npy")
	f, err := os.Create(p)
	require.NoError(t, err)
	require.NoError(t, npy.WriteHeader(f, npy.Header{Descr: "<f4", Shape: []int{1_000_000, 1000, 1}}))
	_, err = f.Write([]byte{0, 0, 0xc0, 0x7f}) // float32 NaN
	require.NoError(t, err)
	off, err := f.Seek(0, io.SeekCurrent)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(off-4+4_000_000_000))
	require.NoError(t, f.Close())
	if _, ok := train.AvailableMemory(); !ok {
		t.Skip("the memory available is unknown here: no check to refuse with")
	}
	rnntrain(t, work, "eval", "-checkpoint", run, "-inputs", p, "-record", filepath.Join(work, "rec.npz")).
		want(t, 2, "-inputs "+p+": recording 1000000 trials of 1000 steps")
}
