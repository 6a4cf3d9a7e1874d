package lowrank

import (
	"archive/zip"
	"bytes"
	"hash/crc32"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/internal/npy"
)

// testdata/small.npz and small_compressed.npz were written by numpy 1.24
// (np.savez and np.savez_compressed): activity [3, 5, 4], inputs [3, 5, 2],
// a bool mask [3, 5] that is False at t = 0 (small.npz) or a float mask
// [3, 5, 4] of ones, and dt = 20.
func TestLoadDataNumpy(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"small.npz", "small_compressed.npz"} {
		d, err := LoadData(filepath.Join("testdata", name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.Conditions != 3 || d.T != 5 || d.Units != 4 || d.NIn != 2 {
			t.Fatalf("%s: sizes %d×%d×%d, %d inputs; want 3×5×4, 2", name, d.Conditions, d.T, d.Units, d.NIn)
		}
		if name == "small.npz" {
			if d.DtMS != 20 {
				t.Errorf("dt %v, want 20", d.DtMS)
			}
			if d.Mask[0] != 0 || d.Mask[3] != 0 || d.Mask[4] != 1 {
				t.Errorf("mask of step 0 %v, of step 1 %v; want 0 then 1 (a [conditions, T] mask repeats over units)", d.Mask[:4], d.Mask[4:8])
			}
		}
		for _, v := range d.Activity {
			if math.Abs(float64(v)) >= 1 || v == 0 {
				t.Fatalf("%s: activity value %v, want tanh of a normal draw", name, v)
			}
		}
	}
}

func writeNPZ(t *testing.T, arrays map[string]any) string {
	t.Helper()
	var buf bytes.Buffer
	w := npy.NewArchiveWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(arrays)) {
		if err := w.AddValue(strings.TrimSuffix(name, ".npy"), arrays[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "d.npz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func ones(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = 1
	}
	return x
}

// TestLoadDataErrors checks that every bad file is an error that names
// the array and says what was expected.
func TestLoadDataErrors(t *testing.T) {
	t.Parallel()
	nan := ones(2 * 3 * 4)
	nan[5] = float32(math.NaN())
	neg := ones(2 * 3)
	neg[1] = -1
	cases := []struct {
		name   string
		arrays map[string]any
		want   []string
	}{
		{"no activity", map[string]any{"inputs.npy": nest(ones(6), 2, 3, 1)}, []string{"no array activity", "inputs"}},
		{"no inputs", map[string]any{"activity.npy": nest(ones(24), 2, 3, 4)}, []string{"no array inputs"}},
		{"2-d activity", map[string]any{"activity.npy": [][]float32{{1, 2}}, "inputs.npy": nest(ones(6), 2, 3, 1)}, []string{"array activity", "shape [1 2]", "[conditions, T, units]"}},
		{"inputs of other T", map[string]any{"activity.npy": nest(ones(24), 2, 3, 4), "inputs.npy": nest(ones(4), 2, 2, 1)}, []string{"array inputs", "shape [2 2 1]", "[2, 3, n_in]"}},
		{"NaN", map[string]any{"activity.npy": nest(nan, 2, 3, 4), "inputs.npy": nest(ones(6), 2, 3, 1)}, []string{"array activity", "non-finite", "[0 1 1]"}},
		{"int inputs", map[string]any{"activity.npy": nest(ones(24), 2, 3, 4), "inputs.npy": [][][]int64{{{1}, {1}, {1}}, {{1}, {1}, {1}}}}, []string{"array inputs", "dtype <i8"}},
		{"negative mask", map[string]any{"activity.npy": nest(ones(24), 2, 3, 4), "inputs.npy": nest(ones(6), 2, 3, 1), "mask.npy": [][]float32{neg[:3], neg[3:]}}, []string{"array mask", "negative value -1", "[0 1]"}},
		{"mask shape", map[string]any{"activity.npy": nest(ones(24), 2, 3, 4), "inputs.npy": nest(ones(6), 2, 3, 1), "mask.npy": nest(ones(6), 2, 3, 1)}, []string{"array mask", "[2, 3] or [2, 3, 4]"}},
		{"zero mask", map[string]any{"activity.npy": nest(ones(24), 2, 3, 4), "inputs.npy": nest(ones(6), 2, 3, 1), "mask.npy": [][]float32{{0, 0, 0}, {0, 0, 0}}}, []string{"array mask", "zero everywhere"}},
		{"dt", map[string]any{"activity.npy": nest(ones(24), 2, 3, 4), "inputs.npy": nest(ones(6), 2, 3, 1), "dt.npy": []float64{1, 2}}, []string{"array dt", "scalar"}},
		{"float64 activity beyond float32", map[string]any{"activity.npy": [][][]float64{{{0.5, 1e39}}}, "inputs.npy": [][][]float32{{{1}}}}, []string{"array activity", "1e+39", "[0 0 1]", "float32"}},
		{"float64 inputs beyond float32", map[string]any{"activity.npy": [][][]float32{{{0.5}}}, "inputs.npy": [][][]float64{{{-1e39}}}}, []string{"array inputs", "-1e+39", "[0 0 0]", "float32"}},
		{"float64 mask beyond float32", map[string]any{"activity.npy": [][][]float32{{{0.5}}}, "inputs.npy": [][][]float32{{{1}}}, "mask.npy": [][]float64{{1e39}}}, []string{"array mask", "1e+39", "float32"}},
	}
	for _, c := range cases {
		p := writeNPZ(t, c.arrays)
		_, err := LoadData(p)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range append(c.want, p) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, w)
			}
		}
	}
}

