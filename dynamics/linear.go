package dynamics

import (
	"cmp"
	"fmt"
	"math"
	"math/cmplx"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// Class is the stability class of a fixed point of a discrete-time map,
// from the moduli of its Jacobian's eigenvalues.
type Class int

const (
	// Stable: every |λ| < 1 − TolMarginal.
	Stable Class = iota
	// Marginal: no unstable mode and at least one |λ| within TolMarginal
	// of 1 (a point of an approximate line or ring attractor).
	Marginal
	// Saddle: some modes unstable (|λ| > 1 + TolMarginal), others not.
	Saddle
	// Unstable: every mode unstable.
	Unstable
)

func (c Class) String() string {
	switch c {
	case Stable:
		return "stable"
	case Marginal:
		return "marginal"
	case Saddle:
		return "saddle"
	case Unstable:
		return "unstable"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// MarshalText implements encoding.TextMarshaler.
func (c Class) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Class) UnmarshalText(b []byte) error {
	for _, v := range []Class{Stable, Marginal, Saddle, Unstable} {
		if v.String() == string(b) {
			*c = v
			return nil
		}
	}
	return fmt.Errorf("unknown fixed-point class %q (valid: stable, marginal, saddle, unstable)", b)
}

// Point is one fixed or slow point with its linearisation.
type Point struct {
	// State is s*, [N]; Q is q(s*); Init the index of the initial state
	// it was found from.
	State []float64
	Q     float64
	Init  int
	// Fixed is q < Options.TolQ: a fixed point; false marks a slow point,
	// where the search stopped by TolDQ or MaxIters (Find sets it).
	Fixed bool
	// Jacobian is ∂F/∂s at s* [N·N], InputJacobian ∂F/∂u [N·inputs], both
	// row-major.
	Jacobian, InputJacobian []float64
	// Eigenvalues of Jacobian [N], by decreasing modulus; Right and Left
	// the matching right and left eigenvectors [N·N], column k for
	// eigenvalue k (row-major: Right[i·N+k] is component i of vector k),
	// each of unit norm.
	Eigenvalues []complex128
	Right, Left []complex128
	// Class and the numbers of unstable and marginal modes (see Class).
	Class              Class
	Unstable, Marginal int
}

// Linearise returns the point state (the primary state s*, [N]) with its
// Jacobians at the input u, their eigendecomposition and its class, with
// tolMarginal the band around modulus 1 of a marginal mode. Q, Init and
// Fixed are left zero. It returns an error if the eigendecomposition fails and
// panics if the lengths do not fit sm.
func Linearise[T autodiff.Float](sm layers.StepMap[T], state, u []float64, tolMarginal float64) (Point, error) {
	n, in := len(state), len(u)
	p := Point{State: slices.Clone(state), Jacobian: make([]float64, n*n), InputJacobian: make([]float64, n*in)}
	sm.Jacobians(p.Jacobian, p.InputJacobian, state, u)
	var e mat.Eigen
	if !e.Factorize(mat.NewDense(n, n, slices.Clone(p.Jacobian)), mat.EigenBoth) {
		return p, fmt.Errorf("dynamics: the eigendecomposition of the Jacobian did not converge")
	}
	vals := e.Values(nil)
	var right, left mat.CDense
	e.VectorsTo(&right)
	e.LeftVectorsTo(&left)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(cmplx.Abs(vals[b]), cmplx.Abs(vals[a])) })
	p.Eigenvalues = make([]complex128, n)
	p.Right, p.Left = make([]complex128, n*n), make([]complex128, n*n)
	for k, src := range order {
		p.Eigenvalues[k] = vals[src]
		for _, c := range []struct {
			dst []complex128
			m   *mat.CDense
		}{{p.Right, &right}, {p.Left, &left}} {
			norm := 0.0
			for i := range n {
				norm += cmplx.Abs(c.m.At(i, src)) * cmplx.Abs(c.m.At(i, src))
			}
			norm = math.Sqrt(norm)
			if norm == 0 {
				norm = 1
			}
			for i := range n {
				c.dst[i*n+k] = c.m.At(i, src) / complex(norm, 0)
			}
		}
	}
	p.classify(tolMarginal)
	return p, nil
}

// classify sets Class, Unstable and Marginal from the eigenvalues.
func (p *Point) classify(tol float64) {
	p.Unstable, p.Marginal = 0, 0
	for _, l := range p.Eigenvalues {
		switch a := cmplx.Abs(l); {
		case a > 1+tol:
			p.Unstable++
		case a >= 1-tol:
			p.Marginal++
		}
	}
	switch {
	case p.Unstable == len(p.Eigenvalues) && p.Unstable > 0:
		p.Class = Unstable
	case p.Unstable > 0:
		p.Class = Saddle
	case p.Marginal > 0:
		p.Class = Marginal
	default:
		p.Class = Stable
	}
}

// SlowMode returns the index of the eigenvalue nearest to 1 in the complex
// plane: the mode along which the map barely moves (a line attractor's
// direction, λ ≈ 1), which need not be the mode of largest modulus (an
// oscillation can have a larger |λ|). It returns −1 if there are none.
func (p *Point) SlowMode() int {
	best, k := math.Inf(1), -1
	for i, l := range p.Eigenvalues {
		if d := cmplx.Abs(l - 1); d < best {
			best, k = d, i
		}
	}
	return k
}

// Mode returns the real parts of the right and left eigenvectors of
// eigenvalue k (0 is the slowest mode, of the largest modulus), each
// scaled to unit norm, [N]. It panics if k is out of range.
func (p *Point) Mode(k int) (right, left []float64) {
	n := len(p.State)
	right, left = make([]float64, n), make([]float64, n)
	for i := range n {
		right[i], left[i] = real(p.Right[i*n+k]), real(p.Left[i*n+k])
	}
	return unit(right), unit(left)
}

// InputDirection returns column k of ∂F/∂u [N]: the direction in which
// input k moves the state in one step.
func (p *Point) InputDirection(k int) []float64 {
	n := len(p.State)
	in := len(p.InputJacobian) / n
	d := make([]float64, n)
	for i := range n {
		d[i] = p.InputJacobian[i*in+k]
	}
	return d
}

// AbsCos returns |cos θ| between a and b (0 if either is zero). It panics
// if the lengths differ.
func AbsCos(a, b []float64) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("dynamics: AbsCos lengths %d, %d", len(a), len(b)))
	}
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return math.Abs(ab) / math.Sqrt(aa*bb)
}

func unit(v []float64) []float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	if s > 0 {
		s = math.Sqrt(s)
		for i := range v {
			v[i] /= s
		}
	}
	return v
}
