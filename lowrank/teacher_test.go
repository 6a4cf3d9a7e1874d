package lowrank

import (
	"context"
	"math/rand/v2"
	"testing"
)

// teacher returns a rank-r teacher of n units and 2 inputs with r
// independent bistable directions (n_q = 2·m_q, so each rank-one part has
// gain ≈ 2), and its recorded activity tanh(h) on conds conditions of T
// steps: a pulse of a random amplitude on each input over steps [2, 8).
func teacher(t testing.TB, n, r, conds, T int, seed uint64) (*Layer[float32], *Data) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	net, err := NewNet(2, n, r, 0.2, 0, rng)
	if err != nil {
		t.Fatal(err)
	}
	for i := range net.M.Value.Data {
		net.N.Value.Data[i] = 2*net.M.Value.Data[i] + 0.3*float32(rng.NormFloat64())
	}
	d := &Data{Conditions: conds, T: T, Units: n, NIn: 2}
	d.Inputs = make([]float32, conds*T*2)
	for c := range conds {
		a := [2]float64{2*rng.Float64() - 1, 2*rng.Float64() - 1}
		for s := 2; s < 8; s++ {
			for k := range 2 {
				d.Inputs[(c*T+s)*2+k] = float32(a[k])
			}
		}
	}
	d.Activity = Predict(net, d)
	d.Mask = make([]float32, len(d.Activity))
	for i := range d.Mask {
		d.Mask[i] = 1
	}
	return net, d
}

// TestTeacherStudent fits ranks 1…3 to the activity of rank-1 and rank-2
// teachers: R² must be high from the teacher's rank on and clearly lower
// below it (the saturation LINT's rank sweep relies on).
func TestTeacherStudent(t *testing.T) {
	t.Parallel()
	for _, rStar := range []int{1, 2} {
		_, d := teacher(t, 20, rStar, 12, 40, uint64(rStar))
		fits, full, err := Sweep(context.Background(), d, FitConfig{Steps: 1500, LR: 0.01, Holdout: 2}, []int{1, 2, 3}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if full == nil {
			t.Fatal("Sweep with init svd returned no full-rank fit")
		}
		r2 := make([]float64, len(fits))
		for i, f := range fits {
			r2[i] = f.R2
			t.Logf("teacher rank %d, student rank %d: R² %.4f, held-out %.4f (%v)", rStar, f.Rank, f.R2, *f.R2Held, f.Elapsed)
		}
		if r2[rStar-1] < 0.95 || r2[2] < 0.95 {
			t.Errorf("teacher rank %d: R² %.4f at rank %d and %.4f at rank 3, want both ≥ 0.95", rStar, r2[rStar-1], rStar, r2[2])
		}
		if rStar > 1 && r2[rStar-2] > r2[rStar-1]-0.02 {
			t.Errorf("teacher rank %d: R² %.4f at rank %d, want clearly below %.4f at the teacher's rank", rStar, r2[rStar-2], rStar-1, r2[rStar-1])
		}
	}
}

// TestSweepHoldsOutHalf: -holdout counts the conditions of the data, so
// holding out half of them or all but one leaves the rest to fit.
func TestSweepHoldsOutHalf(t *testing.T) {
	t.Parallel()
	_, d := teacher(t, 6, 1, 4, 10, 1)
	for _, h := range []int{2, 3} {
		fits, _, err := Sweep(context.Background(), d, FitConfig{Steps: 3, Holdout: h}, []int{1}, nil)
		if err != nil {
			t.Fatalf("holdout %d of 4 conditions: %v", h, err)
		}
		if fits[0].R2Held == nil {
			t.Errorf("holdout %d: no held-out R²", h)
		}
	}
}
