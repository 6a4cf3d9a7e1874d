package rnn

import (
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// Kind selects the recurrent layer of a network.
type Kind int

const (
	Vanilla Kind = iota // h ← tanh(W h + U u + b), as torch.nn.RNN
	Leaky               // leaky rate RNN, PsychRNN/NeuroGym/Yang style
	GRU                 // torch.nn.GRU equations and layout
	LowRank             // J = M Nᵀ/N, Valente/Dubreuil
)

// Config describes a network: input → recurrent layer → linear readout.
type Config struct {
	Kind       Kind                   `json:"model"`
	Inputs     int                    `json:"inputs"`
	Hidden     int                    `json:"hidden"`
	Outputs    int                    `json:"outputs"`
	Rank       int                    `json:"rank,omitempty"`
	Alpha      float64                `json:"alpha,omitempty"`
	Activation layers.Activation      `json:"activation"`
	NoiseStd   float64                `json:"noise_std"`
	Noise      layers.NoiseConvention `json:"noise_convention"`
}

// Network is a recurrent network run over whole sequences as one fused op.
type Network[T autodiff.Float] struct {
	cfg Config
}

// New builds a network with weights drawn from rng.
func New[T autodiff.Float](cfg Config, rng *rand.Rand) (*Network[T], error) {
	panic("rnn: New is being built")
}

// Params returns every parameter with its stable dotted name.
func (n *Network[T]) Params() []*autodiff.Param[T] { panic("rnn: Params is being built") }

// Options control one run over a sequence.
type Options[T autodiff.Float] struct {
	// H0 is the initial state [B, Hidden]; empty means the network's own
	// (trainable or fixed) initial state.
	H0 autodiff.Tensor[T]
	// Noise draws the private recurrent noise; nil runs without noise.
	Noise *rand.Rand
}

// Result is what Forward returns.
type Result[T autodiff.Float] struct {
	Rates autodiff.Var[T] // placeholder; see Forward
}

// Forward runs x ([steps·batch, Inputs], time-major) through the network.
func (n *Network[T]) Forward(tp *autodiff.Tape[T], x autodiff.Tensor[T], steps, batch int, opt Options[T]) Result[T] {
	panic("rnn: Forward is being built")
}
