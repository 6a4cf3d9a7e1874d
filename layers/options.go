package layers

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/internal/enum"
)

// NoiseConvention selects how private recurrent noise of standard deviation
// σ enters the leaky update, as in the code each is named after. ξ ~ N(0, I)
// is drawn fresh at every step and unit from the rng passed to Sequence.
type NoiseConvention int

const (
	// NoisePsychRNN adds √(2α)·σ·ξ to the integrated state, outside φ
	// (PsychRNN psychrnn/backend/models/basic.py Basic.recurrent_timestep):
	//
	//	x_{t+1} = (1−α) x_t + α (W φ(x_t) + W_in u_t + b) + √(2α) σ ξ_t
	NoisePsychRNN NoiseConvention = iota
	// NoiseYang adds √(2/α)·σ·ξ to the drive, inside φ (Yang et al. 2019,
	// gyyang/multitask network.py LeakyRNNCell). With rate integration
	// (Yang's model):
	//
	//	r_{t+1} = (1−α) r_t + α φ(W r_t + W_in u_t + b + √(2/α) σ ξ_t)
	//
	// With state integration the drive is α(… + √(2/α) σ ξ_t), whose
	// increment has the same law as NoisePsychRNN's.
	NoiseYang
	// NoiseValente adds σ·ξ to the integrated state, unscaled by α
	// (Valente/Dubreuil low_rank_rnns modules.py FullRankRNN.forward):
	//
	//	x_{t+1} = (1−α) x_t + α (W φ(x_t) + W_in u_t + b) + σ ξ_t
	NoiseValente
)

// noiseNames lists the conventions' names, indexed by NoiseConvention.
func noiseNames() []string {
	return []string{NoisePsychRNN: "psychrnn", NoiseYang: "yang", NoiseValente: "valente"}
}

func (c NoiseConvention) String() string { return enum.Name(noiseNames(), int(c), "NoiseConvention") }

// ParseNoiseConvention returns the convention named s (psychrnn, yang,
// valente).
func ParseNoiseConvention(s string) (NoiseConvention, error) {
	i, err := enum.Parse(noiseNames(), s, "noise convention")
	return NoiseConvention(i), err
}

// MarshalText implements encoding.TextMarshaler. It returns an error for a
// value that is none of the constants.
func (c NoiseConvention) MarshalText() ([]byte, error) {
	return enum.Text("layers", noiseNames(), int(c), "noise convention")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *NoiseConvention) UnmarshalText(b []byte) error {
	v, err := ParseNoiseConvention(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Scale returns the standard deviation of the noise term for σ and α, and
// whether it is added inside the drive (inside φ under rate integration)
// rather than to the integrated state. It panics if c is none of the
// NoiseConvention constants.
func (c NoiseConvention) Scale(sigma, alpha float64) (std float64, inside bool) {
	switch c {
	case NoisePsychRNN:
		return math.Sqrt(2*alpha) * sigma, false
	case NoiseYang:
		return math.Sqrt(2/alpha) * sigma, true
	case NoiseValente:
		return sigma, false
	}
	panic(fmt.Sprintf("layers: unknown noise convention %d", int(c)))
}

// Integration selects which quantity a leaky layer integrates.
type Integration int

const (
	// IntegrateState integrates the pre-activation state x and reads out
	// the rates r = φ(x) of the new state (PsychRNN, Valente):
	//
	//	x_{t+1} = (1−α) x_t + α (W φ(x_t) + W_in u_t + b),  r_{t+1} = φ(x_{t+1})
	IntegrateState Integration = iota
	// IntegrateRate integrates the rate itself (Yang, NeuroGym CTRNN, the
	// PyTorch leaky_loop benchmark); with α = 1 and φ = tanh it is
	// torch.nn.RNN:
	//
	//	r_{t+1} = (1−α) r_t + α φ(W r_t + W_in u_t + b)
	IntegrateRate
)

// integrationNames lists the integrations' names, indexed by Integration.
func integrationNames() []string { return []string{IntegrateState: "state", IntegrateRate: "rate"} }

func (g Integration) String() string { return enum.Name(integrationNames(), int(g), "Integration") }

// ParseIntegration returns the integration named s (state, rate).
func ParseIntegration(s string) (Integration, error) {
	i, err := enum.Parse(integrationNames(), s, "integration")
	return Integration(i), err
}

// MarshalText implements encoding.TextMarshaler. It returns an error for a
// value that is none of the constants.
func (g Integration) MarshalText() ([]byte, error) {
	return enum.Text("layers", integrationNames(), int(g), "integration")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (g *Integration) UnmarshalText(b []byte) error {
	v, err := ParseIntegration(string(b))
	if err != nil {
		return err
	}
	*g = v
	return nil
}
