package kernels

import "fmt"

// The kernels of the leaky integrate-and-fire step and its reverse step,
// and the index list of a spike vector. They work on rows of n = len(beta)
// units: every slice but beta and gBeta holds whole rows. float32 runs on
// 16-lane (AVX-512) or 8-lane (AVX2) vector loops that give the same bits
// as the plain loops below (same operations, same order, no fused
// multiply-add), the plain loop taking a row's last n mod 16 (or 8) units;
// float64 and -tags noasm run the plain loops. The plain loops round every
// product that feeds a sum with a conversion E(·): without it the compiler
// may fuse the two into one FMA (it does for GOAMD64=v3). A product by a
// spike (0 or 1) is exact and needs none.

// LIFStep runs one step of the plain LIF for every row of n = len(beta)
// units:
//
//	u = β⊙vPrev + p
//	s = 1 where u − thr > 0, else 0
//	v = u − thr·s (subtract) or u·(1 − s)
//
// and returns the number of spikes. It panics unless u, s, v, vPrev and p
// have the same length, a multiple of n.
func LIFStep[E Float](u, s, v, vPrev, p, beta []E, thr E, subtract bool) int {
	checkRows("LIFStep", len(beta), len(u), len(s), len(v), len(vPrev), len(p))
	if f, ok := any(u).([]float32); ok {
		return lifStep(f, any(s).([]float32), any(v).([]float32), any(vPrev).([]float32), any(p).([]float32), any(beta).([]float32), float32(thr), subtract)
	}
	return lifStepGo(u, s, v, vPrev, p, beta, thr, subtract)
}

// LIFBackFastSigmoid is the reverse LIF step for the detached subtractive
// reset and the fast-sigmoid surrogate 1/(1 + slope·|x|)², for every row of
// n = len(beta) units:
//
//	x     = u − thr = v − thr·(1 − s)
//	d     = gv + (og + gsr)/(1 + slope·|x|)²
//	dp    = d,  gv = β⊙d,  gBeta += d⊙vPrev
//
// where v is the membrane after the step's reset and s its spikes (each 0
// or 1): with the subtractive reset v = u − thr·s, so x is u − thr to the
// bit and the membrane before the reset need not be kept. gv is the running
// gradient of the membrane, og and gsr the gradients arriving at the step's
// spikes and dp receives dL/du. It panics unless the row slices have the
// same length, a multiple of n, and gBeta has n entries.
func LIFBackFastSigmoid[E Float](dp, gv, gBeta, og, gsr, v, s, vPrev, beta []E, thr, slope E) {
	checkRows("LIFBackFastSigmoid", len(beta), len(dp), len(gv), len(og), len(gsr), len(v), len(s), len(vPrev))
	checkLens("LIFBackFastSigmoid", len(gBeta), len(beta), len(beta), len(beta), len(beta))
	lifBackOf(false, dp, gv, gBeta, og, gsr, v, s, vPrev, beta, thr, slope, 0)
}

// LIFBackArcTan is LIFBackFastSigmoid for the arctangent surrogate
// c0/(1 + (c1·x)²) (α/2 and πα/2 for ArcTan(α)):
//
//	d = gv + (og + gsr)·c0/(1 + (c1·x)²),  x = v − thr·(1 − s)
func LIFBackArcTan[E Float](dp, gv, gBeta, og, gsr, v, s, vPrev, beta []E, thr, c0, c1 E) {
	checkRows("LIFBackArcTan", len(beta), len(dp), len(gv), len(og), len(gsr), len(v), len(s), len(vPrev))
	checkLens("LIFBackArcTan", len(gBeta), len(beta), len(beta), len(beta), len(beta))
	lifBackOf(true, dp, gv, gBeta, og, gsr, v, s, vPrev, beta, thr, c1, c0)
}

