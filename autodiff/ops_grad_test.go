package autodiff_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	ad "github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
)

type (
	tape = ad.Tape[float64]
	v64  = ad.Var[float64]
	t64  = ad.Tensor[float64]
)

// dist says how a gradient-check row draws its parameter values.
type dist int

const (
	normal   dist = iota // N(0, 1)
	positive             // |N(0,1)| + 0.5: inside Log's domain
	awayZero             // sign·(|N(0,1)| + 0.2): no kink or pole within 0.2 of any value
	wide                 // 8·N(0,1): exercises the overflow-safe paths (Softplus, Sigmoid, log-sum-exp)
)

func draw(rng *rand.Rand, d dist) float64 {
	x := rng.NormFloat64()
	switch d {
	case positive:
		return math.Abs(x) + 0.5
	case awayZero:
		return math.Copysign(math.Abs(x)+0.2, x)
	case wide:
		return 8 * x
	}
	return x
}

// pattern returns a fixed, non-uniform r×c tensor: the weights that reduce
// an op's output to a scalar. Summing with equal weights would hide
// transposed or permuted gradients.
func pattern(r, c int, phase float64) t64 {
	t := ad.NewTensor[float64](r, c)
	for k := range t.Data {
		t.Data[k] = math.Sin(1.3*float64(k)+phase) + 0.25
	}
	return t
}

// project reduces y to the scalar Σ y⊙W for a fixed pattern W.
func project(tp *tape, y *v64) *v64 {
	return ad.Sum(ad.Mul(y, tp.Const(pattern(y.Value.Rows, y.Value.Cols, 0.4))))
}

// mask01 returns an r×c 0/1 mask with roughly a third of the entries zero.
func mask01(r, c int) t64 {
	m := ad.NewTensor[float64](r, c)
	for k := range m.Data {
		if k%3 != 1 {
			m.Data[k] = 1
		}
	}
	return m
}

// softTarget returns r×c rows of probabilities (each row sums to one).
func softTarget(r, c int) t64 {
	t := pattern(r, c, 1.1)
	for i := range r {
		var s float64
		for j := range c {
			v := math.Exp(t.At(i, j))
			t.Set(i, j, v)
			s += v
		}
		for j := range c {
			t.Set(i, j, t.At(i, j)/s)
		}
	}
	return t
}

func oneHot(r, c int) t64 {
	t := ad.NewTensor[float64](r, c)
	for i := range r {
		t.Set(i, (i*7+2)%c, 1)
	}
	return t
}

// Tolerances, each with its reason.
var (
	tolSmooth = gradcheck.Tolerance{Rel: 1e-6, Abs: 1e-8,
		Why: "smooth op, float64, h=1e-6: central-difference error O(h²+ε/h) ≈ 1e-10"}
	tolKink = gradcheck.Tolerance{Rel: 1e-6, Abs: 1e-8,
		Why: "kink or pole kept ≥0.2 from every input, so ±h never crosses it: as smooth"}
	tolWide = gradcheck.Tolerance{Rel: 1e-5, Abs: 1e-7,
		Why: "inputs up to |x|≈25: rounding error ε·|L|/h grows with the loss's magnitude"}
)

// gradRow is one row of the conformance table: parameters of the given
// shapes drawn from d, and a loss built from them.
type gradRow struct {
	name   string
	shapes [][2]int
	d      dist
	loss   gradcheck.LossFunc
	tol    gradcheck.Tolerance
}

func unaryRow(name string, d dist, tol gradcheck.Tolerance, f func(*v64) *v64) gradRow {
	return gradRow{name, [][2]int{{4, 3}}, d, func(tp *tape, v []*v64) *v64 { return project(tp, f(v[0])) }, tol}
}

