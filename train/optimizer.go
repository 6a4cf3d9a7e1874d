package train

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
)

// Optimizer updates parameters in place from their gradients. Frozen
// parameters are skipped. The parameter list must be the same, in the same
// order, at every call: optimizers keep per-parameter state by position.
//
// State and SetState export and restore everything the next update depends
// on (the step count and the per-parameter moment tensors), so that a run
// restored from a checkpoint continues bit for bit.
type Optimizer interface {
	// Step performs one update with learning rate lr. It allocates its
	// state buffers on the first call only.
	Step(params []*autodiff.Param[float32], lr float64)
	// State returns a deep copy of the optimizer's state, its tensors named
	// after params.
	State(params []*autodiff.Param[float32]) OptimizerState
	// SetState replaces the optimizer's state with a copy of st. It returns
	// an error naming the slot when st was saved by another optimizer kind,
	// for other parameters, or with other shapes.
	SetState(params []*autodiff.Param[float32], st OptimizerState) error
}

// OptimizerKind selects an optimizer.
type OptimizerKind int

const (
	OptAdam   OptimizerKind = iota // Adam (Kingma & Ba 2015), torch.optim.Adam
	OptSGD                         // SGD with optional momentum and Nesterov, torch.optim.SGD
	OptAdamW                       // Adam with decoupled weight decay (Loshchilov & Hutter 2019), torch.optim.AdamW
	OptAdamax                      // Adam's infinity-norm variant (Kingma & Ba 2015 §7.1), torch.optim.Adamax
)

// optimizerNames lists the optimizers' names, indexed by kind.
func optimizerNames() []string {
	return []string{OptAdam: "adam", OptSGD: "sgd", OptAdamW: "adamw", OptAdamax: "adamax"}
}

func (k OptimizerKind) String() string { return enumName(optimizerNames(), int(k), "OptimizerKind") }

// ParseOptimizerKind returns the optimizer named s (adam, sgd, adamw, adamax).
func ParseOptimizerKind(s string) (OptimizerKind, error) {
	i, err := enumParse(optimizerNames(), s, "optimizer")
	return OptimizerKind(i), err
}

