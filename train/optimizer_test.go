package train

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
)

// TestOptimizerUpdates checks two updates of each optimizer on a scalar
// θ = 1 with gradients 2 then −1 and lr = 0.1 against values computed by
// hand (in float64, with a calculator) from the torch.optim update
// equations quoted in each type's doc comment.
func TestOptimizerUpdates(t *testing.T) {
	cases := []struct {
		name string
		opt  Optimizer
		want [2]float64
	}{
		// b=2, θ=1−0.2; b=0.9·2−1=0.8, θ=0.8−0.08.
		{"sgd-momentum", &SGD{Momentum: 0.9}, [2]float64{0.8, 0.72}},
		// g'=2+0.9·2=3.8, θ=0.62; b=0.8, g'=−1+0.72=−0.28, θ=0.648.
		{"sgd-nesterov", &SGD{Momentum: 0.9, Nesterov: true}, [2]float64{0.62, 0.648}},
		// g=2+0.5·1=2.5, θ=0.75; g=−1+0.375=−0.625, θ=0.8125.
		{"sgd-weight-decay", &SGD{WeightDecay: 0.5}, [2]float64{0.75, 0.8125}},
		// dampening 0.5: b=2 (first step undampened), θ=0.8; b=0.9·2−0.5=1.3, θ=0.67.
		{"sgd-dampening", &SGD{Momentum: 0.9, Dampening: 0.5}, [2]float64{0.8, 0.67}},
		{"adam", &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, [2]float64{0.9000000005, 0.8733662967024315}},
		{"adam-zero-value", &Adam{}, [2]float64{0.9000000005, 0.8733662967024315}},
		// β1 = 0 is taken as given (no momentum): m = g, so step 2 moves by
		// 0.1/√v̂ with v̂ = (0.999·0.004 + 0.001)/(1 − 0.999²).
		{"adam-beta1-0", &Adam{Beta1: 0, Beta2: 0.999, Eps: 1e-8}, [2]float64{0.9000000005, 0.963255047019225}},
		{"adamw", &AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}, [2]float64{0.8990000005, 0.8714672967019315}},
		{"adamax", &Adamax{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, [2]float64{0.9000000005, 0.8789262953211369}},
		{"adamax-zero-value", &Adamax{}, [2]float64{0.9000000005, 0.8789262953211369}},
	}
	for _, c := range cases {
		p := autodiff.NewParam[float32]("w", 1, 1)
		frozen := autodiff.NewParam[float32]("f", 1, 1)
		frozen.Frozen = true
		p.Value.Data[0], frozen.Value.Data[0] = 1, 1
		params := []*autodiff.Param[float32]{p, frozen}
		for i, g := range []float32{2, -1} {
			p.Grad.Data[0], frozen.Grad.Data[0] = g, g
			c.opt.Step(params, 0.1)
			// float32 arithmetic rounds a few times per update at ~6e-8 relative;
			// 2e-7 on values near 1 allows about three ulps.
			if got := float64(p.Value.Data[0]); math.Abs(got-c.want[i]) > 2e-7 {
				t.Errorf("%s step %d: θ = %.9g, want %.9g", c.name, i+1, got, c.want[i])
			}
		}
		if frozen.Value.Data[0] != 1 {
			t.Errorf("%s moved a frozen parameter to %v", c.name, frozen.Value.Data[0])
		}
	}
}

func TestOptimizerConfigNew(t *testing.T) {
	for _, k := range []OptimizerKind{OptAdam, OptSGD, OptAdamW, OptAdamax} {
		c := DefaultOptimizerConfig(k)
		if err := c.Validate(); err != nil {
			t.Errorf("%v defaults: %v", k, err)
		}
		o := c.New()
		if got := o.State(nil).Kind; got != k {
			t.Errorf("%v: New built %v", k, got)
		}
		b, _ := k.MarshalText()
		var back OptimizerKind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Errorf("%v: text round trip gave %v, %v", k, back, err)
		}
	}
	bad := OptimizerConfig{Kind: OptSGD, Nesterov: true}
	if err := bad.Validate(); err == nil || !strings.HasPrefix(err.Error(), "optimizer.nesterov") {
		t.Errorf("nesterov without momentum: err = %v, want optimizer.nesterov …", err)
	}
	if _, err := ParseOptimizerKind("rmsprop"); err == nil || !strings.Contains(err.Error(), "adamax") {
		t.Errorf("unknown optimizer: err = %v, want the valid names", err)
	}
}

