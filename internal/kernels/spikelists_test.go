package kernels

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomSpikes returns a [rows×n] matrix whose entries are nonzero with
// probability act: 1, or with nonBinary a random value.
func randomSpikes(rng *rand.Rand, rows, n int, act float64, nonBinary bool) []float32 {
	s := make([]float32, rows*n)
	for i := range s {
		if rng.Float64() < act {
			s[i] = 1
			if nonBinary {
				s[i] = float32(rng.NormFloat64())
			}
		}
	}
	return s
}

// TestSpikeListsBuild checks ListRows and ListColumns against plain loops
// over the matrix, with the entries' values and the binary flag, for
// reused sets whose shapes shrink and grow.
func TestSpikeListsBuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var byRow, byCol SpikeLists
	for _, c := range []struct {
		rows, n, lo, hi int
		act             float64
		nonBinary       bool
		mixed           bool
	}{
		{7, 64, 0, 64, 0.2, false, false}, {3, 17, 2, 11, 0.5, true, false}, {40, 256, 128, 256, 0.1, false, false},
		{1, 1, 0, 1, 1, false, false}, {5, 33, 0, 0, 0.3, false, false}, {128, 512, 0, 256, 0.2, true, false},
		{0, 8, 0, 8, 0.5, false, false}, {40, 64, 0, 64, 0.3, false, true}, {40, 64, 16, 48, 0.3, false, true},
	} {
		t.Run(fmt.Sprintf("%dx%d[%d:%d]", c.rows, c.n, c.lo, c.hi), func(t *testing.T) {
			s := randomSpikes(rng, c.rows, c.n, c.act, c.nonBinary)
			if c.mixed {
				// Binary up to a late entry: the values listed before it must
				// read 1 after the set leaves its binary mode.
				for i := len(s) * 2 / 3; i < len(s); i++ {
					if s[i] != 0 {
						s[i] = 0.5
						break
					}
				}
			}
			binary := true
			for _, v := range s {
				binary = binary && (v == 0 || v == 1)
			}
			total := byRow.ListRows(s, c.rows, c.n)
			if byRow.Len() != c.rows || byRow.Binary() != binary {
				t.Fatalf("ListRows: %d lists, binary %t; want %d, %t", byRow.Len(), byRow.Binary(), c.rows, binary)
			}
			sum := 0
			for r := range c.rows {
				var wi []int32
				var wv []float32
				for j, v := range s[r*c.n : (r+1)*c.n] {
					if v != 0 {
						wi, wv = append(wi, int32(j)), append(wv, v)
					}
				}
				gi, gv := byRow.Entries(r)
				if !slices.Equal(gi, wi) || !slices.Equal(gv, wv) {
					t.Fatalf("ListRows row %d: %v %v, want %v %v", r, gi, gv, wi, wv)
				}
				sum += len(wi)
			}
			if total != sum {
				t.Fatalf("ListRows returned %d, want %d", total, sum)
			}
			total = byCol.ListColumns(s, c.rows, c.n, c.lo, c.hi)
			if byCol.Len() != c.hi-c.lo {
				t.Fatalf("ListColumns: %d lists, want %d", byCol.Len(), c.hi-c.lo)
			}
			sum, colBinary := 0, true
			for j := c.lo; j < c.hi; j++ {
				var wi []int32
				var wv []float32
				for r := range c.rows {
					if v := s[r*c.n+j]; v != 0 {
						wi, wv = append(wi, int32(r)), append(wv, v)
						colBinary = colBinary && v == 1
					}
				}
				gi, gv := byCol.Entries(j - c.lo)
				if !slices.Equal(gi, wi) || !slices.Equal(gv, wv) {
					t.Fatalf("ListColumns column %d: %v %v, want %v %v", j, gi, gv, wi, wv)
				}
				sum += len(wi)
			}
			if total != sum || byCol.Binary() != colBinary {
				t.Fatalf("ListColumns returned %d (binary %t), want %d (%t)", total, byCol.Binary(), sum, colBinary)
			}
		})
	}
}

