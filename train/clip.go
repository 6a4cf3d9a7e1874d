package train

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
)

// ClipMode selects how ClipNorm bounds the gradient.
type ClipMode int

const (
	// ClipGlobal scales all gradients together so that their joint L2
	// norm is at most the bound (torch.nn.utils.clip_grad_norm_:
	// factor = bound/(norm + 1e-6) when norm > bound).
	ClipGlobal ClipMode = iota
	// ClipPerTensor bounds each parameter's gradient norm separately, as
	// PsychRNN does (tf.clip_by_norm(grad, 1.0) per variable in
	// psychrnn/backend/rnn.py train, clip_grads=True by default):
	// g ← g·bound/max(‖g‖, bound).
	ClipPerTensor
)

// clipNames lists the clip modes' names, indexed by mode.
func clipNames() []string { return []string{ClipGlobal: "global", ClipPerTensor: "per-tensor"} }

func (m ClipMode) String() string { return enumName(clipNames(), int(m), "ClipMode") }

// MarshalText implements encoding.TextMarshaler.
func (m ClipMode) MarshalText() ([]byte, error) { return enumText(clipNames(), int(m), "clip mode") }

// ParseClipMode returns the clip mode named s (global, per-tensor).
func ParseClipMode(s string) (ClipMode, error) {
	i, err := enumParse(clipNames(), s, "clip mode")
	return ClipMode(i), err
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *ClipMode) UnmarshalText(b []byte) error {
	v, err := ParseClipMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// GradNorm returns the joint L2 norm of the gradients of the parameters that
// are not frozen, accumulated in float64. It allocates nothing.
func GradNorm(params []*autodiff.Param[float32]) float64 {
	var s float64
	for _, p := range params {
		if !p.Frozen {
			s += sumSquares(p.Grad.Data)
		}
	}
	return math.Sqrt(s)
}

func sumSquares(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s
}

// ClipGradNorm bounds the gradients of params by bound in the given mode and
// returns the joint norm before clipping. A bound ≤ 0 disables clipping. A
// non-finite norm leaves the gradients unchanged (the loop reports it as
// divergence).
func ClipGradNorm(params []*autodiff.Param[float32], bound float64, mode ClipMode) float64 {
	norm := GradNorm(params)
	if bound <= 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return norm
	}
	switch mode {
	case ClipPerTensor:
		for _, p := range params {
			if p.Frozen {
				continue
			}
			if n := math.Sqrt(sumSquares(p.Grad.Data)); n > bound {
				scale(p.Grad.Data, float32(bound/n))
			}
		}
	default:
		if norm > bound {
			f := float32(bound / (norm + 1e-6))
			for _, p := range params {
				if !p.Frozen {
					scale(p.Grad.Data, f)
				}
			}
		}
	}
	return norm
}

func scale(x []float32, f float32) {
	for i := range x {
		x[i] *= f
	}
}

// DivergenceError reports a NaN or infinity in the loss or a gradient, or,
// found after the update (Updated), a parameter that is not finite or
// exceeds Config.MaxParam in magnitude, or an optimizer moment that is not
// finite. The run stops at the update it names.
type DivergenceError struct {
	Step    int     // the update that failed, numbered as Step.Step (1-based): updates 1 … Step−1 completed
	Param   string  // offending parameter; empty when the loss itself is not finite
	Slot    string  // the optimizer moment ("exp_avg", ...) of Param holding the bad value, if it is one
	Index   [2]int  // element (row, column) of the first bad entry
	Value   float64 // the loss, or the bad entry
	Updated bool    // the bad entry is in the parameters or moments after the update, not in a gradient
	Limit   float64 // Config.MaxParam when the check used it (0: none)
}

func (e *DivergenceError) Error() string {
	// At step 1 no update has run: the learning rate has no part yet.
	const initial = "before any update, so the initial network (its spectral radius, input gain, time constants or surrogate's parameters) or the inputs, not the learning rate"
	switch {
	case e.Param == "" && e.Step == 1:
		return fmt.Sprintf("step 1: loss is %s: the network's activity overflowed %s (a bounded activation such as tanh or a smaller initial spectral radius keeps it finite)", nonFinite(e.Value), initial)
	case e.Param != "" && !e.Updated && e.Step == 1:
		return fmt.Sprintf("step 1: gradient of %s has %s at %v: it overflowed through time %s (truncated BPTT or smaller initial weights keep it finite)", e.Param, nonFinite(e.Value), e.Index, initial)
	case e.Param == "":
		return fmt.Sprintf("step %d: loss is %s: the network's activity overflowed (a lower learning rate, a bounded activation such as tanh or a smaller initial spectral radius keeps it finite)", e.Step, nonFinite(e.Value))
	case e.Updated && e.Slot != "":
		return fmt.Sprintf("step %d: after the update, optimizer state %s of %s has %s at %v", e.Step, e.Slot, e.Param, nonFinite(e.Value), e.Index)
	case e.Updated && !math.IsNaN(e.Value) && !math.IsInf(e.Value, 0):
		return fmt.Sprintf("step %d: after the update, parameter %s has %g at %v, beyond max_param %g: the run exploded (lower the learning rate or clip gradients)", e.Step, e.Param, e.Value, e.Index, e.Limit)
	case e.Updated:
		return fmt.Sprintf("step %d: after the update, parameter %s has %s at %v", e.Step, e.Param, nonFinite(e.Value), e.Index)
	}
	return fmt.Sprintf("step %d: gradient of %s has %s at %v (gradients that explode through time overflow so; a lower learning rate or truncated BPTT keeps them finite)", e.Step, e.Param, nonFinite(e.Value), e.Index)
}

func nonFinite(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	if v > 0 {
		return "+Inf"
	}
	return "-Inf"
}

// findNonFinite returns the first gradient entry of params that is NaN or
// infinite, as a DivergenceError for step, or nil.
func findNonFinite(params []*autodiff.Param[float32], step int) error {
	for _, p := range params {
		if p.Frozen {
			continue
		}
		for k, v := range p.Grad.Data {
			f := float64(v)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return &DivergenceError{Step: step, Param: p.Name, Index: [2]int{k / p.Grad.Cols, k % p.Grad.Cols}, Value: f}
			}
		}
	}
	return nil
}
