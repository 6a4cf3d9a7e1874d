package layers

// Activation is a rate nonlinearity φ.
type Activation int

const (
	Tanh Activation = iota
	ReLU
	Softplus
	Identity
)

// NoiseConvention selects how private recurrent noise of standard deviation
// σ enters the leaky update (peers.md §2.1).
type NoiseConvention int

const (
	// NoisePsychRNN: x ← (1−α)x + α(W φ(x) + W_in u + b) + √(2α)·σ·ξ.
	NoisePsychRNN NoiseConvention = iota
	// NoiseYang: the noise √(2/α)·σ·ξ is added inside φ.
	NoiseYang
	// NoiseValente: σ·ξ is added unscaled.
	NoiseValente
)
