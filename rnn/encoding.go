package rnn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/enum"
)

// Encoding selects how the network turns the task's inputs into what the
// recurrent layer receives.
type Encoding int

const (
	// EncodeNone passes the inputs on as currents (the default).
	EncodeNone Encoding = iota
	// EncodePoisson is rate coding (snnTorch spikegen.rate, signed): at
	// every step input k emits sign(x_k)·Bernoulli(min(g·|x_k|, 1)), g the
	// encoding gain.
	EncodePoisson
	// EncodeDelta is change coding (snnTorch spikegen.delta with off
	// spikes): +1 where x_t − x_{t−1} ≥ θ, −1 where it is ≤ −θ, else 0,
	// θ the encoding threshold and x_{−1} = 0 before a sequence's first
	// step (a later window of it carries its previous input as state).
	EncodeDelta
)

func encodingNames() []string {
	return []string{EncodeNone: "none", EncodePoisson: "poisson", EncodeDelta: "delta"}
}

func (e Encoding) String() string { return enum.Name(encodingNames(), int(e), "Encoding") }

// ParseEncoding returns the encoding named s (none, poisson, delta).
func ParseEncoding(s string) (Encoding, error) {
	i, err := enum.Parse(encodingNames(), s, "encoding")
	return Encoding(i), err
}

// MarshalText implements encoding.TextMarshaler.
func (e Encoding) MarshalText() ([]byte, error) {
	return enum.Text("rnn", encodingNames(), int(e), "encoding")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (e *Encoding) UnmarshalText(b []byte) error {
	v, err := ParseEncoding(string(b))
	if err != nil {
		return err
	}
	*e = v
	return nil
}

// Readout selects the network's output layer.
type Readout int

const (
	// ReadoutLinear is y_t = W_out r_t + b (the default).
	ReadoutLinear Readout = iota
	// ReadoutLeaky is the non-spiking leaky integrator of spiking networks
	// (snnTorch's Leaky output read from its membrane): o_t = β_o o_{t−1} +
	// W_out r_t + b, o_{−1} = 0, outputs o_t, β_o = exp(−dt/τ_out).
	ReadoutLeaky
)

func readoutNames() []string { return []string{ReadoutLinear: "linear", ReadoutLeaky: "leaky"} }

func (r Readout) String() string { return enum.Name(readoutNames(), int(r), "Readout") }

// ParseReadout returns the readout named s (linear, leaky).
func ParseReadout(s string) (Readout, error) {
	i, err := enum.Parse(readoutNames(), s, "readout")
	return Readout(i), err
}

// MarshalText implements encoding.TextMarshaler.
func (r Readout) MarshalText() ([]byte, error) {
	return enum.Text("rnn", readoutNames(), int(r), "readout")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Readout) UnmarshalText(b []byte) error {
	v, err := ParseReadout(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// encodingStream is the PCG stream of the Poisson draws of a forward pass
// without a noise rng, seeded with Config.EncodingSeed.
const encodingStream = 0x656e63 // "enc"

// EncodeTo writes into dst the encoding e of x, both [steps·batch, inputs]
// time-major, with gain g (poisson) and threshold thr (delta); rng draws
// the Poisson spikes. prev is the input of the step before x's first,
// [batch, inputs] or [1, inputs], from which delta measures the first
// change (empty: 0). EncodeNone copies x. It panics if the shapes differ,
// the rows are not a whole number of batches, or e is poisson and rng is
// nil.
func EncodeTo[T autodiff.Float](dst, x, prev autodiff.Tensor[T], batch int, e Encoding, g, thr float64, rng *rand.Rand) {
	if dst.Rows != x.Rows || dst.Cols != x.Cols || batch <= 0 || x.Rows%batch != 0 ||
		(prev.Data != nil && (prev.Cols != x.Cols || (prev.Rows != batch && prev.Rows != 1))) {
		panic(fmt.Sprintf("rnn: EncodeTo of %v into %v from %v with batch %d", x.Shape(), dst.Shape(), prev.Shape(), batch))
	}
	switch e {
	case EncodePoisson:
		if rng == nil {
			panic("rnn: EncodeTo poisson needs an rng")
		}
		for k, v := range x.Data {
			var s T
			if p := min(g*math.Abs(float64(v)), 1); p > 0 && rng.Float64() < p {
				s = 1
				if v < 0 {
					s = -1
				}
			}
			dst.Data[k] = s
		}
	case EncodeDelta:
		w := batch * x.Cols
		for k, v := range x.Data {
			var before float64
			switch {
			case k >= w:
				before = float64(x.Data[k-w])
			case prev.Data != nil:
				before = float64(prev.Data[k%prev.Len()])
			}
			var s T
			switch d := float64(v) - before; {
			case d >= thr:
				s = 1
			case d <= -thr:
				s = -1
			}
			dst.Data[k] = s
		}
	default:
		copy(dst.Data, x.Data)
	}
}