// MarshalText implements encoding.TextMarshaler.
func (k OptimizerKind) MarshalText() ([]byte, error) {
	return enumText(optimizerNames(), int(k), "optimizer kind")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *OptimizerKind) UnmarshalText(b []byte) error {
	v, err := ParseOptimizerKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// OptimizerConfig selects an optimizer and its hyperparameters. Fields an
// optimizer does not use are ignored; the others are taken as given, so a
// β1 of 0 is Adam without momentum (ε must be positive).
// DefaultOptimizerConfig fills PyTorch's defaults (β = 0.9, 0.999, ε =
// 1e-8, and AdamW's weight decay 0.01).
type OptimizerConfig struct {
	Kind        OptimizerKind `json:"kind"`
	Beta1       float64       `json:"beta1"`
	Beta2       float64       `json:"beta2"`
	Eps         float64       `json:"eps"`
	WeightDecay float64       `json:"weight_decay"`
	Momentum    float64       `json:"momentum"`
	Dampening   float64       `json:"dampening"`
	Nesterov    bool          `json:"nesterov"`
}

// DefaultOptimizerConfig returns kind with PyTorch's default
// hyperparameters (torch.optim documentation, v2.x): Adam, Adamax β = (0.9,
// 0.999), ε = 1e-8, no weight decay; AdamW the same with weight decay 0.01;
// SGD without momentum, dampening or weight decay.
func DefaultOptimizerConfig(kind OptimizerKind) OptimizerConfig {
	c := OptimizerConfig{Kind: kind}
	switch kind {
	case OptAdam, OptAdamW, OptAdamax:
		c.Beta1, c.Beta2, c.Eps = 0.9, 0.999, 1e-8
	}
	if kind == OptAdamW {
		c.WeightDecay = 0.01
	}
	return c
}

// Validate reports the first invalid field, named by its JSON path.
func (c OptimizerConfig) Validate() error {
	switch {
	case c.Kind < 0 || int(c.Kind) >= len(optimizerNames()):
		return fmt.Errorf("optimizer.kind: invalid value %d", int(c.Kind))
	case c.Beta1 < 0 || c.Beta1 >= 1:
		return fmt.Errorf("optimizer.beta1: %g is outside [0, 1)", c.Beta1)
	case c.Beta2 < 0 || c.Beta2 >= 1:
		return fmt.Errorf("optimizer.beta2: %g is outside [0, 1)", c.Beta2)
	case c.Eps < 0:
		return fmt.Errorf("optimizer.eps: %g is negative", c.Eps)
	case c.Eps == 0 && (c.Kind == OptAdam || c.Kind == OptAdamW || c.Kind == OptAdamax):
		return fmt.Errorf("optimizer.eps: must be positive for %v (the update divides by a norm plus ε, which is 0 for a parameter whose gradient has been 0)", c.Kind)
	case c.WeightDecay < 0:
		return fmt.Errorf("optimizer.weight_decay: %g is negative", c.WeightDecay)
	case c.Momentum < 0:
		return fmt.Errorf("optimizer.momentum: %g is negative", c.Momentum)
	case c.Dampening < 0 || c.Dampening > 1:
		return fmt.Errorf("optimizer.dampening: %g is outside [0, 1]", c.Dampening)
	case c.Nesterov && (c.Momentum <= 0 || c.Dampening != 0):
		return fmt.Errorf("optimizer.nesterov: needs momentum > 0 and dampening 0 (got momentum %g, dampening %g)", c.Momentum, c.Dampening)
	}
	return nil
}

// New returns a fresh optimizer for c. It panics if c is invalid; callers
// validate configs first.
func (c OptimizerConfig) New() Optimizer {
	if err := c.Validate(); err != nil {
		panic("train: " + err.Error())
	}
	switch c.Kind {
	case OptSGD:
		return &SGD{Momentum: c.Momentum, Dampening: c.Dampening, Nesterov: c.Nesterov, WeightDecay: c.WeightDecay}
	case OptAdamW:
		return &AdamW{Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps, WeightDecay: c.WeightDecay}
	case OptAdamax:
		return &Adamax{Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps, WeightDecay: c.WeightDecay}
	}
	return &Adam{Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps, WeightDecay: c.WeightDecay}
}

// adamHyper returns β1, β2 and ε of an Adam-family optimizer: PyTorch's
// 0.9, 0.999 and 1e-8 for the zero value (all three 0), else the values
// given, so that a configured β1 of 0 (no momentum) is kept.
// OptimizerConfig.Validate refuses ε = 0, so a config never gives the
// zero value.
func adamHyper(beta1, beta2, eps float64) (b1, b2, e float64) {
	if beta1 == 0 && beta2 == 0 && eps == 0 {
		return 0.9, 0.999, 1e-8
	}
	return beta1, beta2, eps
}

// SGD is stochastic gradient descent with PyTorch's (torch.optim.SGD)
// momentum, dampening, Nesterov and L2 weight decay:
//
//	g ← g + λθ
//	b ← g at the first step, else μ b + (1−τ) g
//	g ← g + μ b (Nesterov) or b (momentum), when μ ≠ 0
//	θ ← θ − lr · g
//
// with μ = Momentum, τ = Dampening, λ = WeightDecay. The zero value is plain
// SGD.
type SGD struct {
	Momentum, Dampening, WeightDecay float64
	Nesterov                         bool

	s slots
}

// Step performs one SGD update.
func (o *SGD) Step(params []*autodiff.Param[float32], lr float64) {
	if o.Momentum != 0 {
		o.s.ensure(params, "momentum_buffer")
	} else {
		o.s.ensure(params)
	}
	first := o.s.t == 0
	o.s.t++
	mu, damp, wd, flr := float32(o.Momentum), float32(1-o.Dampening), float32(o.WeightDecay), float32(lr)
	for i, p := range params {
		if p.Frozen {
			continue
		}
		g, w := p.Grad.Data, p.Value.Data
		if o.Momentum == 0 {
			for k := range w {
				w[k] -= flr * (g[k] + wd*w[k])
			}
			continue
		}
		b := o.s.buf[0][i]
		for k := range w {
			gk := g[k] + wd*w[k]
			if first {
				b[k] = gk
			} else {
				b[k] = mu*b[k] + damp*gk
			}
			if o.Nesterov {
				gk += mu * b[k]
			} else {
				gk = b[k]
			}
			w[k] -= flr * gk
		}
	}
}

// State implements Optimizer.
func (o *SGD) State(params []*autodiff.Param[float32]) OptimizerState {
	return o.s.state(OptSGD, params)
}

// SetState implements Optimizer.
func (o *SGD) SetState(params []*autodiff.Param[float32], st OptimizerState) error {
	if o.Momentum != 0 {
		return o.s.setState(OptSGD, params, st, "momentum_buffer")
	}
	return o.s.setState(OptSGD, params, st)
}

// Adam is Kingma & Ba's optimizer in PyTorch's form (torch.optim.Adam,
// including its L2 weight decay added to the gradient). The zero value has
// PyTorch's defaults β1 = 0.9, β2 = 0.999, ε = 1e-8; otherwise Beta1, Beta2
// and Eps are taken as given (Eps must then be positive):
//
//	g ← g + λθ
//	m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²
//	θ ← θ − lr · m̂ / (√v̂ + ε),  m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ)
type Adam struct {
	Beta1, Beta2, Eps, WeightDecay float64

	s slots
}

// Step performs one Adam update. It allocates its moment buffers on the
// first call only.
func (a *Adam) Step(params []*autodiff.Param[float32], lr float64) {
	adamStep(&a.s, params, lr, a.Beta1, a.Beta2, a.Eps, a.WeightDecay, false)
}

// State implements Optimizer.
func (a *Adam) State(params []*autodiff.Param[float32]) OptimizerState {
	return a.s.state(OptAdam, params)
}

// SetState implements Optimizer.
func (a *Adam) SetState(params []*autodiff.Param[float32], st OptimizerState) error {
	return a.s.setState(OptAdam, params, st, "exp_avg", "exp_avg_sq")
}

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter 2019) in
// PyTorch's form (torch.optim.AdamW): the parameter first shrinks,
// θ ← θ(1 − lr·λ), then takes the Adam step with the raw gradient. Beta1,
// Beta2 and Eps as Adam's; WeightDecay is taken literally (PyTorch's default
// is 0.01, see DefaultOptimizerConfig).
type AdamW struct {
	Beta1, Beta2, Eps, WeightDecay float64

	s slots
}

