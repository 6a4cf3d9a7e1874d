// Command egrusweep is the EGRU sparsity sweep (bench/egru_sweep.sh): the
// training step (internal/seqbench.NewStep: the layer over T steps, a linear
// readout N→2 of every step, squared error, full backward; no optimizer) of
// our dense GRU and of the EGRU at several activities, at several sizes.
//
// On a shared machine the load changes over seconds, so the configurations of
// one size run interleaved: every repetition times one step of each in turn,
// and the figure of merit is each configuration's least time over the
// repetitions (the least disturbed one) next to its median. Each EGRU's
// thresholds are shifted to its activity on the benchmark's input
// (layers.EGRU.TuneActivity) before timing.
//
// Usage:
//
//	egrusweep [-sizes 256x64x100,512x64x200,1024x32x100] [-acts 0.05,0.1,0.2,0.5,1] [-eps 1,3.6] [-reps 7]
//
// The flags, with the defaults above:
//
//	-sizes  comma-separated sizes NxBxT: units, batch, steps
//	-acts   comma-separated target activities of the EGRU, each > 0
//	-eps    comma-separated supports ε of the EGRU's pseudo-derivative, each > 0
//	-reps   timed steps per configuration, ≥ 1
//
// It prints to standard output one JSON object per configuration: N, B, T,
// Model ("gru" or "egru"), Eps (EGRU only), the Activity reached (1 for the
// GRU), the BackwardSparsity, and MsMin and MsMedian, the least and median
// step times in milliseconds over Reps repetitions. A bad flag value is reported on standard error,
// naming the flag, with exit status 2.
package main
