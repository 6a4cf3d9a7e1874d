package lowrank

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rnntrain/rnntrain/internal/enum"
	"github.com/rnntrain/rnntrain/layers"
)

// Rates selects the signal a low-rank layer returns as its rates, the
// signal a readout sees at step t (all computed from the new state h_{t+1}).
type Rates int

const (
	// RatesTanh returns tanh(h), the low_rank_rnns library's default output
	// non-linearity; with Layer.Readout it gives the library's
	// z = tanh(h)·(W_out ⊙ s_o)/N.
	RatesTanh Rates = iota
	// RatesPhi returns φ(h + b), the rates the units send to each other.
	RatesPhi
	// RatesState returns h itself (an identity output non-linearity), as the
	// bench's lowrank_loop model reads out h through a plain linear layer.
	RatesState
)

// ratesNames lists the rates kinds' names, indexed by Rates.
func ratesNames() []string { return []string{RatesTanh: "tanh", RatesPhi: "phi", RatesState: "state"} }

// String returns the rates kind's name, or Rates(i) for a value that is
// none of the constants.
func (r Rates) String() string { return enum.Name(ratesNames(), int(r), "Rates") }

// ParseRates returns the rates kind named s (tanh, phi, state).
func ParseRates(s string) (Rates, error) {
	i, err := enum.Parse(ratesNames(), s, "low-rank rates")
	return Rates(i), err
}

// MarshalText implements encoding.TextMarshaler. It returns an error for a
// value that is none of the constants.
func (r Rates) MarshalText() ([]byte, error) {
	return enum.Text("lowrank", ratesNames(), int(r), "rates")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Rates) UnmarshalText(b []byte) error {
	v, err := ParseRates(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// LayerConfig describes a low-rank RNN (Mastrogiuseppe & Ostojic 2018;
// Dubreuil et al. 2022; Valente et al. 2022), the LowRankRNN of the
// low_rank_rnns library (modules.py). The zero values of layers.Activation
// and Rates are the library's tanh and tanh.
type LayerConfig struct {
	Inputs int `json:"inputs"`
	Hidden int `json:"hidden"`
	// Outputs is the number of readout units of the layer's own readout
	// (wo, so and Readout); 0 means the layer has none and the caller reads
	// out the rates with its own linear layer.
	Outputs int `json:"outputs"`
	Rank    int `json:"rank"`
	// Alpha is dt/τ, in (0, 1].
	Alpha float64 `json:"alpha"`
	// NoiseStd is σ of the private noise σ·ξ, added unscaled by α as in
	// Valente/Dubreuil, when layers.SeqOptions.Noise is set.
	NoiseStd   float64           `json:"noise_std"`
	Activation layers.Activation `json:"activation"`
	Rates      Rates             `json:"rates"`
}

// Validate reports every problem with c.
func (c LayerConfig) Validate() error {
	var errs []string
	if c.Inputs <= 0 {
		errs = append(errs, fmt.Sprintf("inputs must be > 0, got %d", c.Inputs))
	}
	if c.Hidden <= 0 {
		errs = append(errs, fmt.Sprintf("hidden must be > 0, got %d", c.Hidden))
	}
	if c.Outputs < 0 {
		errs = append(errs, fmt.Sprintf("outputs must be ≥ 0, got %d", c.Outputs))
	}
	if c.Rank <= 0 || c.Rank > c.Hidden {
		errs = append(errs, fmt.Sprintf("rank must be in [1, hidden=%d], got %d", c.Hidden, c.Rank))
	}
	if !(c.Alpha > 0 && c.Alpha <= 1) {
		errs = append(errs, fmt.Sprintf("alpha must be in (0, 1], got %g", c.Alpha))
	}
	if !(c.NoiseStd >= 0) {
		errs = append(errs, fmt.Sprintf("noise_std must be ≥ 0, got %g", c.NoiseStd))
	}
	if c.Activation < layers.Tanh || c.Activation > layers.Identity {
		errs = append(errs, fmt.Sprintf("unknown activation %v", c.Activation))
	}
	if c.Rates < RatesTanh || c.Rates > RatesState {
		errs = append(errs, fmt.Sprintf("unknown rates %v", c.Rates))
	}
	if errs != nil {
		return errors.New("low-rank config: " + strings.Join(errs, "; "))
	}
	return nil
}

// ParamSet is a set of the parameters of a low-rank layer, used to say
// which of them train (the library's train_* flags).
type ParamSet uint8

const (
	ParamM  ParamSet = 1 << iota // m [N, R]
	ParamN                       // n [N, R]
	ParamWI                      // wi [I, N]
	ParamSI                      // si [1, I]
	ParamWO                      // wo [N, O]
	ParamSO                      // so [1, O]
	ParamB                       // b [1, N]
	ParamH0                      // h0 [1, N]

	// LibraryTrained is the library's default: train_wrec (m, n),
	// train_si and train_so; wi, wo, h0 and b stay fixed.
	LibraryTrained = ParamM | ParamN | ParamSI | ParamSO
)
