package layers

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
)

// LIFConfig describes a recurrent layer of leaky integrate-and-fire units,
// plain (LIF) or with an adaptive threshold (ALIF, Bellec et al. 2018's
// LSNN, when AdaptStrength > 0). One step, for every unit, with s the
// spikes (0 or 1), H the Heaviside step and the drive
//
//	p_t = W_in x_t + W_rec s_{t−1} + b (+ σ ξ_t, private noise)
//
// is, without a synaptic current (TauSynMS = 0; snnTorch's Leaky with the
// reset applied at once, the PyTorch anchor's lif_loop):
//
//	u_t = β ⊙ v_{t−1} + p_t
//
// and with one (TauSynMS > 0; Norse's LIF with v_leak = v_reset = 0 and
// dt/τ_mem written 1 − β, so that the current reaches the membrane one
// step later):
//
//	u_t = β ⊙ v_{t−1} + (1 − β) ⊙ i_{t−1},   i_t = α ⊙ i_{t−1} + p_t
//
// then, with the adaptation a (ALIF; a stays 0 when AdaptStrength = 0):
//
//	a_t = ρ ⊙ a_{t−1} + (1 − ρ) ⊙ s_{t−1}
//	θ_t = b_0 + β_a a_t
//	s_t = H(u_t − θ_t)
//	v_t = u_t − θ_t ⊙ s_t         (Reset subtract)
//	v_t = (1 − s_t) ⊙ u_t         (Reset zero)
//
// The decays are β = exp(−dt/τ_mem), α = exp(−dt/τ_syn), ρ = exp(−dt/τ_adapt),
// one per unit, clamped to [0, 1] when trained. With RefractorySteps R > 0 a
// unit that spiked is refractory for the next R steps: u_t = v_{t−1} (the
// membrane is held, the current still integrates) and s_t = 0.
//
// The backward pass replaces H' by the surrogate's derivative at u_t − θ_t.
// Unless ResetGrad is set, the spike in the reset term is a constant (the
// reset is detached, snnTorch's default): the gradient still flows through
// u_t and θ_t but not through s_t. The adaptation's s_{t−1} is not
// detached (Bellec et al.).
type LIFConfig struct {
	Inputs, Units int
	// DtMS is the step; the decays are exp(−DtMS/τ).
	DtMS float64
	// NominalDt marks DtMS as a stand-in for a task without a time step
	// (npz datasets, MNIST): it sets the decays, but Figures report the
	// firing rate per step (rate_per_step), not in Hz.
	NominalDt bool
	// TauMemMS is the membrane time constant τ_mem.
	TauMemMS float64
	// Beta, if > 0, is the membrane decay β itself and TauMemMS is
	// ignored.
	Beta float64
	// TauSynMS is the synaptic time constant τ_syn; 0 = no synaptic current.
	TauSynMS float64
	// TauAdaptMS is the adaptation time constant τ_adapt (ALIF).
	TauAdaptMS float64
	// AdaptStrength is β_a; 0 = no adaptation (plain LIF).
	AdaptStrength float64
	// Threshold is b_0 > 0.
	Threshold float64
	Reset     Reset
	// RefractorySteps is R ≥ 0.
	RefractorySteps int
	// TrainTau trains the per-unit decays β, α and ρ (heterogeneous τ).
	TrainTau bool
	SpikeOptions
}

// Validate reports the first invalid field.
func (c *LIFConfig) Validate() error {
	bad := func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }
	switch {
	case c.Units <= 0:
		return fmt.Errorf("layers: lif Units = %d, need > 0", c.Units)
	case c.Inputs < 0:
		return fmt.Errorf("layers: lif Inputs = %d, need ≥ 0", c.Inputs)
	case !(c.DtMS > 0) || bad(c.DtMS):
		return fmt.Errorf("layers: lif DtMS = %g, need > 0", c.DtMS)
	case c.Beta < 0 || c.Beta > 1 || math.IsNaN(c.Beta):
		return fmt.Errorf("layers: lif Beta = %g, need 0 (from TauMemMS) or a decay in (0, 1]", c.Beta)
	case c.Beta == 0 && (!(c.TauMemMS > 0) || bad(c.TauMemMS)):
		return fmt.Errorf("layers: lif TauMemMS = %g, need > 0", c.TauMemMS)
	case c.TauSynMS < 0 || bad(c.TauSynMS):
		return fmt.Errorf("layers: lif TauSynMS = %g, need ≥ 0 (0 = no synaptic current)", c.TauSynMS)
	case c.AdaptStrength < 0 || bad(c.AdaptStrength):
		return fmt.Errorf("layers: lif AdaptStrength = %g, need ≥ 0", c.AdaptStrength)
	case c.AdaptStrength > 0 && (!(c.TauAdaptMS > 0) || bad(c.TauAdaptMS)):
		return fmt.Errorf("layers: lif TauAdaptMS = %g, need > 0 with adaptation", c.TauAdaptMS)
	case !(c.Threshold > 0) || bad(c.Threshold):
		return fmt.Errorf("layers: lif Threshold = %g, need > 0", c.Threshold)
	case c.Reset < ResetSubtract || c.Reset > ResetZero:
		return fmt.Errorf("layers: lif Reset = %v is not known", c.Reset)
	case c.RefractorySteps < 0 || c.RefractorySteps > 1<<20:
		return fmt.Errorf("layers: lif RefractorySteps = %d, need 0 … 2^20", c.RefractorySteps)
	}
	return c.SpikeOptions.validate("lif", c.Units, c.Inputs)
}

