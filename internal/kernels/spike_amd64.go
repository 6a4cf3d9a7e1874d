//go:build !noasm

package kernels

// The 16-lane (AVX-512F) loops of LIFBackFastSigmoid, LIFBackArcTan and
// SpikeIndices over one row's first n units; n must be a positive multiple
// of 16. LIFStep runs lifStepThAVX512 (alif_amd64.s); lifStepOn, lifBackOn
// and spikeIndicesOn take the vector set, so that tests run each one.
//
//go:noescape
func lifBackFastSigmoidAVX512(dp, gv, gBeta, og, gsr, v, s, vPrev, beta *float32, n int, thr, slope float32)

//go:noescape
func lifBackArcTanAVX512(dp, gv, gBeta, og, gsr, v, s, vPrev, beta *float32, n int, thr, c1, c0 float32)

//go:noescape
func spikeIndicesAVX512(idx *int32, s *float32, n int) int

// The 8-lane (AVX2) loops of the same kernels (spike_avx2_amd64.s), op for
// op as above; n must be a positive multiple of 8. LIFStep runs
// lifStepThAVX2.
//
//go:noescape
func lifBackFastSigmoidAVX2(dp, gv, gBeta, og, gsr, v, s, vPrev, beta *float32, n int, thr, slope float32)

//go:noescape
func lifBackArcTanAVX2(dp, gv, gBeta, og, gsr, v, s, vPrev, beta *float32, n int, thr, c1, c0 float32)

//go:noescape
func spikeIndicesAVX2(idx *int32, s *float32, n int) int

func lifStep(u, s, v, vPrev, p, beta []float32, thr float32, subtract bool) int {
	return lifStepOn(bestISA(), u, s, v, vPrev, p, beta, thr, subtract)
}

// lifStepOn is lifStep on isa's vector loops; the units past isa.part(n)
// run the plain loop.
func lifStepOn(isa vecISA, u, s, v, vPrev, p, beta []float32, thr float32, subtract bool) int {
	n := len(beta)
	m := isa.part(n)
	if m == 0 {
		return lifStepGo(u, s, v, vPrev, p, beta, thr, subtract)
	}
	var th [16]float32 // one block of copies for thStep 0
	for i := range th {
		th[i] = thr
	}
	spiked := 0
	for o := 0; o < len(u); o += n {
		spiked += lifStepTh(isa, &u[o], &s[o], &v[o], &vPrev[o], &p[o], &beta[0], &th[0], 0, m, subtract)
		if m < n {
			spiked += lifStepGo(u[o+m:o+n], s[o+m:o+n], v[o+m:o+n], vPrev[o+m:o+n], p[o+m:o+n], beta[m:], thr, subtract)
		}
	}
	return spiked
}

func lifBack(arcTan bool, dp, gv, gBeta, og, gsr, v, s, vPrev, beta []float32, thr, k, c0 float32) {
	lifBackOn(bestISA(), arcTan, dp, gv, gBeta, og, gsr, v, s, vPrev, beta, thr, k, c0)
}

// lifBackOn is lifBack on isa's vector loops; the units past isa.part(n)
// run the plain loop.
func lifBackOn(isa vecISA, arcTan bool, dp, gv, gBeta, og, gsr, v, s, vPrev, beta []float32, thr, k, c0 float32) {
	n := len(beta)
	m := isa.part(n)
	if m == 0 {
		lifBackGo(arcTan, dp, gv, gBeta, og, gsr, v, s, vPrev, beta, thr, k, c0)
		return
	}
	for o := 0; o < len(dp); o += n {
		switch {
		case isa == isaAVX512 && arcTan:
			lifBackArcTanAVX512(&dp[o], &gv[o], &gBeta[0], &og[o], &gsr[o], &v[o], &s[o], &vPrev[o], &beta[0], m, thr, k, c0)
		case isa == isaAVX512:
			lifBackFastSigmoidAVX512(&dp[o], &gv[o], &gBeta[0], &og[o], &gsr[o], &v[o], &s[o], &vPrev[o], &beta[0], m, thr, k)
		case arcTan:
			lifBackArcTanAVX2(&dp[o], &gv[o], &gBeta[0], &og[o], &gsr[o], &v[o], &s[o], &vPrev[o], &beta[0], m, thr, k, c0)
		default:
			lifBackFastSigmoidAVX2(&dp[o], &gv[o], &gBeta[0], &og[o], &gsr[o], &v[o], &s[o], &vPrev[o], &beta[0], m, thr, k)
		}
		if m < n {
			e := o + n
			lifBackGo(arcTan, dp[o+m:e], gv[o+m:e], gBeta[m:n], og[o+m:e], gsr[o+m:e], v[o+m:e], s[o+m:e], vPrev[o+m:e], beta[m:], thr, k, c0)
		}
	}
}

