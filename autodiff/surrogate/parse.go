package surrogate

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/rnntrain/rnntrain/internal/enum"
)

// Parse returns the surrogate written in the form String produces, such as
// "ArcTan(alpha=2)" or "Triangle(gamma=0.7, eps=1)", so that configs can
// store a surrogate as text. A bare name ("FastSigmoid") or omitted
// parameters mean the defaults. Parameter names are k (FastSigmoid), alpha
// (ArcTan, Sigmoid), gamma and eps (Triangle), and width, height, scale and
// gamma (MultiGaussian). Names are read without regard to case, '_' or '-',
// and snnTorch's names of the same functions are accepted too (atan,
// fast_sigmoid, sigmoid, triangular): "arctan", "fast_sigmoid(k=25)".
//
// It returns an error naming the text and what was expected for an unknown
// name, an unknown, repeated or empty parameter ("ArcTan(,)",
// "ArcTan(alpha=2,)"), a value that is not a finite positive number in
// decimal notation (not Go's 1_0 or 0x1p4) that float32 holds (a float32
// network would see +Inf or 0), or parameters that make the derivative at
// 0 overflow float32.
func Parse(text string) (Surrogate, error) {
	name, args, hasArgs := strings.Cut(strings.TrimSpace(text), "(")
	name = strings.TrimSpace(name)
	if hasArgs {
		var ok bool
		if args, ok = strings.CutSuffix(strings.TrimSpace(args), ")"); !ok {
			return nil, fmt.Errorf("surrogate %q: missing closing parenthesis", text)
		}
	}
	canonical := canonicalName(name)
	allowed := parameterNames(canonical)
	if allowed == nil {
		hint := enum.Hint(name, []string{"FastSigmoid", "ArcTan", "Sigmoid", "Triangle", "MultiGaussian"})
		return nil, fmt.Errorf("surrogate %q: unknown name %q (want FastSigmoid, ArcTan, Sigmoid, Triangle or MultiGaussian)%s", text, name, hint)
	}
	p := map[string]float64{}
	list := strings.Split(args, ",")
	for i, arg := range list {
		if strings.TrimSpace(arg) == "" {
			switch {
			case len(list) == 1: // "ArcTan()": the defaults
			case i < len(list)-1:
				return nil, fmt.Errorf("surrogate %q: empty parameter before \",\" (want name=value, separated by commas)", text)
			default:
				return nil, fmt.Errorf("surrogate %q: empty parameter after \",\" (want name=value, separated by commas)", text)
			}
			continue
		}
		key, val, ok := strings.Cut(arg, "=")
		key = strings.TrimSpace(key)
		if _, dup := p[key]; !ok || dup {
			return nil, fmt.Errorf("surrogate %q: bad parameter %q (want name=value, each name at most once)", text, strings.TrimSpace(arg))
		}
		if !slices.Contains(allowed, key) {
			return nil, fmt.Errorf("surrogate %q: unknown parameter %q for %s (want %s)", text, key, canonical, strings.Join(allowed, ", "))
		}
		val = strings.TrimSpace(val)
		f, err := strconv.ParseFloat(val, 64)
		if err != nil || !(f > 0) || math.IsInf(f, 1) {
			return nil, fmt.Errorf("surrogate %q: parameter %s=%q is not a finite positive number", text, key, val)
		}
		if !decimal(val) {
			return nil, fmt.Errorf("surrogate %q: parameter %s=%q is not a decimal number (digits, a point and an exponent: 10, 0.5, 2e3)", text, key, val)
		}
		if f > math.MaxFloat32 || float32(f) == 0 {
			// float32 kernels would see +Inf (NaN gradients) or 0 (none).
			return nil, fmt.Errorf("surrogate %q: parameter %s=%q is beyond the range of float32 (1.4e-45 … 3.4e38), in which networks compute", text, key, val)
		}
		p[key] = f
	}
	var s Surrogate
	switch canonical {
	case "FastSigmoid":
		s = FastSigmoid{Slope: p["k"]}
	case "ArcTan":
		s = ArcTan{Alpha: p["alpha"]}
	case "Sigmoid":
		s = Sigmoid{Alpha: p["alpha"]}
	case "Triangle":
		s = Triangle{Gamma: p["gamma"], Eps: p["eps"]}
	case "MultiGaussian":
		s = MultiGaussian{Width: p["width"], Height: p["height"], Scale: p["scale"], Gamma: p["gamma"]}
	}
	// Each surrogate peaks at 0; a narrow MultiGaussian's peak, 1/width,
	// can pass float32's range when each parameter is inside it.
	if d := s.Deriv(0); !(d <= math.MaxFloat32) {
		return nil, fmt.Errorf("surrogate %q: its derivative at 0, %.3g, is beyond the range of float32 (3.4e38), in which networks compute", text, d)
	}
	return s, nil
}

// decimal reports whether s is a number in decimal notation, as String
// writes one: an optional sign, digits with at most one point, and an
// optional exponent; not the digit separators (1_0) or hexadecimal (0x1p4)
// that strconv.ParseFloat also reads.
func decimal(s string) bool {
	digits := func(d string) bool { return strings.Trim(d, "0123456789") == "" }
	mant, exp, hasExp := strings.Cut(strings.ToLower(strings.TrimLeft(s, "+-")), "e")
	whole, frac, _ := strings.Cut(mant, ".")
	return digits(whole) && digits(frac) && whole+frac != "" &&
		(!hasExp || digits(strings.TrimLeft(exp, "+-")) && strings.TrimLeft(exp, "+-") != "")
}

// parameterNames returns the parameters of the surrogate String names
// canonical, nil if there is none of that name.
func parameterNames(canonical string) []string {
	switch canonical {
	case "FastSigmoid":
		return []string{"k"}
	case "ArcTan", "Sigmoid":
		return []string{"alpha"}
	case "Triangle":
		return []string{"gamma", "eps"}
	case "MultiGaussian":
		return []string{"width", "height", "scale", "gamma"}
	}
	return nil
}

// canonicalName returns the name that String writes for name, matched
// without regard to case, '_' or '-', or for snnTorch's name of the same
// function; name itself when it matches none.
func canonicalName(name string) string {
	key := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(name))
	switch key {
	case "fastsigmoid":
		return "FastSigmoid"
	case "arctan", "atan":
		return "ArcTan"
	case "sigmoid":
		return "Sigmoid"
	case "triangle", "triangular":
		return "Triangle"
	case "multigaussian":
		return "MultiGaussian"
	}
	return name
}