// TestSumStripLists checks that the sums over built lists equal
// SumStripRows over the same lists bit for bit, both for the rows of a
// packed Wᵀ named by each row's spikes and for the rows of a packed
// gradient named by each unit's spikes.
func TestSumStripLists(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct{ rows, n, lists int }{{64, 64, 5}, {128, 256, 32}, {100, 512, 3}} {
		packed := make([]float32, c.rows*c.n)
		for i := range packed {
			packed[i] = float32(rng.NormFloat64())
		}
		var l SpikeLists
		// One list per row of a [lists×rows] spike matrix: indices below rows.
		l.ListRows(randomSpikes(rng, c.lists, c.rows, 0.2, false), c.lists, c.rows)
		ldd := c.n + 3
		init := make([]float32, (c.lists-1)*ldd+c.n)
		for i := range init {
			init[i] = float32(rng.NormFloat64())
		}
		want, got := slices.Clone(init), slices.Clone(init)
		idx, cnt := make([]int32, c.lists*c.rows), make([]int32, c.lists)
		for r := range c.lists {
			ir, _ := l.Entries(r)
			cnt[r] = int32(copy(idx[r*c.rows:], ir))
		}
		SumStripRows(want, ldd, packed, c.rows, c.n, idx, c.rows, cnt)
		SumStripLists(got, ldd, packed, c.rows, c.n, &l)
		if !slices.Equal(got, want) {
			t.Fatalf("rows=%d n=%d: SumStripLists differs from SumStripRows", c.rows, c.n)
		}
		// Lists by column of a [rows×lists] matrix: indices below rows.
		l.ListColumns(randomSpikes(rng, c.rows, c.lists, 0.2, false), c.rows, c.lists, 0, c.lists)
		clear(idx)
		for r := range c.lists {
			ir, _ := l.Entries(r)
			cnt[r] = int32(copy(idx[r*c.rows:], ir))
		}
		copy(want, init)
		copy(got, init)
		SumStripRows(want, ldd, packed, c.rows, c.n, idx, c.rows, cnt)
		SumStripLists(got, ldd, packed, c.rows, c.n, &l)
		if !slices.Equal(got, want) {
			t.Fatalf("rows=%d n=%d: SumStripLists over columns differs from SumStripRows", c.rows, c.n)
		}
	}
}

// TestSumStripListsPanics checks that lists whose bound exceeds the
// packed rows, or with values other than 1, are refused.
func TestSumStripListsPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	packed, dst := make([]float32, 32*64), make([]float32, 4*64)
	var tall, scaled, fine SpikeLists
	tall.ListRows(randomSpikes(rng, 4, 33, 0.5, false), 4, 33) // indices up to 32 ≥ 32 rows
	scaled.ListRows(randomSpikes(rng, 4, 32, 1, true), 4, 32)
	fine.ListRows(randomSpikes(rng, 4, 32, 0.5, false), 4, 32)
	for name, f := range map[string]func(){
		"bound above rows": func() { SumStripLists(dst, 64, packed, 32, 64, &tall) },
		"not binary":       func() { SumStripLists(dst, 64, packed, 32, 64, &scaled) },
		"short dst":        func() { SumStripLists(dst[:3*64], 64, packed, 32, 64, &fine) },
		"n not a strip":    func() { SumStripLists(dst, 64, packed[:32*48], 32, 48, &fine) },
		"rows":             func() { fine.ListRows(make([]float32, 10), 3, 4) },
		"columns":          func() { fine.ListColumns(make([]float32, 12), 3, 4, 2, 5) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
	SumStripLists(dst, 64, packed, 32, 64, &fine) // in bounds: no panic
}

// TestSpikeListsNoAlloc checks that rebuilding a grown set allocates
// nothing.
func TestSpikeListsNoAlloc(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	s := randomSpikes(rng, 64, 256, 0.2, false)
	packed, dst := make([]float32, 256*256), make([]float32, 64*256)
	var l SpikeLists
	l.ListRows(s, 64, 256)
	l.ListColumns(s, 64, 256, 0, 128)
	if a := testing.AllocsPerRun(10, func() {
		l.ListRows(s, 64, 256)
		SumStripLists(dst, 256, packed, 256, 256, &l)
		l.ListColumns(s, 64, 256, 0, 128)
	}); a != 0 {
		t.Fatalf("%.1f allocations per run, want 0", a)
	}
}

// TestPackStripBlocks checks that filling a matrix's rows in pieces, out of
// order, gives PackStrips of each block, the last one short.
func TestPackStripBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const total, n, block = 300, 128, 128
	w := make([]float32, total*n)
	for i := range w {
		w[i] = float32(rng.NormFloat64())
	}
	got := make([]float32, total*n)
	for _, piece := range [][2]int{{250, 300}, {0, 7}, {7, 130}, {130, 250}} {
		PackStripBlocks(got, w[piece[0]*n:piece[1]*n], piece[0], total, n, block)
	}
	want := make([]float32, total*n)
	for r0 := 0; r0 < total; r0 += block {
		nr := min(block, total-r0)
		PackStrips(want[r0*n:(r0+nr)*n], w[r0*n:(r0+nr)*n], nr, n)
	}
	if !slices.Equal(got, want) {
		t.Fatal("PackStripBlocks differs from PackStrips of each block")
	}
	for name, f := range map[string]func(){
		"past total": func() { PackStripBlocks(got, w[:2*n], total-1, total, n, block) },
		"n":          func() { PackStripBlocks(got[:total*48], w[:48], 0, total, 48, block) },
		"dst":        func() { PackStripBlocks(got[:n], w[:n], 0, total, n, block) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// TestPackStripsTSplit checks PackStripsTHalf's two halves, one with an
// odd number of strips, against PackStrips of the transpose.
func TestPackStripsTSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, c := range [][2]int{{1024, 320}, {512, 512}, {40, 64}} {
		rows, n := c[0], c[1]
		w, wt := make([]float32, rows*n), make([]float32, rows*n)
		for i := range rows {
			for j := range n {
				v := float32(rng.NormFloat64())
				w[i*n+j], wt[j*rows+i] = v, v
			}
		}
		want, got := make([]float32, rows*n), make([]float32, rows*n)
		PackStrips(want, w, rows, n)
		PackStripsTHalf(got, wt, rows, n, 1)
		PackStripsTHalf(got, wt, rows, n, 0)
		if !slices.Equal(got, want) {
			t.Fatalf("%dx%d: PackStripsTHalf of wᵀ differs from PackStrips of w", rows, n)
		}
	}
}

// BenchmarkListColumns times the per-unit lists of one 128-row block of the
// spiking layers' W_rec gradient (binary spikes at 20 % activity, the
// columns of one of the two parts), with the blocks taken in turn from 100
// (as many as the T·B = 12 800 rows of an N = 512 step hold), as a training
// step reads them back, and reports the time per listed entry.
func BenchmarkListColumns(b *testing.B) {
	const rows, blocks = 128, 100
	for _, n := range []int{256, 512, 1024} {
		rng := rand.New(rand.NewPCG(1, uint64(n)))
		s := make([]float32, blocks*rows*n)
		for i := range s {
			if rng.Float64() < 0.2 {
				s[i] = 1
			}
		}
		var l SpikeLists
		total := 0
		for k := range blocks {
			total += l.ListColumns(s[k*rows*n:(k+1)*rows*n], rows, n, 0, n/2)
		}
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			k := 0
			for b.Loop() {
				l.ListColumns(s[k*rows*n:(k+1)*rows*n], rows, n, 0, n/2)
				k = (k + 1) % blocks
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(total/blocks), "ns/entry")
		})
	}
}

