package surrogate

import (
	"fmt"
	"math"
)

// A Surrogate supplies the pseudo-derivative dS/dx used in place of the
// Heaviside step's zero gradient, at distance to threshold x = U − ϑ.
// String names the surrogate and its effective parameters.
type Surrogate interface {
	Deriv(x float64) float64
	fmt.Stringer
}

// Compile-time checks that every surrogate satisfies the interface.
var (
	_ Surrogate = FastSigmoid{}
	_ Surrogate = ArcTan{}
	_ Surrogate = Sigmoid{}
	_ Surrogate = Triangle{}
	_ Surrogate = MultiGaussian{}
)

// orDefault returns v, or d when v is zero (the unset field of a zero value).
func orDefault(v, d float64) float64 {
	if v == 0 {
		return d
	}
	return v
}

// FastSigmoid is the SuperSpike surrogate (Zenke & Ganguli 2018), the
// derivative of the fast sigmoid x/(1+k|x|):
//
//	dS/dx = 1 / (1 + k|x|)²
//
// Slope k defaults to 25, snnTorch's FastSigmoid default (surrogate.py
// L142). Norse's SuperSpike uses the same shape with β = α = 100 (its LIF
// default, functional/superspike.py); set Slope: 100 to match it.
type FastSigmoid struct{ Slope float64 }

// DefaultFastSigmoidSlope is the slope k a zero FastSigmoid uses (snnTorch).
const DefaultFastSigmoidSlope = 25

// K returns the slope k in use: Slope, or DefaultFastSigmoidSlope when it
// is 0.
func (s FastSigmoid) K() float64 { return orDefault(s.Slope, DefaultFastSigmoidSlope) }

// Deriv returns 1/(1+k|x|)².
func (s FastSigmoid) Deriv(x float64) float64 {
	d := 1 + s.K()*math.Abs(x)
	return 1 / (d * d)
}

func (s FastSigmoid) String() string { return fmt.Sprintf("FastSigmoid(k=%g)", s.K()) }

// ArcTan is the arctangent surrogate, the derivative of the smooth step
// ½ + (1/π)·arctan(παx/2):
//
//	dS/dx = (α/2) / (1 + (παx/2)²)
//
// Alpha α defaults to 2, the default of snnTorch's ATan (snnTorch's default
// surrogate) and of SpikingJelly's ATan.
type ArcTan struct{ Alpha float64 }

// DefaultArcTanAlpha is the α a zero ArcTan uses (snnTorch, SpikingJelly).
const DefaultArcTanAlpha = 2

// A returns the α in use: Alpha, or DefaultArcTanAlpha when it is 0.
func (s ArcTan) A() float64 { return orDefault(s.Alpha, DefaultArcTanAlpha) }

// Deriv returns (α/2)/(1+(παx/2)²).
func (s ArcTan) Deriv(x float64) float64 {
	a := s.A()
	u := math.Pi * a * x / 2
	return (a / 2) / (1 + u*u)
}

func (s ArcTan) String() string { return fmt.Sprintf("ArcTan(alpha=%g)", s.A()) }

// Sigmoid is the logistic surrogate, the derivative of σ(αx):
//
//	dS/dx = α·σ(αx)·(1 − σ(αx))
//
// Alpha α defaults to 4, SpikingJelly's default surrogate (Sigmoid, α=4).
// snnTorch's Sigmoid uses k = 25; set Alpha: 25 to match it.
type Sigmoid struct{ Alpha float64 }

// DefaultSigmoidAlpha is the α a zero Sigmoid uses (SpikingJelly).
const DefaultSigmoidAlpha = 4

// Deriv returns α·σ(αx)·(1−σ(αx)).
func (s Sigmoid) Deriv(x float64) float64 {
	a := orDefault(s.Alpha, DefaultSigmoidAlpha)
	// σ(u)(1−σ(u)) = e^−|u| / (1+e^−|u|)², which never overflows.
	e := math.Exp(-math.Abs(a * x))
	return a * e / ((1 + e) * (1 + e))
}

func (s Sigmoid) String() string {
	return fmt.Sprintf("Sigmoid(alpha=%g)", orDefault(s.Alpha, DefaultSigmoidAlpha))
}

// Triangle is the piecewise-linear surrogate (Bellec et al.'s LSNN style):
//
//	dS/dx = γ·max(0, 1 − ε|x|)
//
// Gamma γ defaults to 0.7 and Eps ε to 1.0, EvNN's (EGRU) values. Norse's
// triangle uses γ = α = 0.3, ε = 1.
type Triangle struct{ Gamma, Eps float64 }

