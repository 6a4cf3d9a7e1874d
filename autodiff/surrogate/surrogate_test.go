package surrogate_test

import (
	"math"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff/surrogate"
)

// xs avoids the kinks of the surrogates (0 for FastSigmoid and Triangle,
// ±1/ε for Triangle), where a finite difference of the smooth forward
// would pick up an O(h·k) error.
var xs = []float64{-1.7, -0.93, -0.41, -0.12, -0.013, 0.021, 0.08, 0.37, 0.66, 1.45}

func gauss(x, mu, sigma float64) float64 {
	return 1 / (sigma * math.Sqrt(2*math.Pi)) * math.Exp(-0.5*math.Pow((x-mu)/sigma, 2))
}

// cdf is the normal distribution function of N(mu, sigma²).
func cdf(x, mu, sigma float64) float64 { return 0.5 * math.Erfc(-(x-mu)/(sigma*math.Sqrt2)) }

func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// row checks one surrogate: Deriv against the formula of the library code it
// follows (snnTorch surrogate.py, Norse functional/superspike.py,
// SpikingJelly activation_based/surrogate.py, EvNN lib/inline_ops.h, sFPTT
// snn_models_LIF4_save4.py; see each type), written out independently here,
// and against a central finite difference of a smooth forward whose
// derivative the surrogate is.
type row struct {
	name    string
	s       surrogate.Surrogate
	formula func(x float64) float64
	forward func(x float64) float64 // antiderivative of formula
	str     string
}

func rows() []row {
	return []row{
		{"FastSigmoid/default", surrogate.FastSigmoid{},
			func(x float64) float64 { return math.Pow(1+25*math.Abs(x), -2) },
			func(x float64) float64 { return x / (1 + 25*math.Abs(x)) }, // snnTorch's fast sigmoid
			"FastSigmoid(k=25)"},
		{"FastSigmoid/norse", surrogate.FastSigmoid{Slope: 100},
			func(x float64) float64 { return math.Pow(1+100*math.Abs(x), -2) },
			func(x float64) float64 { return x / (1 + 100*math.Abs(x)) },
			"FastSigmoid(k=100)"},
		{"ArcTan/default", surrogate.ArcTan{},
			func(x float64) float64 { return (2.0 / 2) / (1 + math.Pow(math.Pi*2*x/2, 2)) },
			func(x float64) float64 { return 0.5 + math.Atan(math.Pi*2*x/2)/math.Pi },
			"ArcTan(alpha=2)"},
		{"ArcTan/alpha=5", surrogate.ArcTan{Alpha: 5},
			func(x float64) float64 { return (5.0 / 2) / (1 + math.Pow(math.Pi*5*x/2, 2)) },
			func(x float64) float64 { return 0.5 + math.Atan(math.Pi*5*x/2)/math.Pi },
			"ArcTan(alpha=5)"},
		{"Sigmoid/default", surrogate.Sigmoid{},
			func(x float64) float64 { return 4 * logistic(4*x) * (1 - logistic(4*x)) },
			func(x float64) float64 { return logistic(4 * x) },
			"Sigmoid(alpha=4)"},
		{"Sigmoid/snntorch", surrogate.Sigmoid{Alpha: 25},
			func(x float64) float64 { return 25 * logistic(25*x) * (1 - logistic(25*x)) },
			func(x float64) float64 { return logistic(25 * x) },
			"Sigmoid(alpha=25)"},
		{"Triangle/default", surrogate.Triangle{},
			func(x float64) float64 { return 0.7 * math.Max(0, 1-1.0*math.Abs(x)) },
			func(x float64) float64 { return triangleForward(x, 0.7, 1) },
			"Triangle(gamma=0.7, eps=1)"},
		{"Triangle/gamma=0.3,eps=2", surrogate.Triangle{Gamma: 0.3, Eps: 2},
			func(x float64) float64 { return 0.3 * math.Max(0, 1-2*math.Abs(x)) },
			func(x float64) float64 { return triangleForward(x, 0.3, 2) },
			"Triangle(gamma=0.3, eps=2)"},
		{"MultiGaussian/default", surrogate.MultiGaussian{},
			func(x float64) float64 {
				return 0.5 * ((1+0.15)*gauss(x, 0, 0.3) - 0.15*gauss(x, 0.3, 6*0.3) - 0.15*gauss(x, -0.3, 6*0.3))
			},
			func(x float64) float64 {
				return 0.5 * ((1+0.15)*cdf(x, 0, 0.3) - 0.15*cdf(x, 0.3, 1.8) - 0.15*cdf(x, -0.3, 1.8))
			},
			"MultiGaussian(width=0.3, height=0.15, scale=6, gamma=0.5)"},
	}
}