// Step performs one AdamW update.
func (a *AdamW) Step(params []*autodiff.Param[float32], lr float64) {
	adamStep(&a.s, params, lr, a.Beta1, a.Beta2, a.Eps, a.WeightDecay, true)
}

// State implements Optimizer.
func (a *AdamW) State(params []*autodiff.Param[float32]) OptimizerState {
	return a.s.state(OptAdamW, params)
}

// SetState implements Optimizer.
func (a *AdamW) SetState(params []*autodiff.Param[float32], st OptimizerState) error {
	return a.s.setState(OptAdamW, params, st, "exp_avg", "exp_avg_sq")
}

// adamStep is the update shared by Adam (L2 decay in the gradient) and
// AdamW (decoupled decay). Slots: exp_avg (m), exp_avg_sq (v), as PyTorch
// names them.
func adamStep(s *slots, params []*autodiff.Param[float32], lr, beta1, beta2, eps, wd float64, decoupled bool) {
	b1, b2, e := adamHyper(beta1, beta2, eps)
	s.ensure(params, "exp_avg", "exp_avg_sq")
	s.t++
	c1 := 1 - math.Pow(b1, float64(s.t))
	c2 := 1 - math.Pow(b2, float64(s.t))
	step := float32(lr / c1)
	fb1, fb2, cb1, cb2 := float32(b1), float32(b2), float32(1-b1), float32(1-b2)
	sc2 := float32(1 / math.Sqrt(c2))
	feps := float32(e)
	l2, shrink := float32(wd), float32(1)
	if decoupled {
		l2, shrink = 0, float32(1-lr*wd)
	}
	for i, p := range params {
		if p.Frozen {
			continue
		}
		m, v, g, w := s.buf[0][i], s.buf[1][i], p.Grad.Data, p.Value.Data
		for k := range w {
			gk := g[k] + l2*w[k]
			w[k] *= shrink
			m[k] = fb1*m[k] + cb1*gk
			v[k] = fb2*v[k] + cb2*gk*gk
			w[k] -= step * m[k] / (sqrt32(v[k])*sc2 + feps)
		}
	}
}

// Adamax is Adam with the infinity norm (Kingma & Ba 2015, §7.1) in
// PyTorch's form (torch.optim.Adamax), with Beta1, Beta2 and Eps as Adam's
// (PyTorch's default learning rate for it is 2e-3):
//
//	g ← g + λθ
//	m ← β1 m + (1−β1) g;  u ← max(β2 u, |g| + ε)
//	θ ← θ − lr/(1−β1ᵗ) · m / u
type Adamax struct {
	Beta1, Beta2, Eps, WeightDecay float64

	s slots
}

// Step performs one Adamax update.
func (a *Adamax) Step(params []*autodiff.Param[float32], lr float64) {
	b1, b2, e := adamHyper(a.Beta1, a.Beta2, a.Eps)
	a.s.ensure(params, "exp_avg", "exp_inf")
	a.s.t++
	step := float32(lr / (1 - math.Pow(b1, float64(a.s.t))))
	fb1, cb1, fb2, feps, wd := float32(b1), float32(1-b1), float32(b2), float32(e), float32(a.WeightDecay)
	for i, p := range params {
		if p.Frozen {
			continue
		}
		m, u, g, w := a.s.buf[0][i], a.s.buf[1][i], p.Grad.Data, p.Value.Data
		for k := range w {
			gk := g[k] + wd*w[k]
			m[k] = fb1*m[k] + cb1*gk
			u[k] = max(fb2*u[k], abs32(gk)+feps)
			w[k] -= step * m[k] / u[k]
		}
	}
}

// State implements Optimizer.
func (a *Adamax) State(params []*autodiff.Param[float32]) OptimizerState {
	return a.s.state(OptAdamax, params)
}

// SetState implements Optimizer.
func (a *Adamax) SetState(params []*autodiff.Param[float32], st OptimizerState) error {
	return a.s.setState(OptAdamax, params, st, "exp_avg", "exp_inf")
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }
