package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/rnntrain/rnntrain/internal/enum"
)

// Split selects a part of a dataset: the trials training draws from, the
// validation trials training evaluates on, or the test trials kept for
// the final report. Generated tasks have no parts: every batch is fresh
// trials (see Part).
type Split int

const (
	Train      Split = iota // the trials training draws from
	Test                    // an npz file's test_fraction; MNIST's 10 000 test images
	Validation              // validation_fraction of the training trials
)

// defaultValidationFraction is validation_fraction's default.
const defaultValidationFraction = 0.1

// splitNames lists the splits' text forms, indexed by Split.
func splitNames() []string { return []string{Train: "train", Validation: "validation", Test: "test"} }

// String returns "train", "validation" or "test", or Split(i) for a value
// that is none of the constants.
func (s Split) String() string { return enum.Name(splitNames(), int(s), "Split") }

// MarshalText implements encoding.TextMarshaler. It returns an error for a
// value that is none of the constants.
func (s Split) MarshalText() ([]byte, error) {
	return enum.Text("tasks", splitNames(), int(s), "split")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Split) UnmarshalText(b []byte) error {
	switch string(b) {
	case "train":
		*s = Train
	case "validation":
		*s = Validation
	case "test":
		*s = Test
	default:
		return fmt.Errorf("tasks: unknown split %q; valid splits: train, validation, test%s", b, enum.Hint(string(b), splitNames()))
	}
	return nil
}

// Splitter is a dataset divided into train, validation and test parts.
// Its Task and Finite methods serve one part, the one its
// Config().Settings.Split names: Batch draws only from that part and Len
// counts it.
type Splitter interface {
	Finite
	// Split is the part the task serves.
	Split() Split
	// Part returns the dataset serving part s; it shares the data. It
	// returns an error naming the setting when part s is empty.
	Part(s Split) (Finite, error)
}

// Part returns task restricted to part s: for a Splitter (npz, mnist-*)
// its part s; for a generated task the task itself, whose every batch is
// fresh trials (independent of training's as long as they are drawn from
// another random stream). The error names the setting that leaves part s
// empty.
func Part(task Task, s Split) (Task, error) {
	if sp, ok := task.(Splitter); ok {
		return sp.Part(s)
	}
	return task, nil
}

// SplitLabel says, for reports, which trials task serves: "train",
// "validation" or "test" for a Splitter, "fresh trials" for a generated
// task.
func SplitLabel(task Task) string {
	if sp, ok := task.(Splitter); ok {
		return sp.Split().String()
	}
	return "fresh trials"
}

// splits assigns n trials to the parts of a dataset: a permutation drawn
// from seed, the first round(test·n) trials to test, the next
// round(val·n) to validation (at least one of each when its fraction is
// positive), the rest to train. It returns the trial indices of each
// part in ascending (file) order, or an error naming the settings when
// training would get none.
func splits(n int, val, test float64, seed uint64) (parts [3][]int, err error) {
	count := func(f float64) int {
		k := int(math.Round(f * float64(n)))
		if f > 0 && k == 0 {
			k = 1
		}
		return k
	}
	nTest, nVal := count(test), count(val)
	if nTest+nVal >= n {
		return parts, fmt.Errorf("validation_fraction %g and test_fraction %g of %d trials leave none for training; lower them (0 turns a split off)", val, test, n)
	}
	perm := rand.New(rand.NewPCG(seed, splitStream)).Perm(n)
	parts[Test] = perm[:nTest]
	parts[Validation] = perm[nTest : nTest+nVal]
	parts[Train] = perm[nTest+nVal:]
	for _, p := range parts {
		slices.Sort(p)
	}
	return parts, nil
}

