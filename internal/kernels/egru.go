package kernels

import "fmt"

// The event kernels of the EGRU: a gather of listed rows of a matrix held in
// column panels that stay in a core's cache while a batch reads them.

// PanelWidth is the column width of the panels of GatherPanels: a panel
// row is 256 B (four cache lines, four AVX-512 or eight AVX2 registers), and a panel
// (128 KiB for 512 rows) stays in a core's L2 cache while every batch row
// reads the rows its active units pick from it.
const PanelWidth = 64

// GatherPanels holds a rows×cols matrix w in column panels: panel p is
// columns [p·PanelWidth, (p+1)·PanelWidth) of every row, rows×PanelWidth
// row-major and contiguous, the last one zero-padded. The zero value is
// empty; PackGatherPanels fills it.
type GatherPanels struct {
	rows, cols int
	data       []float32
}

// Rows and Cols report the shape of the matrix p holds.
func (p *GatherPanels) Rows() int { return p.rows }
func (p *GatherPanels) Cols() int { return p.cols }

// PackGatherPanels packs w (rows×cols, row-major with leading dimension ldw;
// with trans, w is cols×rows and the matrix packed is its transpose) into
// dst, reusing dst's storage when it is large enough. It panics if a
// dimension is negative or w is too short.
func PackGatherPanels(dst *GatherPanels, trans bool, rows, cols int, w []float32, ldw int) {
	r, c := rows, cols
	if trans {
		r, c = cols, rows
	}
	if rows < 0 || cols < 0 || ldw < max(c, 1) || (r > 0 && c > 0 && len(w) < (r-1)*ldw+c) {
		panic(fmt.Sprintf("kernels: PackGatherPanels of %d×%d (transposed %v) from %d elements with leading dimension %d", rows, cols, trans, len(w), ldw))
	}
	np := (cols + PanelWidth - 1) / PanelWidth
	dst.rows, dst.cols = rows, cols
	dst.data = grow(dst.data, np*rows*PanelWidth)
	for p := range np {
		c0 := p * PanelWidth
		wd := min(PanelWidth, cols-c0)
		pan := dst.data[p*rows*PanelWidth : (p+1)*rows*PanelWidth]
		for j := range rows {
			row := pan[j*PanelWidth : (j+1)*PanelWidth]
			if trans {
				for q := range wd {
					row[q] = w[(c0+q)*ldw+j]
				}
			} else {
				copy(row[:wd], w[j*ldw+c0:j*ldw+c0+wd])
			}
			clear(row[wd:])
		}
	}
}

// SparseGatherPanels is SparseGatherRows on a matrix held in panels, over
// its columns [lo, hi):
//
//	dst[i·ldd + q] = beta·dst[i·ldd + q] + Σ_{k=ptr[i]}^{ptr[i+1]−1} vals[k]·w[idx[k], q],  lo ≤ q < hi,
//
// for i < len(ptr)−1, beta 0 (accumulate false: dst's old values ignored)
// or 1, each sum taken in k order. It walks
// panel by panel and, within a panel, every row, so the panel's listed rows
// are read from cache by all rows; a tall panel is walked in blocks of its
// rows (gatherBlockRows), every batch row reading a block while it is in
// the core's L1 cache. The other columns of dst are untouched (all of them
// when lo = hi); it allocates nothing. It panics if lo is not a multiple of
// PanelWidth, lo > hi, hi > w.Cols(), ptr is empty or decreasing, ptr's
// last entry exceeds len(idx) or len(vals), an index is not below
// w.Rows() or a row of dst is out of range.
func SparseGatherPanels(dst []float32, ldd, lo, hi int, accumulate bool, w *GatherPanels, ptr, idx []int32, vals []float32) {
	rows := len(ptr) - 1
	if rows < 0 || lo < 0 || lo%PanelWidth != 0 || lo > hi || hi > w.cols || len(idx) != len(vals) || (rows > 0 && (rows-1)*ldd+hi > len(dst)) {
		panic(fmt.Sprintf("kernels: SparseGatherPanels: %d row pointers, columns [%d, %d) of %d, ldd %d, %d entries of dst, %d indices, %d values",
			len(ptr), lo, hi, w.cols, ldd, len(dst), len(idx), len(vals)))
	}
	for i := range rows {
		if ptr[i] < 0 || ptr[i] > ptr[i+1] || int(ptr[i+1]) > len(idx) {
			panic(fmt.Sprintf("kernels: SparseGatherPanels: row pointers %d, %d of row %d out of order or beyond %d indices", ptr[i], ptr[i+1], i, len(idx)))
		}
	}
	if rows == 0 || lo == hi {
		return
	}
	checkSparse("SparseGatherPanels", PanelWidth, len(w.data), PanelWidth, idx[ptr[0]:ptr[rows]], w.rows)
	k, nb := gatherBlocks(w.rows, rows, int(ptr[rows]-ptr[0]))
	if nb < 2 {
		gatherPanels(dst, ldd, lo, hi, accumulate, w, ptr[:rows], ptr[1:], idx, vals)
		return
	}
	// bnd[b·c + i] is the first entry of row r0+i whose index is in block
	// b or later, for the c rows of a chunk.
	var bnd [(gatherMaxBlocks + 1) * gatherChunk]int32
	for r0 := 0; r0 < rows; r0 += gatherChunk {
		c := min(gatherChunk, rows-r0)
		for i := range c {
			e, end := ptr[r0+i], ptr[r0+i+1]
			for b := range nb {
				for e < end && int(idx[e]) < b*k {
					e++
				}
				bnd[b*c+i] = e
			}
			bnd[nb*c+i] = end
		}
		d := dst[r0*ldd:]
		for b := range nb {
			gatherPanels(d, ldd, lo, hi, accumulate || b > 0, w, bnd[b*c:(b+1)*c], bnd[(b+1)*c:(b+2)*c], idx, vals)
		}
	}
}