// Defaults a zero Triangle uses (EvNN).
const (
	DefaultTriangleGamma = 0.7
	DefaultTriangleEps   = 1.0
)

// Deriv returns γ·max(0, 1−ε|x|).
func (s Triangle) Deriv(x float64) float64 {
	return orDefault(s.Gamma, DefaultTriangleGamma) * max(0, 1-orDefault(s.Eps, DefaultTriangleEps)*math.Abs(x))
}

func (s Triangle) String() string {
	return fmt.Sprintf("Triangle(gamma=%g, eps=%g)", orDefault(s.Gamma, DefaultTriangleGamma), orDefault(s.Eps, DefaultTriangleEps))
}

// MultiGaussian is sFPTT's multi-Gaussian surrogate (Yin et al. 2021): a
// central Gaussian bump with two wide negative side lobes,
//
//	dS/dx = γ·[(1+h)·N(x; 0, l) − h·N(x; l, s·l) − h·N(x; −l, s·l)]
//
// where N(x; μ, σ) = exp(−(x−μ)²/(2σ²)) / (σ√(2π)) is the normal density.
// Defaults (sFPTT, snn_models_LIF4_save4.py L112-140): Width l = 0.3,
// Height h = 0.15, Scale s = 6, Gamma γ = 0.5. Because a zero field means
// its default, h cannot be set to exactly 0; use a tiny value instead.
type MultiGaussian struct{ Width, Height, Scale, Gamma float64 }

// Defaults a zero MultiGaussian uses (sFPTT).
const (
	DefaultMultiGaussianWidth  = 0.3
	DefaultMultiGaussianHeight = 0.15
	DefaultMultiGaussianScale  = 6
	DefaultMultiGaussianGamma  = 0.5
)

func (s MultiGaussian) params() (l, h, sc, g float64) {
	return orDefault(s.Width, DefaultMultiGaussianWidth), orDefault(s.Height, DefaultMultiGaussianHeight),
		orDefault(s.Scale, DefaultMultiGaussianScale), orDefault(s.Gamma, DefaultMultiGaussianGamma)
}

// Deriv returns γ·[(1+h)N(x;0,l) − hN(x;l,sl) − hN(x;−l,sl)].
func (s MultiGaussian) Deriv(x float64) float64 {
	l, h, sc, g := s.params()
	return g * ((1+h)*normal(x, 0, l) - h*normal(x, l, sc*l) - h*normal(x, -l, sc*l))
}

func (s MultiGaussian) String() string {
	l, h, sc, g := s.params()
	return fmt.Sprintf("MultiGaussian(width=%g, height=%g, scale=%g, gamma=%g)", l, h, sc, g)
}

// normal is the density of N(mu, sigma²) at x.
func normal(x, mu, sigma float64) float64 {
	u := (x - mu) / sigma
	return math.Exp(-u*u/2) / (sigma * math.Sqrt(2*math.Pi))
}

// GradTo accumulates dst[i] += g[i]·s.Deriv(x[i]): the reverse rule of a
// spike H(x) with upstream gradient g. It switches once on the concrete
// surrogate so the common types run in a loop without interface calls;
// other implementations go through the interface. It panics if the slices'
// lengths differ.
func GradTo[T ~float32 | ~float64](s Surrogate, dst, g, x []T) {
	if len(g) != len(dst) || len(x) != len(dst) {
		panic(fmt.Sprintf("surrogate: GradTo lengths differ: dst %d, g %d, x %d", len(dst), len(g), len(x)))
	}
	switch s := s.(type) {
	case FastSigmoid:
		for i, v := range x {
			dst[i] += g[i] * T(s.Deriv(float64(v)))
		}
	case ArcTan:
		for i, v := range x {
			dst[i] += g[i] * T(s.Deriv(float64(v)))
		}
	case Sigmoid:
		for i, v := range x {
			dst[i] += g[i] * T(s.Deriv(float64(v)))
		}
	case Triangle:
		for i, v := range x {
			dst[i] += g[i] * T(s.Deriv(float64(v)))
		}
	case MultiGaussian:
		for i, v := range x {
			dst[i] += g[i] * T(s.Deriv(float64(v)))
		}
	default:
		for i, v := range x {
			dst[i] += g[i] * T(s.Deriv(float64(v)))
		}
	}
}
