package rnn

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/autodiff/surrogate"
	"github.com/rnntrain/rnntrain/layers"
)

// Spiking holds the options the spiking models (lif, alif, ltc) share.
type Spiking struct {
	// Surrogate is the pseudo-derivative of the spike in the backward pass,
	// written as surrogate.Parse reads it: FastSigmoid(k=25),
	// ArcTan(alpha=2) (the default, snnTorch's), Sigmoid(alpha=4),
	// Triangle(gamma=0.7, eps=1), MultiGaussian(width=0.3, height=0.15,
	// scale=6, gamma=0.5).
	Surrogate layers.Surrogate `json:"surrogate"`
	// ResetGrad lets the gradient flow through the spike in the reset
	// (default false: detached, snnTorch's default).
	ResetGrad bool `json:"reset_grad"`
	// InputGain scales the initial W_in ~ N(0, gain²/inputs) (default 4
	// for lif and alif, see defaultLIFInputGain; 1 for ltc).
	InputGain float64 `json:"input_gain"`
	// Dale > 0 turns on Dale's law with that fraction of excitatory units;
	// inhibitory units are not read out. Default 0: off.
	Dale float64 `json:"dale"`
	// Connectivity: init, spectral_radius (here default 1), no_autapses
	// and the mask files.
	Connectivity
}

// ExcitatoryFraction implements DaleModel.
func (c *Spiking) ExcitatoryFraction() float64 { return c.Dale }

func (c *Spiking) resolve() {
	if c.Surrogate.S == nil {
		c.Surrogate.S = surrogate.ArcTan{Alpha: surrogate.DefaultArcTanAlpha}
	}
	if c.InputGain == 0 {
		c.InputGain = 1
	}
	if c.SpectralRadius == 0 {
		c.SpectralRadius = 1
	}
	c.Connectivity.resolve()
}

func (c *Spiking) validate(hidden int) error {
	switch {
	case !(c.InputGain >= 0) || !in32(c.InputGain):
		return fmt.Errorf("input_gain = %g, need a value ≥ 0 %s", c.InputGain, range32)
	case c.Dale < 0 || c.Dale > 1 || math.IsNaN(c.Dale):
		return fmt.Errorf("dale = %g, need 0 (off) or a fraction in (0, 1]", c.Dale)
	case c.Dale > 0 && layers.NumExcitatory(hidden, c.Dale) == 0:
		return fmt.Errorf("dale = %g makes none of the %d units excitatory, and only excitatory units reach the readout", c.Dale, hidden)
	case c.Dale > 0 && c.Init != layers.InitGaussian:
		return fmt.Errorf("init = %v, but Dale's law needs gaussian", c.Init)
	}
	return c.Connectivity.validate()
}

// options returns the layer options of c for s, loading the mask files
// when masks is set.
func (c *Spiking) options(s layers.Spec, name string, masks bool) (layers.SpikeOptions, error) {
	o := layers.SpikeOptions{
		Surrogate: c.Surrogate, ResetGrad: c.ResetGrad, NoiseStd: s.NoiseStd, ExcFraction: c.Dale,
		Radius: c.SpectralRadius, InputGain: c.InputGain, Init: c.Init, NoAutapses: c.NoAutapses, Name: name,
		FreezeInput: s.FreezeInput, FreezeRec: s.FreezeRecurrent, FreezeBias: s.FreezeBias,
	}
	if !masks {
		return o, nil
	}
	var err error
	o.RecMask, o.RecFixed, o.InMask, o.InFixed, err = c.masks(s.Hidden, s.Inputs)
	return o, err
}

// validateSpiking runs the shared checks of sp, then those of the layer
// config build makes from s (without loading the mask files).
func validateSpiking[L any, P interface {
	*L
	Validate() error
}](sp *Spiking, s layers.Spec, build func(layers.Spec, bool) (L, error)) error {
	if err := sp.validate(s.Hidden); err != nil {
		return err
	}
	lc, err := build(s, false)
	if err != nil {
		return err
	}
	return P(&lc).Validate()
}

// dtOf returns the task's step, or 1 ms when it is unknown.
func dtOf(s layers.Spec) float64 {
	if s.DtMS > 0 {
		return s.DtMS
	}
	return 1
}

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// in32 reports whether x is finite and within the range of float32, the
// precision the commands' networks compute in: a larger value, such as a
// threshold of 1e39, becomes an infinity there and the first step's
// gradients NaN.
func in32(x float64) bool { return finite(x) && math.Abs(x) <= math.MaxFloat32 }

// positive32 reports whether x is positive in float32 too (in32 and not
// rounded to 0, as 1e-50 is).
func positive32(x float64) bool { return x > 0 && in32(x) && float32(x) > 0 }

// range32 says which values in32 allows, for error messages.
const range32 = "that float32 holds (|x| ≤ 3.4e38)"
