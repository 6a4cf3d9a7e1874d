package kernels

// The blocked driver follows the usual GotoBLAS/BLIS structure:
//
//	for jc in steps of nc over the columns of C:
//	  for pc in steps of kc over the inner dimension:
//	    pack B[pc:pc+kc, jc:jc+nc] into nr-wide panels        (ws.b)
//	    for ic in steps of mc over the rows of C:
//	      pack A[ic:ic+mc, pc:pc+kc] into mr-tall panels      (ws.a), unless it is reused too little
//	      for jr in steps of nr: for ir in steps of mr:
//	        micro-kernel: C[ir:ir+mr, jr:jr+nr] = alpha·Ã·B̃ + beta'·C
//
// where beta' is beta for the first kc block and 1 afterwards. The order of
// the floating-point operations for a given element of C depends only on k
// and kc, never on how the rows or columns are split between workers, which is
// what makes the parallel result bitwise reproducible.

// microFn is a micro-kernel. It computes the mr×nr tile
//
//	c[i*ldc+j] = alpha·Σ_p a[p*psA+i*rsA]·b[p*nr+j] + beta·c[i*ldc+j]
//
// for i < mr, j < nr, p < kc (kc ≥ 1), with the sum accumulated in p order.
// b is a packed panel (nr contiguous values per p). A is addressed through a
// row stride and a p stride so that packed panels (rsA=1, psA=mr), row-major
// A (rsA=lda, psA=1) and transposed A (rsA=1, psA=lda) all work unpacked.
// When beta is ±0, c is not read.
type microFn[E float32 | float64] func(kc int, a *E, rsA, psA int, b *E, c *E, ldc int, alpha, beta E)

// microFnU is a strided-A micro-kernel that reads B in place: row p of the
// nr-wide column block is at b[p*ldb:], so no packed copy of B is needed.
// Otherwise as microFn.
type microFnU[E float32 | float64] func(kc int, a *E, rsA, psA int, b *E, ldb int, c *E, ldc int, alpha, beta E)

// dotFn computes the rows×cols dot products out[i·cols+q] = Σ_{p<kv}
// a[i·lda+p]·b[q·ldb+p] (kv a positive multiple of dotLanes), each summed in
// an order that depends only on kv.
type dotFn[E float32 | float64] func(kv int, a *E, lda int, b *E, ldb int, out *E)

// maxDotCols and maxDotRows bound the dot kernels' tiles.
const maxDotCols, maxDotRows = 4, 8

// maxMR bounds the register tile height of every kernel.
const maxMR = 16

// kernel is a family of micro-kernels together with their tile and
// cache-block sizes.
type kernel[E float32 | float64] struct {
	name   string
	mr, nr int // register tile
	kc     int // inner-dimension block: an nr×kc panel of B stays in L1
	mc     int // rows of A per block: an mc×kc block of A stays in L2
	nc     int // columns of B per block (a multiple of nr): a kc×nc block of B stays in L2

	// strided[r-1] computes r rows of a tile reading A in place through its
	// strides; packed[r-1] computes the first r rows from a packed, mr-tall
	// A panel (rsA=1, psA=mr). The mr-row kernels must be set; the others
	// may be nil, in which case edge rows are packed with zero padding and
	// go through a scratch tile.
	strided, packed [maxMR]microFn[E]
	// unpacked[r-1], when set, is strided[r-1] reading untransposed B in
	// place. The driver uses it when a part has a single row tile, where
	// each packed element of B would be read only once.
	unpacked [maxMR]microFnU[E]
	// dots[q-1][r-1], when set, computes r rows of a product with q ≤
	// maxDotCols columns as dot products of the rows of op(A) with the
	// columns of op(B) (rows of Bᵀ), dotLanes at a time. The register-tile
	// kernels would compute nr columns of which q are wanted.
	dots     [maxDotCols][maxDotRows]dotFn[E]
	dotLanes int

	// packNN, when set, packs np full nr-wide panels of untransposed B: src
	// points at B[p0, j0], row p is at src[p*ld], and panel q goes to
	// dst[q*kb*nr:]. packNT, when set, transposes ntRows rows of B (columns
	// of op(B)) at a time: src points at B[j0, p0], row j is at src[j*ld],
	// and its kb values (kb a positive multiple of ntRows) go to
	// dst[p*nr+j]. Otherwise the portable Go loops pack. ld is in elements.
	packNN func(kb, np int, src *E, ld int, dst *E)
	packNT func(kb int, src *E, ld int, dst *E)
	ntRows int
	// packAN, when set, packs a full mr-tall panel of untransposed A: src
	// points at A[i0, p0], row i is at src[i*ld], and its kb values (kb a
	// positive multiple of anCols) go to dst[p*mr+i].
	packAN func(kb int, src *E, ld int, dst *E)
	anCols int
}

