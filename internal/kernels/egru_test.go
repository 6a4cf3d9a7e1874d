package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSparseGatherPanels checks the panel gather against the product it
// restricts (float64), over whole and partial panels, a column range that
// starts at a panel, overwriting and accumulating, and against
// SparseGatherRows on the unpacked matrix.
// TestSparseGatherPanelsBlocks checks the row blocks of tall panels: the
// same bits as the whole panel's gather (gatherPanels over the rows'
// entries), over more batch rows than a chunk, a partial last panel, rows
// with no entries in the first block, indices out of order (each entry
// still added once, in k order) and more blocks than gatherMaxBlocks
// allows of gatherBlockRows.
func TestSparseGatherPanelsBlocks(t *testing.T) {
	// The EGRU's forward step at N = 1024 (16 batch rows): blocks at 20 %
	// activity, the whole panel at 5 %, and always below gatherBlockMin rows.
	for _, c := range []struct{ panelRows, rows, perRow, minBlocks, maxBlocks int }{
		{1024, 16, 205, 2, gatherMaxBlocks}, {1024, 16, 51, 1, 1}, {gatherBlockMin - 1, 32, 1000, 1, 1},
	} {
		if _, nb := gatherBlocks(c.panelRows, c.rows, c.rows*c.perRow); nb < c.minBlocks || nb > c.maxBlocks {
			t.Errorf("gatherBlocks(%d rows, %d batch rows of %d entries) = %d blocks, want %d–%d", c.panelRows, c.rows, c.perRow, nb, c.minBlocks, c.maxBlocks)
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, rows := range []int{gatherBlockMin, gatherBlockMin + 37, gatherBlockRows*gatherMaxBlocks + 300} {
		const cols, batch = 100, gatherChunk + 3
		var gp GatherPanels
		PackGatherPanels(&gp, false, rows, cols, randSlice(rng, rows*cols), cols)
		ptr := []int32{0}
		var idx []int32
		var vals []float32
		for i := range batch {
			start := len(idx)
			for j := range rows {
				if (i%5 != 1 || j >= 2*gatherBlockRows) && rng.IntN(5) == 0 {
					idx, vals = append(idx, int32(j)), append(vals, float32(rng.NormFloat64()))
				}
			}
			if i%7 == 3 { // out of order
				rng.Shuffle(len(idx)-start, func(a, b int) {
					a, b = a+start, b+start
					idx[a], idx[b], vals[a], vals[b] = idx[b], idx[a], vals[b], vals[a]
				})
			}
			ptr = append(ptr, int32(len(idx)))
		}
		if _, nb := gatherBlocks(rows, batch, len(idx)); nb < 2 {
			t.Fatalf("%d rows, %d entries: walked whole (%d block), not in blocks", rows, len(idx), nb)
		}
		for _, acc := range []bool{false, true} {
			const ldd = cols + 5
			base := randSlice(rng, batch*ldd)
			got, want := append([]float32(nil), base...), append([]float32(nil), base...)
			SparseGatherPanels(got, ldd, 0, cols, acc, &gp, ptr, idx, vals)
			gatherPanels(want, ldd, 0, cols, acc, &gp, ptr[:batch], ptr[1:], idx, vals)
			for k := range got {
				if math.Float32bits(got[k]) != math.Float32bits(want[k]) {
					t.Fatalf("%d rows, accumulate %v: element %d (row %d) %v, unblocked %v", rows, acc, k, k/ldd, got[k], want[k])
				}
			}
		}
	}
}

func TestSparseGatherPanels(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, rows := range []int{1, 7, 40} {
		for _, cols := range []int{5, 64, 100, 192, 200} {
			for _, trans := range []bool{false, true} {
				w := randSlice(rng, rows*cols)
				ld := cols
				if trans { // w holds the transpose, cols×rows
					ld = rows
				}
				at := func(j, q int) float32 {
					if trans {
						return w[q*ld+j]
					}
					return w[j*ld+q]
				}
				var gp GatherPanels
				PackGatherPanels(&gp, trans, rows, cols, w, ld)
				require.Equal(t, rows, gp.Rows())
				require.Equal(t, cols, gp.Cols())
				const batch = 5
				ptr := []int32{0}
				var idx []int32
				var vals []float32
				for range batch {
					for j := range rows {
						if rng.IntN(3) == 0 {
							idx, vals = append(idx, int32(j)), append(vals, float32(rng.NormFloat64()))
						}
					}
					ptr = append(ptr, int32(len(idx)))
				}
				for _, lo := range []int{0, 64} {
					if lo > cols {
						continue
					}
					for _, acc := range []bool{false, true} {
						ldd := cols + 3
						got := randSlice(rng, batch*ldd)
						base := append([]float32(nil), got...)
						SparseGatherPanels(got, ldd, lo, cols, acc, &gp, ptr, idx, vals)
						for i := range batch {
							for q := range cols {
								want := float64(base[i*ldd+q])
								if q >= lo {
									if !acc {
										want = 0
									}
									for k := ptr[i]; k < ptr[i+1]; k++ {
										want += float64(vals[k]) * float64(at(int(idx[k]), q))
									}
								}
								near(t, "SparseGatherPanels", float64(got[i*ldd+q]), want, rows)
							}
						}
					}
				}
			}
		}
	}
}

func TestSparseGatherPanelsPanics(t *testing.T) {
	var gp GatherPanels
	PackGatherPanels(&gp, false, 3, 70, make([]float32, 3*70), 70)
	dst := make([]float32, 2*70)
	for _, f := range []func(){
		func() { SparseGatherPanels(dst, 70, 0, 70, false, &gp, []int32{0, 1}, []int32{3}, []float32{1}) }, // row 3 beyond 3 rows
		func() { SparseGatherPanels(dst, 70, 1, 70, false, &gp, []int32{0, 0}, nil, nil) },                 // lo not at a panel
		func() { SparseGatherPanels(dst, 70, 0, 71, false, &gp, []int32{0, 0}, nil, nil) },                 // beyond the columns
		func() { SparseGatherPanels(dst, 70, 0, 70, false, &gp, []int32{1, 0}, []int32{0}, []float32{1}) }, // decreasing
		func() { SparseGatherPanels(dst[:100], 70, 0, 70, false, &gp, []int32{0, 0, 0}, nil, nil) },        // dst too short
		func() { PackGatherPanels(&gp, false, 3, 70, make([]float32, 3*70-1), 70) },                        // w too short
		func() {
			EGRUEvents(make([]float32, 3), nil, nil, nil, make([]float32, 3), make([]float32, 3), 1, 1, nil, nil, nil)
		}, // lengths
	} {
		require.Panics(t, f)
	}
}

// TestEGRUEvents checks the event kernel against its plain loop bit for bit
// (row lengths with and without a vector body and tail, with and without
// the active list, values at the threshold, zero c̃ above a negative
// threshold, NaN and infinities) and the loop against the formulas in
// float64.
func TestEGRUEvents(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{1, 15, 16, 33, 64, 100} {
		ct, thr := randSlice(rng, n), randSlice(rng, n)
		ct[0] = thr[0] // d = 0: no event
		if n > 20 {
			thr[3], ct[3] = -0.5, 0 // an event with y = 0: not listed
			ct[5] = float32(math.NaN())
			ct[7], ct[8] = float32(math.Inf(1)), float32(math.Inf(-1))
			thr[9], ct[9] = 0, 0.999 // pd exactly representable near 0
		}
		for _, eps := range []float32{1, 3.6} {
			for _, list := range []bool{false, true} {
				outs := func() (ev, y, c, pd []float32, idx []int32, vals []float32) {
					ev, y, c, pd = make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
					if list {
						idx, vals = make([]int32, n), make([]float32, n)
					}
					return
				}
				ev, y, c, pd, idx, vals := outs()
				got := EGRUEvents(ev, y, c, pd, ct, thr, 0.7, eps, nil, idx, vals)
				wev, wy, wc, wpd, widx, wvals := outs()
				want := egruEventsGo(wev, wy, wc, wpd, ct, thr, 0.7, eps, nil, widx, wvals)
				require.Equal(t, want, got, "n=%d eps=%v list=%v", n, eps, list)
				sameBits(t, "EGRUEvents ev", n, ev, wev)
				sameBits(t, "EGRUEvents y", n, y, wy)
				sameBits(t, "EGRUEvents c", n, c, wc)
				sameBits(t, "EGRUEvents pd", n, pd, wpd)
				if list {
					require.Equal(t, widx[:want.Listed], idx[:got.Listed])
					sameBits(t, "EGRUEvents vals", want.Listed, vals[:got.Listed], wvals[:want.Listed])
				}
				var fired, listed int
				for j := range n {
					d := float64(ct[j]) - float64(thr[j])
					if d > 0 {
						fired++
						require.Equal(t, float32(1), wev[j])
						require.Equal(t, ct[j], wy[j])
						if list && ct[j] != 0 {
							require.Equal(t, int32(j), widx[listed])
							listed++
						}
					} else {
						require.Zero(t, wy[j])
					}
					if !math.IsNaN(d) && !math.IsInf(d, 0) {
						require.InDelta(t, 0.7*math.Max(0, 1-float64(eps)*math.Abs(d)), float64(wpd[j]), 1e-6)
					}
				}
				require.Equal(t, fired, want.Fired)
				if list {
					require.Equal(t, listed, want.Listed)
				}
			}
		}
	}
}

// TestEGRUEventsHeld checks the held units of EGRUEvents (float32 and
// float64): they never fire, list or carry a pseudo-derivative (counted
// flat), c keeps c̃, and every other unit gets what it gets without them.
func TestEGRUEventsHeld(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 40
	ct, thr := randSlice(rng, n), randSlice(rng, n)
	held := make([]bool, n)
	for j := range held {
		held[j] = j%3 == 0
	}
	out := func() (ev, y, c, pd []float32, idx []int32, vals []float32) {
		return make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]int32, n), make([]float32, n)
	}
	ev, y, c, pd, idx, vals := out()
	free := EGRUEvents(ev, y, c, pd, ct, thr, 0.7, 1, nil, idx, vals)
	hev, hy, hc, hpd, hidx, hvals := out()
	got := EGRUEvents(hev, hy, hc, hpd, ct, thr, 0.7, 1, held, hidx, hvals)
	var want EGRUEventCounts
	for j := range n {
		if held[j] {
			require.Zero(t, hev[j])
			require.Zero(t, hy[j])
			require.Zero(t, hpd[j])
			require.Equal(t, ct[j], hc[j])
			want.Flat++
			continue
		}
		require.Equal(t, []float32{ev[j], y[j], c[j], pd[j]}, []float32{hev[j], hy[j], hc[j], hpd[j]}, "unit %d", j)
		want.Fired += int(ev[j])
		if pd[j] == 0 {
			want.Flat++
		}
		if ev[j] != 0 || pd[j] != 0 {
			want.Need++
		}
		if y[j] != 0 {
			require.Equal(t, int32(j), hidx[want.Listed])
			want.Listed++
		}
	}
	require.Equal(t, want, got)
	require.Less(t, got.Fired, free.Fired, "the held units include some that fire")
	ct64, thr64 := make([]float64, n), make([]float64, n)
	for j := range n {
		ct64[j], thr64[j] = float64(ct[j]), float64(thr[j])
	}
	ev64, y64, c64, pd64, v64 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	got64 := EGRUEvents(ev64, y64, c64, pd64, ct64, thr64, 0.7, 1, held, make([]int32, n), v64)
	require.Equal(t, got.Fired, got64.Fired)
	require.Equal(t, got.Listed, got64.Listed)
}

