package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/rnntrain/rnntrain/internal/npy"
)

// Finite is a task with a fixed set of trials (user datasets, MNIST), so
// that evaluation can walk all of them.
type Finite interface {
	Task
	// Len is the number of trials.
	Len() int
	// BatchOf packs the trials with the given indices, in order. It
	// panics if an index is out of range.
	BatchOf(idx []int) Batch
}

// UserData is a task whose trials come from an .npz file (see LoadNPZ),
// divided into train, validation and test splits (Splitter). Batch draws
// trials of its split uniformly with replacement from the rng; BatchOf
// packs given trials of its split. All trials have the file's T steps
// (Lengths = T); a user marks shorter trials with a zero mask.
type UserData struct {
	info       Info
	cfg        Config
	n, T       int
	in, tgt, m []float32 // trial-major [n][T][dim]
	choice     []int
	parts      [3][]int // file trial indices of each Split
	idx        []int    // parts[cfg.Settings.Split]
}

var (
	_ Splitter     = (*UserData)(nil)
	_ Describer    = (*UserData)(nil)
	_ Configurable = (*UserData)(nil)
)

func newNPZTask(p Preset, s Settings) (Task, error) {
	if s.Path == "" {
		return nil, &NoDataError{Task: "npz"}
	}
	d, err := LoadNPZ(s.Path, s.Loss)
	if err != nil {
		return nil, &DataError{Err: err}
	}
	return d.withSplits(s)
}

// DataError is the error of a task that could not find or read its data
// files (the npz task's path, MNIST's files; missing, unreadable or
// malformed), as opposed to an invalid setting.
type DataError struct {
	Err error // names the file
}

func (e *DataError) Error() string { return e.Err.Error() }
func (e *DataError) Unwrap() error { return e.Err }

// NoDataError is the error of a task that reads its trials from a file
// when settings.path is empty.
type NoDataError struct {
	Task string // the task's name
}

func (e *NoDataError) Error() string {
	return fmt.Sprintf("task %s needs settings.path: the .npz file holding inputs, targets and optionally mask", e.Task)
}

// LoadNPZ reads a user dataset from the .npz file at path. It must hold
// `inputs` [trials, T, n_in] and `targets` [trials, T, n_out], and may
// hold `mask` [trials, T, n_out] (default all ones; not zero everywhere),
// each float32 or float64 in C order, finite, except the targets where
// the mask is 0 (padding after a trial's end), which may be NaN or
// infinite and are read as 0. With loss = CrossEntropy the
// targets must be one-hot wherever the mask is positive and the task is
// scored by the masked-mean argmax (ScoreMaskedMeanArgmax); with MSE it is
// scored by ScoreNormalizedMSE with threshold 0.1. Every trial is in the
// train split (the npz task divides the file by its settings). Every header
// is checked against the size of its archive member before anything is
// allocated. Errors name the file, the array and what was expected.
func LoadNPZ(path string, loss Loss) (*UserData, error) {
	f, err := npy.OpenArchive(path)
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	defer f.Close()
	return loadArchive(f, path, loss)
}

