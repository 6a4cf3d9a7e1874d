package layers

import (
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// The plain LIF's forward loop on wide layers, split by columns. The two
// batch halves of forwardRows each add, at every step, rows of all of
// W_effᵀ's strips: N²·4 bytes per core and step, from L3 once they pass
// the core's L2 cache (1 MiB at N = 512, 4 MiB at N = 1024). Here the two
// parts meet twice per step instead: each adds, for every sequence, the
// strips of its half of the columns (the units it integrates) and runs the
// LIF step on them, so that each core reads half of the strips; then each
// lists the spikes of its half of the sequences for the next step. A step
// whose spikes are too many for the sparse sums (or, the initial state,
// not all 0 or 1) runs as forwardRows does, on each part's own rows. The
// sums of every entry run in the same order either way: the same bits.

// colSplitMin is the number of units from which the plain LIF's forward
// loop splits by columns (forwardColumns).
const colSplitMin = 512

// Phases of forwardColumns (lifColumns.phase).
const (
	colPhaseLists = iota // list the spikes of the part's sequences
	colPhaseSums         // add the part's strips for every sequence, step its units
	colPhaseRows         // a dense step on the part's own sequences, then list them
)

// lifColumns runs the phases of forwardColumns as a kernels.PartRunner.
type lifColumns[T autodiff.Float] struct {
	o      *lifOp[T]
	phase  int
	t      int
	spiked [2]int  // spikes listed by each part in the last list phase
	binary [2]bool // whether they were all 1
}

// useColumns reports whether the forward loop splits by columns: the
// plain LIF in float32 with W_effᵀ in strips, two batch halves and at
// least colSplitMin units.
func (o *lifOp[T]) useColumns(k lifConsts[T]) bool {
	_, f32 := any(o.P.Data).([]float32)
	return f32 && k.plain(o.inact) && o.rec.packed != nil && o.half < o.batch && k.n >= colSplitMin
}

// forwardColumns is the forward time loop split by columns (see above).
func (o *lifOp[T]) forwardColumns() {
	c := &o.cols
	c.o = o
	n, b := o.l.cfg.Units, o.batch
	c.t, c.phase = 0, colPhaseLists
	RunSplit(2, c)
	// The sparse sums take up to packedFraction of the batch's presynaptic
	// entries.
	sparseMax := int(packedFraction * float64(b*n))
	for t := 0; t < o.steps; t++ {
		c.t = t
		if c.spiked[0]+c.spiked[1] > sparseMax || !c.binary[0] || !c.binary[1] {
			c.phase = colPhaseRows
			RunSplit(2, c)
			continue
		}
		c.phase = colPhaseSums
		RunSplit(2, c)
		c.phase = colPhaseLists
		c.t = t + 1
		RunSplit(2, c)
	}
	c.o = nil
}

// RunPart runs part p (0 or 1) of the current phase.
func (c *lifColumns[T]) RunPart(p int) {
	o := c.o
	k := o.consts()
	n, b := k.n, o.batch
	lo, hi := 0, o.half
	if p == 1 {
		lo, hi = o.half, b
	}
	rows := hi - lo
	t := c.t
	cur, nxt := t*b*n, (t+1)*b*n
	switch c.phase {
	case colPhaseLists:
		s := any(o.S.Data[cur+lo*n : cur+hi*n]).([]float32)
		c.spiked[p] = o.rec.lists[p].ListRows(s, rows, n)
		c.binary[p] = o.rec.lists[p].Binary()
	case colPhaseRows:
		w := rows * n
		a, e := cur+lo*n, nxt+lo*n
		o.rec.add(nil, p, o.P.Data[a:a+w], o.S.Data[a:a+w], rows, c.spiked[p])
		kernels.LIFStep(o.U.Data[a:a+w], o.S.Data[e:e+w], o.V.Data[e:e+w], o.V.Data[a:a+w], o.P.Data[a:a+w], o.beta, k.thr, k.subtract)
		s := any(o.S.Data[e : e+w]).([]float32)
		c.spiked[p] = o.rec.lists[p].ListRows(s, rows, n)
		c.binary[p] = o.rec.lists[p].Binary()
	case colPhaseSums:
		half := n / kernels.SpikeStrip / 2 * kernels.SpikeStrip
		c0, c1 := 0, half
		if p == 1 {
			c0, c1 = half, n
		}
		packed := o.rec.packed[c0*n : c1*n]
		P := any(o.P.Data).([]float32)
		for h, r0 := range [2]int{0, o.half} {
			if l := &o.rec.lists[h]; l.Len() > 0 {
				kernels.SumStripLists(P[cur+r0*n+c0:cur+(r0+l.Len())*n], n, packed, n, c1-c0, l)
			}
		}
		for r := 0; r < b; r++ {
			a, e := cur+r*n, nxt+r*n
			kernels.LIFStep(o.U.Data[a+c0:a+c1], o.S.Data[e+c0:e+c1], o.V.Data[e+c0:e+c1], o.V.Data[a+c0:a+c1], o.P.Data[a+c0:a+c1], o.beta[c0:c1], k.thr, k.subtract)
		}
	}
}