// lifBackOf runs the vector loops for float32, the plain loop otherwise.
func lifBackOf[E Float](arcTan bool, dp, gv, gBeta, og, gsr, v, s, vPrev, beta []E, thr, k, c0 E) {
	if f, ok := any(dp).([]float32); ok {
		a := func(x []E) []float32 { return any(x).([]float32) }
		lifBack(arcTan, f, a(gv), a(gBeta), a(og), a(gsr), a(v), a(s), a(vPrev), a(beta), float32(thr), float32(k), float32(c0))
		return
	}
	lifBackGo(arcTan, dp, gv, gBeta, og, gsr, v, s, vPrev, beta, thr, k, c0)
}

// SpikeIndices writes the indices of the nonzero entries of s, in order,
// to the front of idx and returns their number k; idx[k:len(s)] may be
// overwritten. It panics if idx is shorter than s.
func SpikeIndices(idx []int32, s []float32) int {
	if len(idx) < len(s) {
		panic(fmt.Sprintf("kernels: SpikeIndices needs %d index slots, got %d", len(s), len(idx)))
	}
	return spikeIndices(idx, s)
}

// checkRows panics unless every length in ls equals ls[0] and is a
// multiple of n > 0.
func checkRows(op string, n int, ls ...int) {
	if n <= 0 || ls[0]%n != 0 {
		panic(fmt.Sprintf("kernels: %s length %d is not a whole number of rows of %d", op, ls[0], n))
	}
	for _, l := range ls[1:] {
		if l != ls[0] {
			panic(fmt.Sprintf("kernels: %s length mismatch: %d vs %d", op, l, ls[0]))
		}
	}
}

func lifStepGo[E Float](u, s, v, vPrev, p, beta []E, thr E, subtract bool) int {
	th := [1]E{thr}
	return lifStepThGo(u, s, v, vPrev, p, beta, th[:], 0, subtract)
}

// lifStepThGo is the plain loop of lifStepThAVX512 and lifStepThAVX2: one LIF step over
// whole rows with the threshold of unit j of row r at th[(r·n + j)·thStep]
// (thStep 1: a threshold per unit-step; 0: th[0] for all).
func lifStepThGo[E Float](u, s, v, vPrev, p, beta, th []E, thStep int, subtract bool) int {
	n, spiked := len(beta), 0
	for o := 0; o < len(u); o += n {
		ur, sr, vr := u[o:o+n], s[o:o+n], v[o:o+n]
		vp, pr, tr := vPrev[o:o+n], p[o:o+n], th[o*thStep:]
		for j, bj := range beta {
			t := tr[j*thStep]
			uu := E(bj*vp[j]) + pr[j]
			ur[j] = uu
			var sj E
			if uu-t > 0 {
				sj = 1
				spiked++
			}
			sr[j] = sj
			if subtract {
				vr[j] = uu - t*sj
			} else {
				vr[j] = uu * (1 - sj)
			}
		}
	}
	return spiked
}

// lifBackGo runs LIFBackArcTan (arcTan, k = c1, c0) or LIFBackFastSigmoid
// (k = slope) over whole rows.
func lifBackGo[E Float](arcTan bool, dp, gv, gBeta, og, gsr, v, s, vPrev, beta []E, thr, k, c0 E) {
	n := len(beta)
	gBeta = gBeta[:n]
	for r := 0; r*n < len(dp); r++ {
		d, g, o, gr, vr, sr, vp := dp[r*n:(r+1)*n], gv[r*n:(r+1)*n], og[r*n:(r+1)*n], gsr[r*n:(r+1)*n], v[r*n:(r+1)*n], s[r*n:(r+1)*n], vPrev[r*n:(r+1)*n]
		for j, b := range beta {
			x := vr[j] - E(thr*(1-sr[j])) // u − thr: the product is thr or 0
			dj := g[j] + surrShareGo(arcTan, o[j]+gr[j], x, k, c0)
			d[j] = dj
			g[j] = b * dj
			gBeta[j] += E(dj * vp[j])
		}
	}
}

