package tasks

import (
	"archive/zip"
	"bytes"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/internal/npy/npytest"
)

// FuzzLoadNPZ checks that no .npz file makes the npz task's loader panic
// or allocate beyond what the file's size warrants, and that a dataset it
// accepts gives batches and scores without panicking. The fuzzer varies the
// .npy members (inputs, targets and an optional mask), which are packed
// into a valid archive, so that its mutations reach the loader rather than
// the zip checksums (FuzzArchive in internal/npy fuzzes the archive
// itself). The seeds are datasets written as numpy.savez writes them and
// malformed variants.
func FuzzLoadNPZ(f *testing.F) {
	good := func(n, T, d int) [][][]float32 {
		return cube(n, T, d, func(i, t, k int) float32 { return float32((i + t + k) % 2) })
	}
	oneHot := cube(3, 4, 2, func(i, t, k int) float64 {
		if k == i%2 {
			return 1
		}
		return 0
	})
	for _, arrays := range []map[string]any{
		{"inputs": good(3, 4, 2), "targets": oneHot},
		{"inputs": good(3, 4, 2), "targets": oneHot, "mask": good(3, 4, 2)},
		{"inputs": good(1, 1, 1), "targets": good(1, 1, 1)},
		{"inputs": good(2, 3, 2), "targets": good(2, 3, 1), "mask": cube(2, 3, 1, func(i, t, k int) float32 { return 0 })},
		{"inputs": cube(2, 3, 2, func(i, t, k int) int64 { return 1 }), "targets": good(2, 3, 1)},
	} {
		var mask []byte
		if m, ok := arrays["mask"]; ok {
			mask = npytest.Encode(f, m)
		}
		f.Add(npytest.Encode(f, arrays["inputs"]), npytest.Encode(f, arrays["targets"]), mask)
	}
	in, _ := os.ReadFile("../internal/npy/testdata/f4.npy")
	tg, _ := os.ReadFile("../internal/npy/testdata/f8.npy")
	f.Add(in, tg, []byte(nil))
	f.Fuzz(func(t *testing.T, inputs, targets, mask []byte) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, m := range []struct {
			name string
			data []byte
		}{{"inputs.npy", inputs}, {"targets.npy", targets}, {"mask.npy", mask}} {
			if m.data == nil {
				continue
			}
			w, _ := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Store})
			w.Write(m.data)
		}
		zw.Close()
		data := buf.Bytes()
		a, err := npy.NewArchive(bytes.NewReader(data), int64(len(data)), "fuzz.npz")
		if err != nil {
			t.Fatalf("archive built in the test is refused: %v", err)
		}
		for _, loss := range []Loss{MSE, CrossEntropy} {
			d, err := loadArchive(a, "fuzz.npz", loss)
			if err != nil {
				continue
			}
			if n := 4 * (len(d.in) + len(d.tgt)); n > 1100*len(data) {
				t.Fatalf("%d bytes of trials from a %d-byte file", n, len(data))
			}
			b := d.Batch(rand.New(rand.NewPCG(1, 2)), 2)
			d.Score(b.Targets, &b)
		}
	})
}