// triangleForward integrates γ·max(0, 1−ε|x|) from 0: γ(x − εx|x|/2) inside
// the support, ±γ/(2ε) outside.
func triangleForward(x, g, eps float64) float64 {
	if math.Abs(x) >= 1/eps {
		return math.Copysign(g/(2*eps), x)
	}
	return g * (x - eps*x*math.Abs(x)/2)
}

func TestDerivMatchesFormulaAndForward(t *testing.T) {
	const h = 1e-6
	for _, r := range rows() {
		if got := r.s.String(); got != r.str {
			t.Errorf("%s: String() = %q, want %q", r.name, got, r.str)
		}
		for _, x := range xs {
			got, want := r.s.Deriv(x), r.formula(x)
			if math.Abs(got-want) > 1e-14*math.Max(1, math.Abs(want)) {
				t.Errorf("%s: Deriv(%g) = %.17g, formula gives %.17g", r.name, x, got, want)
			}
			fd := (r.forward(x+h) - r.forward(x-h)) / (2 * h)
			// Central difference of a smooth forward: error O(h²·f''') + O(ε/h) ≈ 1e-9
			// for the steepest surrogate here (k=100).
			if math.Abs(got-fd) > 1e-6*math.Abs(fd)+1e-8 {
				t.Errorf("%s: Deriv(%g) = %.12g, finite difference of the forward gives %.12g", r.name, x, got, fd)
			}
		}
	}
}

// TestDefaults checks that zero values mean the documented defaults and the
// peaks at threshold that follow from them.
func TestDefaults(t *testing.T) {
	same := []struct {
		zero, explicit surrogate.Surrogate
	}{
		{surrogate.FastSigmoid{}, surrogate.FastSigmoid{Slope: 25}},
		{surrogate.ArcTan{}, surrogate.ArcTan{Alpha: 2}},
		{surrogate.Sigmoid{}, surrogate.Sigmoid{Alpha: 4}},
		{surrogate.Triangle{}, surrogate.Triangle{Gamma: 0.7, Eps: 1}},
		{surrogate.MultiGaussian{}, surrogate.MultiGaussian{Width: 0.3, Height: 0.15, Scale: 6, Gamma: 0.5}},
	}
	for _, s := range same {
		for _, x := range xs {
			if a, b := s.zero.Deriv(x), s.explicit.Deriv(x); a != b {
				t.Errorf("%v: zero value gives %g at %g, explicit defaults %g", s.zero, a, x, b)
			}
		}
	}
	// Peaks at x = 0: FastSigmoid 1, ArcTan α/2 = 1, Sigmoid α/4 = 1, Triangle γ.
	for _, p := range []struct {
		s    surrogate.Surrogate
		want float64
	}{{surrogate.FastSigmoid{}, 1}, {surrogate.ArcTan{}, 1}, {surrogate.Sigmoid{}, 1}, {surrogate.Triangle{}, 0.7}} {
		if got := p.s.Deriv(0); math.Abs(got-p.want) > 1e-15 {
			t.Errorf("%v: Deriv(0) = %g, want %g", p.s, got, p.want)
		}
	}
	// Sigmoid must not overflow far from threshold.
	if d := (surrogate.Sigmoid{Alpha: 25}).Deriv(-1000); d != 0 || math.IsNaN(d) {
		t.Errorf("Sigmoid(alpha=25).Deriv(-1000) = %g, want 0", d)
	}
}

// custom is a surrogate GradTo does not know: it takes the interface path.
type custom struct{}

func (custom) Deriv(x float64) float64 { return math.Exp(-x * x) }
func (custom) String() string          { return "custom" }

