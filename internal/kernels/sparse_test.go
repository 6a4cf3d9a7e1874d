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

// TestSparseGatherRows checks the blocked batch gather against a float64
// loop of the product it restricts, over column ranges that start and end
// inside blocks, with empty rows, overwriting and accumulating, and that the
// columns outside the range are left alone.
func TestSparseGatherRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, wrows := range []int{1, 9, 70} {
		for _, cols := range []int{5, 64, 200} {
			ldw, ldd, rows := cols+3, cols+1, 6
			w := randSlice(rng, wrows*ldw)
			ptr := []int32{0}
			var idx []int32
			var vals []float32
			for i := range rows {
				for j := range wrows {
					if i != 2 && rng.IntN(3) == 0 { // row 2 stays empty
						idx, vals = append(idx, int32(j)), append(vals, float32(rng.NormFloat64()))
					}
				}
				ptr = append(ptr, int32(len(idx)))
			}
			for _, r := range [][2]int{{0, cols}, {cols / 3, cols - 1}, {cols / 2, cols / 2}} {
				for _, acc := range []bool{false, true} {
					got := randSlice(rng, rows*ldd)
					base := append([]float32(nil), got...)
					SparseGatherRows(got, ldd, r[0], r[1], acc, w, ldw, ptr, idx, vals)
					for i := range rows {
						for q := range ldd {
							want := float64(base[i*ldd+q])
							if q >= r[0] && q < r[1] {
								if !acc {
									want = 0
								}
								for k := ptr[i]; k < ptr[i+1]; k++ {
									want += float64(vals[k]) * float64(w[int(idx[k])*ldw+q])
								}
							} else if got[i*ldd+q] != base[i*ldd+q] {
								t.Fatalf("SparseGatherRows changed column %d of row %d outside [%d, %d)", q, i, r[0], r[1])
							}
							near(t, "SparseGatherRows", float64(got[i*ldd+q]), want, wrows)
						}
					}
				}
			}
		}
	}
	assertPanics(t, "decreasing pointers", func() {
		SparseGatherRows(make([]float32, 8), 4, 0, 4, false, make([]float32, 8), 4, []int32{0, 1, 0}, []int32{0}, []float32{1})
	})
	assertPanics(t, "index out of range", func() {
		SparseGatherRows(make([]float32, 8), 4, 0, 4, false, make([]float32, 8), 4, []int32{0, 1}, []int32{2}, []float32{1})
	})
}

func assertPanics(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Fatalf("no panic for %s", what)
		}
	}()
	f()
}
