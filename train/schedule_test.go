package train

import (
	"math"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
)

func TestSchedule(t *testing.T) {
	const lr, total = 0.1, 10
	cases := []struct {
		name string
		s    Schedule
		t    int
		want float64
	}{
		{"constant", Schedule{}, 7, 0.1},
		{"warmup first", Schedule{Warmup: 4}, 0, 0.025},
		{"warmup last", Schedule{Warmup: 4}, 3, 0.1},
		{"step before", Schedule{Kind: StepDecay, StepSize: 3, Gamma: 0.5}, 2, 0.1},
		{"step after two decays", Schedule{Kind: StepDecay, StepSize: 3, Gamma: 0.5}, 6, 0.025},
		{"step default gamma", Schedule{Kind: StepDecay, StepSize: 3}, 3, 0.01},
		{"cosine start", Schedule{Kind: Cosine}, 0, 0.1},
		{"cosine middle", Schedule{Kind: Cosine, MinLR: 0.02}, 5, 0.06},
		{"cosine end", Schedule{Kind: Cosine}, 10, 0},
		// warm-up 2, then cosine over the remaining 8 steps: t=6 is halfway.
		{"warmup+cosine", Schedule{Kind: Cosine, Warmup: 2}, 6, 0.05},
		{"warmup+step", Schedule{Kind: StepDecay, Warmup: 2, StepSize: 2, Gamma: 0.5}, 4, 0.05},
	}
	for _, c := range cases {
		if err := c.s.Validate(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := c.s.LR(lr, c.t, total); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%s: LR(t=%d) = %v, want %v", c.name, c.t, got, c.want)
		}
	}
	if err := (Schedule{Kind: StepDecay}).Validate(); err == nil || !strings.HasPrefix(err.Error(), "schedule.step_size") {
		t.Errorf("step without step_size: err = %v", err)
	}
}

func TestClipGradNorm(t *testing.T) {
	mk := func() []*autodiff.Param[float32] {
		a := autodiff.NewParam[float32]("a", 1, 2)
		b := autodiff.NewParam[float32]("b", 1, 1)
		f := autodiff.NewParam[float32]("f", 1, 1)
		f.Frozen = true
		copy(a.Grad.Data, []float32{3, 0})
		b.Grad.Data[0] = 4
		f.Grad.Data[0] = 100 // frozen: ignored
		return []*autodiff.Param[float32]{a, b, f}
	}
	ps := mk()
	if n := ClipGradNorm(ps, 1, ClipGlobal); n != 5 {
		t.Errorf("norm = %v, want 5", n)
	}
	// torch.nn.utils.clip_grad_norm_: factor 1/(5 + 1e-6).
	if got, want := ps[0].Grad.Data[0], float32(3/(5+1e-6)); got != want {
		t.Errorf("global clip: a[0] = %v, want %v", got, want)
	}
	ps = mk()
	ClipGradNorm(ps, 3.5, ClipPerTensor)
	if ps[0].Grad.Data[0] != 3 || ps[1].Grad.Data[0] != 3.5 {
		t.Errorf("per-tensor clip: a = %v, b = %v; want a unchanged (norm 3 ≤ 3.5), b = 3.5", ps[0].Grad.Data, ps[1].Grad.Data)
	}
	ps = mk()
	ClipGradNorm(ps, 0, ClipGlobal)
	if ps[1].Grad.Data[0] != 4 {
		t.Errorf("bound 0 clipped: b = %v", ps[1].Grad.Data[0])
	}
	ps = mk()
	ps[1].Grad.Data[0] = float32(math.NaN())
	err := findNonFinite(ps, 412)
	if err == nil || !strings.HasPrefix(err.Error(), "step 412: gradient of b has NaN at [0 0] (") {
		t.Errorf("findNonFinite: %v", err)
	}
}

// TestRegularizationGradient compares the directly applied weight-penalty
// gradients with central differences of the penalty value.
func TestRegularizationGradient(t *testing.T) {
	m := newLeaky[float32](2, 3, 2, 0, NewRNG(5, StreamInit))
	r := Regularization{L1In: 0.3, L1Rec: 0.2, L1Out: 0.1, L2In: 0.5, L2Rec: 0.7, L2Out: 0.9}
	value := func() float64 {
		for _, p := range m.Params() {
			p.ZeroGrad()
		}
		return r.ApplyWeightPenalties(m.InputWeights(), m.RecurrentWeights(), m.OutputWeights())
	}
	value()
	// Also the exact value: L1In·mean|W_in| + … computed directly.
	var want float64
	for _, g := range []struct {
		p      *autodiff.Param[float32]
		l1, l2 float64
	}{{m.wIn, r.L1In, r.L2In}, {m.wRec, r.L1Rec, r.L2Rec}, {m.wOut, r.L1Out, r.L2Out}} {
		var a, s float64
		for _, w := range g.p.Value.Data {
			a += math.Abs(float64(w))
			s += float64(w) * float64(w)
		}
		n := float64(g.p.Value.Len())
		want += g.l1*a/n + g.l2*s/n
	}
	if got := value(); math.Abs(got-want) > 1e-12 {
		t.Errorf("penalty = %v, want %v", got, want)
	}
	grads := map[string][]float32{}
	for _, p := range m.Params() {
		grads[p.Name] = append([]float32(nil), p.Grad.Data...)
	}
	const h = 1e-3
	for _, p := range []*autodiff.Param[float32]{m.wIn, m.wRec, m.wOut} {
		for k := range p.Value.Data {
			orig := p.Value.Data[k]
			p.Value.Data[k] = orig + h
			lp := value()
			p.Value.Data[k] = orig - h
			lm := value()
			p.Value.Data[k] = orig
			fd := (lp - lm) / (2 * float64(float32(orig+h)-float32(orig-h)) / 2)
			// |w| ≫ h for these weights, so |·| is smooth around them; float32 steps: 1e-3 relative.
			if got := float64(grads[p.Name][k]); math.Abs(got-fd) > 1e-3*math.Max(1, math.Abs(fd)) {
				t.Errorf("%s[%d]: gradient %v, finite differences %v", p.Name, k, got, fd)
			}
		}
	}
	if r := (Regularization{L2Rate: -1}); r.Validate() == nil || !strings.HasPrefix(r.Validate().Error(), "regularization.l2_rate") {
		t.Errorf("negative weight: err = %v", r.Validate())
	}
}