func spikeIndices(idx []int32, s []float32) int { return spikeIndicesOn(bestISA(), idx, s) }

// spikeIndicesOn is spikeIndices on isa's vector loop; the entries past
// isa.part(len(s)) run the plain loop.
func spikeIndicesOn(isa vecISA, idx []int32, s []float32) int {
	m := isa.part(len(s))
	k := 0
	switch {
	case m == 0:
	case isa == isaAVX512:
		k = spikeIndicesAVX512(&idx[0], &s[0], m)
	default:
		k = spikeIndicesAVX2(&idx[0], &s[0], m)
	}
	for j := m; j < len(s); j++ {
		if s[j] != 0 {
			idx[k] = int32(j)
			k++
		}
	}
	return k
}

// spikeAddStripUntilAVX512 adds, for rows lists r, the 64-column rows
// idx[r·ldi + k] of one packed strip to p[r·ldp : r·ldp+64], from k =
// cur[r] up to the list's first index ≥ jhi (or its end), where it leaves
// cur[r]: one block of the strip's rows for every list.
//
//go:noescape
func spikeAddStripUntilAVX512(p *float32, ldp int, strip *float32, rows int, idx *int32, ldi int, cnt *int32, cur *int32, jhi int)

// stripBlockRows is the number of rows of a packed strip (64 columns,
// 256 B each: 32 KiB, the L1 data cache of the cores we target) that
// every list adds before the next block of rows when a strip is taller:
// a taller strip would be read from L2 at about half the rate
// (BenchmarkSumStripRows, one core, 20 % activity, 32 sequences: 1.8 against
// 2.3 ns per row at N = 512, 1.8 against 2.6 at N = 1024). stripLists is the number of lists whose
// cursors one pass keeps on the stack.
const (
	stripBlockRows = 128
	stripLists     = 256
)

// spikeAddStripUntilAVX2 is spikeAddStripUntilAVX512 in eight 8-lane
// accumulators (gather_avx2_amd64.s).
//
//go:noescape
func spikeAddStripUntilAVX2(p *float32, ldp int, strip *float32, rows int, idx *int32, ldi int, cnt *int32, cur *int32, jhi int)

func sumStripRows(dst []float32, ldd int, packed []float32, rows, n int, idx []int32, ldi int, cnt []int32) {
	sumStripRowsOn(bestISA(), dst, ldd, packed, rows, n, idx, ldi, cnt)
}

// sumStripRowsOn is sumStripRows with the vector set's strip kernel.
func sumStripRowsOn(isa vecISA, dst []float32, ldd int, packed []float32, rows, n int, idx []int32, ldi int, cnt []int32) {
	if isa == isaGo {
		sumStripRowsGo(dst, ldd, packed, rows, n, idx, ldi, cnt)
		return
	}
	const block = stripBlockRows
	var cur [stripLists]int32
	for l0 := 0; l0 < len(cnt); l0 += stripLists {
		if l0*ldi >= len(idx) {
			break // every list left is empty
		}
		lists := min(stripLists, len(cnt)-l0)
		for s := 0; s < n; s += SpikeStrip {
			clear(cur[:lists])
			for j := 0; j < rows; j += block {
				// Direct calls: through a func value cur would escape to the heap.
				if isa == isaAVX2 {
					spikeAddStripUntilAVX2(&dst[l0*ldd+s], ldd, &packed[s*rows], lists, &idx[l0*ldi], ldi, &cnt[l0], &cur[0], j+block)
				} else {
					spikeAddStripUntilAVX512(&dst[l0*ldd+s], ldd, &packed[s*rows], lists, &idx[l0*ldi], ldi, &cnt[l0], &cur[0], j+block)
				}
			}
		}
	}
}
