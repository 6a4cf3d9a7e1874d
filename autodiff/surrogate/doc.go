// Package surrogate holds the pseudo-derivatives that stand in for the zero
// derivative of the Heaviside step H(x) in spiking networks trained by
// backpropagation (surrogate-gradient learning). x is always the distance
// to threshold, x = U − ϑ, already subtracted by the caller: a unit spikes
// when x > 0.
//
// # Overview
//
// A Surrogate is a small value type whose zero value means its documented
// default parameters: FastSigmoid (SuperSpike), ArcTan, Sigmoid, Triangle
// and MultiGaussian. The forward pass stays exact (autodiff.Spike emits
// 0 or 1); only the backward uses Deriv. Fused spiking layers call Deriv
// directly, or GradTo for a whole buffer, which dispatches once on the
// concrete type so that the loop inlines Deriv instead of making an
// interface call per element.
//
// Parse reads a surrogate back from its String form ("ArcTan(alpha=2)"),
// so configs can store one as text.
//
// Formulas and defaults follow the peer libraries (see each type): snnTorch
// (surrogate.py), Norse (functional/superspike.py, threshold.py),
// SpikingJelly (activation_based/surrogate.py), EvNN and sFPTT.
//
// # Shapes and layout
//
// Deriv is scalar and always evaluated in float64. GradTo works on flat
// slices of float32 or float64 of one length: dst, the upstream gradient g
// and the distances to threshold x, element by element, so any row-major
// tensor layout works as long as the three agree.
//
// # Invariants and aliasing
//
// Surrogates are immutable values, safe for concurrent use. GradTo
// accumulates into dst (dst[i] += g[i]·Deriv(x[i])) and never reads dst
// otherwise; it does not modify g or x.
//
// Converting a surrogate built from run-time values to the interface
// allocates, so hold it as a Surrogate (in a layer's config, say) and pass
// that around, rather than converting it on every step. Zero values and
// literals with constant fields convert without allocating.
//
// # Errors and panics
//
// GradTo panics, with a message starting "surrogate:", if its slices'
// lengths differ. Parse returns an error naming the text and what was
// expected for an unknown name, an unknown, repeated or empty parameter, a
// missing closing parenthesis, or a value that is not a finite positive
// number in decimal notation.
package surrogate