// LIF is a recurrent layer of (adaptive) leaky integrate-and-fire units
// that runs a whole sequence as one fused op; see LIFConfig for the update.
// Its output (the rates a readout sees) is the spikes.
type LIF[T autodiff.Float] struct {
	cfg LIFConfig
	spikingWeights[T]
	beta, alpha, rho *autodiff.Param[T] // [1×N] decays; alpha, rho nil when off
	names            []string           // state variables, see StateVars
	vars             []StateVar
	ops              SeqCache[T, lifOp[T]]
}

// NewLIF builds the layer with weights drawn from rng (see LIFConfig's
// Radius and InputGain; under Dale's law W_rec from InitDaleTo), zero bias
// and every unit's decays from its time constants. It returns an error
// naming the bad field if cfg is invalid.
func NewLIF[T autodiff.Float](cfg LIFConfig, rng *rand.Rand) (*LIF[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if rng == nil {
		return nil, errors.New("layers: NewLIF needs an rng")
	}
	cfg.defaults("lif")
	n := cfg.Units
	l := &LIF[T]{cfg: cfg}
	l.spikingWeights = newSpikingWeights[T](&cfg.SpikeOptions, n, cfg.Inputs, rng)
	beta, alpha, rho := cfg.decays()
	l.beta = newDecay[T](cfg.Name+".beta", n, beta, cfg.TrainTau)
	if cfg.TauSynMS > 0 {
		l.alpha = newDecay[T](cfg.Name+".alpha", n, alpha, cfg.TrainTau)
	}
	if cfg.AdaptStrength > 0 {
		l.rho = newDecay[T](cfg.Name+".rho", n, rho, cfg.TrainTau)
	}
	l.names = []string{"v"}
	if l.alpha != nil {
		l.names = append(l.names, "i")
	}
	if l.rho != nil {
		l.names = append(l.names, "a")
	}
	l.names = append(l.names, "z")
	if cfg.RefractorySteps > 0 {
		l.names = append(l.names, "r")
	}
	l.vars = stateVars(l.names, n)
	return l, nil
}

// decays returns the decays β, α and ρ that c's time constants (or Beta)
// give at its step; α and ρ are meaningless when the layer has no synaptic
// current or adaptation.
func (c *LIFConfig) decays() (beta, alpha, rho float64) {
	beta = c.Beta
	if beta == 0 {
		beta = decayOf(c.DtMS, c.TauMemMS)
	}
	return beta, decayOf(c.DtMS, c.TauSynMS), decayOf(c.DtMS, c.TauAdaptMS)
}

// SetFixedDecays sets every decay the layer does not train (each of them
// unless TrainTau) to the value its configuration gives, as NewLIF does. A
// run resumed with other time constants or another step than those its
// checkpoint was written with calls it after restoring the checkpoint's
// parameters, which hold the decays of then.
func (l *LIF[T]) SetFixedDecays() {
	if l.cfg.TrainTau {
		return
	}
	beta, alpha, rho := l.cfg.decays()
	for _, d := range []struct {
		p *autodiff.Param[T]
		v float64
	}{{l.beta, beta}, {l.alpha, alpha}, {l.rho, rho}} {
		if d.p == nil {
			continue
		}
		for k := range d.p.Value.Data {
			d.p.Value.Data[k] = T(d.v)
		}
	}
}

// Config returns the layer's configuration with defaults filled in.
func (l *LIF[T]) Config() LIFConfig { return l.cfg }

// Size returns the number of units N.
func (l *LIF[T]) Size() int { return l.cfg.Units }

// Params returns weight_ih [N×I], weight_hh [N×N], bias [1×N] and the
// decays beta, then alpha (synaptic current) and rho (adaptation) when the
// layer has them, each [1×N], names prefixed by the config's Name.
func (l *LIF[T]) Params() []*autodiff.Param[T] {
	ps := []*autodiff.Param[T]{l.wIn.p, l.wRec.p, l.bias, l.beta}
	if l.alpha != nil {
		ps = append(ps, l.alpha)
	}
	if l.rho != nil {
		ps = append(ps, l.rho)
	}
	return ps
}

// StateVars implements Recurrent: the membrane v (post-reset) first, then
// the synaptic current i and the adaptation a when the layer has them, the
// spikes z of the last step, and the refractory counter r (steps left)
// with RefractorySteps > 0; each has N columns. The slice is the layer's:
// callers must not change it.
func (l *LIF[T]) StateVars() []StateVar { return l.vars }

// SequenceReference implements Reference with the unfused reference.
func (l *LIF[T]) SequenceReference(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt SeqOptions) *autodiff.Var[T] {
	rates, _ := l.stepsReference(tp, x, init, steps, batch, opt)
	return stackSteps(tp, rates, steps, batch)
}