func gradTable() []gradRow {
	var rows []gradRow
	// MatMul: all four transpose cases; op(A) is 3×4, op(B) is 4×5.
	for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		ta, tb := tr[0], tr[1]
		sa, sb := [2]int{3, 4}, [2]int{4, 5}
		if ta {
			sa = [2]int{4, 3}
		}
		if tb {
			sb = [2]int{5, 4}
		}
		rows = append(rows, gradRow{fmt.Sprintf("MatMul/transA=%v,transB=%v", ta, tb), [][2]int{sa, sb}, normal,
			func(tp *tape, v []*v64) *v64 { return project(tp, ad.MatMul(v[0], ta, v[1], tb)) }, tolSmooth})
	}
	// Binary ops with every broadcasting form of the second operand.
	binops := []struct {
		name string
		f    func(a, b *v64) *v64
		d    dist
		tol  gradcheck.Tolerance
	}{
		{"Add", ad.Add[float64], normal, tolSmooth},
		{"Sub", ad.Sub[float64], normal, tolSmooth},
		{"Mul", ad.Mul[float64], normal, tolSmooth},
		{"Div", ad.Div[float64], awayZero, tolKink},
	}
	for _, op := range binops {
		for _, bs := range [][2]int{{4, 3}, {1, 3}, {4, 1}, {1, 1}} {
			rows = append(rows, gradRow{fmt.Sprintf("%s/b=%v", op.name, bs), [][2]int{{4, 3}, bs}, op.d,
				func(tp *tape, v []*v64) *v64 { return project(tp, op.f(v[0], v[1])) }, op.tol})
		}
		// Both operands the same variable: the two contributions must add up.
		rows = append(rows, gradRow{op.name + "/same-var", [][2]int{{4, 3}}, op.d,
			func(tp *tape, v []*v64) *v64 { return project(tp, op.f(v[0], v[0])) }, op.tol})
		// A constant second operand gets no gradient and must not break the first's.
		rows = append(rows, gradRow{op.name + "/const-b", [][2]int{{4, 3}}, op.d,
			func(tp *tape, v []*v64) *v64 { return project(tp, op.f(v[0], tp.Const(pattern(1, 3, 2)))) }, op.tol})
	}
	rows = append(rows,
		unaryRow("Scale", normal, tolSmooth, func(x *v64) *v64 { return ad.Scale(x, -1.7) }),
		unaryRow("Tanh", normal, tolSmooth, ad.Tanh[float64]),
		unaryRow("Sigmoid", normal, tolSmooth, ad.Sigmoid[float64]),
		unaryRow("Sigmoid/wide", wide, tolWide, ad.Sigmoid[float64]),
		unaryRow("ReLU", awayZero, tolKink, ad.ReLU[float64]),
		unaryRow("Softplus", normal, tolSmooth, ad.Softplus[float64]),
		unaryRow("Softplus/wide", wide, tolWide, ad.Softplus[float64]),
		unaryRow("Exp", normal, tolSmooth, ad.Exp[float64]),
		unaryRow("Log", positive, tolKink, ad.Log[float64]),
		unaryRow("Square", normal, tolSmooth, ad.Square[float64]),
		unaryRow("Abs", awayZero, tolKink, ad.Abs[float64]),
		gradRow{"Sum", [][2]int{{4, 3}}, normal, func(tp *tape, v []*v64) *v64 { return ad.Sum(ad.Square(v[0])) }, tolSmooth},
		gradRow{"Mean", [][2]int{{4, 3}}, normal, func(tp *tape, v []*v64) *v64 { return ad.Mean(ad.Square(v[0])) }, tolSmooth},
		unaryRow("SumAxis/0", normal, tolSmooth, func(x *v64) *v64 { return ad.SumAxis(x, 0) }),
		unaryRow("SumAxis/1", normal, tolSmooth, func(x *v64) *v64 { return ad.SumAxis(x, 1) }),
		unaryRow("MeanAxis/0", normal, tolSmooth, func(x *v64) *v64 { return ad.MeanAxis(x, 0) }),
		unaryRow("MeanAxis/1", normal, tolSmooth, func(x *v64) *v64 { return ad.MeanAxis(x, 1) }),
		unaryRow("Slice/middle", normal, tolSmooth, func(x *v64) *v64 { return ad.Slice(x, 1, 2) }),
		unaryRow("Slice/all", normal, tolSmooth, func(x *v64) *v64 { return ad.Slice(x, 0, 3) }),
		gradRow{"Concat/3", [][2]int{{4, 3}, {4, 1}, {4, 2}}, normal,
			func(tp *tape, v []*v64) *v64 { return project(tp, ad.Concat(v[0], v[1], v[2])) }, tolSmooth},
		gradRow{"Concat/with-const", [][2]int{{4, 2}}, normal,
			func(tp *tape, v []*v64) *v64 { return project(tp, ad.Concat(tp.Const(pattern(4, 2, 3)), v[0])) }, tolSmooth},
	)
	// Losses: every mask form, soft and one-hot targets, large logits.
	for _, ms := range [][2]int{{4, 3}, {4, 1}, {1, 3}, {1, 1}} {
		rows = append(rows, gradRow{fmt.Sprintf("MaskedMSE/mask=%v", ms), [][2]int{{4, 3}}, normal,
			func(tp *tape, v []*v64) *v64 {
				return ad.MaskedMSE(ad.Tanh(v[0]), pattern(4, 3, 0.9), mask01(ms[0], ms[1]))
			}, tolSmooth})
	}
	rows = append(rows,
		gradRow{"MaskedMSE/soft-weights", [][2]int{{4, 3}}, normal,
			func(tp *tape, v []*v64) *v64 { return ad.MaskedMSE(v[0], pattern(4, 3, 0.9), softTarget(4, 3)) }, tolSmooth},
		gradRow{"MaskedSoftmaxCE/one-hot", [][2]int{{5, 4}}, normal,
			func(tp *tape, v []*v64) *v64 { return ad.MaskedSoftmaxCE(v[0], oneHot(5, 4), mask01(5, 1)) }, tolSmooth},
		gradRow{"MaskedSoftmaxCE/soft", [][2]int{{5, 4}}, normal,
			func(tp *tape, v []*v64) *v64 { return ad.MaskedSoftmaxCE(v[0], softTarget(5, 4), mask01(5, 1)) }, tolSmooth},
		gradRow{"MaskedSoftmaxCE/mask=[1 1]", [][2]int{{5, 4}}, normal,
			func(tp *tape, v []*v64) *v64 { return ad.MaskedSoftmaxCE(v[0], softTarget(5, 4), pattern(1, 1, 1)) }, tolSmooth},
		gradRow{"MaskedSoftmaxCE/wide", [][2]int{{5, 4}}, wide,
			func(tp *tape, v []*v64) *v64 { return ad.MaskedSoftmaxCE(v[0], softTarget(5, 4), mask01(5, 1)) }, tolWide},
		gradRow{"MaskedSoftmaxCE/unnormalised-target", [][2]int{{5, 4}}, normal,
			func(tp *tape, v []*v64) *v64 { return ad.MaskedSoftmaxCE(v[0], pattern(5, 4, 0.2), mask01(5, 1)) }, tolSmooth},
	)
	return rows
}

