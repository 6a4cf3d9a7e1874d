// Package dynamics finds the fixed and slow points of trained rate
// networks and linearises the dynamics around them (Sussillo & Barak
// 2013; Golub & Sussillo's FixedPointFinder; Mante et al. 2013).
//
// # Overview
//
// A rate layer's noiseless one-step map s_{t+1} = F(s_t, u) under a
// constant input u* (layers.StepMap: the leaky and vanilla RNN, the GRU,
// the low-rank RNN) has fixed points s* = F(s*, u*), and slow points where
// q(s) = ½‖F(s, u*) − s‖² is small without being zero. Find minimises q
// from many initial states at once, with Adam on one batched step per
// iteration; it then drops duplicates and distance outliers with
// FixedPointFinder's tolerances (Options; mattgolub/fixed-point-finder
// FixedPointFinderBase.py _default_hps) and linearises each point left: the
// Jacobians ∂F/∂s and ∂F/∂u, the eigenvalues with right and left
// eigenvectors, and a Class from the moduli (stable, marginal, saddle with
// its number of unstable modes, unstable).
//
// Sample draws initial states from recorded trajectories (plus Gaussian
// noise, from an explicit rng); FitPCA gives the projection in which
// trajectories and points are plotted; Point.Mode, Point.InputDirection
// and AbsCos measure how a slow mode lines up with an input (the selection
// vector of Mante et al. is the left eigenvector of the slow mode).
//
// # Shapes & layout
//
// States are flat row-major: K states of N units are [K·N]. Jacobians are
// row-major, J[i·N+j] = ∂F_i/∂s_j; eigenvectors are columns
// (Right[i·N+k] is component i of vector k). Everything is float64 in
// and out; the step itself runs in the layer's precision T.
//
// # Errors & panics
//
// Find returns an error for a layer without a step map, invalid Options or
// a failed eigendecomposition; Linearise for a failed eigendecomposition;
// FitPCA for fewer than two states or an SVD that does not converge. Slices
// whose lengths do not fit are programmer errors: Find (the initial states
// or the input against the layer), Sample, FitPCA and AbsCos panic, with
// messages prefixed "dynamics:" (or "layers:" for the input).
package dynamics
