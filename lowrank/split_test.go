package lowrank

import (
	"slices"
	"testing"
)

// TestSplitPartitions checks that Split's fitted and held-out conditions
// partition d's, in ascending order, and that the held-out ones are those
// HeldOut lists.
func TestSplitPartitions(t *testing.T) {
	t.Parallel()
	const n = 23
	d := &Data{Conditions: n, T: 1, Units: 1, NIn: 1,
		Activity: make([]float32, n), Mask: make([]float32, n), Inputs: make([]float32, n)}
	for k := range n {
		d.Activity[k], d.Mask[k] = float32(k), 1
	}
	conds := func(x *Data) []int {
		var out []int
		for _, v := range x.Activity {
			out = append(out, int(v))
		}
		return out
	}
	for _, h := range []int{0, 1, 7, n - 1} {
		c := FitConfig{Holdout: h, Seed: 3}
		fit, held := Split(d, c)
		want := HeldOut(d, c)
		if h == 0 {
			if held != nil || want != nil || fit != d {
				t.Fatalf("holdout 0: got held %v, HeldOut %v, fit is d %v; want nil, nil, true", held, want, fit == d)
			}
			continue
		}
		got := conds(held)
		if !slices.Equal(got, want) || len(want) != h || !slices.IsSorted(want) {
			t.Fatalf("holdout %d: got held %v, want HeldOut %v (%d, ascending)", h, got, want, h)
		}
		all := append(conds(fit), got...)
		if !slices.IsSorted(conds(fit)) {
			t.Fatalf("holdout %d: got fitted %v, want ascending", h, conds(fit))
		}
		slices.Sort(all)
		for k, v := range all {
			if v != k {
				t.Fatalf("holdout %d: got fitted %v and held %v, want a partition of [0, %d)", h, conds(fit), got, n)
			}
		}
	}
}
