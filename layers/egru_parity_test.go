package layers_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// egruParityCase is one case of testdata/egru_parity.json, written by
// scripts/egru_parity.py from a PyTorch EGRU built from the same equations
// (float64, autograd with EvNN's pseudo-derivative).
type egruParityCase struct {
	Name                         string
	Inputs, Hidden, Steps, Batch int
	Gamma, Eps                   float64
	Trace                        bool
	ActivityReg                  float64 `json:"activity_reg"`
	ActivityTarget               float64 `json:"activity_target"`
	X, C0, Proj                  []float64
	Params                       map[string][]float64
	Rates                        []float64
	FinalC                       []float64 `json:"final_c"`
	Loss, Activity               float64
	GradX                        []float64 `json:"grad_x"`
	GradC0                       []float64 `json:"grad_c0"`
	Grads                        map[string][]float64
}

// runParity runs one case through the Go EGRU in precision T and returns
// rates, final c, loss, activity and the gradients by name (x, c0 and the
// parameters without their "egru." prefix).
func runParity[T autodiff.Float](t *testing.T, c egruParityCase) (rates, finalC []float64, loss, activity float64, grads map[string][]float64) {
	t.Helper()
	o := layers.DefaultEGRUOptions()
	o.Gamma, o.Eps, o.Trace, o.ActivityReg, o.ActivityTarget = c.Gamma, c.Eps, c.Trace, c.ActivityReg, c.ActivityTarget
	e := newEGRU[T](t, "egru", c.Inputs, c.Hidden, o, rand.New(rand.NewPCG(1, 1)))
	conv := func(s []float64, rows, cols int) autodiff.Tensor[T] {
		require.Len(t, s, rows*cols)
		v := autodiff.NewTensor[T](rows, cols)
		for i, f := range s {
			v.Data[i] = T(f)
		}
		return v
	}
	short := func(p *autodiff.Param[T]) string { return p.Name[len("egru."):] }
	for _, p := range e.Params() {
		p.Value = conv(c.Params[short(p)], p.Value.Rows, p.Value.Cols)
	}
	x := &autodiff.Param[T]{Name: "x", Value: conv(c.X, c.Steps*c.Batch, c.Inputs), Grad: autodiff.NewTensor[T](c.Steps*c.Batch, c.Inputs)}
	c0 := &autodiff.Param[T]{Name: "c0", Value: conv(c.C0, c.Batch, c.Hidden), Grad: autodiff.NewTensor[T](c.Batch, c.Hidden)}
	tp := autodiff.NewTape[T]()
	r := e.Run(tp, tp.Param(x), []*autodiff.Var[T]{tp.Param(c0)}, c.Steps, c.Batch, layers.SeqOptions{}, false)
	l := autodiff.Sum(autodiff.Mul(r.Rates, tp.Const(conv(c.Proj, c.Steps*c.Batch, c.Hidden))))
	tp.Backward(l)
	st, _ := e.Stats(r.Rates)
	f64 := func(s []T) []float64 {
		out := make([]float64, len(s))
		for i, v := range s {
			out[i] = float64(v)
		}
		return out
	}
	grads = map[string][]float64{"x": f64(x.Grad.Data), "c0": f64(c0.Grad.Data)}
	for _, p := range e.Params() {
		grads[short(p)] = f64(p.Grad.Data)
	}
	return f64(r.Rates.Value.Data), f64(r.Final[0].Data), float64(l.Value.Data[0]) + st.Penalty, st.Activity, grads
}

// TestEGRUMatchesPyTorch compares outputs and every gradient with the
// stored PyTorch values, in float64 (to 1e-9: the same expressions in
// another order) and in float32 (to float32 precision: each element within
// 2e-6·(1 + the largest magnitude of its array), about 20 float32
// roundings of the vector kernels' tanh and sigmoid over nine steps).
func TestEGRUMatchesPyTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/egru_parity.json")
	require.NoError(t, err)
	var file struct{ Cases []egruParityCase }
	require.NoError(t, json.Unmarshal(raw, &file))
	require.NotEmpty(t, file.Cases)
	for _, c := range file.Cases {
		want := map[string][]float64{"x": c.GradX, "c0": c.GradC0}
		for k, v := range c.Grads {
			want[k] = v
		}
		check := func(prec string, tol float64, rates, finalC []float64, loss, activity float64, grads map[string][]float64) {
			near := func(what string, got, w []float64) {
				require.Len(t, got, len(w), "%s %s %s", c.Name, prec, what)
				scale := 0.0
				for _, v := range w {
					scale = max(scale, math.Abs(v))
				}
				for i := range w {
					require.InDelta(t, w[i], got[i], tol*(1+scale), "%s %s %s[%d]", c.Name, prec, what, i)
				}
			}
			near("rates", rates, c.Rates)
			near("final c", finalC, c.FinalC)
			near("loss", []float64{loss}, []float64{c.Loss})
			require.Equal(t, c.Activity, activity, "%s %s activity", c.Name, prec)
			require.Len(t, grads, len(want))
			for k, w := range want {
				near("grad "+k, grads[k], w)
			}
		}
		r, f, l, a, g := runParity[float64](t, c)
		check("float64", 1e-9, r, f, l, a, g)
		r, f, l, a, g = runParity[float32](t, c)
		check("float32", 2e-6, r, f, l, a, g)
	}
}