// inPlaceMaxTiles is the largest number of row tiles of a product for which
// untransposed B is read in place rather than packed.
const inPlaceMaxTiles = 3

// packAMinTiles is the number of nr-wide column tiles an mc×kc block of A must
// be reused for before packing it pays; below it the micro-kernel reads A in
// place through its strides.
const packAMinTiles = 3

// transAInPlaceMaxLd is the largest leading dimension of a transposed A that
// the micro-kernel reads in place (mr contiguous values per step of the inner
// dimension) instead of packing it: with rows this short, a panel spans few
// pages and packing costs more than it saves. Measured on the reference
// machine (2026-11-28, TN, k = 6400): 46–81 GFLOP/s in place vs 36–50 packed
// at m = n = 128 (serial), 48–64 vs 41–62 at m = n = 256 (two cores, median
// 60 vs 57); at 1024³ packing wins (50–72 vs 34–46).
const transAInPlaceMaxLd = 256

// gemmArgs holds one checked Gemm call on the underlying element type.
type gemmArgs[E float32 | float64] struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    E
	a              []E
	lda            int
	b              []E
	ldb            int
	c              []E
	ldc            int

	// pb, when not nil, holds op(B) prepacked by PackB for this kernel:
	// the panels of inner block pc start at pb[pc*roundUp(n, nr):].
	pb []E
}

// workspace holds the packing buffers of one goroutine.
type workspace[E float32 | float64] struct {
	a, b, aEdge, tile []E
	bt                []E // op(B)ᵀ for the dot kernels
	dot               [maxDotCols * maxDotRows]E
}