// TestLoadDataChecksBeforeReading: a file without inputs, or whose inputs
// do not match the activity's conditions and steps, is refused from the
// headers, without reading the activity's data (which may inflate to
// gigabytes): here that data fails its checksum, so reading it would be a
// different error.
func TestLoadDataChecksBeforeReading(t *testing.T) {
	t.Parallel()
	member := func(shape []int) []byte {
		var b bytes.Buffer
		n, _ := npy.Header{Shape: shape}.Len()
		if err := npy.Encode(&b, npy.Array{Shape: shape, F32: ones(n)}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, c := range []struct {
		name   string
		inputs []int // nil: no inputs array
		want   string
	}{
		{"no inputs", nil, "no array inputs; want inputs [conditions, T, n_in] beside activity"},
		{"inputs of other T", []int{2, 5, 1}, "array inputs has shape [2 5 1]; want [2, 3, n_in]"},
	} {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		act := member([]int{2, 3, 4})
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "activity.npy", Method: zip.Store, CRC32: crc32.ChecksumIEEE(act) ^ 1,
			CompressedSize64: uint64(len(act)), UncompressedSize64: uint64(len(act))})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(act)
		if c.inputs != nil {
			w, err := zw.Create("inputs.npy")
			if err != nil {
				t.Fatal(err)
			}
			w.Write(member(c.inputs))
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "d.npz")
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = LoadData(p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming %s and saying %q", c.name, err, p, c.want)
		}
	}
}

// nest views x as [a][b][c] for writeNPZ.
func nest(x []float32, a, b, c int) [][][]float32 {
	out := make([][][]float32, a)
	for i := range out {
		out[i] = make([][]float32, b)
		for j := range out[i] {
			out[i][j] = x[(i*b+j)*c : (i*b+j+1)*c]
		}
	}
	return out
}

