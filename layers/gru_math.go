// The logistic function of the fused GRU: exact in float64 (gradient
// checks), built on the package's fast float32 tanh in float32 (training).

package layers

import (
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
)

// sigmoidTo writes σ(x) = 1/(1 + e^−x) into dst; dst may alias x. float32
// slices use σ(x) = (1 + tanh(x/2))/2 with tanh32To.
func sigmoidTo[T autodiff.Float](dst, x []T) {
	x = x[:len(dst)]
	if d, ok := any(dst).([]float32); ok {
		for i, v := range any(x).([]float32) {
			d[i] = 0.5 * v
		}
		tanh32To(d, d)
		for i, v := range d {
			d[i] = 0.5 + 0.5*v
		}
		return
	}
	for i, v := range x {
		dst[i] = T(1 / (1 + math.Exp(-float64(v))))
	}
}
