package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestSparseKernels checks the sparse kernels against the dense
// products they restrict, at lengths that take the vector loops and their
// tails, with empty, partial and full index lists.
func TestSparseKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, rows := range []int{1, 5, 33} {
		for _, cols := range []int{1, 7, 8, 16, 61, 96, 257} {
			ldw := cols + 3
			w := randSlice(rng, rows*ldw)
			y := randSlice(rng, rows)
			x := randSlice(rng, cols)
			var idx []int32
			for j := range rows {
				if rng.IntN(3) == 0 {
					y[j] = 0
					continue
				}
				idx = append(idx, int32(j))
			}
			// SparseGather: y·w with the zero entries of y skipped,
			// overwriting and accumulating.
			vals := make([]float32, len(idx))
			for k, j := range idx {
				vals[k] = y[j]
			}
			for _, acc := range []bool{false, true} {
				got := randSlice(rng, cols)
				base := append([]float32(nil), got...)
				SparseGather(got, acc, w, ldw, idx, vals)
				for q := range cols {
					want := 0.0
					if acc {
						want = float64(base[q])
					}
					for j := range rows {
						want += float64(y[j]) * float64(w[j*ldw+q])
					}
					near(t, "SparseGather", float64(got[q]), want, rows)
				}
			}
			// SparseDots: entries idx of w·xᵀ; the others untouched.
			dots := randSlice(rng, rows)
			before := append([]float32(nil), dots...)
			SparseDots(dots, w, ldw, idx, x)
			listed := map[int32]bool{}
			for _, j := range idx {
				listed[j] = true
			}
			for j := range rows {
				if !listed[int32(j)] {
					if dots[j] != before[j] {
						t.Fatalf("SparseDots changed unlisted entry %d", j)
					}
					continue
				}
				want := 0.0
				for q := range cols {
					want += float64(x[q]) * float64(w[j*ldw+q])
				}
				near(t, "SparseDots", float64(dots[j]), want, cols)
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// near fails unless got is within float32 rounding of a sum of terms
// products of standard normals.
func near(t *testing.T, op string, got, want float64, terms int) {
	t.Helper()
	if d := got - want; d > 1e-6*float64(terms+1)*4 || d < -1e-6*float64(terms+1)*4 {
		t.Fatalf("%s: got %v want %v", op, got, want)
	}
}

func TestSparsePanics(t *testing.T) {
	w := make([]float32, 12)
	for _, f := range []func(){
		func() { SparseGather(make([]float32, 4), false, w, 4, []int32{3}, []float32{1}) }, // row 3 beyond w
		func() { SparseGather(make([]float32, 5), false, w, 4, nil, nil) },                 // cols > ldw
		func() { SparseGather(make([]float32, 4), false, w, 4, []int32{0}, nil) },          // values missing
		func() { SparseDots(make([]float32, 3), w, 4, []int32{-1}, make([]float32, 4)) },
		func() { SparseDots(make([]float32, 3), w, 4, []int32{3}, make([]float32, 4)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
}