// The row blocks of SparseGatherPanels: panels of gatherBlockMin rows or
// more (256 KiB) are walked in blocks of at least gatherBlockRows rows
// (32 KiB, a Zen 4 core's L1), large enough that a batch row adds about
// gatherBlockEntries of its entries from each (fewer, and loading and
// storing its sums between blocks costs more than the cache saves) and at
// most gatherMaxBlocks of them, for chunks of gatherChunk batch rows at a
// time; with fewer than two blocks the panel is walked whole.
// BenchmarkSparseGatherPanels at N = 1024 (16 batch rows, one core, under
// load): 57–58 GFLOP/s at 20 % activity against 43–45 walked whole, 48–52
// against 44–49 at 10 %; at N = 512 blocks gained nothing.
const (
	gatherBlockMin     = 1024
	gatherBlockRows    = 128
	gatherBlockEntries = 40
	gatherMaxBlocks    = 32
	gatherChunk        = 64
)

// gatherBlocks returns the size k and number nb of the blocks in which
// SparseGatherPanels walks panels of panelRows rows for rows batch rows
// with nnz entries in all: blocks of k rows from which a batch row adds
// about gatherBlockEntries entries, or nb = 1 (the whole panel) for panels
// below gatherBlockMin rows or fewer than two such blocks.
func gatherBlocks(panelRows, rows, nnz int) (k, nb int) {
	k = max(gatherBlockRows, (panelRows+gatherMaxBlocks-1)/gatherMaxBlocks, gatherBlockEntries*panelRows*rows/max(nnz, 1))
	if panelRows < gatherBlockMin || 2*k > panelRows {
		return panelRows, 1
	}
	return k, (panelRows + k - 1) / k
}

// gatherPanels runs gatherPanel on the panels of w over columns [lo, hi)
// for the rows of starts and ends (row i: entries [starts[i], ends[i])),
// the last, partial panel in Go.
func gatherPanels(dst []float32, ldd, lo, hi int, accumulate bool, w *GatherPanels, starts, ends, idx []int32, vals []float32) {
	n := w.rows * PanelWidth
	for c := lo; c < hi; c += PanelWidth {
		pan := w.data[c/PanelWidth*n : (c/PanelWidth+1)*n]
		if e := min(c+PanelWidth, hi); e-c == PanelWidth {
			gatherPanel(dst[c:], ldd, accumulate, pan, starts, ends, idx, vals)
		} else {
			for i := range starts {
				p, q := starts[i], ends[i]
				sparseGatherGo(dst[i*ldd+c:i*ldd+e], accumulate, pan, PanelWidth, idx[p:q], vals[p:q])
			}
		}
	}
}

// gatherPanelGo is gatherPanel's reference loop: one full panel, every row.
func gatherPanelGo(dst []float32, ldd int, accumulate bool, pan []float32, starts, ends, idx []int32, vals []float32) {
	for i := range starts {
		p, q := starts[i], ends[i]
		sparseGatherGo(dst[i*ldd:i*ldd+PanelWidth], accumulate, pan, PanelWidth, idx[p:q], vals[p:q])
	}
}

// EGRUEventCounts is what EGRUEvents counts over a row.
type EGRUEventCounts struct {
	// Fired counts the events (o = 1), Flat the zero pseudo-derivatives,
	// Need the units with an event or a nonzero pseudo-derivative, and
	// Listed the units written to the active list (y ≠ 0).
	Fired, Flat, Need, Listed int
}

