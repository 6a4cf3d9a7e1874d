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
	base := randSlice(rng, lists*n)
	want := slices.Clone(base)
	sumStripRowsGo(want, n, packed, rows, n, idx, rows, cnt)
	for _, isa := range isasHere() {
		got := slices.Clone(base)
		sumStripRowsOn(isa, got, n, packed, rows, n, idx, rows, cnt)
		if !slices.Equal(got, want) {
			t.Fatalf("%v: SumStripRows on unordered lists differs from its plain loop", isa)
		}
	}
}

// TestSumStripRowsEachISA runs the strip sums of every vector set this
// machine has against the plain loop, bit for bit: strips shorter and
// taller than stripBlockRows, more lists than one pass keeps cursors for,
// padded rows of dst and of the lists, empty and full lists.
func TestSumStripRowsEachISA(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, c := range []struct {
		lists, rows, n, padD, padI int
		act                        float64
	}{{1, 8, 64, 0, 0, 1}, {3, 129, 128, 5, 2, 0.2}, {260, 70, 64, 0, 0, 0.3}, {6, 400, 192, 64, 7, 0.1}, {2, 256, 64, 0, 0, 0}} {
		ldd, ldi := c.n+c.padD, c.rows+c.padI
		packed := randSlice(rng, c.rows*c.n)
		idx, cnt := make([]int32, (c.lists-1)*ldi+c.rows), make([]int32, c.lists)
		for r := range cnt {
			for j := range c.rows {
				if rng.Float64() < c.act {
					idx[r*ldi+int(cnt[r])] = int32(j)
					cnt[r]++
				}
			}
		}
		base := randSlice(rng, (c.lists-1)*ldd+c.n)
		want := slices.Clone(base)
		sumStripRowsGo(want, ldd, packed, c.rows, c.n, idx, ldi, cnt)
		for _, isa := range isasHere() {
			got := slices.Clone(base)
			sumStripRowsOn(isa, got, ldd, packed, c.rows, c.n, idx, ldi, cnt)
			if !slices.Equal(got, want) {
				t.Fatalf("%v, %+v: strip sums differ from the plain loop", isa, c)
			}
		}
	}
}

// TestGatherPanelEachISA runs the panel gather of every vector set this
// machine has against the plain loop (the vector kernels fuse the
// multiply-add, so to rounding), overwriting and accumulating, with empty
// rows.
func TestGatherPanelEachISA(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const panRows, batch, ldd = 90, 6, PanelWidth + 5
	pan := randSlice(rng, panRows*PanelWidth)
	ptr := []int32{0}
	var idx []int32
	var vals []float32
	for i := range batch {
		for j := range panRows {
			if i != 2 && rng.IntN(4) == 0 {
				idx, vals = append(idx, int32(j)), append(vals, float32(rng.NormFloat64()))
			}
		}
		ptr = append(ptr, int32(len(idx)))
	}
	for _, acc := range []bool{false, true} {
		base := randSlice(rng, (batch-1)*ldd+PanelWidth)
		want := slices.Clone(base)
		gatherPanelGo(want, ldd, acc, pan, ptr[:batch], ptr[1:], idx, vals)
		for _, isa := range isasHere() {
			got := slices.Clone(base)
			gatherPanelOn(isa, got, ldd, acc, pan, ptr[:batch], ptr[1:], idx, vals)
			for i := range batch {
				for q := range ldd {
					k := i*ldd + q
					if k >= len(got) {
						break
					}
					if q >= PanelWidth {
						if got[k] != base[k] {
							t.Fatalf("%v: column %d of row %d outside the panel written", isa, q, i)
						}
						continue
					}
					near(t, isa.String()+" gatherPanel", float64(got[k]), float64(want[k]), int(ptr[i+1]-ptr[i]))
				}
			}
		}
	}
}
