package layers

import (
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// The gradient of W_rec from binary spikes: dL/dW[i, j] = Σ_r dP[r, i]·s[r, j]
// over the T·B rows r. Only the rows in which unit j spiked add to column
// j, so (float32) row j of dL/dWᵀ is the sum of those rows of dP, formed
// over blocks of gradRows rows. With binary spikes and N a multiple of
// kernels.SpikeStrip the block is packed in 64-column strips (32 KiB each,
// held in the core's L1 cache while every unit of the part adds its rows
// from it, kernels.SumStripLists; the LIF's backward loop writes dP in
// these strips as each step's rows are final, spikeOp.packDP, so that the
// blocks need no second pass); otherwise kernels.SparseGather adds the
// rows of the block in place. BenchmarkSpikeWeightGrad (2026-12-06, one
// core, 20 % activity, T·B = 12 800 rows at N = 512 and 3200 at N = 1024):
// 40 ms against 48 for the in-place gathers at N = 512, 30 against 52 at
// N = 1024; the dense GEMM of a block wins above about 35 % activity.
// Blocks of 128 rows rather than 64 halve the passes over the part's rows
// of dL/dWᵀ (2 MiB at N = 1024, more than the core's L2 cache): 27–30
// against 30–33 ms at N = 1024, 34–37 against 36–39 at N = 512, 6.8–7.1
// against 6.4–6.9 at N = 256 (the same benchmark, two runs each,
// interleaved). The per-unit lists of a block are made from lists of the
// block's rows that the LIF's reverse loop makes while each row of spikes
// is in cache (spikeOp.rows); without them (other ops, the general loop,
// spikes other than 0 and 1), from a pass over the block
// (kernels.SpikeLists.ListColumns), which reads the spikes back from
// memory: 1.2–1.4 ms per core of an 11–12 ms step at N = 256 and 4.6–5.2 ms of
// 75–80 at N = 512 (2026-12-07); the step took 3–5 % less with the rows'
// lists (BenchmarkLIFStep, five interleaved rounds: N = 256 11.18 → 10.63
// ms, 512 69.98 → 67.93, 1024 61.72 → 61.21, medians).

// gradRows is the number of rows of dP and s per block of the sparse
// weight gradient.
const gradRows = 128

// gradFraction is the share of nonzero spikes in a block up to which the
// block's contribution is summed row by row rather than by a dense GEMM
// (BenchmarkSpikeWeightGrad).
const gradFraction = 0.35

// spikeWeightGrad accumulates dPᵀ·s into a target [N×N] on two batch-free
// parts: part p owns the columns j of its half of the units.
type spikeWeightGrad[T autodiff.Float] struct {
	dP, s, tgt []T // [rows×N], [rows×N], [N×N]
	n          int
	strips     []float32 // dP in blocks of gradRows rows in strips, or nil
	rows       kernels.RowLists
	wT         []float32 // [N×N] dL/dWᵀ of the sparse blocks (float32)
	// Per part: per unit of the part, the block rows where it spiked, and
	// the block of dP in strips [gradRows×N] (grown once).
	lists [2]kernels.SpikeLists
	pack  [2][]float32
}

// accumulate adds dPᵀ·s to tgt: dP and s are [rows×n] with rows =
// len(dP)/n, tgt is [n×n]. strips, when not nil, holds dP laid out by
// kernels.PackStripBlocks in blocks of gradRows rows, so that the blocks
// need no packing here.
//
// rows, when not nil, lists the nonzero columns of every row of s (every
// spike 1), so that the per-unit lists need no pass over s.
func (g *spikeWeightGrad[T]) accumulate(dP, s, tgt []T, n int, strips []float32, rows kernels.RowLists) {
	if _, ok := any(dP).([]float32); !ok {
		kernels.Gemm(true, false, n, n, len(dP)/n, 1, dP, n, s, n, 1, tgt, n)
		return
	}
	g.dP, g.s, g.tgt, g.n, g.strips, g.rows = dP, s, tgt, n, strips, rows
	if len(g.wT) < n*n {
		g.wT = make([]float32, n*n)
	}
	RunSplit(2, g)
	g.dP, g.s, g.tgt, g.strips, g.rows = nil, nil, nil, nil, nil
}

// RunPart adds the columns j of part's half of the units.
func (g *spikeWeightGrad[T]) RunPart(part int) {
	n := g.n
	jlo, jhi := 0, n/2
	if part == 1 {
		jlo, jhi = n/2, n
	}
	m := jhi - jlo
	if m == 0 {
		return
	}
	strips := n%kernels.SpikeStrip == 0
	if strips && g.strips == nil && len(g.pack[part]) < gradRows*n {
		g.pack[part] = make([]float32, gradRows*n)
	}
	l, pack := &g.lists[part], g.pack[part]
	dP, s := any(g.dP).([]float32), any(g.s).([]float32)
	wT := g.wT[jlo*n : jhi*n]
	clear(wT)
	sparse := false
	for r0 := 0; r0 < len(s)/n; r0 += gradRows {
		nr := min(gradRows, len(s)/n-r0)
		var total int
		if g.rows != nil {
			total = l.ListColumnsOfRows(g.rows, r0, nr, jlo, jhi)
		} else {
			total = l.ListColumns(s[r0*n:(r0+nr)*n], nr, n, jlo, jhi)
		}
		if total == 0 {
			continue
		}
		if float64(total) > gradFraction*float64(nr*m) {
			kernels.GemmOn(nil, true, false, n, m, nr, 1, g.dP[r0*n:], n, g.s[r0*n+jlo:], n, 1, g.tgt[jlo:], n)
			continue
		}
		sparse = true
		blk := dP[r0*n : (r0+nr)*n]
		if l.Binary() && strips {
			var packed []float32
			if g.strips != nil {
				packed = g.strips[r0*n : (r0+nr)*n]
			} else {
				packed = pack[:nr*n]
				kernels.PackStrips(packed, blk, nr, n)
			}
			kernels.SumStripLists(wT, n, packed, nr, n, l)
			continue
		}
		for c := range m {
			if rows, vals := l.Entries(c); len(rows) > 0 {
				kernels.SparseGather(wT[c*n:(c+1)*n], true, blk, n, rows, vals)
			}
		}
	}
	if !sparse {
		return
	}
	transposeStrided(any(g.tgt).([]float32)[jlo:], n, wT, n, m, n, true)
}
