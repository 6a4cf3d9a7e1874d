package autodiff_test

import (
	"fmt"
	"strings"
	"testing"

	ad "github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/surrogate"
)

// panicMessage runs f and returns the message it panicked with, or "" if it
// did not panic.
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// TestMisusePanics checks that every misuse panics with a message that
// starts with the package name and names the op and the shapes involved.
func TestMisusePanics(t *testing.T) {
	t.Parallel()
	tp := ad.NewTape[float64]()
	a := tp.Const(ad.NewTensor[float64](4, 3))
	wrong := tp.Const(ad.NewTensor[float64](2, 3))
	binary := map[string]func(a, b *v64) *v64{
		"Add": ad.Add[float64], "Sub": ad.Sub[float64], "Mul": ad.Mul[float64], "Div": ad.Div[float64],
	}
	type panicCase struct {
		name string
		f    func()
		want []string // substrings the message must contain; nil: must not panic
	}
	cases := []panicCase{
		{"MatMul", func() { ad.MatMul(a, false, wrong, false) }, []string{"MatMul", "[4 3]", "[2 3]"}},
		{"MatMul/transB", func() { ad.MatMul(a, false, a, true) }, nil}, // [4 3]·[3 4] is fine
		{"Backward/non-scalar", func() { tp.Backward(a) }, []string{"Backward", "scalar", "[4 3]", "[1 1]"}},
		{"Concat", func() { ad.Concat(a, wrong) }, []string{"Concat", "[4 3]", "[2 3]"}},
		{"Slice", func() { ad.Slice(a, 2, 5) }, []string{"Slice", "[2, 5)", "[4 3]"}},
		{"SumAxis", func() { ad.SumAxis(a, 2) }, []string{"SumAxis", "axis 2", "[4 3]"}},
		{"MaskedMSE/target", func() { ad.MaskedMSE(a, wrong.Value, a.Value) }, []string{"MaskedMSE", "[4 3]", "[2 3]"}},
		{"MaskedMSE/mask", func() { ad.MaskedMSE(a, a.Value, wrong.Value) }, []string{"MaskedMSE", "[4 3]", "[2 3]"}},
		{"MaskedSoftmaxCE/target", func() { ad.MaskedSoftmaxCE(a, wrong.Value, ad.NewTensor[float64](4, 1)) }, []string{"MaskedSoftmaxCE", "[4 3]", "[2 3]"}},
		{"MaskedSoftmaxCE/mask", func() { ad.MaskedSoftmaxCE(a, a.Value, a.Value) }, []string{"MaskedSoftmaxCE", "logits [4 3]", "mask [4 3]"}},
		{"Spike/nil", func() { ad.Spike(a, nil) }, []string{"Spike", "[4 3]", "nil surrogate"}},
		{"tapes", func() { ad.Add(a, ad.NewTape[float64]().Const(a.Value)) }, []string{"Add", "different tapes"}},
	}
	for name, op := range binary {
		cases = append(cases, panicCase{name, func() { op(a, wrong) }, []string{"shape mismatch in " + name, "[4 3] vs [2 3]"}})
		// A [3 1] column against [4 3] is neither a row nor a column broadcast.
		cases = append(cases, panicCase{name + "/column", func() { op(a, tp.Const(ad.NewTensor[float64](3, 1))) }, []string{name, "[4 3] vs [3 1]"}})
	}
	for _, c := range cases {
		msg := panicMessage(c.f)
		if c.want == nil {
			if msg != "" {
				t.Errorf("%s: unexpected panic %q", c.name, msg)
			}
			continue
		}
		if !strings.HasPrefix(msg, "autodiff: ") {
			t.Errorf("%s: got panic %q, want a message starting with \"autodiff: \"", c.name, msg)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: got panic %q, want it to contain %q", c.name, msg, w)
			}
		}
	}
	if msg := panicMessage(func() {
		surrogate.GradTo(surrogate.ArcTan{}, make([]float64, 2), make([]float64, 3), make([]float64, 2))
	}); !strings.HasPrefix(msg, "surrogate: GradTo lengths differ") {
		t.Errorf("GradTo: got panic %q, want a length message", msg)
	}
}
