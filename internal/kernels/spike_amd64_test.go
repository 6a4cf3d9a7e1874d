//go:build !noasm

package kernels

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSumStripRowsUnordered checks that SumStripRows on lists whose
// indices do not increase, over a strip taller than stripBlockRows, gives
// the bits of its plain loop: every list still adds its rows in list order.
func TestSumStripRowsUnordered(t *testing.T) {
	if !hasAVX512() {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	const rows = 300
	const n, lists = 64, 9
	packed := randSlice(rng, rows*n)
	idx, cnt := make([]int32, lists*rows), make([]int32, lists)
	for r := range cnt {
		perm := rng.Perm(rows)[:40+r]
		for k, j := range perm {
			idx[r*rows+k] = int32(j)
		}
		cnt[r] = int32(len(perm))
	}
	got := randSlice(rng, lists*n)
	want := slices.Clone(got)
	SumStripRows(got, n, packed, rows, n, idx, rows, cnt)
	sumStripRowsGo(want, n, packed, rows, n, idx, rows, cnt)
	if !slices.Equal(got, want) {
		t.Fatal("SumStripRows on unordered lists differs from its plain loop")
	}
}
