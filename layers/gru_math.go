// The logistic function of the fused GRU: exact in float64 (gradient
// checks), the vectorised kernel in float32 (training).

package layers

import (
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// sigmoidTo writes σ(x) = 1/(1 + e^−x) into dst; dst may alias x. float32
// slices use kernels.SigmoidTo (relative error ≤ 2.5e-7).
func sigmoidTo[T autodiff.Float](dst, x []T) {
	x = x[:len(dst)]
	if d, ok := any(dst).([]float32); ok {
		kernels.SigmoidTo(d, any(x).([]float32))
		return
	}
	for i, v := range x {
		dst[i] = T(1 / (1 + math.Exp(-float64(v))))
	}
}
