// Command seqtrain trains a network (a GRU by default, -model) on a
// long-sequence task (adding by default; copy, mnist-pixels, …) with one
// trainer and reports the held-out MSE and accuracy, the wall time and the
// process's peak resident memory. bench/adding.sh runs it to compare the
// trainers on the same budget, bench/smnist.sh to train with sFPTT on
// pixel-wise MNIST, and bench/memory.sh for a few updates per trainer and
// trial length, one fresh process per cell, to compare peak memory.
//
// Usage:
//
//	seqtrain -trainer fptt -T 1000 -window 10 -steps 3000 [-hidden 64 -batch 32 -lr 1e-3 ...]
//
// Trainers: bptt (full backpropagation through time), tbptt (truncated to
// windows of -window steps), fptt (FPTT in windows of -window steps, i.e.
// parts = T/window, with the progressive loss by default (-loss): every
// window is trained on the trial's final answer). The held-out trials are
// measured every -eval updates and after the last update: -eval-trials
// trials drawn once from the seed's evaluation stream for generated tasks
// (never trained on), the validation split for datasets; evaluation runs in
// the trainer's windows. The network's size (-hidden), the batch (-batch),
// the number of updates (-steps), Adam's learning rate and its schedule
// (-lr, -schedule), FPTT's α and reset period (-alpha, -reset) and the
// seed of weights and trials (-seed) are flags too; seqtrain -h lists them
// with their defaults.
//
// Each evaluation prints a line with the update, the elapsed time, the
// training loss and the held-out MSE and accuracy. The last line is
//
//	trainer T steps held_out_mse held_out_accuracy peak_rss_kib seconds_per_update
//
// where T is the trial length in steps. The peak resident memory is read
// from /proc/self/status, so seqtrain runs on Linux only. An invalid flag
// value or any failure is reported on standard error with exit status 1; an
// undefined flag makes the flag package exit with status 2.
package main
