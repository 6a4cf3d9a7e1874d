// Package lowrank is the low-rank recurrent network of Mastrogiuseppe &
// Ostojic (2018), Dubreuil et al. (2022) and Valente et al. (2022): the
// connectivity J = M Nᵀ/N is kept as its factors m, n ∈ R^{N×R}, and the
// layer runs a whole sequence as one fused op (Layer.Sequence), with its
// unfused reference (Layer.SequenceReference), its latent variables κ
// (Layer.KappaTo, Layer.ProjectTo) and the readout of the low_rank_rnns
// library (Layer.Readout).
//
// It is also where the analyses specific to low-rank networks live.
package lowrank
