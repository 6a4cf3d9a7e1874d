package layers

import "github.com/rnntrain/rnntrain/autodiff"

// Vector helpers shared by the fused recurrent layers of this and other
// packages.

// Axpy computes y += alpha·x.
func Axpy[T autodiff.Float](y []T, alpha T, x []T) {
	x = x[:len(y)]
	for j := range y {
		y[j] += alpha * x[j]
	}
}

// AddTransposed adds srcᵀ ([R, N]) into dst ([N, R]).
func AddTransposed[T autodiff.Float](dst, src autodiff.Tensor[T]) {
	for q := 0; q < src.Rows; q++ {
		for j, v := range src.Data[q*src.Cols : (q+1)*src.Cols] {
			dst.Data[j*dst.Cols+q] += v
		}
	}
}
