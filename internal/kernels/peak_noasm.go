//go:build noasm || !amd64

package kernels

// PeakFMA reports 0: without assembly there is no vector peak to measure.
func PeakFMA(iters int) (flop float64) { return 0 }
