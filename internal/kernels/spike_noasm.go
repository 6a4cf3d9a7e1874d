//go:build noasm || !amd64

package kernels

func lifStep(u, s, v, vPrev, p, beta []float32, thr float32, subtract bool) int {
	return lifStepGo(u, s, v, vPrev, p, beta, thr, subtract)
}

func lifBack(arcTan bool, dp, gv, gBeta, og, gsr, v, s, vPrev, beta []float32, thr, k, c0 float32) {
	lifBackGo(arcTan, dp, gv, gBeta, og, gsr, v, s, vPrev, beta, thr, k, c0)
}

func spikeIndices(idx []int32, s []float32) int { return spikeIndicesGo(idx, s) }

func sumStripRows(dst []float32, ldd int, packed []float32, rows, n int, idx []int32, ldi int, cnt []int32) {
	sumStripRowsGo(dst, ldd, packed, rows, n, idx, ldi, cnt)
}
