// Package layers holds the recurrent layers and readouts networks are built
// from: the leaky rate RNN (which with α = 1 is torch.nn.RNN), the GRU in
// torch.nn.GRU's layout, the event-based GRU (EGRU), the spiking layers
// (LIF and adaptive LIF, LTC-SN) trained with surrogate gradients, the
// affine Linear layer and the leaky-integrator readout (LeakyIntegrator).
// The low-rank RNN of Valente and Dubreuil is built on the same interfaces
// in package lowrank. Model describes a recurrent model for the registry
// of package rnn: its name, its equations and its typed config
// (ModelConfig).
//
// # Overview
//
// Every recurrent layer implements Recurrent: Sequence runs a whole sequence
// as ONE fused op on an autodiff tape. The input projection of all steps is
// one GEMM; each step does one recurrent GEMM and a fused element-wise update;
// the backward pass walks time in reverse with one GEMM per step for the
// state gradient and forms the weight gradients as single GEMMs over all
// steps·batch rows. Each fused layer keeps an unfused reference written with
// the engine's primitive ops (SequenceRef, SequenceReference, RunReference, ForwardRef),
// which the tests compare it against.
//
// The rate layers (leaky, GRU; the low-rank layer in package lowrank) also
// implement StepMap: their noiseless one-step map F(s, u) of the primary
// state on the tape, for a batch, and its Jacobians ∂F/∂s and ∂F/∂u at one
// point in float64, which the fixed-point analysis (package dynamics) uses.
//
// The leaky layer carries the neuroscience features: Dale's law with the
// PsychRNN parametrisation and E/I-balanced initialisation, connectivity
// masks, masks of fixed weights (Constraint), three noise conventions
// (NoiseConvention), state or rate integration (Integration), and three
// initialisers (Init). In-silico inactivation (Inactivation) silences or
// clamps units inside the fused op.
//
// The spiking layers (LIF, LTC) emit spikes as their rates and keep several
// state variables (membrane, synaptic current, adaptation, last spikes,
// refractory counter); their backward passes use the pseudo-derivative of
// a Surrogate, the reset optionally detached. While few units spiked, a
// step's recurrent input adds the columns of W_rec of the units that
// spiked instead of a dense GEMM (sparseFraction). They share SpikeOptions:
// Dale's law, masks, fixed weights, current noise, initial scales. A
// Surrogate is the config form of a surrogate.Surrogate.
//
// The EGRU (Subramoney et al. 2023) is a GRU whose units emit events when
// their state crosses a trained threshold; only the events reach other
// units and the readout, and its backward pass uses a pseudo-derivative
// too. EGRU.TuneActivity shifts the thresholds to a target activity.
//
// # Shapes and layout
//
// Sequences are time-major [steps·batch, dim]; weights follow PyTorch:
// W_in [N×I], W_rec [N×N], a readout [O×N], biases [1×N], so that
// pre-activations are x·Wᵀ. Initial states are [batch, N] or [1, N]
// (broadcast over the batch).
//
// # Ownership and allocation
//
// Parameters are owned by their layer. Everything Sequence and Forward
// return lives in the tape's arena until Tape.Reset. A layer recycles its
// per-call op records (SeqCache), so a warmed-up Forward + Backward on a
// reset tape allocates nothing. Randomness comes only from the *rand.Rand
// passed to constructors and to Sequence.
//
// # Errors and panics
//
// The recurrent layers' constructors (NewGRU, NewEGRU, NewLeaky, NewLIF,
// NewLTC) return errors naming the bad size, field or option, and a nil
// rng: their arguments come from a user's config. NewLinear and
// NewLeakyIntegrator panic on a size ≤ 0 or a decay outside [0, 1], as
// numeric code does on misuse: rnn.New, which builds them for a user's
// config, derives their arguments (hidden, outputs, and β from dt_ms and
// readout_tau_ms) from an rnn.Config it has validated, so no config
// reaches the panics.
// Sequence and Forward panic, with a "layers:" message naming the layer and
// the shapes, when handed tensors of the wrong shape.
package layers
