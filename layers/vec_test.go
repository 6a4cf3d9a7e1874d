package layers

import (
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
)

// TestTransposeStrided checks the tiled transpose, set and add, in float64
// (the Go tiles) and float32 (kernels.Transpose), against the
// element-by-element definition on shapes with and without partial tiles
// and with padded leading dimensions.
func TestTransposeStrided(t *testing.T) {
	checkTransposeStrided[float64](t)
	checkTransposeStrided[float32](t)
}

func checkTransposeStrided[T autodiff.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range [][4]int{{1, 1, 0, 0}, {16, 16, 0, 0}, {17, 33, 2, 5}, {64, 48, 0, 3}, {5, 100, 7, 0}, {128, 128, 16, 0}} {
		rows, cols, padS, padD := c[0], c[1], c[2], c[3]
		lds, ldd := cols+padS, rows+padD
		src := make([]T, (rows-1)*lds+cols)
		for k := range src {
			src[k] = T(rng.NormFloat64())
		}
		for _, add := range []bool{false, true} {
			dst := make([]T, (cols-1)*ldd+rows)
			for k := range dst {
				dst[k] = T(rng.NormFloat64())
			}
			want := append([]T(nil), dst...)
			for q := range rows {
				for j := range cols {
					if add {
						want[j*ldd+q] += src[q*lds+j]
					} else {
						want[j*ldd+q] = src[q*lds+j]
					}
				}
			}
			transposeStrided(dst, ldd, src, lds, rows, cols, add)
			for k := range want {
				if dst[k] != want[k] {
					t.Fatalf("%v add=%v: [%d] = %v, want %v", c, add, k, dst[k], want[k])
				}
			}
		}
	}
}
