//go:build !noasm

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// egruGuard is the number of entries past each output row that the tests
// fill with a marker, to catch a vector store beyond the row.
const egruGuard = 16

// guarded returns a row of n entries filled with marker bits, whose backing
// array holds egruGuard more that must keep them.
func guarded[E float32 | int32](n int, marker E) []E {
	s := make([]E, n+egruGuard)
	for i := range s {
		s[i] = marker
	}
	return s[:n]
}

// checkGuard fails if a marker past the row s was overwritten.
func checkGuard[E float32 | int32](t *testing.T, what string, s []E, marker E) {
	t.Helper()
	for i, v := range s[len(s) : len(s)+egruGuard] {
		if v != marker {
			t.Fatalf("%s: entry %d past the row written (%v)", what, i, v)
		}
	}
}

// egruEventRow draws a row of c̃ and ϑ with about a fifth of the units
// above their threshold and, at random places, the edge cases: c̃ = ϑ
// (no event, pd = γ), d = ±1/ε exactly and one ulp either side (pd at or
// next to 0, with and without an event), c̃ = 0 or −0 above a negative
// threshold (an event with y = ±0: not listed), ϑ = −0, and, with special,
// NaN and infinities.
func egruEventRow(rng *rand.Rand, n int, eps float32, special bool) (ct, thr []float32) {
	ct, thr = make([]float32, n), make([]float32, n)
	inv := 1 / eps
	for j := range n {
		thr[j] = 0.5 + 0.25*float32(rng.NormFloat64())
		ct[j] = thr[j] - 0.7 + 0.8*float32(rng.NormFloat64())
		switch rng.IntN(12) {
		case 0:
			ct[j] = thr[j]
		case 1:
			thr[j], ct[j] = 0, inv
		case 2:
			thr[j], ct[j] = 0, -inv
		case 3:
			thr[j], ct[j] = 0, math.Nextafter32(inv, 2*inv)
		case 4:
			thr[j], ct[j] = 0, math.Nextafter32(inv, 0)
		case 5:
			thr[j], ct[j] = -0.5, 0
		case 6:
			thr[j], ct[j] = -0.25, float32(math.Copysign(0, -1))
		case 7:
			thr[j] = float32(math.Copysign(0, -1))
		case 8:
			if special {
				ct[j] = []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}[rng.IntN(3)]
			}
		}
	}
	return ct, thr
}

// TestEGRUEventsISA checks every vector set of this machine against the
// plain loop of EGRUEvents, bit for bit: the outputs, the counts and the
// active list, on rows with and without a vector tail (n not a multiple of
// 8 or 16), with and without the list, with units at their threshold and
// at |c̃ − ϑ| = 1/ε, for several ε and γ; no output is written past its row.
func TestEGRUEventsISA(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const mark = float32(-1234.5)
	const imark = int32(-7)
	for _, isa := range isasHere() {
		for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 24, 31, 33, 40, 64, 100, 517} {
			for _, eps := range []float32{0.5, 1, 3.6, 4} {
				for _, gamma := range []float32{0.3, 0.7, 1} {
					for _, special := range []bool{false, true} {
						ct, thr := egruEventRow(rng, n, eps, special)
						for _, list := range []bool{false, true} {
							name := fmt.Sprintf("%v n=%d eps=%v gamma=%v special=%v list=%v", isa, n, eps, gamma, special, list)
							outs := func() (ev, y, c, pd []float32, idx []int32, vals []float32) {
								ev, y, c, pd = guarded(n, mark), guarded(n, mark), guarded(n, mark), guarded(n, mark)
								if list {
									idx, vals = guarded(n, imark), guarded(n, mark)
								}
								return
							}
							ev, y, c, pd, idx, vals := outs()
							got := egruEventsOn(isa, ev, y, c, pd, ct, thr, gamma, eps, idx, vals)
							wev, wy, wc, wpd, widx, wvals := outs()
							want := egruEventsGo(wev, wy, wc, wpd, ct, thr, gamma, eps, nil, widx, wvals)
							if got != want {
								t.Fatalf("%s: counts %+v, plain loop gives %+v", name, got, want)
							}
							for _, o := range []struct {
								what      string
								got, want []float32
							}{{"ev", ev, wev}, {"y", y, wy}, {"c", c, wc}, {"pd", pd, wpd}} {
								sameBits(t, name+" "+o.what, n, o.got, o.want)
								checkGuard(t, name+" "+o.what, o.got, mark)
							}
							if list {
								if !slices.Equal(idx[:got.Listed], widx[:want.Listed]) {
									t.Fatalf("%s: list %v, plain loop gives %v", name, idx[:got.Listed], widx[:want.Listed])
								}
								sameBits(t, name+" vals", n, vals[:got.Listed], wvals[:want.Listed])
								checkGuard(t, name+" idx", idx, imark)
								checkGuard(t, name+" vals", vals, mark)
							}
						}
					}
				}
			}
		}
	}
}

// TestEGRUBackEventsISA checks every vector set of this machine against
// the plain loop of EGRUBackEvents, bit for bit, on rows with and without
// a vector tail, with events, pseudo-derivatives at 0 and several
// penalties; no output is written past its row.
func TestEGRUBackEventsISA(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const mark = float32(-1234.5)
	for _, isa := range isasHere() {
		for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 24, 31, 33, 64, 100, 517} {
			for _, reg := range []float32{0, 0.125, -0.3} {
				name := fmt.Sprintf("%v n=%d reg=%v", isa, n, reg)
				cy, og, ct, thr, pd := randSlice(rng, n), randSlice(rng, n), randSlice(rng, n), randSlice(rng, n), randSlice(rng, n)
				ev := make([]float32, n)
				for j := range n {
					ev[j] = float32(rng.IntN(2))
					if rng.IntN(3) == 0 {
						pd[j] = 0
					}
				}
				gc0, ta0 := randSlice(rng, n), randSlice(rng, n)
				run := func(f func(gct, gc, ta []float32)) (gct, gc, ta []float32) {
					gct, gc, ta = guarded(n, mark), guarded(n, mark), guarded(n, mark)
					copy(gc, gc0)
					copy(ta, ta0)
					f(gct, gc, ta)
					return
				}
				gct, gc, ta := run(func(gct, gc, ta []float32) { egruBackEventsOn(isa, gct, gc, ta, cy, og, ev, ct, thr, pd, reg) })
				wgct, wgc, wta := run(func(gct, gc, ta []float32) { egruBackEventsGo(gct, gc, ta, cy, og, ev, ct, thr, pd, reg) })
				for _, o := range []struct {
					what      string
					got, want []float32
				}{{"gct", gct, wgct}, {"gc", gc, wgc}, {"thrAcc", ta, wta}} {
					sameBits(t, name+" "+o.what, n, o.got, o.want)
					checkGuard(t, name+" "+o.what, o.got, mark)
				}
			}
		}
	}
}
