package dynamics

import (
	"gonum.org/v1/gonum/mat"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// polish refines the states x [K·N] in place with up to iters
// Levenberg–Marquardt steps each on the residual r(s) = F(s, u) − s:
// δ = −(AᵀA + μI)⁻¹Aᵀr with A = ∂F/∂s − I, accepted when q falls (μ ÷ 10)
// and refused otherwise (μ × 10). A point stops once q < tolQ. LM
// minimises q = ½‖r‖² like Adam, but converges quadratically at a fixed
// point and quickly at a slow point, where Adam's gradient steps crawl
// along the slow directions. It returns q at the final states.
func polish[T autodiff.Float](sm layers.StepMap[T], n int, x, u []float64, iters int, tolQ float64) []float64 {
	k, in := len(x)/n, len(u)
	r, q := residuals(sm, n, x, u)
	mu := make([]float64, k)
	for i := range mu {
		mu[i] = 1e-3
	}
	js, ju := make([]float64, n*n), make([]float64, n*in)
	var normal mat.Dense
	var chol mat.Cholesky
	grad, step := mat.NewVecDense(n, nil), mat.NewVecDense(n, nil)
	trial := make([]float64, len(x))
	for range iters {
		copy(trial, x)
		active := 0
		for i := range k {
			if !(q[i] >= tolQ) || mu[i] > 1e12 {
				continue
			}
			active++
			s := x[i*n : (i+1)*n]
			sm.Jacobians(js, ju, s, u)
			for j := range n {
				js[j*n+j]--
			}
			a := mat.NewDense(n, n, js)
			normal.Mul(a.T(), a)
			for j := range n {
				normal.Set(j, j, normal.At(j, j)+mu[i])
			}
			grad.MulVec(a.T(), mat.NewVecDense(n, r[i*n:(i+1)*n]))
			if !chol.Factorize(mat.NewSymDense(n, normal.RawMatrix().Data)) {
				mu[i] *= 10
				continue
			}
			if err := chol.SolveVecTo(step, grad); err != nil {
				mu[i] *= 10
				continue
			}
			for j := range n {
				trial[i*n+j] = s[j] - step.AtVec(j)
			}
		}
		if active == 0 {
			break
		}
		rt, qt := residuals(sm, n, trial, u)
		for i := range k {
			if !(q[i] >= tolQ) || mu[i] > 1e12 {
				continue
			}
			if qt[i] < q[i] {
				copy(x[i*n:(i+1)*n], trial[i*n:(i+1)*n])
				copy(r[i*n:(i+1)*n], rt[i*n:(i+1)*n])
				q[i], mu[i] = qt[i], mu[i]/10
			} else {
				mu[i] *= 10
			}
		}
	}
	return q
}

// residuals returns r = F(s, u) − s [K·N] and q = ½‖r‖² [K] at the states
// x [K·N], with one batched step of the layer.
func residuals[T autodiff.Float](sm layers.StepMap[T], n int, x, u []float64) (r, q []float64) {
	k, in := len(x)/n, len(u)
	tp := autodiff.NewTape[T]()
	xt, ut := autodiff.NewTensor[T](k, n), autodiff.NewTensor[T](k, in)
	for i, v := range x {
		xt.Data[i] = T(v)
	}
	for i := range k {
		for j, v := range u {
			ut.Data[i*in+j] = T(v)
		}
	}
	f := sm.Step(tp, tp.Const(xt), tp.Const(ut)).Value.Data
	r, q = make([]float64, k*n), make([]float64, k)
	for i := range k {
		for j := range n {
			e := float64(f[i*n+j]) - x[i*n+j]
			r[i*n+j] = e
			q[i] += e * e / 2
		}
	}
	return r, q
}