// surrShareGo is g·σ'(x) of the fast sigmoid, g/(1 + k·|x|)², or (arcTan)
// of the arctangent, g·c0/(1 + (k·x)²), rounded as the vector kernels
// round it.
func surrShareGo[E Float](arcTan bool, g, x, k, c0 E) E {
	if arcTan {
		w := k * x
		return g * c0 / (1 + E(w*w))
	}
	if x < 0 {
		x = -x
	}
	t := 1 + E(k*x)
	return g / (t * t)
}

func spikeIndicesGo(idx []int32, s []float32) int {
	k := 0
	for j, v := range s {
		if v != 0 {
			idx[k] = int32(j)
			k++
		}
	}
	return k
}

// SpikeStrip is the width, in columns, of the strips PackStrips lays a
// matrix out in.
const SpikeStrip = 64

// PackStrips lays out w [rows×n] in strips of SpikeStrip columns for
// SumStripRows: dst[s·rows + i·SpikeStrip + q] = w[i·n + s + q] for every
// strip start s (a multiple of SpikeStrip), row i and q < SpikeStrip, so
// that a strip is one contiguous [rows×SpikeStrip] block. It panics unless
// n is a positive multiple of SpikeStrip, rows ≥ 0 and w and dst hold
// rows·n values.
func PackStrips(dst, w []float32, rows, n int) {
	if n <= 0 || n%SpikeStrip != 0 || rows < 0 || len(w) != rows*n || len(dst) != rows*n {
		panic(fmt.Sprintf("kernels: PackStrips needs n a positive multiple of %d and rows·n values, got rows=%d n=%d, %d and %d", SpikeStrip, rows, n, len(w), len(dst)))
	}
	for i := range rows {
		for s := 0; s < n; s += SpikeStrip {
			copy(dst[s*rows+i*SpikeStrip:s*rows+(i+1)*SpikeStrip], w[i*n+s:i*n+s+SpikeStrip])
		}
	}
}

// PackStripBlocks writes rows r0 … r0+k−1 of a [total×n] matrix, given as
// w [k×n], into dst [total×n] laid out as blocks of block rows, each block
// packed by PackStrips: row r of block q = r/block (which holds nb =
// min(block, total − q·block) rows) goes to dst[q·block·n + s·nb +
// (r − q·block)·SpikeStrip + c] for every strip start s and c < SpikeStrip.
// Filling every row, in any order and from any number of calls, gives
// PackStrips of each block. It panics unless n is a positive multiple of
// SpikeStrip, block > 0, len(w) is a multiple of n, the rows lie within
// total and dst holds total·n values.
func PackStripBlocks(dst, w []float32, r0, total, n, block int) {
	if n <= 0 || n%SpikeStrip != 0 || block <= 0 || len(w)%n != 0 || r0 < 0 || r0+len(w)/n > total || len(dst) != total*n {
		panic(fmt.Sprintf("kernels: PackStripBlocks of %d values from row %d of %d (n=%d, blocks of %d) into %d", len(w), r0, total, n, block, len(dst)))
	}
	for i := 0; i*n < len(w); i++ {
		r := r0 + i
		q0 := r / block * block
		nb := min(block, total-q0)
		base := q0*n + (r-q0)*SpikeStrip
		for s := 0; s < n; s += SpikeStrip {
			copy(dst[base+s*nb:base+s*nb+SpikeStrip], w[i*n+s:i*n+s+SpikeStrip])
		}
	}
}