// loadArchive reads a user dataset from an open archive (see LoadNPZ).
func loadArchive(f *npy.Archive, path string, loss Loss) (*UserData, error) {
	// Every shape is checked from the headers before any array is read:
	// a compressed member may inflate to gigabytes.
	inShape, err := checkArray(f, path, "inputs", nil)
	if err != nil {
		return nil, err
	}
	tShape, err := checkArray(f, path, "targets", inShape[:2])
	if err != nil {
		return nil, err
	}
	var mShape []int
	if f.Has("mask") {
		if mShape, err = checkArray(f, path, "mask", tShape[:2]); err != nil {
			return nil, err
		}
		if mShape[2] != tShape[2] {
			return nil, fmt.Errorf("tasks: %s: array mask has shape %v; want the shape of targets %v", path, mShape, tShape)
		}
	}
	in, err := readArray(f, path, "inputs", inShape, nil)
	if err != nil {
		return nil, err
	}
	var mask []float32
	if mShape != nil {
		m, err := readArray(f, path, "mask", mShape, nil)
		if err != nil {
			return nil, err
		}
		scored := false
		for i, v := range m {
			if v < 0 {
				return nil, fmt.Errorf("tasks: %s: array mask has a negative value %v at %s; want values >= 0", path, v, index3(i, mShape))
			}
			scored = scored || v > 0
		}
		if !scored {
			return nil, fmt.Errorf("tasks: %s: array mask is zero everywhere, so no step would be trained or scored; want a positive weight on the steps to score", path)
		}
		mask = m
	}
	// A target the mask leaves out (padding after a trial's end) may be
	// NaN, as recorded data often mark it.
	tgt, err := readArray(f, path, "targets", tShape, mask)
	if err != nil {
		return nil, err
	}
	if mask == nil {
		mask = make([]float32, len(tgt))
		for i := range mask {
			mask[i] = 1
		}
	}
	n, T, nIn, nOut := inShape[0], inShape[1], inShape[2], tShape[2]
	d := &UserData{n: n, T: T, in: in, tgt: tgt, m: mask, choice: make([]int, n)}
	for i := range n {
		d.choice[i] = -1
		if loss == CrossEntropy {
			c, err := oneHotChoice(tgt[i*T*nOut:(i+1)*T*nOut], mask[i*T*nOut:(i+1)*T*nOut], nOut)
			if err != nil {
				return nil, fmt.Errorf("tasks: %s: array targets, trial %d: %w (loss cross-entropy needs one-hot targets)", path, i, err)
			}
			d.choice[i] = c
		}
	}
	d.info = Info{Name: "npz", Preset: Dataset, Default: true, Summary: "user trials from " + path,
		NIn: nIn, NOut: nOut, MinSteps: T, MaxSteps: T, Loss: loss}
	for k := range nIn {
		d.info.Inputs = append(d.info.Inputs, fmt.Sprintf("in%d", k))
	}
	for k := range nOut {
		d.info.Outputs = append(d.info.Outputs, fmt.Sprintf("out%d", k))
	}
	if loss == CrossEntropy {
		d.info.Scorer = MaskedMeanArgmax
	} else {
		d.info.Scorer = NormalizedMSE
	}
	d.cfg = Config{Task: "npz", Preset: Dataset, Settings: Settings{Path: path, Loss: loss, ValidationFraction: ptr(0)}}
	d.parts[Train] = make([]int, n)
	for i := range n {
		d.parts[Train][i] = i
	}
	d.idx = d.parts[Train]
	return d, nil
}

// oneHotChoice returns the channel that is 1 on the masked steps of one
// trial ([T][nOut]), or an error if the targets are not one-hot there.
func oneHotChoice(tgt, mask []float32, nOut int) (int, error) {
	choice := -1
	for t := 0; t < len(tgt)/nOut; t++ {
		row, m := tgt[t*nOut:(t+1)*nOut], mask[t*nOut:(t+1)*nOut]
		if !slices.ContainsFunc(m, func(v float32) bool { return v > 0 }) {
			continue
		}
		hot := -1
		for k, v := range row {
			switch v {
			case 1:
				if hot >= 0 {
					return 0, fmt.Errorf("step %d has two ones", t)
				}
				hot = k
			case 0:
			default:
				return 0, fmt.Errorf("step %d has value %v", t, v)
			}
		}
		if hot < 0 {
			return 0, fmt.Errorf("step %d has no one", t)
		}
		choice = hot
	}
	return choice, nil
}

// checkArray checks the header of the array name: present, 3-d, every
// size >= 1 and, when lead is not nil, its first two sizes equal to lead.
// It returns the shape; no data are read.
func checkArray(f *npy.Archive, path, name string, lead []int) ([]int, error) {
	if !f.Has(name) {
		return nil, fmt.Errorf("tasks: %s: missing array %s; the file holds %q, want inputs, targets and optionally mask", path, name, f.Names())
	}
	want := "[trials, T, n]"
	if lead != nil {
		want = fmt.Sprintf("[%d, %d, n]", lead[0], lead[1])
	}
	h, err := f.Header(name)
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	shape := h.Shape
	if len(shape) != 3 || shape[0] < 1 || shape[1] < 1 || shape[2] < 1 {
		return nil, fmt.Errorf("tasks: %s: array %s has shape %v; want %s with every size >= 1", path, name, shape, want)
	}
	if lead != nil && (shape[0] != lead[0] || shape[1] != lead[1]) {
		return nil, fmt.Errorf("tasks: %s: array %s has shape %v; want %s (trials and T as in inputs)", path, name, shape, want)
	}
	return shape, nil
}