func TestGradToMatchesDeriv(t *testing.T) {
	all := []surrogate.Surrogate{surrogate.FastSigmoid{}, surrogate.ArcTan{}, surrogate.Sigmoid{},
		surrogate.Triangle{}, surrogate.MultiGaussian{}, custom{}}
	for _, s := range all {
		g := make([]float64, len(xs))
		dst := make([]float64, len(xs))
		g32, x32, dst32 := make([]float32, len(xs)), make([]float32, len(xs)), make([]float32, len(xs))
		for i := range xs {
			g[i] = float64(i) - 2.5
			dst[i] = 0.5
			g32[i], x32[i], dst32[i] = float32(g[i]), float32(xs[i]), 0.5
		}
		surrogate.GradTo(s, dst, g, xs)
		surrogate.GradTo(s, dst32, g32, x32)
		for i, x := range xs {
			want := 0.5 + g[i]*s.Deriv(x)
			if dst[i] != want {
				t.Errorf("%v: GradTo float64 [%d] = %g, want %g", s, i, dst[i], want)
			}
			want32 := 0.5 + g[i]*s.Deriv(float64(x32[i]))
			if math.Abs(float64(dst32[i])-want32) > 1e-6*math.Max(1, math.Abs(want32)) {
				t.Errorf("%v: GradTo float32 [%d] = %g, want %g", s, i, dst32[i], want32)
			}
		}
	}
}

func BenchmarkGradTo(b *testing.B) {
	x := make([]float32, 4096)
	g := make([]float32, len(x))
	dst := make([]float32, len(x))
	for i := range x {
		x[i], g[i] = float32(i%200-100)/50, 1
	}
	for _, s := range []surrogate.Surrogate{surrogate.FastSigmoid{}, surrogate.ArcTan{}, surrogate.MultiGaussian{}} {
		b.Run(s.String(), func(b *testing.B) {
			for b.Loop() {
				surrogate.GradTo(s, dst, g, x)
			}
		})
	}
}

// TestParse checks that Parse reads what String writes, and rejects bad
// text with a message naming it.
func TestParse(t *testing.T) {
	for _, r := range rows() {
		s, err := surrogate.Parse(r.s.String())
		if err != nil {
			t.Errorf("Parse(%q): %v", r.s.String(), err)
			continue
		}
		if s.String() != r.s.String() {
			t.Errorf("Parse(%q) = %v, want %v", r.s.String(), s, r.s)
		}
		for _, x := range xs {
			if s.Deriv(x) != r.s.Deriv(x) {
				t.Errorf("Parse(%q).Deriv(%g) = %g, want %g", r.s.String(), x, s.Deriv(x), r.s.Deriv(x))
			}
		}
		if _, isValue := s.(surrogate.ArcTan); r.name == "ArcTan/default" && !isValue {
			t.Errorf("Parse(%q) returned %T, want the value type surrogate.ArcTan", r.s.String(), s)
		}
	}
	for text, want := range map[string]surrogate.Surrogate{
		"FastSigmoid":                  surrogate.FastSigmoid{},
		" Triangle( eps = 2 ) ":        surrogate.Triangle{Eps: 2},
		"MultiGaussian(gamma=1)":       surrogate.MultiGaussian{Gamma: 1},
		"Sigmoid(alpha=25)":            surrogate.Sigmoid{Alpha: 25},
		"ArcTan()":                     surrogate.ArcTan{},
		"FastSigmoid(k=100)":           surrogate.FastSigmoid{Slope: 100},
		"Triangle(gamma=0.3, eps=1.0)": surrogate.Triangle{Gamma: 0.3, Eps: 1},
		// Any case, '_' or '-', and snnTorch's names.
		"arctan":             surrogate.ArcTan{},
		"atan(alpha=3)":      surrogate.ArcTan{Alpha: 3},
		"fast_sigmoid(k=25)": surrogate.FastSigmoid{Slope: 25},
		"fast-sigmoid":       surrogate.FastSigmoid{},
		"SIGMOID":            surrogate.Sigmoid{},
		"triangular":         surrogate.Triangle{},
		"multigaussian":      surrogate.MultiGaussian{},
	} {
		if got, err := surrogate.Parse(text); err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", text, got, err, want)
		}
	}
	for _, text := range []string{"Heaviside", "arctn", "ArcTan(alpha=2", "ArcTan(beta=2)", "atan(k=2)", "ArcTan(alpha=-1)",
		"ArcTan(alpha=x)", "Triangle(gamma=1, gamma=2)", "FastSigmoid(k)",
		// Infinite parameters parse as floats but make every gradient NaN.
		"Triangle(gamma=Inf)", "FastSigmoid(k=+inf)", "MultiGaussian(scale=Infinity)", "ArcTan(alpha=NaN)",
		// Finite float64 values that float32 makes +Inf or 0.
		"ArcTan(alpha=1e39)", "Triangle(gamma=1e39)", "MultiGaussian(height=1e-300)", "Sigmoid(alpha=1e-46)",
		// Parameters inside float32's range whose peak derivative is not.
		"MultiGaussian(width=1e-40)", "MultiGaussian(width=1e-38, height=1e30)"} {
		if _, err := surrogate.Parse(text); err == nil || !strings.Contains(err.Error(), text) {
			t.Errorf("Parse(%q): got error %v, want one naming the text", text, err)
		}
	}
}

