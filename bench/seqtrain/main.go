package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "seqtrain:", err)
		os.Exit(1)
	}
}

func run() error {
	name := flag.String("task", "adding", "task (its default preset)")
	trainer := flag.String("trainer", "fptt", "bptt, tbptt or fptt")
	T := flag.Int("T", 1000, "the task's steps setting (adding: trial length; copy: delay); 0 for tasks without it")
	loss := flag.String("loss", "progressive", "fptt window loss: window or progressive")
	steps := flag.Int("steps", 3, "updates (one batch each)")
	kind := flag.String("model", "gru", "recurrent model (rnn.Models), with its defaults")
	hidden := flag.Int("hidden", 128, "recurrent units")
	batch := flag.Int("batch", 16, "trials per update")
	window := flag.Int("window", 100, "steps per window for tbptt and fptt")
	lr := flag.Float64("lr", 3e-3, "Adam learning rate")
	schedule := flag.String("schedule", "constant", "learning-rate schedule: constant, step or cosine (to 0 over the run)")
	alpha := flag.Float64("alpha", 0.1, "FPTT α")
	reset := flag.Int("reset", -1, "FPTT reset_every (−1: never, as the FPTT code's add-task loop, which has no epochs)")
	every := flag.Int("eval", 0, "evaluate every so many updates (0: only after the last)")
	trials := flag.Int("eval-trials", 0, "held-out trials (0: the batch size)")
	seed := flag.Uint64("seed", 1, "seed of weights and trials")
	flag.Parse()
	if *T < 0 || *window < 1 || *hidden < 1 || *batch < 1 || *steps < 1 || *every < 0 || *trials < 0 {
		return fmt.Errorf("-T ≥ 0; -window, -hidden, -batch, -steps ≥ 1; -eval, -eval-trials ≥ 0")
	}
	task, err := tasks.New(*name, tasks.Default, tasks.Settings{Steps: *T})
	if err != nil {
		return err
	}
	in, out := task.Dims()
	steps0 := task.Batch(train.NewRNG(*seed, train.StreamBatch), 1).T // the trial length
	cfg := train.DefaultConfig()
	cfg.Steps, cfg.BatchSize, cfg.LR, cfg.EvalEvery, cfg.EvalTrials, cfg.Seed = *steps, *batch, *lr, *every, *batch, *seed
	if err := cfg.Schedule.Kind.UnmarshalText([]byte(*schedule)); err != nil {
		return fmt.Errorf("-schedule: %w", err)
	}
	if *trials > 0 {
		cfg.EvalTrials = *trials
	}
	switch *trainer {
	case "bptt":
	case "tbptt":
		cfg.TBPTT = *window
	case "fptt":
		cfg.Trainer = train.FPTT
		cfg.FPTT.Parts, cfg.FPTT.Alpha, cfg.FPTT.ResetEvery = max(1, steps0 / *window), *alpha, *reset
		if err := cfg.FPTT.Loss.UnmarshalText([]byte(*loss)); err != nil {
			return fmt.Errorf("-loss: %w", err)
		}
	default:
		return fmt.Errorf("-trainer %q: want bptt, tbptt or fptt", *trainer)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	model, err := rnn.Lookup(*kind)
	if err != nil {
		return fmt.Errorf("-model: %w", err)
	}
	m, err := rnn.New[float32](rnn.Config{Inputs: in, Hidden: *hidden, Outputs: out, DtMS: tasks.Describe(task).DtMS, Model: model.New()}, train.NewRNG(cfg.Seed, train.StreamInit))
	if err != nil {
		return err
	}
	start := time.Now()
	sum, err := train.Run(context.Background(), cfg, m, []tasks.Task{task}, train.StepFunc(func(s train.Step) error {
		if s.Eval != nil {
			fmt.Printf("update %d  %.0f s  train loss %.4f  %s (%d trials): MSE %.4f  accuracy %.3f\n",
				s.Step, time.Since(start).Seconds(), s.TaskLoss, s.Eval.Split, s.Eval.Trials, s.Eval.MSE, s.Eval.Accuracy)
		}
		return nil
	}))
	if err != nil {
		return err
	}
	per := time.Since(start).Seconds() / float64(sum.Steps)
	peak, err := peakRSS()
	if err != nil {
		return err
	}
	fmt.Printf("%s %d %d %.5f %.4f %d %.3f\n", *trainer, steps0, sum.Steps, sum.Eval.MSE, sum.Eval.Accuracy, peak, per)
	return nil
}

// peakRSS returns the process's peak resident set size in KiB (VmHWM of
// /proc/self/status; Linux only).
func peakRSS() (int, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		}
	}
	return 0, fmt.Errorf("/proc/self/status has no VmHWM line")
}
