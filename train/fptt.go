package train

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
)

// Trainer selects how a batch becomes parameter updates.
type Trainer int

const (
	// BPTT takes one optimizer step per batch on the gradient of the whole
	// trial (backpropagation through time), or of its windows of
	// Config.TBPTT steps summed (truncated BPTT).
	BPTT Trainer = iota
	// FPTT is forward propagation through time (Kag & Saligrama, ICML
	// 2021): the trial is cut into FPTTConfig.Parts windows and the
	// parameters are updated after every window on the window's loss plus
	// a dynamic regularizer that keeps them near a running average (see
	// FPTTConfig). The state is carried between windows as a constant, so
	// memory does not grow with the trial length.
	FPTT
)

// trainerNames lists the trainers' names, indexed by value.
func trainerNames() []string { return []string{BPTT: "bptt", FPTT: "fptt"} }

func (t Trainer) String() string { return enumName(trainerNames(), int(t), "Trainer") }

// ParseTrainer returns the trainer named s (bptt, fptt).
func ParseTrainer(s string) (Trainer, error) {
	i, err := enumParse(trainerNames(), s, "trainer")
	return Trainer(i), err
}

// MarshalText implements encoding.TextMarshaler.
func (t Trainer) MarshalText() ([]byte, error) { return enumText(trainerNames(), int(t), "trainer") }

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *Trainer) UnmarshalText(b []byte) error {
	v, err := ParseTrainer(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// WindowLoss selects what each FPTT window is trained on.
type WindowLoss int

const (
	// WindowMasked trains each window on the task loss of its own masked
	// steps (Loss over the window's rows), the ℓ_t of language modelling
	// in the FPTT code. A window without scored steps is trained on the
	// regularizer alone.
	WindowMasked WindowLoss = iota
	// Progressive scores every window on the trial's final answer (the
	// target of the trial's last masked step), read at the window's last
	// step, or at the answer step in the window that holds it; windows
	// after a trial's answer leave the trial out. Window p of P weighs
	// w_p = (p+1)/P. For cross-entropy tasks this is sFPTT's loss
	// (train_mnist_snn_v2.py L193-212, Kag's train.py train):
	// w_p·NLL(label) + (1 − w_p)·mean over batch and classes of
	// −π̂_p ⊙ log softmax, π̂ the running class prior (see
	// FPTTConfig.PriorAfter). For MSE tasks it is w_p·MSE against the
	// answer, as the FPTT code's adding task scores every window against
	// the final sum.
	Progressive
)

func windowLossNames() []string { return []string{WindowMasked: "window", Progressive: "progressive"} }

func (w WindowLoss) String() string { return enumName(windowLossNames(), int(w), "WindowLoss") }

// ParseWindowLoss returns the window loss named s (window, progressive).
func ParseWindowLoss(s string) (WindowLoss, error) {
	i, err := enumParse(windowLossNames(), s, "fptt window loss")
	return WindowLoss(i), err
}

// MarshalText implements encoding.TextMarshaler.
func (w WindowLoss) MarshalText() ([]byte, error) {
	return enumText(windowLossNames(), int(w), "fptt window loss")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (w *WindowLoss) UnmarshalText(b []byte) error {
	v, err := ParseWindowLoss(string(b))
	if err != nil {
		return err
	}
	*w = v
	return nil
}

// FPTTConfig holds the options of the FPTT trainer. The update is the one
// of the released code (anilkagak2/FPTT train.py get_regularizer_named_params,
// post_optimizer_updates, reset_named_params; identical in sFPTT,
// byin-cwi/sFPTT). Every parameter W (not frozen) has a running average W̄,
// starting at W, and a multiplier λ, starting at 0. Each trial is cut into
// windows of w = ⌊T/Parts⌋ steps (at least 1; a shorter last window takes the
// remainder, as the code's extra part), and for each window t:
//
//	L_t(W) = ℓ_t(W) + (ρ − 1)⟨W, λ⟩ + Reg·(α/2)‖W − W̄‖²
//	K times: gradient of L_t from the window's start state, clip
//	         (Config.ClipNorm, ClipMode), optimizer step at the scheduled rate
//	λ ← λ − α (W − W̄)
//	W̄ ← (1 − β) W̄ + β W − (β/α) λ
//
// with the new W in both lines and the new λ in the second. With ρ = 0 and
// Reg = 1 the two regularizer terms are (α/2)‖W − W̄ − λ/α‖² up to a
// constant. The recurrent state is carried into the next window as a
// constant (no gradient crosses a window boundary). Rate and weight
// penalties (Config.Regularization) join every window's loss. Every
// ResetEvery updates, W ← W̄ and λ ← 0, as the code does at the end of each
// epoch before testing.
//
// An update (Config.Steps counts them) is one batch: all its windows, each
// with K optimizer steps.
type FPTTConfig struct {
	// Parts is the number of windows per trial (the code's --parts,
	// default 10; sFPTT's pixel-wise MNIST uses 784, one pixel each).
	Parts int `json:"parts"`
	// K is the number of optimizer steps per window (the code's --K,
	// default 1). Every inner step runs the window again from the same
	// start state; the released PTB loop instead starts the next inner
	// step from the state the previous one ended in, which differs for
	// K > 1 only.
	K int `json:"k"`
	// Alpha is α (default 0.1; the code's add task and PTB-300 use 0.5).
	Alpha float64 `json:"alpha"`
	// Beta is β (default 0.5).
	Beta float64 `json:"beta"`
	// Rho is ρ (default 0).
	Rho float64 `json:"rho"`
	// Reg scales the proximal term (α/2)‖W − W̄‖² (the code's _lambda:
	// 1 in sFPTT and in Kag's classification loop, --lmbda = 2 in Kag's
	// PTB loop). Default 1.
	Reg float64 `json:"reg"`
	// ResetEvery is the epoch length in updates: after every ResetEvery
	// updates W ← W̄ and λ ← 0. 0 means one epoch of the task: for a task
	// with a fixed set of trials (tasks.Finite: MNIST, npz) ⌈trials/batch⌉
	// updates, for generated tasks Config.EvalEvery updates (the code
	// resets right before each test, and the held-out evaluation is the
	// test here), never when EvalEvery is 0. −1 never resets.
	ResetEvery int `json:"reset_every"`
	// Loss is what each window is trained on: window (default, each
	// window's own masked steps) or progressive (every window on the
	// trial's final answer, sFPTT's loss; see WindowLoss).
	Loss WindowLoss `json:"loss"`
	// PriorAfter is the number of updates during which the progressive
	// cross-entropy loss uses the uniform prior 1/C instead of the running
	// estimate π̂ (sFPTT uses uniform for its first 20 epochs). The
	// estimate starts uniform and is kept up to date from the first
	// update: after each window's first forward pass, π̂[y][p] becomes
	// the softmax output of the first trial of class y in the batch that
	// the window misclassifies, as the code does. Default 0.
	PriorAfter int `json:"prior_after"`
}

// DefaultFPTTConfig returns the released code's defaults: 10 parts, one
// inner step, α = 0.1, β = 0.5, ρ = 0, Reg = 1, reset once per epoch, each
// window trained on its own masked steps.
func DefaultFPTTConfig() FPTTConfig {
	return FPTTConfig{Parts: 10, K: 1, Alpha: 0.1, Beta: 0.5, Reg: 1}
}

// Validate reports the first invalid field, named by its JSON path.
func (c FPTTConfig) Validate() error {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	switch {
	case c.Parts < 1 || c.Parts > 1<<20:
		return fmt.Errorf("fptt.parts: must be in 1..%d, got %d", 1<<20, c.Parts)
	case c.K < 1 || c.K > 1000:
		return fmt.Errorf("fptt.k: must be in 1..1000, got %d", c.K)
	case !(c.Alpha > 0) || bad(c.Alpha):
		return fmt.Errorf("fptt.alpha: must be positive and finite, got %g", c.Alpha)
	case !(c.Beta >= 0 && c.Beta <= 1):
		return fmt.Errorf("fptt.beta: must be in [0, 1], got %g", c.Beta)
	case bad(c.Rho):
		return fmt.Errorf("fptt.rho: must be finite, got %g", c.Rho)
	case c.Reg < 0 || bad(c.Reg):
		return fmt.Errorf("fptt.reg: must be ≥ 0 and finite, got %g", c.Reg)
	case c.ResetEvery < -1:
		return fmt.Errorf("fptt.reset_every: must be ≥ −1 (0 = every epoch, −1 = never), got %d", c.ResetEvery)
	case c.Loss < 0 || int(c.Loss) >= len(windowLossNames()):
		return fmt.Errorf("fptt.loss: invalid value %d", int(c.Loss))
	case c.PriorAfter < 0:
		return fmt.Errorf("fptt.prior_after: must be ≥ 0, got %d", c.PriorAfter)
	}
	return nil
}

// WindowSteps returns the window length FPTT uses for trials of T steps:
// ⌊T/Parts⌋, at least 1. The trial then has ⌈T/window⌉ windows.
func (c FPTTConfig) WindowSteps(T int) int { return max(1, T/max(1, c.Parts)) }

// Dynamic holds the per-parameter state of the FPTT regularizer: W̄ (Mean)
// and λ (Lambda), one slice per parameter with the parameter's length.
type Dynamic struct {
	Mean, Lambda [][]float32
}

// NewDynamic returns the state FPTT starts from: W̄ = W and λ = 0 for
// every parameter.
func NewDynamic(params []*autodiff.Param[float32]) Dynamic {
	d := Dynamic{Mean: make([][]float32, len(params)), Lambda: make([][]float32, len(params))}
	for i, p := range params {
		d.Mean[i] = append([]float32(nil), p.Value.Data...)
		d.Lambda[i] = make([]float32, p.Value.Len())
	}
	return d
}

// AddGrad adds the gradient of the dynamic regularizer
//
//	R(W) = Σ_W (ρ − 1)⟨W, λ⟩ + reg·(α/2)‖W − W̄‖²
//
// to the Grad buffers of params, which is (ρ − 1)λ + reg·α(W − W̄), and
// returns R (accumulated in float64). Frozen parameters are skipped. It
// allocates nothing and panics if params does not match d.
func (d Dynamic) AddGrad(params []*autodiff.Param[float32], alpha, rho, reg float64) float64 {
	d.check(params)
	c1, c2 := float32(rho-1), float32(reg*alpha)
	var r float64
	for i, p := range params {
		if p.Frozen {
			continue
		}
		m, l, w, g := d.Mean[i], d.Lambda[i], p.Value.Data, p.Grad.Data
		for k, wk := range w {
			diff := wk - m[k]
			g[k] += c1*l[k] + c2*diff
			r += (rho-1)*float64(wk)*float64(l[k]) + reg*alpha/2*float64(diff)*float64(diff)
		}
	}
	return r
}

// Update applies the updates that follow a window's optimizer steps, in
// the code's order and float32 arithmetic:
//
//	λ ← λ − α (W − W̄);  W̄ ← (1 − β) W̄ + (β W − (β/α) λ)
//
// Frozen parameters are skipped. It panics if params does not match d.
func (d Dynamic) Update(params []*autodiff.Param[float32], alpha, beta float64) {
	d.check(params)
	a, omb, b, ba := float32(alpha), float32(1-beta), float32(beta), float32(beta/alpha)
	for i, p := range params {
		if p.Frozen {
			continue
		}
		m, l := d.Mean[i], d.Lambda[i]
		for k, wk := range p.Value.Data {
			l[k] -= a * (wk - m[k])
			m[k] = m[k]*omb + (b*wk - ba*l[k])
		}
	}
}

// Reset sets W ← W̄ and λ ← 0 (the code's reset_named_params). Frozen
// parameters are skipped.
func (d Dynamic) Reset(params []*autodiff.Param[float32]) {
	d.check(params)
	for i, p := range params {
		if p.Frozen {
			continue
		}
		copy(p.Value.Data, d.Mean[i])
		clear(d.Lambda[i])
	}
}

func (d Dynamic) check(params []*autodiff.Param[float32]) {
	if len(d.Mean) != len(params) || len(d.Lambda) != len(params) {
		panic(fmt.Sprintf("train: FPTT state has %d parameters, got %d", len(d.Mean), len(params)))
	}
	for i, p := range params {
		if len(d.Mean[i]) != p.Value.Len() || len(d.Lambda[i]) != p.Value.Len() {
			panic(fmt.Sprintf("train: FPTT state of %s has %d elements, the parameter %d", p.Name, len(d.Mean[i]), p.Value.Len()))
		}
	}
}