// rowListsOf lists the nonzero columns of every row of s [rows×n] (a
// kernels.RowLists for the tests).
type rowListsOf [][]int32

func (rl rowListsOf) Row(r int) []int32 { return rl[r] }

func makeRowLists(s []float32, rows, n int) rowListsOf {
	rl := make(rowListsOf, rows)
	for r := range rows {
		idx := make([]int32, n)
		rl[r] = idx[:SpikeIndices(idx, s[r*n:(r+1)*n])]
	}
	return rl
}

// TestListColumnsOfRows checks that the per-column lists made from the
// rows' lists, for blocks of rows starting anywhere and any column range,
// equal ListColumns's over the same block, and that a column named more
// often than there are rows is refused.
func TestListColumnsOfRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var want, got SpikeLists
	for _, c := range []struct{ rows, n, r0, nr, lo, hi int }{
		{10, 64, 0, 10, 0, 64}, {300, 256, 128, 128, 128, 256}, {300, 256, 256, 44, 0, 128},
		{50, 17, 3, 20, 5, 12}, {20, 8, 0, 0, 0, 8}, {20, 8, 4, 9, 3, 3}, {5, 1, 0, 5, 0, 1},
	} {
		s := randomSpikes(rng, c.rows, c.n, 0.25, false)
		rl := makeRowLists(s, c.rows, c.n)
		nw := want.ListColumns(s[c.r0*c.n:(c.r0+c.nr)*c.n], c.nr, c.n, c.lo, c.hi)
		ng := got.ListColumnsOfRows(rl, c.r0, c.nr, c.lo, c.hi)
		if ng != nw || got.Len() != want.Len() || !got.Binary() {
			t.Fatalf("%+v: %d entries in %d lists (binary %t), want %d in %d", c, ng, got.Len(), got.Binary(), nw, want.Len())
		}
		for j := range want.Len() {
			wi, _ := want.Entries(j)
			gi, gv := got.Entries(j)
			if !slices.Equal(gi, wi) {
				t.Fatalf("%+v: column %d lists rows %v, want %v", c, c.lo+j, gi, wi)
			}
			for _, v := range gv {
				if v != 1 {
					t.Fatalf("%+v: column %d has value %v", c, c.lo+j, v)
				}
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("a column named more often than there are rows was accepted")
		}
	}()
	got.ListColumnsOfRows(rowListsOf{{3, 3, 3}}, 0, 2, 0, 8)
}
