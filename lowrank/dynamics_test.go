package lowrank

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// TestLatentMatchesNetwork runs a rank-2 network (float64, non-zero h0 and
// bias, so that h⊥ and b matter) and its reduced latent system on the same
// inputs: the κ and v the reduced system computes on its own must equal
// the projections of the network's states.
func TestLatentMatchesNetwork(t *testing.T) {
	t.Parallel()
	const n, r, in, steps, batch = 30, 2, 3, 25, 4
	rng := rand.New(rand.NewPCG(3, 3))
	l, err := NewLayer[float64]("lowrank", LayerConfig{Inputs: in, Hidden: n, Rank: r, Alpha: 0.2,
		Activation: layers.Tanh, Rates: RatesState}, rng)
	if err != nil {
		t.Fatal(err)
	}
	for j := range n {
		l.H0.Value.Data[j] = 0.5 * rng.NormFloat64()
		l.B.Value.Data[j] = 0.1 * rng.NormFloat64()
	}
	for i := range l.N.Value.Data {
		l.N.Value.Data[i] += 1.5 * l.M.Value.Data[i] // recurrent dynamics worth the name
	}
	u := make([]float64, steps*batch*in)
	for i := range u {
		u[i] = rng.NormFloat64()
	}
	tp := autodiff.NewTape[float64]()
	hs, _ := l.Run(tp, tp.Const(autodiff.FromSlice(steps*batch, in, u)), l.InitialState(tp), steps, batch, layers.SeqOptions{})
	z, err := NewLatent(l)
	if err != nil {
		t.Fatal(err)
	}
	want, wantV, err := z.ProjectStates(hs.Value.Data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := z.Simulate(u, steps, batch, l.H0.Value.Data)
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-9 // float64 both ways; differences are rounding only
	var spread float64
	for i := range want {
		if d := math.Abs(got.Kappa[i] - want[i]); d > tol*(1+math.Abs(want[i])) {
			t.Fatalf("κ at row %d, rank %d: got %v, want %v (projection of the network's state)", i/r, i%r, got.Kappa[i], want[i])
		}
		spread = max(spread, math.Abs(want[i]))
	}
	for i := range wantV {
		if d := math.Abs(got.V[i] - wantV[i]); d > tol*(1+math.Abs(wantV[i])) {
			t.Fatalf("v at row %d, input %d: got %v, want %v", i/in, i%in, got.V[i], wantV[i])
		}
	}
	if spread < 0.1 {
		t.Fatalf("κ stays within %g: the test network has no latent dynamics to compare", spread)
	}
}