// TestParseNamesBeforeValues: a parameter the surrogate does not have,
// or a name no surrogate has, is reported as such whatever its value, not
// as a bad value of a parameter that does not exist.
func TestParseNamesBeforeValues(t *testing.T) {
	for text, want := range map[string]string{
		"Triangular(width=0)":   `unknown parameter "width" for Triangle (want gamma, eps)`,
		"ArcTan(k=)":            `unknown parameter "k" for ArcTan (want alpha)`,
		"FastSigmoid(alpha=-1)": `unknown parameter "alpha" for FastSigmoid (want k)`,
		"heaviside(k=-1)":       `unknown name "heaviside"`,
		"ArcTan(alpha=)":        `parameter alpha="" is not a finite positive number`,
		// An empty parameter is no parameter written twice by mistake.
		"ArcTan(,)":          `empty parameter before ","`,
		"ArcTan(alpha=2,)":   `empty parameter after ","`,
		"Triangle(,gamma=1)": `empty parameter before ","`,
		// Only decimal numbers: no Go digit separators or hex floats.
		"ArcTan(alpha=1_0)":      `parameter alpha="1_0" is not a decimal number (digits, a point and an exponent: 10, 0.5, 2e3)`,
		"ArcTan(alpha=0x1p4)":    `parameter alpha="0x1p4" is not a decimal number`,
		"FastSigmoid(k=0x_1p4)":  `parameter k="0x_1p4" is not a decimal number`,
		"FastSigmoid(k=25.0e+0)": "",
	} {
		if want == "" {
			if _, err := surrogate.Parse(text); err != nil {
				t.Errorf("Parse(%q): %v", text, err)
			}
			continue
		}
		if _, err := surrogate.Parse(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q): got error %v, want one saying %s", text, err, want)
		}
	}
}

// FuzzParse feeds Parse arbitrary text: it never panics, and what it
// accepts prints (String) as text that parses to the same surrogate, its
// derivative at 0 a finite float32.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"ArcTan(alpha=2)", "FastSigmoid", "fast_sigmoid(k=25)", "Triangle(gamma=0.7, eps=1)",
		"MultiGaussian(width=0.3, height=0.15, scale=6, gamma=0.5)", "Sigmoid(alpha=1e39)", "atan(alpha=1e-46)", "ArcTan(", "x(=)", "Triangle(gamma=1,gamma=2)", "MultiGaussian(width=1e-40)",
		"ArcTan(,)", "ArcTan(alpha=2,)", "ArcTan(alpha=1_0)", "ArcTan(alpha=0x1p4)", "FastSigmoid(k=.5)", "FastSigmoid(k=5.)", "FastSigmoid(k=+5e-1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := surrogate.Parse(text)
		if err != nil {
			return
		}
		// What it accepts has no empty parameter and only decimal numbers.
		if _, args, ok := strings.Cut(text, "("); ok {
			for arg := range strings.SplitSeq(strings.TrimSuffix(strings.TrimSpace(args), ")"), ",") {
				_, val, _ := strings.Cut(arg, "=")
				if strings.TrimSpace(args) != ")" && strings.TrimSpace(arg) == "" || strings.ContainsAny(val, "_xXpP") {
					t.Fatalf("Parse(%q) = %v: accepts parameter %q", text, s, arg)
				}
			}
		}
		again, err := surrogate.Parse(s.String())
		if err != nil || again.String() != s.String() {
			t.Fatalf("Parse(%q) = %v, whose text parses to %v, %v", text, s, again, err)
		}
		if d := float32(s.Deriv(0)); math.IsNaN(float64(d)) || math.IsInf(float64(d), 0) || d < 0 {
			t.Fatalf("Parse(%q) = %v: derivative at 0 is %v in float32", text, s, d)
		}
	})
}