// explicitSplits assigns n trials to the parts of a dataset whose
// validation split is the trials val (validation_trials): the first
// round(test·n) of the other trials in a permutation drawn from seed go
// to test (at least one when test > 0), the rest to train. It returns
// the trial indices of each part in ascending order, or an error naming
// the settings when val holds an index out of range or twice, or when
// training would get no trial.
func explicitSplits(n int, val []int, test float64, seed uint64) (parts [3][]int, err error) {
	inVal := make([]bool, n)
	for i, k := range val {
		if k < 0 || k >= n {
			return parts, fmt.Errorf("validation_trials[%d] = %d: want a trial index in [0, %d), the file's %d trials", i, k, n, n)
		}
		if inVal[k] {
			return parts, fmt.Errorf("validation_trials lists trial %d twice; want each trial once", k)
		}
		inVal[k] = true
	}
	nTest := int(math.Round(test * float64(n)))
	if test > 0 && nTest == 0 {
		nTest = 1
	}
	if nTest+len(val) >= n {
		return parts, fmt.Errorf("validation_trials (%d trials) and test_fraction %g of %d trials leave none for training; list fewer trials or lower test_fraction", len(val), test, n)
	}
	var rest []int
	for _, k := range rand.New(rand.NewPCG(seed, splitStream)).Perm(n) {
		if !inVal[k] {
			rest = append(rest, k)
		}
	}
	parts[Validation] = slices.Clone(val)
	parts[Test] = rest[:nTest]
	parts[Train] = rest[nTest:]
	for _, p := range parts {
		slices.Sort(p)
	}
	return parts, nil
}

// splitStream is the PCG stream word of the split permutation ("split").
const splitStream = 0x73706c6974

// validationFraction returns s's validation fraction with its default
// filled in.
func (s Settings) validationFraction() float64 {
	if s.ValidationFraction == nil {
		return defaultValidationFraction
	}
	return *s.ValidationFraction
}

// withSplits divides d's trials by s's validation_fraction,
// test_fraction and split_seed and serves part s.Split.
//
// With validation_trials, those trials form the validation split (and
// validation_fraction is 0); test_fraction then draws the test split
// from the other trials.
func (d *UserData) withSplits(s Settings) (*UserData, error) {
	val := s.validationFraction()
	var parts [3][]int
	var err error
	if len(s.ValidationTrials) > 0 {
		val = 0
		parts, err = explicitSplits(d.n, s.ValidationTrials, s.TestFraction, s.SplitSeed)
		d.cfg.Settings.ValidationTrials = slices.Clone(parts[Validation])
	} else {
		parts, err = splits(d.n, val, s.TestFraction, s.SplitSeed)
	}
	if err != nil {
		return nil, fmt.Errorf("tasks: npz %s: %w", s.Path, err)
	}
	d.parts = parts
	d.cfg.Settings.ValidationFraction = ptr(val)
	d.cfg.Settings.TestFraction, d.cfg.Settings.SplitSeed = s.TestFraction, s.SplitSeed
	p, err := d.Part(s.Split)
	if err != nil {
		return nil, err
	}
	return p.(*UserData), nil
}

// Split returns the split the task serves.
func (d *UserData) Split() Split { return d.cfg.Settings.Split }

// Part returns the dataset serving split s (sharing the data), or an
// error naming the setting that leaves it empty.
func (d *UserData) Part(s Split) (Finite, error) {
	if s != Train && s != Validation && s != Test {
		return nil, fmt.Errorf("tasks: npz: invalid split %d", int(s))
	}
	if len(d.parts[s]) == 0 {
		return nil, fmt.Errorf("tasks: npz %s has no %s split (%s); set %s", d.cfg.Settings.Path, s, emptyReason(s), fractionKey(s))
	}
	p := *d
	p.cfg.Settings.Split = s
	p.idx = d.parts[s]
	return &p, nil
}

// emptyReason says why split s of a dataset can be empty.
func emptyReason(s Split) string {
	if s == Train {
		return "every trial is held out"
	}
	if s == Validation {
		return "validation_fraction is 0 and no validation_trials are listed"
	}
	return fractionKey(s) + " is 0"
}

// fractionKey is the setting that sizes split s.
func fractionKey(s Split) string {
	if s == Test {
		return "test_fraction"
	}
	return "validation_fraction"
}

// Spread returns min(k, n) trial indices spread evenly over 0 … n−1 in
// ascending order (all n when k <= 0 or k >= n): index i·n/k for i < k.
// Evaluations on a part of a dataset use it to score a subset that does
// not depend on how the file is ordered. It panics if n < 0.
func Spread(n, k int) []int {
	if n < 0 {
		panic(fmt.Sprintf("tasks: Spread: n = %d < 0", n))
	}
	if k <= 0 || k > n {
		k = n
	}
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i * n / k
	}
	return idx
}

// HeldOut returns the trials to evaluate on while training: a dataset's
// validation split, or, when it has none (validation_fraction 0), the
// dataset itself, whose SplitLabel then says "train"; a generated task
// itself (fresh trials).
func HeldOut(task Task) Task {
	if h, err := Part(task, Validation); err == nil {
		return h
	}
	return task
}
