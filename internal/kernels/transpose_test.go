package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestTranspose checks Transpose and TransposeGo against the definition
// dst[j·ldd+i] (+)= src[i·lds+j] on shapes with and without whole 16×16
// tiles, padded leading dimensions, and both modes; entries of dst outside
// the transpose must stay untouched.
func TestTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sz := range [][4]int{{0, 5, 5, 0}, {1, 1, 1, 1}, {16, 16, 16, 16}, {16, 32, 40, 17}, {33, 17, 20, 40}, {64, 64, 64, 64}, {47, 100, 101, 50}, {256, 64, 64, 256}} {
		rows, cols, lds, ldd := sz[0], sz[1], sz[2], sz[3]
		for _, add := range []bool{false, true} {
			src := make([]float32, max(0, (rows-1)*lds+cols))
			for k := range src {
				src[k] = float32(rng.NormFloat64())
			}
			dst0 := make([]float32, max(0, (cols-1)*ldd+rows)+3)
			for k := range dst0 {
				dst0[k] = float32(rng.NormFloat64())
			}
			want := append([]float32(nil), dst0...)
			for i := range rows {
				for j := range cols {
					if add {
						want[j*ldd+i] += src[i*lds+j]
					} else {
						want[j*ldd+i] = src[i*lds+j]
					}
				}
			}
			for name, f := range map[string]func([]float32){
				"Transpose":   func(d []float32) { Transpose(d, ldd, src, lds, rows, cols, add) },
				"TransposeGo": func(d []float32) { TransposeGo(d, ldd, src, lds, rows, cols, add) },
			} {
				got := append([]float32(nil), dst0...)
				f(got)
				for k := range got {
					if got[k] != want[k] {
						t.Fatalf("%s rows=%d cols=%d lds=%d ldd=%d add=%t: dst[%d] = %v, want %v", name, rows, cols, lds, ldd, add, k, got[k], want[k])
					}
				}
			}
		}
	}
}

func TestTransposePanics(t *testing.T) {
	for _, c := range []struct {
		dst, src             int
		ldd, lds, rows, cols int
	}{
		{16, 16, 4, 3, 4, 4},  // lds < cols
		{16, 16, 3, 4, 4, 4},  // ldd < rows
		{15, 16, 4, 4, 4, 4},  // dst short
		{16, 15, 4, 4, 4, 4},  // src short
		{16, 16, 4, 4, -1, 4}, // negative rows
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Transpose(%+v) did not panic", c)
				}
			}()
			Transpose(make([]float32, c.dst), c.ldd, make([]float32, c.src), c.lds, c.rows, c.cols, false)
		}()
	}
}

// BenchmarkTranspose times the transposes of the spiking layers' weight
// gradient and strip packing at N = 512 and 1024: the tile kernel against
// the plain loops.
func BenchmarkTranspose(b *testing.B) {
	for _, n := range []int{512, 1024} {
		src, dst := make([]float32, n*n), make([]float32, n*n)
		b.Run(fmt.Sprintf("N=%d/Transpose", n), func(b *testing.B) {
			for b.Loop() {
				Transpose(dst, n, src, n, n, n, true)
			}
		})
		b.Run(fmt.Sprintf("N=%d/TransposeGo", n), func(b *testing.B) {
			for b.Loop() {
				TransposeGo(dst, n, src, n, n, n, true)
			}
		})
	}
}
