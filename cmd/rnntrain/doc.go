// Command rnntrain trains and analyses recurrent neural networks for
// computational neuroscience. Run "rnntrain help" for the commands.
//
// Usage:
//
//	rnntrain <command> [flags] [arguments]
//
// The commands:
//
//	train        train a network on a task; writes checkpoints, metrics and plots
//	eval         evaluate a checkpoint on held-out trials; record rates and states
//	plot         draw every figure of a run (or of an eval -record recording) again
//	inactivate   in-silico inactivation: accuracy before and after silencing or clamping units
//	fixedpoints  fixed and slow points of a trained network, their stability and modes
//	inspect      describe a checkpoint: model, sizes, task, step, accuracy, parameters
//	fit          fit low-rank RNNs to recorded activity (LINT) and sweep the rank
//	latent       latent dynamics κ(t), v(t) of a low-rank checkpoint and its reduced system
//	populations  Gaussian-mixture populations of a low-rank checkpoint (BIC) and the resampling test
//	truncate     the rank-R truncation (SVD) of a trained full-rank network as a low-rank checkpoint
//	tasks        list the tasks with their presets, sizes, trial lengths and scorers
//	bench        time one training step against the PyTorch anchor
//	sweep        train many networks from one spec (seeds, hyper-parameters, ranks), locally or as a Slurm job array
//	version      print the version and build information
//
// "rnntrain help COMMAND" (or "rnntrain COMMAND -h") prints a command's
// full description and flags, and "rnntrain help config" every config key
// with its default. Flags may follow positional arguments; "--" ends the
// flags. A training run is configured by flags, by a TOML or JSON config
// file (train -config FILE, in the layout of a run's config.json), or both,
// the flags overriding the file; -seed seeds every random draw and is
// recorded in the run's config and checkpoint. For example:
//
//	rnntrain train -task perceptual-dm -model gru -seed 1 -out runs/dm
//	rnntrain eval -checkpoint runs/dm
//	rnntrain inspect runs/dm
//
// # Exit status
//
// rnntrain exits with status 0 on success, 1 on a failure (a file that
// cannot be read, a training run that diverged), and 2 on a usage error (an
// unknown command or flag, a bad flag value or config key); the message on
// standard error names the command and the flag, key or file at fault. A
// training run or sweep stopped by SIGINT saves its checkpoint and exits
// with 130, by SIGTERM, SIGHUP or a broken output pipe (SIGPIPE) with 75
// (EX_TEMPFAIL), and resumes with
// -resume. Any other command stopped by a signal is abandoned at once and
// exits with 128 plus the signal's number.
package main
