package layers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/rnntrain/rnntrain/internal/enum"
)

// Init selects how a recurrent weight matrix is initialised. Every
// initialiser takes a scale ρ (the spectral radius for Gaussian and
// orthogonal, the diagonal for identity).
type Init int

const (
	// InitGaussian draws W_ij ~ N(0, ρ²/N), whose eigenvalues fill the disc
	// of radius ρ for large N (circular law); PsychRNN's
	// GaussianSpectralRadius, Valente's full-rank W_rec. Under Dale's law it
	// draws |N(0, 1)| magnitudes, balances E and I columns and rescales the
	// bulk to radius ρ (see InitDaleTo).
	InitGaussian Init = iota
	// InitOrthogonal draws a uniformly random orthogonal Q (QR of a Gaussian
	// matrix with the sign of R's diagonal fixed) and sets W = ρ·Q, so every
	// eigenvalue has modulus ρ (Yang et al.'s randortho).
	InitOrthogonal
	// InitIdentity sets W = ρ·I (PsychRNN AlphaIdentity, Le et al. IRNN).
	InitIdentity
)

// initNames lists the initialisers' names, indexed by Init.
func initNames() []string {
	return []string{InitGaussian: "gaussian", InitOrthogonal: "orthogonal", InitIdentity: "identity"}
}

func (i Init) String() string { return enum.Name(initNames(), int(i), "Init") }

// ParseInit returns the initialiser named s (gaussian, orthogonal, identity).
func ParseInit(s string) (Init, error) {
	i, err := enum.Parse(initNames(), s, "initialiser")
	return Init(i), err
}

// MarshalText implements encoding.TextMarshaler. It returns an error for a
// value that is none of the constants.
func (i Init) MarshalText() ([]byte, error) {
	return enum.Text("layers", initNames(), int(i), "initialiser")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (i *Init) UnmarshalText(b []byte) error {
	v, err := ParseInit(string(b))
	if err != nil {
		return err
	}
	*i = v
	return nil
}

// InitTo fills the n×n row-major matrix w by init with scale rho, drawing
// from rng. It panics if len(w) != n·n.
func InitTo(init Init, w []float64, n int, rho float64, rng *rand.Rand) {
	if len(w) != n*n {
		panic(fmt.Sprintf("layers: InitTo needs %d×%d = %d elements, got %d", n, n, n*n, len(w)))
	}
	switch init {
	case InitGaussian:
		sd := rho / math.Sqrt(float64(n))
		for k := range w {
			w[k] = sd * rng.NormFloat64()
		}
	case InitOrthogonal:
		a := mat.NewDense(n, n, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				a.Set(i, j, rng.NormFloat64())
			}
		}
		var qr mat.QR
		qr.Factorize(a)
		var q, r mat.Dense
		qr.QTo(&q)
		qr.RTo(&r)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				s := 1.0
				if r.At(j, j) < 0 { // Mezzadri's fix: Haar-distributed Q
					s = -1
				}
				w[i*n+j] = rho * s * q.At(i, j)
			}
		}
	case InitIdentity:
		clear(w)
		for i := 0; i < n; i++ {
			w[i*n+i] = rho
		}
	default:
		panic(fmt.Sprintf("layers: unknown initialiser %d", int(init)))
	}
}

// InitDaleTo fills the raw n×n recurrent weight w for Dale's law with
// excitatory fraction f, so that the effective weight E = |W|·diag(s) has
// its bulk spectrum in the disc of radius rho and no outlier eigenvalue.
// Magnitudes are |N(0,1)|; the inhibitory columns of each row are scaled so
// that the row sums to zero exactly:
//
//	c_i = Σ_{j∈E} |W_ij| / Σ_{j∈I} |W_ij|   (≈ f/(1−f), PsychRNN's balance_dale_ratio)
//
// Balancing only in expectation, as PsychRNN does, leaves the rank-one mean
// of E interacting with the row fluctuations and produces an outlier;
// exact row balance removes it (Rajan & Abbott 2006, PRL 97:188104). The
// whole matrix is then rescaled so that the bulk radius
// √(N·(1−2/π)·(f + (1−f)c²)) becomes rho. When every unit is of one sign
// (f rounds to all or none of the n units) no row can balance, and E's
// spectral radius is its Perron root, about N·E[|W_ij|] rather than the
// bulk's: each row of |N(0,1)| magnitudes is then scaled to sum to rho,
// which makes the Perron root, and so the spectral radius, rho exactly. It
// panics unless 0 < f ≤ 1 and len(w) == n·n.
func InitDaleTo(w []float64, n int, f, rho float64, rng *rand.Rand) {
	if len(w) != n*n || !(f > 0 && f <= 1) {
		panic(fmt.Sprintf("layers: InitDaleTo needs %d elements and 0 < f ≤ 1, got %d and %g", n*n, len(w), f))
	}
	ne := NumExcitatory(n, f)
	if ne == 0 || ne == n {
		for i := 0; i < n; i++ {
			row := w[i*n : (i+1)*n]
			sum := 0.0
			for j := range row {
				row[j] = math.Abs(rng.NormFloat64())
				sum += row[j]
			}
			for j := range row {
				row[j] *= rho / sum
			}
		}
		return
	}
	fe := float64(ne) / float64(n)
	c := fe / (1 - fe)
	varAbs := 1 - 2/math.Pi // variance of |z|, z ~ N(0,1)
	s := rho / math.Sqrt(float64(n)*varAbs*(fe+(1-fe)*c*c))
	for i := 0; i < n; i++ {
		row := w[i*n : (i+1)*n]
		var se, si float64
		for j := range row {
			row[j] = math.Abs(rng.NormFloat64())
			if j < ne {
				se += row[j]
			} else {
				si += row[j]
			}
		}
		ci := se / si
		for j := range row {
			row[j] *= s
			if j >= ne {
				row[j] *= ci
			}
		}
	}
}