// TestLoadDataRecord reads an eval -record file (hidden is the activity,
// its output mask is not used) and a directory of .npy files.
func TestLoadDataRecord(t *testing.T) {
	t.Parallel()
	p := writeNPZ(t, map[string]any{"hidden.npy": nest(ones(24), 2, 3, 4), "inputs.npy": nest(ones(6), 2, 3, 1),
		"outputs.npy": nest(ones(6), 2, 3, 1), "mask.npy": nest(make([]float32, 6), 2, 3, 1)})
	d, err := LoadData(p)
	if err != nil {
		t.Fatal(err)
	}
	if d.Units != 4 || d.Mask[0] != 1 {
		t.Fatalf("units %d, mask %v; want 4 units and the default mask of ones", d.Units, d.Mask[0])
	}
	// Today's recordings name the activity rates (hidden above is the
	// name older recordings use).
	p = writeNPZ(t, map[string]any{"rates.npy": nest(ones(30), 2, 3, 5), "inputs.npy": nest(ones(6), 2, 3, 1),
		"mask.npy": nest(make([]float32, 6), 2, 3, 1)})
	if d, err := LoadData(p); err != nil || d.Units != 5 || d.Mask[0] != 1 {
		t.Fatalf("recording with rates: %v; want 5 units and the default mask of ones", err)
	}
	dir := t.TempDir()
	for name, src := range map[string]string{"activity.npy": "activity.npy"} {
		b, err := os.ReadFile(filepath.Join("testdata", src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := LoadData(dir); err == nil || !strings.Contains(err.Error(), "no array inputs") {
		t.Fatalf("directory without inputs.npy: error %v, want one about inputs", err)
	}
}

// FuzzLoadData feeds arbitrary bytes to the .npz and .npy readers: they
// may fail but must not panic, and what they accept must be consistent.
func FuzzLoadData(f *testing.F) {
	for _, name := range []string{"small.npz", "small_compressed.npz", "activity.npy"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// A recording of trials of different lengths (length ends each).
	var rec bytes.Buffer
	w := npy.NewArchiveWriter(&rec)
	for _, a := range []struct {
		name string
		v    any
	}{{"inputs", nest(ones(6), 2, 3, 1)}, {"length", []int64{3, 1}}, {"rates", nest(ones(12), 2, 3, 2)}} {
		if err := w.AddValue(a.name, a.v); err != nil {
			f.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	f.Add(rec.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		if a, err := npy.Decode(bytes.NewReader(b), int64(len(b))); err == nil {
			if n, _ := (npy.Header{Shape: a.Shape}).Len(); n != a.Len() || a.Len() > len(b) {
				t.Fatalf("shape %v with %d values from %d bytes", a.Shape, a.Len(), len(b))
			}
		}
		ar, err := npy.NewArchive(bytes.NewReader(b), int64(len(b)), "fuzz.npz")
		if err != nil {
			return
		}
		arrays, err := readArchive(ar)
		if err != nil {
			return
		}
		d, err := dataFromArrays(arrays)
		if err != nil {
			return
		}
		if len(d.Activity) != d.Conditions*d.T*d.Units || len(d.Inputs) != d.Conditions*d.T*d.NIn || len(d.Mask) != len(d.Activity) {
			t.Fatalf("inconsistent data: %d×%d×%d with %d activity, %d inputs, %d mask values", d.Conditions, d.T, d.Units, len(d.Activity), len(d.Inputs), len(d.Mask))
		}
	})
}

// TestLoadDataLengths: an eval -record file of trials of different
// lengths pads each to the longest; its length array [trials] marks where
// each ends, and the padded steps get mask 0, so they are neither fitted
// nor scored. A bad length array is refused, naming it.
func TestLoadDataLengths(t *testing.T) {
	t.Parallel()
	rec := map[string]any{"rates.npy": nest(ones(2*3*2), 2, 3, 2), "inputs.npy": nest(ones(6), 2, 3, 1),
		"length.npy": []int64{3, 1}}
	d, err := LoadData(writeNPZ(t, rec))
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}
	if !slices.Equal(d.Mask, want) {
		t.Errorf("mask %v, want %v (trial 1 ends after step 0)", d.Mask, want)
	}
	// An activity file may give length too, on top of its mask.
	d, err = LoadData(writeNPZ(t, map[string]any{"activity.npy": nest(ones(2*3*2), 2, 3, 2), "inputs.npy": nest(ones(6), 2, 3, 1),
		"mask.npy": [][]float32{{0, 1, 1}, {0.5, 1, 1}}, "length.npy": []float64{2, 3}}))
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 0, 1, 1, 0, 0, 0.5, 0.5, 1, 1, 1, 1}; !slices.Equal(d.Mask, want) {
		t.Errorf("mask %v, want %v", d.Mask, want)
	}
	for _, c := range []struct {
		length any
		want   string
	}{
		{[]int64{3, 4}, "array length holds 4 at [1]; want an integer in [1, 3]"},
		{[]int64{0, 3}, "array length holds 0 at [0]"},
		{[]float64{1.5, 3}, "array length holds 1.5 at [0]"},
		{[]int64{3}, "array length has shape [1]; want [2]"},
	} {
		rec["length.npy"] = c.length
		p := writeNPZ(t, rec)
		if _, err := LoadData(p); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("length %v: error %v, want one naming %s and saying %q", c.length, err, p, c.want)
		}
	}
	// Lengths that leave no scored step are refused.
	p := writeNPZ(t, map[string]any{"activity.npy": nest(ones(2*3*2), 2, 3, 2), "inputs.npy": nest(ones(6), 2, 3, 1),
		"mask.npy": [][]float32{{0, 1, 1}, {0, 1, 1}}, "length.npy": []int64{1, 1}})
	if _, err := LoadData(p); err == nil || !strings.Contains(err.Error(), "nothing would be fitted") {
		t.Errorf("lengths that mask every scored step: error %v, want one saying nothing would be fitted", err)
	}
}

// TestLoadDataPaddedWithNaN: activity the fit leaves out (mask 0, or after
// a condition's length) and inputs after a condition's last fitted step
// may be NaN, as recordings mark padding, and are read as 0; a NaN the fit
// would use is refused, naming it.
func TestLoadDataPaddedWithNaN(t *testing.T) {
	t.Parallel()
	nan := float32(math.NaN())
	// Two conditions of 3 steps, 2 units, 1 input; condition 1 ends after
	// step 0 (length), and unit 1 of condition 0 is not recorded at step 0.
	act := []float32{nan, nan, 1, 2, 3, 4 /* c1 */, 5, 6, nan, nan, nan, nan}
	act[1] = 7 // condition 0, step 0: unit 0 NaN, unit 1 recorded
	in := []float32{1, 1, 1 /* c1 */, 1, nan, float32(math.Inf(1))}
	mask := []float32{0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	arrays := map[string]any{"activity.npy": nest(act, 2, 3, 2), "inputs.npy": nest(in, 2, 3, 1),
		"mask.npy": nest(mask, 2, 3, 2), "length.npy": []int64{3, 1}}
	d, err := LoadData(writeNPZ(t, arrays))
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 7, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0}; !slices.Equal(d.Activity, want) {
		t.Errorf("activity %v, want %v", d.Activity, want)
	}
	if want := []float32{1, 1, 1, 1, 0, 0}; !slices.Equal(d.Inputs, want) {
		t.Errorf("inputs %v, want %v", d.Inputs, want)
	}
	// Unit 0 of condition 0 at step 0 fitted: its NaN is refused.
	mask[0] = 1
	p := writeNPZ(t, arrays)
	if _, err := LoadData(p); err == nil || !strings.Contains(err.Error(), "array activity has the non-finite value NaN at [0 0 0] where the mask is not 0") {
		t.Errorf("a fitted NaN: error %v", err)
	}
	// An input before a condition's last fitted step drives it: refused.
	mask[0] = 0
	arrays["length.npy"] = []int64{3, 2}
	in[4], act[8], act[9] = nan, 8, 9
	if _, err := LoadData(writeNPZ(t, arrays)); err == nil || !strings.Contains(err.Error(), "array inputs has the non-finite value NaN at [1 1 0] (inputs after a condition's last fitted step") {
		t.Errorf("a NaN input that drives a fitted step: error %v", err)
	}
}
