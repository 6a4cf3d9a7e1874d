package tasks

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// fileTrials returns the file trial indices a split serves (from
// Trial.Condition "trial=<i>").
func fileTrials(t *testing.T, f Finite) []int {
	t.Helper()
	idx := make([]int, f.Len())
	for i := range idx {
		idx[i] = i
	}
	var out []int
	for _, tr := range f.BatchOf(idx).Trials {
		var j int
		if _, err := fmt.Sscanf(tr.Condition, "trial=%d", &j); err != nil {
			t.Fatalf("condition %q: %v", tr.Condition, err)
		}
		out = append(out, j)
	}
	return out
}

func TestNPZSplits(t *testing.T) {
	t.Parallel()
	const n = 40
	in := cube(n, 2, 1, func(i, _, _ int) float32 { return float32(i) })
	tgt := cube(n, 2, 1, func(i, _, _ int) float32 { return 1 })
	path := writeNPZ(t, map[string]any{"inputs": in, "targets": tgt})
	s := Settings{Path: path, ValidationFraction: ptr(0.2), TestFraction: 0.1, SplitSeed: 7}
	task, err := New("npz", Dataset, s)
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[Split]int{Train: 28, Validation: 8, Test: 4}
	seen := map[int]Split{}
	for sp, size := range sizes {
		p, err := Part(task, sp)
		if err != nil {
			t.Fatalf("Part(%s): %v", sp, err)
		}
		f := p.(Finite)
		if f.Len() != size {
			t.Errorf("%s split: %d trials, want %d", sp, f.Len(), size)
		}
		for _, j := range fileTrials(t, f) {
			if prev, dup := seen[j]; dup {
				t.Errorf("file trial %d is in both %s and %s", j, prev, sp)
			}
			seen[j] = sp
		}
		// Batch draws only from the split: every drawn input names a
		// trial of it.
		b := p.Batch(rand.New(rand.NewPCG(1, 2)), 64)
		for i := range b.B {
			if j := int(b.Inputs[i]); seen[j] != sp {
				t.Fatalf("%s Batch drew file trial %d, which is in %s", sp, j, seen[j])
			}
		}
		// The part's config rebuilds the same part.
		data, err := json.Marshal(p.(Configurable).Config())
		if err != nil {
			t.Fatal(err)
		}
		q, err := ParseConfig(data)
		if err != nil {
			t.Fatalf("rebuild %s from %s: %v", sp, data, err)
		}
		if !slices.Equal(fileTrials(t, q.(Finite)), fileTrials(t, f)) {
			t.Errorf("%s split rebuilt from its config serves other trials", sp)
		}
	}
	if len(seen) != n {
		t.Errorf("the splits cover %d of %d trials", len(seen), n)
	}
	if pv, _ := Part(task, Validation); SplitLabel(pv) != "validation" || SplitLabel(task) != "train" || SplitLabel(mustNew(t, "go-nogo", NeuroGym, Settings{})) != "fresh trials" {
		t.Error("SplitLabel does not name dataset splits and fresh trials")
	}
	// Another split seed assigns other trials; the default holds out 10 %.
	other, _ := New("npz", Dataset, Settings{Path: path, ValidationFraction: ptr(0.2), TestFraction: 0.1, SplitSeed: 8})
	pv, _ := Part(task, Validation)
	ov, _ := Part(other, Validation)
	if slices.Equal(fileTrials(t, pv.(Finite)), fileTrials(t, ov.(Finite))) {
		t.Error("split_seed 7 and 8 chose the same validation trials")
	}
	def, err := New("npz", Dataset, Settings{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if dv, err := Part(def, Validation); err != nil || dv.(Finite).Len() != 4 || def.(Finite).Len() != 36 {
		t.Errorf("default validation_fraction: %v, want 4 validation and 36 training trials of 40", err)
	}
	for _, c := range []struct {
		s    Settings
		want string
	}{
		{Settings{Path: path}, "test_fraction"},                                   // no test split by default
		{Settings{Path: path, ValidationFraction: ptr(0)}, "validation_fraction"}, // turned off
	} {
		task, err := New("npz", Dataset, c.s)
		if err != nil {
			t.Fatal(err)
		}
		sp := Test
		if c.want == "validation_fraction" {
			sp = Validation
		}
		if _, err := Part(task, sp); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("empty %s split: error %v, want one naming %s", sp, err, c.want)
		}
	}
	if _, err := New("npz", Dataset, Settings{Path: path, ValidationFraction: ptr(0.6), TestFraction: 0.5}); err == nil || !strings.Contains(err.Error(), "validation_fraction") {
		t.Errorf("fractions summing past 1: %v", err)
	}
}

func TestMNISTSplits(t *testing.T) {
	train, err := New("mnist-rows", Dataset, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	val, err := Part(train, Validation)
	if err != nil {
		t.Fatal(err)
	}
	test, err := Part(val, Test)
	if err != nil {
		t.Fatal(err)
	}
	if a, b, c := train.(Finite).Len(), val.(Finite).Len(), test.(Finite).Len(); a != 54000 || b != 6000 || c != 10000 {
		t.Errorf("train, validation, test: %d, %d, %d digits; want 54000, 6000, 10000", a, b, c)
	}
	if got := test.(*MNIST).Label(0); got != 7 {
		t.Errorf("first test digit: label %d, want 7 (t10k-labels-idx1-ubyte)", got)
	}
	if _, err := New("mnist-rows", Dataset, Settings{TestFraction: 0.1}); err == nil {
		t.Error("mnist accepted a test_fraction")
	}
}

// TestNPZValidationTrials: validation_trials is the validation split
// itself; training never draws those trials, test_fraction draws from the
// others, and the resolved config rebuilds the same parts.
func TestNPZValidationTrials(t *testing.T) {
	t.Parallel()
	const n = 10
	in := cube(n, 2, 1, func(i, _, _ int) float32 { return float32(i) })
	tgt := cube(n, 2, 1, func(i, _, _ int) float32 { return 1 })
	path := writeNPZ(t, map[string]any{"inputs": in, "targets": tgt})
	task, err := New("npz", Dataset, Settings{Path: path, ValidationTrials: []int{7, 2, 5}, TestFraction: 0.2, SplitSeed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := SplitLabel(HeldOut(task)); got != "validation" {
		t.Errorf("HeldOut serves %q, want validation", got)
	}
	val, _ := Part(task, Validation)
	if got := fileTrials(t, val.(Finite)); !slices.Equal(got, []int{2, 5, 7}) {
		t.Errorf("validation trials %v, want [2 5 7]", got)
	}
	tr, _ := Part(task, Train)
	te, _ := Part(task, Test)
	train, test := fileTrials(t, tr.(Finite)), fileTrials(t, te.(Finite))
	if len(train) != 5 || len(test) != 2 {
		t.Errorf("train %v, test %v: want 5 and 2 trials", train, test)
	}
	for _, j := range append(train, test...) {
		if j == 2 || j == 5 || j == 7 {
			t.Errorf("validation trial %d is also in train %v or test %v", j, train, test)
		}
	}
	data, err := json.Marshal(task.(Configurable).Config())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"validation_trials":[2,5,7]`) {
		t.Errorf("resolved config %s does not list validation_trials [2,5,7]", data)
	}
	again, err := ParseConfig(data)
	if err != nil {
		t.Fatalf("ParseConfig(%s): %v", data, err)
	}
	tr2, _ := Part(again, Train)
	if got := fileTrials(t, tr2.(Finite)); !slices.Equal(got, train) {
		t.Errorf("rebuilt train split %v, want %v", got, train)
	}
	for _, c := range []struct {
		s    Settings
		want string
	}{
		{Settings{Path: path, ValidationTrials: []int{10}}, "validation_trials[0] = 10"},
		{Settings{Path: path, ValidationTrials: []int{1, 1}}, "trial 1 twice"},
		{Settings{Path: path, ValidationTrials: []int{-1}}, "validation_trials[0] = -1"},
		{Settings{Path: path, ValidationTrials: []int{1}, ValidationFraction: ptr(0.2)}, "give one of them"},
		{Settings{Path: path, ValidationTrials: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}, "leave none for training"},
	} {
		if _, err := New("npz", Dataset, c.s); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v): error %v, want one containing %q", c.s, err, c.want)
		}
	}
	if _, err := New("mnist-rows", Dataset, Settings{ValidationTrials: []int{1}}); err == nil || !strings.Contains(err.Error(), "validation_trials") {
		t.Errorf("mnist-rows with validation_trials: error %v, want it refused", err)
	}
}