// PackStripsTHalf is PackStrips of wᵀ: it lays out the [rows×n] matrix
// M = wᵀ, with w [n×rows] row-major (M[i, c] = w[c·rows + i]), in strips of
// SpikeStrip columns, dst[s·rows + i·SpikeStrip + q] = w[(s+q)·rows + i],
// without forming the transpose (the strips of W_effᵀ straight from
// W_eff), each strip one Transpose of SpikeStrip rows of w. It packs the first (half 0) or
// second (half 1) half of the strips, rounded to whole strips, or all of
// them (half −1), so that two workers can share the packing (at N = 1024
// it took 1.4 ms on one core of a Zen 4 before the tile transposes). It panics under the conditions
// of PackStrips or if half is not −1, 0 or 1.
func PackStripsTHalf(dst, w []float32, rows, n, half int) {
	if n <= 0 || n%SpikeStrip != 0 || rows < 0 || len(w) != rows*n || len(dst) != rows*n || half < -1 || half > 1 {
		panic(fmt.Sprintf("kernels: PackStripsTHalf needs n a positive multiple of %d and rows·n values, got rows=%d n=%d, %d and %d (half %d)", SpikeStrip, rows, n, len(w), len(dst), half))
	}
	s0, s1 := 0, n
	mid := n / SpikeStrip / 2 * SpikeStrip
	switch half {
	case 0:
		s1 = mid
	case 1:
		s0 = mid
	}
	for s := s0; s < s1; s += SpikeStrip {
		// The strip is the transpose of w's rows s … s+SpikeStrip−1.
		transpose(dst[s*rows:(s+SpikeStrip)*rows], SpikeStrip, w[s*rows:(s+SpikeStrip)*rows], rows, SpikeStrip, rows, false)
	}
}

// SumStripRows adds to every row r < len(cnt) of dst (leading dimension
// ldd, n columns) the rows idx[r·ldi : r·ldi+cnt[r]] of a [rows×n] matrix
// packed by PackStrips: the product of a binary sparse matrix in
// compressed-row form with the packed matrix. It works strip by strip,
// every row of dst per strip, and a strip taller than the L1 cache in
// blocks of rows, each list adding its next indices below the block's end
// before the next list (a list stops at its first index beyond the block
// and goes on from there in the next one), so that, when the lists
// increase, the rows read stay in cache: the recurrent input of binary
// spikes (rows of W_effᵀ per sequence) and the weight gradient they give
// (rows of dL/dp per unit). Each dst entry adds its rows in list order,
// so every path gives the same bits; the sums run in another order than a
// GEMM's and agree with it to rounding. It allocates nothing and panics
// if the lengths do not fit, n is not a positive multiple of SpikeStrip, a
// count is negative or above ldi, or an index is not below rows.
func SumStripRows(dst []float32, ldd int, packed []float32, rows, n int, idx []int32, ldi int, cnt []int32) {
	lists := len(cnt)
	if n <= 0 || n%SpikeStrip != 0 || rows < 0 || len(packed) != rows*n || ldd < n || ldi < 0 ||
		(lists > 0 && (len(dst) < (lists-1)*ldd+n || len(idx) < (lists-1)*ldi)) {
		panic(fmt.Sprintf("kernels: SumStripRows with rows=%d n=%d ldd=%d ldi=%d: dst %d, packed %d, idx %d, %d lists", rows, n, ldd, ldi, len(dst), len(packed), len(idx), lists))
	}
	for r, k := range cnt {
		if k < 0 || int(k) > ldi || r*ldi+int(k) > len(idx) {
			panic(fmt.Sprintf("kernels: SumStripRows list %d has %d entries (stride %d, %d indices)", r, k, ldi, len(idx)))
		}
		for _, j := range idx[r*ldi : r*ldi+int(k)] {
			if uint32(j) >= uint32(rows) {
				panic(fmt.Sprintf("kernels: SumStripRows index %d out of range (%d rows)", j, rows))
			}
		}
	}
	if lists == 0 || rows == 0 || len(idx) == 0 {
		return
	}
	sumStripRows(dst, ldd, packed, rows, n, idx, ldi, cnt)
}

func sumStripRowsGo(dst []float32, ldd int, packed []float32, rows, n int, idx []int32, ldi int, cnt []int32) {
	for s := 0; s < n; s += SpikeStrip {
		strip := packed[s*rows : (s+SpikeStrip)*rows]
		for r, k := range cnt {
			dr := dst[r*ldd+s : r*ldd+s+SpikeStrip]
			for _, j := range idx[r*ldi : r*ldi+int(k)] {
				w := strip[int(j)*SpikeStrip : (int(j)+1)*SpikeStrip]
				for q := range dr {
					dr[q] += w[q]
				}
			}
		}
	}
}
