// Package lowrank is the low-rank recurrent network of Mastrogiuseppe &
// Ostojic (2018), Dubreuil et al. (2022) and Valente et al. (2022): the
// connectivity J = M Nᵀ/N is kept as its factors m, n ∈ R^{N×R}, and the
// layer runs a whole sequence as one fused op (Layer.Sequence), with its
// unfused reference (Layer.SequenceReference), its latent variables κ
// (Layer.KappaTo, Layer.ProjectTo) and the readout of the low_rank_rnns
// library (Layer.Readout).
//
// It is also where the analyses specific to low-rank networks live.
//
// # Fitting recorded activity (LINT)
//
// LoadData reads a recording: activity [conditions, T, units] and inputs
// [conditions, T, n_in] (optional mask and dt) from an .npz archive, a
// directory of .npy files, or an `rnntrain eval -record` file. FitRank fits
// one low-rank network to it as Valente et al. (2022) do: N = units +
// hidden tanh units whose first `units` rates tanh(h) are the recorded
// units (the identity readout), Adam on the masked MSE, an optional free
// initial period, no noise. Sweep fits a list of ranks, each started from
// the SVD of a full-rank fit (Factors, FromMatrix: m = U_R S_R √N,
// n = V_R √N) or at random, and reports R² overall, per unit and on
// held-out conditions (R2).
//
// # Factors and truncation
//
// Factors holds a rank-R connectivity J = M·Nᵀ/N as its factors. FromMatrix
// takes the best rank-R approximation of a full matrix, Factors.Truncate
// that of a low-rank one to a lower rank (Eckart–Young, by SVD), and
// SingularValues gives the spectrum to choose R from. FactorsOf reads a
// layer's factors and Layer.SetFactors writes them back.
//
// # Latent dynamics
//
// NewLatent reduces a network to its latent system: the state is
// h = Σ κ_r m_r + Σ v_s I_s + h⊥, and Latent.Simulate runs κ and v on their
// own, exactly reproducing the network's projected trajectory
// (Latent.ProjectStates).
//
// # Populations
//
// Loadings gives every unit's vector (m_i, n_i, I_i, w_i); SelectMixture
// fits Gaussian mixtures of 1…K components by EM and picks K by BIC
// (Dubreuil et al. 2022); Mixture.Sample and SetLoadings redraw a network
// from the fitted mixture for the resampling test.
//
// # Shapes & layout
//
// Data arrays are condition-major, [conditions][T][dim]; the network runs
// time-major, [T][conditions][dim], as every layer does. Factors, loadings
// and latent trajectories are row-major float64; M and N are [N, R] and a
// full connectivity [N, N], J[i·N+k] the weight from unit k to unit i.
//
// # Invariants & aliasing
//
// FactorsOf, Factors.Matrix, Factors.Truncate, Factors.Tensors and
// Loadings return fresh copies; Layer.SetFactors and SetLoadings copy into
// the layer's parameters. A Layer owns its parameters as every layer does
// (Params), and its fused op never modifies its inputs.
//
// # Errors & panics
//
// LoadData, FitRank, Sweep, FromMatrix, NewLatent and the mixture fits
// return errors that name the file, array, key or size at fault; Predict,
// R2, Latent.Project, SetLoadings and the Layer's Readout, KappaTo,
// ProjectTo and SetFactors panic, with messages starting "lowrank:", on
// sizes that do not match (programmer errors). All randomness comes from FitConfig.Seed or a *rand.Rand the
// caller passes.
package lowrank
