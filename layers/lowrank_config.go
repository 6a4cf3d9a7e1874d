package layers

import (
	"errors"
	"fmt"
	"strings"
)

// LowRankRates selects the signal a LowRank layer returns as its rates, the
// signal a readout sees at step t (all computed from the new state h_{t+1}).
type LowRankRates int

const (
	// RatesTanh returns tanh(h), the low_rank_rnns library's default output
	// non-linearity; with LowRank.Readout it gives the library's
	// z = tanh(h)·(W_out ⊙ s_o)/N.
	RatesTanh LowRankRates = iota
	// RatesPhi returns φ(h + b), the rates the units send to each other.
	RatesPhi
	// RatesState returns h itself (an identity output non-linearity), as the
	// bench's lowrank_loop model reads out h through a plain linear layer.
	RatesState
)

func (r LowRankRates) String() string {
	switch r {
	case RatesTanh:
		return "tanh"
	case RatesPhi:
		return "phi"
	case RatesState:
		return "state"
	}
	return fmt.Sprintf("LowRankRates(%d)", int(r))
}

// ParseLowRankRates returns the rates kind named s (tanh, phi, state).
func ParseLowRankRates(s string) (LowRankRates, error) {
	for _, r := range []LowRankRates{RatesTanh, RatesPhi, RatesState} {
		if r.String() == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("unknown low-rank rates %q (valid: tanh, phi, state)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (r LowRankRates) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *LowRankRates) UnmarshalText(b []byte) error {
	v, err := ParseLowRankRates(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// LowRankConfig describes a low-rank RNN (peers.md §2.2). The zero values of
// Activation and Rates are the library's tanh and tanh.
type LowRankConfig struct {
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
	// Valente/Dubreuil, when SeqOptions.Noise is set.
	NoiseStd   float64      `json:"noise_std"`
	Activation Activation   `json:"activation"`
	Rates      LowRankRates `json:"rates"`
}

// Validate reports every problem with c.
func (c LowRankConfig) Validate() error {
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
	if c.Activation < Tanh || c.Activation > Identity {
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

// LowRankParams is a set of the parameters of a LowRank layer, used to say
// which of them train (the library's train_* flags).
type LowRankParams uint8

const (
	LowRankM  LowRankParams = 1 << iota // m [N, R]
	LowRankN                            // n [N, R]
	LowRankWI                           // wi [I, N]
	LowRankSI                           // si [1, I]
	LowRankWO                           // wo [N, O]
	LowRankSO                           // so [1, O]
	LowRankB                            // b [1, N]
	LowRankH0                           // h0 [1, N]

	// LowRankLibraryTrained is the library's default: train_wrec (m, n),
	// train_si and train_so; wi, wo, h0 and b stay fixed.
	LowRankLibraryTrained = LowRankM | LowRankN | LowRankSI | LowRankSO
)