// TestEGRUBackEvents checks the backward event kernel against its plain
// loop bit for bit and the loop against the formulas in float64.
func TestEGRUBackEvents(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{1, 15, 16, 33, 100} {
		cy, og, ct, thr, pd := randSlice(rng, n), randSlice(rng, n), randSlice(rng, n), randSlice(rng, n), randSlice(rng, n)
		ev := make([]float32, n)
		for j := range ev {
			ev[j] = float32(rng.IntN(2))
		}
		gc0, ta0 := randSlice(rng, n), randSlice(rng, n)
		const reg = 0.125
		gct, gc, ta := make([]float32, n), append([]float32(nil), gc0...), append([]float32(nil), ta0...)
		EGRUBackEvents(gct, gc, ta, cy, og, ev, ct, thr, pd, reg)
		wgct, wgc, wta := make([]float32, n), append([]float32(nil), gc0...), append([]float32(nil), ta0...)
		egruBackEventsGo(wgct, wgc, wta, cy, og, ev, ct, thr, pd, reg)
		sameBits(t, "EGRUBackEvents gct", n, gct, wgct)
		sameBits(t, "EGRUBackEvents thrAcc", n, ta, wta)
		sameBits(t, "EGRUBackEvents gc", n, gc, wgc)
		for j := range n {
			f := func(v []float32) float64 { return float64(v[j]) }
			gy := f(cy) + f(og)
			gO := gy*f(ct) - f(gc0)*f(thr) + reg
			require.InDelta(t, gy*f(ev)+f(gc0)+gO*f(pd), f(wgct), 1e-5)
			require.InDelta(t, f(ta0)-(f(gc0)*f(ev)+gO*f(pd)), f(wta), 1e-5)
			require.Zero(t, wgc[j])
		}
	}
}

// TestSparseGatherPanelsEmptyRange checks that an empty column range of a
// matrix with no columns does nothing.
func TestSparseGatherPanelsEmptyRange(t *testing.T) {
	var gp GatherPanels
	PackGatherPanels(&gp, false, 4, 0, nil, 1)
	dst := []float32{1, 2}
	SparseGatherPanels(dst, 1, 0, 0, false, &gp, []int32{0, 1, 2}, []int32{3, 0}, []float32{1, 1})
	require.Equal(t, []float32{1, 2}, dst)
}