// EGRUEvents runs the event step of one row of the EGRU from its candidate
// c̃ (ct) and thresholds ϑ (thr), for every unit j:
//
//	d      = ct[j] − thr[j];  o = [d > 0]
//	ev[j]  = o
//	y[j]   = ct[j] where o, else 0
//	c[j]   = d where o, else ct[j]
//	pd[j]  = gamma·max(0, 1 − eps·|d|)
//
// except that a unit with held[j] set (held nil: none) never fires and
// gets pd[j] = 0 (its event is held at 0 and depends on nothing); and,
// when idx is not nil, lists the units with y[j] ≠ 0 in order in idx and
// their values in vals (both must then hold len(ct) entries; entries past
// the list's length are scratch). float32 rows without held units run a
// vector loop that gives the same bits as the plain loop (each operation
// rounded in the same order). It panics if the lengths differ.
func EGRUEvents[E Float](ev, y, c, pd, ct, thr []E, gamma, eps E, held []bool, idx []int32, vals []E) EGRUEventCounts {
	n := len(ct)
	checkLens("EGRUEvents", n, len(ev), len(y), len(c), len(pd))
	hl := n
	if held != nil {
		hl = len(held)
	}
	if idx != nil {
		checkLens("EGRUEvents", n, len(thr), len(idx), len(vals), hl)
	} else {
		checkLens("EGRUEvents", n, len(thr), n, n, hl)
	}
	if f, ok := any(ct).([]float32); ok && held == nil {
		c32 := func(x []E) []float32 { return any(x).([]float32) }
		return egruEvents(c32(ev), c32(y), c32(c), c32(pd), f, c32(thr), float32(gamma), float32(eps), idx, c32(vals))
	}
	return egruEventsGo(ev, y, c, pd, ct, thr, gamma, eps, held, idx, vals)
}

// egruEventsGo is EGRUEvents' reference loop over ct's units; the list
// starts at idx[0].
func egruEventsGo[E Float](ev, y, c, pd, ct, thr []E, gamma, eps E, held []bool, idx []int32, vals []E) EGRUEventCounts {
	var k EGRUEventCounts
	for j, v := range ct {
		d := v - thr[j]
		a := d
		if a < 0 {
			a = -a
		}
		ev[j], y[j], c[j] = 0, 0, v
		p := gamma * max(0, 1-E(eps*a)) // E(·) rounds: no fused multiply-add
		if held != nil && held[j] {
			p = 0
		} else if d > 0 {
			ev[j], y[j], c[j] = 1, v, d
			k.Fired++
		}
		pd[j] = p
		if p == 0 {
			k.Flat++
		}
		if ev[j] != 0 || p != 0 {
			k.Need++
		}
		if idx != nil && y[j] != 0 {
			idx[k.Listed], vals[k.Listed] = int32(j), v
			k.Listed++
		}
	}
	return k
}

// EGRUBackEvents runs the event part of one row of the EGRU's backward
// step: from the gradients reaching y (cy from the next step, og from the
// output) and c (gc) of the units, their c̃, events, thresholds and
// pseudo-derivatives, for every unit j:
//
//	gy        = cy[j] + og[j]
//	gO        = gy·ct[j] − gc[j]·thr[j] + reg
//	gct[j]    = gy·ev[j] + gc[j] + gO·pd[j]
//	thrAcc[j] −= gc[j]·ev[j] + gO·pd[j]
//	gc[j]     = 0
//
// gct is ∂L/∂c̃, thrAcc accumulates ∂L/∂ϑ, and reg is the activity
// penalty's gradient per event. The vector loop gives the same bits as the
// plain loop. It panics if the lengths differ.
func EGRUBackEvents(gct, gc, thrAcc, cy, og, ev, ct, thr, pd []float32, reg float32) {
	n := len(gct)
	checkLens("EGRUBackEvents", n, len(gc), len(thrAcc), len(cy), len(og))
	checkLens("EGRUBackEvents", n, len(ev), len(ct), len(thr), len(pd))
	egruBackEvents(gct, gc, thrAcc, cy, og, ev, ct, thr, pd, reg)
}

// egruBackEventsGo is EGRUBackEvents' reference loop. The conversions
// round every product, as the vector loops do: without them the compiler
// may fuse a product and a sum (it does for GOAMD64=v3).
func egruBackEventsGo(gct, gc, thrAcc, cy, og, ev, ct, thr, pd []float32, reg float32) {
	for j := range gct {
		gy := cy[j] + og[j]
		c, o, hd := gc[j], ev[j], pd[j]
		gO := float32(gy*ct[j]) - float32(c*thr[j]) + reg
		gp := float32(gO * hd)
		gct[j] = float32(gy*o) + c + gp
		thrAcc[j] -= float32(c*o) + gp
		gc[j] = 0
	}
}