// TestOptimizerStateRoundTrip continues an optimizer and a copy restored
// from its exported state, and wants bitwise identical parameters.
func TestOptimizerStateRoundTrip(t *testing.T) {
	for _, k := range []OptimizerKind{OptAdam, OptSGD, OptAdamW, OptAdamax} {
		cfg := DefaultOptimizerConfig(k)
		if k == OptSGD {
			cfg.Momentum, cfg.Nesterov = 0.9, true
		}
		rng := rand.New(rand.NewPCG(3, 3))
		mk := func() []*autodiff.Param[float32] {
			return []*autodiff.Param[float32]{autodiff.NewParam[float32]("a", 2, 3), autodiff.NewParam[float32]("b", 1, 4)}
		}
		pa, pb := mk(), mk()
		grads := make([][]float32, 6)
		for i := range grads {
			grads[i] = make([]float32, 10)
			for j := range grads[i] {
				grads[i][j] = float32(rng.NormFloat64())
			}
		}
		setGrad := func(ps []*autodiff.Param[float32], g []float32) {
			copy(ps[0].Grad.Data, g[:6])
			copy(ps[1].Grad.Data, g[6:])
		}
		oa := cfg.New()
		for i := range 3 {
			setGrad(pa, grads[i])
			oa.Step(pa, 0.01)
		}
		st := oa.State(pa)
		for i, p := range pa {
			pb[i].Value.CopyFrom(p.Value)
		}
		ob := cfg.New()
		if err := ob.SetState(pb, st); err != nil {
			t.Fatalf("%v: SetState: %v", k, err)
		}
		for i := 3; i < 6; i++ {
			setGrad(pa, grads[i])
			setGrad(pb, grads[i])
			oa.Step(pa, 0.01)
			ob.Step(pb, 0.01)
		}
		for i := range pa {
			for j, v := range pa[i].Value.Data {
				if math.Float32bits(v) != math.Float32bits(pb[i].Value.Data[j]) {
					t.Fatalf("%v: %s[%d] = %v after restore, %v uninterrupted", k, pa[i].Name, j, pb[i].Value.Data[j], v)
				}
			}
		}
		if k == OptSGD {
			continue
		}
		// Mismatches are reported by name.
		wrong := st
		wrong.Slots = st.Slots[1:]
		if err := cfg.New().SetState(pb, wrong); err == nil || !strings.Contains(err.Error(), st.Slots[0].Key()+" is missing") {
			t.Errorf("%v: missing slot: err = %v", k, err)
		}
		other := []*autodiff.Param[float32]{autodiff.NewParam[float32]("a", 3, 3), pb[1]}
		if err := cfg.New().SetState(other, st); err == nil || !strings.Contains(err.Error(), "shape") {
			t.Errorf("%v: shape mismatch: err = %v", k, err)
		}
		if err := DefaultOptimizerConfig(OptSGD).New().SetState(pb, st); err == nil || !strings.Contains(err.Error(), "not sgd") {
			t.Errorf("%v state into SGD: err = %v", k, err)
		}
	}
}

// TestOptimizerConfigEps checks that Adam, AdamW and Adamax refuse ε = 0
// (their update divides by a norm plus ε), which SGD ignores.
func TestOptimizerConfigEps(t *testing.T) {
	for _, k := range []OptimizerKind{OptAdam, OptAdamW, OptAdamax, OptSGD} {
		c := DefaultOptimizerConfig(k)
		c.Eps = 0
		err := c.Validate()
		if (err != nil) != (k != OptSGD) {
			t.Errorf("%v with eps 0: error %v", k, err)
		}
	}
}