// TestOpGradients is the conformance table: every op's reverse rule against
// central finite differences.
func TestOpGradients(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for i, row := range gradTable() {
		rng := rand.New(rand.NewPCG(uint64(i+1), 7))
		var params []*ad.Param[float64]
		for k, s := range row.shapes {
			p := ad.NewParam[float64](fmt.Sprintf("p%d", k), s[0], s[1])
			for j := range p.Value.Data {
				p.Value.Data[j] = draw(rng, row.d)
			}
			params = append(params, p)
		}
		gradcheck.Check(t, gradcheck.Case{Name: row.name, Params: params, Loss: row.loss, Tol: row.tol})
		op, _, _ := strings.Cut(row.name, "/")
		covered[op] = true
	}
	// Spike is not here: its true derivative is 0 almost everywhere, so
	// TestSpike checks its rule against the surrogate instead.
	for _, op := range []string{"MatMul", "Add", "Sub", "Mul", "Div", "Scale", "Tanh", "Sigmoid", "ReLU", "Softplus",
		"Exp", "Log", "Square", "Abs", "Sum", "Mean", "SumAxis", "MeanAxis", "Concat", "Slice", "MaskedMSE", "MaskedSoftmaxCE"} {
		if !covered[op] {
			t.Errorf("op %s has no row in the gradient-check table", op)
		}
	}
}