// grow returns s resliced to n values, or a new slice when its capacity is
// smaller.
func grow[T Float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// fit grows the buffers to what kern needs; it allocates only when they are
// too small, so a workspace reused with the same kernel never allocates.
func (w *workspace[E]) fit(kern *kernel[E]) {
	w.a = grow(w.a, roundUp(kern.mc, kern.mr)*kern.kc)
	w.b = grow(w.b, kern.kc*roundUp(kern.nc, kern.nr))
	w.aEdge = grow(w.aEdge, kern.mr*kern.kc)
	w.tile = grow(w.tile, kern.mr*kern.nr)
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// run computes rows [i0, i1) and columns [j0, j1) of C.
func (g *gemmArgs[E]) run(kern *kernel[E], ws *workspace[E], i0, i1, j0, j1 int) {
	if g.k == 0 {
		g.scaleC(i0, i1, j0, j1)
		return
	}
	if g.useDots(kern) && j0 == 0 && j1 == g.n {
		g.runDots(kern, ws, i0, i1)
		return
	}
	mR, nR := kern.mr, kern.nr
	// inPlace: full column tiles read B where it is (a few row tiles reuse a
	// packed B panel too little to pay for packing it; the first row tile
	// brings the panel into cache for the others); a partial last tile is
	// packed alone, as panel 0 of ws.b.
	inPlace := g.pb == nil && !g.transB && g.m <= inPlaceMaxTiles*mR && kern.unpacked[mR-1] != nil
	for jc := j0; jc < j1; jc += kern.nc {
		nb := min(kern.nc, j1-jc)
		for pc := 0; pc < g.k; pc += kern.kc {
			kb := min(kern.kc, g.k-pc)
			beta := g.beta
			if pc > 0 {
				beta = 1
			}
			bs := ws.b
			switch {
			case g.pb != nil:
				bs = g.pb[pc*roundUp(g.n, nR)+(jc/nR)*kb*nR:]
			case inPlace:
				if full := nb - nb%nR; full < nb {
					g.packB(kern, ws.b, kb, nb-full, pc, jc+full)
				}
			default:
				g.packB(kern, ws.b, kb, nb, pc, jc)
			}
			for ic := i0; ic < i1; ic += kern.mc {
				mb := min(kern.mc, i1-ic)
				packA := nb >= packAMinTiles*nR && (!g.transA || g.lda > transAInPlaceMaxLd)
				edge := mb - mb%mR // first row of a partial row tile
				if packA {
					g.packA(kern, ws.a, mb, kb, ic, pc)
				} else if edge < mb && kern.strided[mb-edge-1] == nil {
					g.packA(kern, ws.aEdge, mb-edge, kb, ic+edge, pc)
				}
				for jr := 0; jr < nb; jr += nR {
					nr := min(nR, nb-jr)
					if inPlace && nr == nR {
						for ir := 0; ir < mb; ir += mR {
							ap, rs, ps := g.aTile(ws, packA, mR, kb, ic, ir, pc)
							kern.unpacked[min(mR, mb-ir)-1](kb, ap, rs, ps, &g.b[pc*g.ldb+jc+jr], g.ldb, &g.c[(ic+ir)*g.ldc+jc+jr], g.ldc, g.alpha, beta)
						}
						continue
					}
					bp := &bs[(jr/nR)*kb*nR]
					if inPlace {
						bp = &bs[0] // the partial tile, packed alone
					}
					for ir := 0; ir < mb; ir += mR {
						mr := min(mR, mb-ir)
						ap, rs, ps := g.aTile(ws, packA, mR, kb, ic, ir, pc)
						fn, rows := kern.strided[mr-1], mr // rows the chosen kernel computes
						switch {
						case packA:
							fn = kern.packed[mr-1]
						case fn == nil: // no strided kernel this tall: the rows packed into aEdge
							ap, rs, ps = &ws.aEdge[0], 1, mR
						}
						if fn == nil { // zero-padded packed rows, full-height kernel
							fn, rows = kern.packed[mR-1], mR
						}
						ci := (ic+ir)*g.ldc + jc + jr
						if nr == nR && rows == mr {
							fn(kb, ap, rs, ps, bp, &g.c[ci], g.ldc, g.alpha, beta)
							continue
						}
						fn(kb, ap, rs, ps, bp, &ws.tile[0], nR, g.alpha, 0)
						g.mergeTile(ws.tile, nR, ci, mr, nr, beta)
					}
				}
			}
		}
	}
}

// aTile returns where the micro-kernel reads the row tile at ic+ir of the
// inner block pc of op(A), with its row and inner-dimension strides: the
// packed panel (packA), or A in place.
func (g *gemmArgs[E]) aTile(ws *workspace[E], packA bool, mR, kb, ic, ir, pc int) (ap *E, rs, ps int) {
	switch {
	case packA:
		return &ws.a[(ir/mR)*kb*mR], 1, mR
	case g.transA:
		return &g.a[pc*g.lda+ic+ir], 1, g.lda
	}
	return &g.a[(ic+ir)*g.lda+pc], g.lda, 1
}

// mergeTile writes the top-left mr×nr corner of tile (row stride ld) into C at
// offset ci: C = tile + beta·C.
func (g *gemmArgs[E]) mergeTile(tile []E, ld, ci, mr, nr int, beta E) {
	for i := 0; i < mr; i++ {
		t := tile[i*ld : i*ld+nr]
		c := g.c[ci+i*g.ldc : ci+i*g.ldc+nr]
		if beta == 0 {
			copy(c, t)
			continue
		}
		for j, v := range t {
			c[j] = v + beta*c[j]
		}
	}
}

// scaleC sets C = beta·C on a block (the k = 0 case), without reading C when
// beta is zero.
func (g *gemmArgs[E]) scaleC(i0, i1, j0, j1 int) {
	for i := i0; i < i1; i++ {
		c := g.c[i*g.ldc+j0 : i*g.ldc+j1]
		switch g.beta {
		case 0:
			clear(c)
		case 1:
		default:
			for j := range c {
				c[j] *= g.beta
			}
		}
	}
}

// packB packs op(B)[pc:pc+kb, jc:jc+nb] into nr-wide panels: panel q holds
// columns jc+q·nr… as kb rows of nr values, zero-padded on the right.
func (g *gemmArgs[E]) packB(kern *kernel[E], dst []E, kb, nb, pc, jc int) {
	nr := kern.nr
	start := 0
	if np := nb / nr; !g.transB && kern.packNN != nil && np > 0 {
		src := g.b[pc*g.ldb+jc : (pc+kb-1)*g.ldb+jc+np*nr]
		kern.packNN(kb, np, &src[0], g.ldb, &dst[0])
		start = np * nr
	}
	for jr := start; jr < nb; jr += nr {
		w := min(nr, nb-jr)
		panel := dst[(jr/nr)*kb*nr : (jr/nr+1)*kb*nr]
		if !g.transB {
			for p := 0; p < kb; p++ {
				row := g.b[(pc+p)*g.ldb+jc+jr:]
				d := panel[p*nr : p*nr+nr]
				copy(d, row[:w])
				clear(d[w:])
			}
			continue
		}
		if w < nr {
			clear(panel)
		}
		// B is stored n×k: column j of op(B) is row j of B.
		j0 := 0
		if kv := kb - kb%max(kern.ntRows, 1); kern.packNT != nil && kv > 0 {
			for ; j0+kern.ntRows <= w; j0 += kern.ntRows {
				src := g.b[(jc+jr+j0)*g.ldb+pc : (jc+jr+j0+kern.ntRows-1)*g.ldb+pc+kv]
				kern.packNT(kv, &src[0], g.ldb, &panel[j0])
			}
			// The remaining columns of the transposed rows.
			for j := 0; j < j0; j++ {
				src := g.b[(jc+jr+j)*g.ldb+pc+kv : (jc+jr+j)*g.ldb+pc+kb]
				for p, v := range src {
					panel[(kv+p)*nr+j] = v
				}
			}
		}
		for j := j0; j < w; j++ {
			src := g.b[(jc+jr+j)*g.ldb+pc:]
			src = src[:kb]
			for p, v := range src {
				panel[p*nr+j] = v
			}
		}
	}
}

// packA packs op(A)[ic:ic+mb, pc:pc+kb] into mr-tall panels: panel q holds
// rows ic+q·mr… as kb columns of mr values, zero-padded at the bottom.
func (g *gemmArgs[E]) packA(kern *kernel[E], dst []E, mb, kb, ic, pc int) {
	mr := kern.mr
	if g.transA {
		g.packAT(mr, dst, mb, kb, ic, pc)
		return
	}
	for ir := 0; ir < mb; ir += mr {
		h := min(mr, mb-ir)
		panel := dst[(ir/mr)*kb*mr : (ir/mr+1)*kb*mr]
		if h < mr {
			clear(panel)
		}
		p0 := 0
		if kv := kb - kb%max(kern.anCols, 1); kern.packAN != nil && h == mr && kv > 0 {
			src := g.a[(ic+ir)*g.lda+pc : (ic+ir+mr-1)*g.lda+pc+kv]
			kern.packAN(kv, &src[0], g.lda, &panel[0])
			p0 = kv
		}
		for i := 0; i < h; i++ {
			src := g.a[(ic+ir+i)*g.lda+pc+p0 : (ic+ir+i)*g.lda+pc+kb]
			for p, v := range src {
				panel[(p0+p)*mr+i] = v
			}
		}
	}
}

// packAT is packA for transposed A, stored k×m: row p of A holds column p
// of op(A), so the mr values of a panel at p are contiguous. It walks A row
// by row, dealing each row's mb values out to all the panels, so that every
// row is read once, in full cache lines, rather than once per panel. Full
// 12-row panels (the AVX-512 kernels) copy element by element: twelve moves
// instead of a call to memmove.
func (g *gemmArgs[E]) packAT(mr int, dst []E, mb, kb, ic, pc int) {
	if rem := mb % mr; rem != 0 { // zero the padding of the last panel
		clear(dst[(mb/mr)*kb*mr : (mb/mr+1)*kb*mr])
	}
	full := mb - mb%mr
	for p := 0; p < kb; p++ {
		row := g.a[(pc+p)*g.lda+ic : (pc+p)*g.lda+ic+mb]
		o := p * mr
		ir := 0
		if mr == 12 {
			for ; ir < full; ir += 12 {
				s, d := row[ir:ir+12], dst[o:o+12]
				d[0], d[1], d[2], d[3], d[4], d[5] = s[0], s[1], s[2], s[3], s[4], s[5]
				d[6], d[7], d[8], d[9], d[10], d[11] = s[6], s[7], s[8], s[9], s[10], s[11]
				o += kb * mr
			}
		}
		for ; ir < mb; ir += mr {
			h := min(mr, mb-ir)
			copy(dst[o:o+h], row[ir:ir+h])
			o += kb * mr
		}
	}
}

// bColumns writes the n columns of op(B) (k×n) into dst as rows, n×k.
func (g *gemmArgs[E]) bColumns(dst []E) {
	k, n := g.k, g.n
	if g.transB {
		for q := range n {
			copy(dst[q*k:(q+1)*k], g.b[q*g.ldb:q*g.ldb+k])
		}
		return
	}
	for p := range k {
		for q, v := range g.b[p*g.ldb : p*g.ldb+n] {
			dst[q*k+p] = v
		}
	}
}

// useDots reports whether the dot kernels compute this product: few
// columns, op(A) with contiguous rows, and at least one vector of k.
func (g *gemmArgs[E]) useDots(kern *kernel[E]) bool {
	return !g.transA && g.n <= maxDotCols && g.k >= kern.dotLanes && kern.dots[g.n-1][0] != nil
}

// runDots computes rows [i0, i1) of C with the dot kernels: each element is
// the dot product of a row of op(A) with a row of op(B)ᵀ, the last k mod
// dotLanes terms added in order after the kernel's sum.
func (g *gemmArgs[E]) runDots(kern *kernel[E], ws *workspace[E], i0, i1 int) {
	n, k := g.n, g.k
	var bt []E
	ldbt := k
	if g.transB { // B is stored n×k: its rows are the columns of op(B)
		bt, ldbt = g.b, g.ldb
	} else {
		ws.bt = grow(ws.bt, n*k)
		g.bColumns(ws.bt)
		bt = ws.bt
	}
	fns := &kern.dots[n-1]
	rmax := 0
	for rmax < maxDotRows && fns[rmax] != nil {
		rmax++
	}
	kv := k - k%kern.dotLanes
	out := &ws.dot // kept in the workspace: the kernel is called through a func value, so a local would escape
	for i := i0; i < i1; i += rmax {
		r := min(rmax, i1-i)
		fns[r-1](kv, &g.a[i*g.lda], g.lda, &bt[0], ldbt, &out[0])
		for ii := range r {
			arow := g.a[(i+ii)*g.lda : (i+ii)*g.lda+k]
			crow := g.c[(i+ii)*g.ldc : (i+ii)*g.ldc+n]
			for q := range crow {
				s := out[ii*n+q]
				brow := bt[q*ldbt : q*ldbt+k]
				for p := kv; p < k; p++ {
					s += arow[p] * brow[p]
				}
				if g.beta == 0 {
					crow[q] = g.alpha * s
				} else {
					crow[q] = g.alpha*s + g.beta*crow[q]
				}
			}
		}
	}
}
