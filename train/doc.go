// Package train trains recurrent networks as computational neuroscientists
// do: masked task losses, the optimizers and penalties of PsychRNN and Yang
// et al., truncated or full BPTT, held-out evaluation, curricula, and
// checkpoints that resume bit for bit.
//
// # Overview
//
// Run takes a typed Config, a Model (a model.Network[float32] such as an
// *rnn.Network[float32]), the
// curriculum stages (one task is a one-stage curriculum) and observers:
//
//	cfg := train.DefaultConfig()
//	net, _ := rnn.New[float32](netCfg, train.NewRNG(cfg.Seed, train.StreamInit))
//	sum, err := train.Run(ctx, cfg, net, []tasks.Task{task},
//		&train.Logger{W: os.Stderr, Every: cfg.LogEvery},
//		&train.Checkpointer{Dir: dir, Every: cfg.CheckpointEvery, Keep: cfg.Keep, KeepBest: cfg.KeepBest, Model: net, Meta: meta})
//
// Each update draws Config.BatchSize trials, runs the network over them,
// backpropagates the task loss (Loss: autodiff.MaskedMSE or
// autodiff.MaskedSoftmaxCE, chosen by the task's tasks.Loss) plus the
// penalties (Regularization), stops on a
// non-finite loss or gradient, clips (ClipGradNorm), and takes one
// optimizer step (SGD, Adam, AdamW, Adamax) at the rate of the Schedule;
// it then checks the updated parameters and moments (Config.MaxParam).
//
// # Truncated BPTT
//
// With Config.TBPTT = K > 0 each trial runs in windows of K steps: the
// window's loss is backpropagated within the window, the final state is
// carried into the next window as a constant, and the gradients of all
// windows are summed into one update. The losses are normalised by the whole
// batch's mask, so the summed windows are exactly the full-trial loss, with
// gradients cut at window boundaries. The penalties on activity, the
// firing-rate penalties (Regularization.RatePenalty) and a layer's own (the
// EGRU's activity penalty, through model.Options.PenaltyShare), weigh each
// window by its share of the steps within the trials' lengths: a window
// adds that share of the penalty of its own steps, so the windows add up to
// the whole trial's penalty when the activity is the same in every window
// (TestEGRUActivityPenaltyWindows). The tape holds one window, so its
// memory does not grow with the trial length (TestTruncatedMemory).
//
// # FPTT
//
// With Config.Trainer = FPTT (forward propagation through time, Kag &
// Saligrama 2021; sFPTT, Yin et al. 2023) each trial is cut into
// FPTTConfig.Parts windows and the parameters are updated after every
// window, on the window's loss plus a dynamic regularizer that keeps every
// parameter W near its running average W̄ through a multiplier λ (the
// released code's update, spelled out on FPTTConfig; the math is Dynamic).
// The state is carried between windows as a constant, so memory is flat in
// the trial length like truncated BPTT, while the regularizer lets
// information from earlier windows shape later updates. The progressive
// loss (Progressive) scores every window on the trial's final answer,
// sFPTT's loss for classification over a sequence. W̄, λ and sFPTT's class
// prior are part of State (OptimizerState.FPTT) and of checkpoints, so FPTT
// runs resume bit for bit too (TestFPTTResumeIdentity).
//
// # Randomness and resume
//
// Every random number comes from a PCG stream of Config.Seed (Stream):
// initial weights, training trials, training noise, held-out trials, and
// evaluation noise are separate streams. The held-out set is drawn once per
// stage and the evaluation noise restarts at each evaluation, so
// evaluations neither depend on nor disturb training. State holds the step,
// the curriculum stage, the optimizer's moments and step count, and the
// training streams; with the parameters it is everything a resumed run
// needs: training 2n updates, or n, a checkpoint, RestoreState and Resume
// for n more, gives bitwise identical parameters.
//
// # Observers
//
// Observers get every update (Step, with Step.Eval set after an
// evaluation) and the end (Summary). Logging (Logger) and checkpointing
// (Checkpointer) are observers; early stop at Config.TargetAccuracy and the
// curriculum (advance at Config.AdvanceThreshold, 0.9 as in PsychRNN) are
// built into the loop because they need its evaluation. An observer stops
// the run cleanly by returning ErrStop.
//
// # Errors
//
// Configuration problems are errors naming the JSON field
// ("lr: must be positive…"). A cancelled context stops the run after the
// current update with an error wrapping ErrInterrupted and ctx.Err(); the
// Summary's State is consistent and the Checkpointer has saved it.
// Divergence is a *DivergenceError naming the update and the offending
// parameter and element ("step 412: gradient of rnn.w_rec has NaN at
// [3 7]"). A divergence found in the loss or a gradient stops before the
// update, which changes nothing; one found in the updated parameters or
// optimizer moments (DivergenceError.Updated) leaves the diverged update in
// them. Either way nothing is saved after it. Loading a checkpoint that does not fit the model is an error listing
// every mismatch (RestoreState), and leaves the model unchanged.
//
// Programmer errors in the numeric code (losses of mismatched shapes) panic
// with messages prefixed "train:" or "autodiff:".
//
// # Allocation
//
// Once warmed up, an update allocates nothing in this package
// (TestUpdateAllocatesNothing, also with rnn.Network): the tape, the carried
// state, the loss weights and the optimizer's moments are reused. Tasks
// allocate their batches.
package train