// readArray reads the array name, of the shape checkArray returned, as
// float32 and checks that it is finite, except where skip (nil, or of the
// same shape) is 0: a NaN or an infinity there is read as 0.
func readArray(f *npy.Archive, path, name string, shape []int, skip []float32) ([]float32, error) {
	a, err := f.Read(name)
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	for i, v := range a.F64 { // before float32 turns it into an infinity
		if math.Abs(v) > math.MaxFloat32 && !math.IsInf(v, 0) && (skip == nil || skip[i] != 0) {
			return nil, fmt.Errorf("tasks: %s: array %s has the value %v at %s, beyond the range of float32 (±%.3g) in which it is used", path, name, v, index3(i, shape), math.MaxFloat32)
		}
	}
	out := a.Float32()
	for i, v := range out {
		switch {
		case skip != nil && skip[i] == 0:
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) || a.F64 != nil && math.Abs(a.F64[i]) > math.MaxFloat32 {
				out[i] = 0
			}
		case math.IsNaN(float64(v)) || math.IsInf(float64(v), 0):
			where := ""
			if skip != nil {
				where = " where mask is not 0"
			} else if name == "targets" {
				where = " (a target without meaning, such as padding, may be NaN where an array mask is 0)"
			}
			return nil, fmt.Errorf("tasks: %s: array %s has the non-finite value %v at %s%s; want finite values", path, name, v, index3(i, shape), where)
		}
	}
	return out, nil
}

// index3 formats flat index i of a 3-d array as [trial, t, channel].
func index3(i int, shape []int) string {
	return fmt.Sprintf("[%d, %d, %d]", i/(shape[1]*shape[2]), i/shape[2]%shape[1], i%shape[2])
}

// Name returns the task name.
func (d *UserData) Name() string { return "npz" }

// Dims returns the input and output sizes.
func (d *UserData) Dims() (nIn, nOut int) { return d.info.NIn, d.info.NOut }

// Loss returns the loss the targets are made for.
func (d *UserData) Loss() Loss { return d.info.Loss }

// Info describes the task.
func (d *UserData) Info() Info { return d.info }

// Config returns the configuration that rebuilds the task.
func (d *UserData) Config() Config { return d.cfg }

// Len returns the number of trials of the task's split.
func (d *UserData) Len() int { return len(d.idx) }

// Batch draws b trials of the task's split uniformly with replacement.
// It panics if b < 1.
func (d *UserData) Batch(rng *rand.Rand, b int) Batch {
	if b < 1 {
		panic(fmt.Sprintf("tasks: npz Batch: batch size %d < 1", b))
	}
	idx := make([]int, b)
	for i := range idx {
		idx[i] = rng.IntN(len(d.idx))
	}
	return d.BatchOf(idx)
}

// BatchOf packs the given trials of the task's split (0 … Len()−1) in
// order; Trial.Condition names each by its index in the file. It panics
// if an index is out of range or idx is empty.
func (d *UserData) BatchOf(idx []int) Batch {
	if len(idx) == 0 {
		panic("tasks: npz BatchOf: no trials")
	}
	nIn, nOut, T := d.info.NIn, d.info.NOut, d.T
	bufs := make([]trialBuf, len(idx))
	for i, k := range idx {
		if k < 0 || k >= len(d.idx) {
			panic(fmt.Sprintf("tasks: npz BatchOf: trial index %d out of range [0, %d)", k, len(d.idx)))
		}
		j := d.idx[k]
		bufs[i] = trialBuf{nIn: nIn, nOut: nOut, T: T,
			in:   d.in[j*T*nIn : (j+1)*T*nIn],
			tgt:  d.tgt[j*T*nOut : (j+1)*T*nOut],
			mask: d.m[j*T*nOut : (j+1)*T*nOut],
			trial: Trial{Condition: fmt.Sprintf("trial=%d", j), Choice: d.choice[j], ResponseStart: 0, ResponseEnd: T,
				Periods: []Period{{Name: "trial", Start: 0, End: T}}},
		}
	}
	return pack(bufs)
}

// Score applies ScoreMaskedMeanArgmax (cross-entropy targets) or
// ScoreNormalizedMSE with threshold 0.1 (MSE targets).
func (d *UserData) Score(outputs []float32, b *Batch) Result {
	if d.info.Loss == CrossEntropy {
		return ScoreMaskedMeanArgmax(outputs, b)
	}
	return ScoreNormalizedMSE(outputs, b, nmseThreshold)
}
