package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/model"
	"github.com/rnntrain/rnntrain/tasks"
)

// Run trains m from scratch for cfg.Steps updates on the curriculum stages
// (one task is a one-stage curriculum), reporting to the observers.
//
// Every update draws cfg.BatchSize trials from the current stage's task,
// runs the model over them in windows of cfg.TBPTT steps (the whole trial
// when 0), sums the gradients of the task loss and the penalties, stops with
// a *DivergenceError if the loss or a gradient is not finite, clips, and
// takes one optimizer step at the scheduled learning rate; after the step
// it stops with a *DivergenceError if a parameter is not finite or exceeds
// cfg.MaxParam in magnitude, or an optimizer moment is not finite. With
// cfg.Trainer = FPTT it instead takes optimizer steps after every window
// (see FPTTConfig), and evaluates in the same windows.
//
// Every stage must have the inputs, outputs and dt of stage 0 (see
// StageTasks); Run returns an error naming the stage otherwise.
//
// Run returns when the steps are done, the held-out accuracy on the last
// stage reaches cfg.TargetAccuracy, an observer returns ErrStop (all with a
// nil error), the context is cancelled (an error wrapping ErrInterrupted and
// ctx.Err(), after a complete update), the run diverges (a
// *DivergenceError), or an observer fails. The Summary is valid in every
// case; its State is consistent with the model's parameters.
func Run(ctx context.Context, cfg Config, m Model, stages []tasks.Task, obs ...Observer) (Summary, error) {
	return Resume(ctx, cfg, m, stages, State{}, obs...)
}

// Resume continues a run from st, whose parameters the caller has already
// restored into m (RestoreState does both from a checkpoint). With the same
// cfg, stages and parameters, training n updates, saving, and resuming to
// 2n gives bitwise the parameters of 2n updates in one go. The zero State
// starts a fresh run, as Run.
func Resume(ctx context.Context, cfg Config, m Model, stages []tasks.Task, st State, obs ...Observer) (Summary, error) {
	l, err := newLoop(cfg, m, stages, st)
	if err != nil {
		return Summary{}, err
	}
	return l.run(ctx, obs)
}

// loop is one run's state. Buffers live here and are reused at every
// update.
type loop struct {
	cfg     Config
	m       Model
	wIn     []*autodiff.Param[float32] // weight groups for the penalties, nil if the model has none
	wRec    []*autodiff.Param[float32]
	wOut    []*autodiff.Param[float32]
	params  []*autodiff.Param[float32]
	stages  []tasks.Task
	heldOut []tasks.Task // per stage: the validation split of a dataset, the task itself (fresh trials) otherwise
	opt     Optimizer
	fptt    *fpttRun // the FPTT trainer's state, nil for BPTT

	batchSrc, noiseSrc *rand.PCG
	batchRNG, noiseRNG *rand.Rand

	step, stage int
	last        Step
	lastEval    *Eval

	tp, evalTape *autodiff.Tape[float32]
	carry        []autodiff.Tensor[float32] // state carried between windows, one per state variable
	rowMask      []float32                  // cross-entropy row weights of the batch
	trialRows    []float32                  // a window's rows within their trial's length (trialRows)
	winLengths   []int                      // a window's steps within each trial's length (windowLengths)

	evalSets  map[int]*tasks.Batch
	evalOut   []float32
	evalNoise *rand.PCG

	start time.Time
}

func newLoop(cfg Config, m Model, stages []tasks.Task, st State) (*loop, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("train: config: %w", err)
	}
	if len(stages) == 0 {
		return nil, errors.New("train: no task to train on")
	}
	if len(cfg.Curriculum) > 0 && len(cfg.Curriculum) != len(stages) {
		return nil, fmt.Errorf("train: config.curriculum names %d stages, Run got %d tasks", len(cfg.Curriculum), len(stages))
	}
	nIn, nOut := stages[0].Dims()
	for i, t := range stages {
		if len(cfg.Curriculum) > 0 && cfg.Curriculum[i].Task != "" && cfg.Curriculum[i].Task != t.Name() {
			return nil, fmt.Errorf("train: curriculum[%d].task is %q, but stage %d is task %q", i, cfg.Curriculum[i].Task, i, t.Name())
		}
		if a, b := t.Dims(); a != nIn || b != nOut {
			return nil, fmt.Errorf("train: stage %d (%s) has %d inputs and %d outputs, stage 0 has %d and %d", i, t.Name(), a, b, nIn, nOut)
		}
		if d, d0 := tasks.Describe(t).DtMS, tasks.Describe(stages[0]).DtMS; d != d0 {
			return nil, fmt.Errorf("train: stage %d (%s) has %s, stage 0 (%s) has %s; %s, so every stage must step by it", i, t.Name(), dtText(d), stages[0].Name(), dtText(d0), oneDt)
		}
	}
	if n, ok := m.(interface{ Dims() (int, int) }); ok {
		if in, out := n.Dims(); in != nIn || out != nOut {
			return nil, fmt.Errorf("train: the network has %d inputs and %d outputs, task %s has %d and %d", in, out, stages[0].Name(), nIn, nOut)
		}
	}
	l := &loop{
		cfg: cfg, m: m, stages: stages, params: m.Params(),
		opt:       cfg.Optimizer.New(),
		batchSrc:  NewSource(cfg.Seed, StreamBatch),
		noiseSrc:  NewSource(cfg.Seed, StreamNoise),
		evalNoise: NewSource(cfg.Seed, StreamEvalNoise),
		tp:        autodiff.NewTape[float32](),
		evalTape:  autodiff.NewTape[float32](),
		evalSets:  map[int]*tasks.Batch{},
	}
	for _, t := range stages {
		l.heldOut = append(l.heldOut, tasks.HeldOut(t))
	}
	l.batchRNG, l.noiseRNG = rand.New(l.batchSrc), rand.New(l.noiseSrc)
	if g, ok := m.(WeightGroups); ok {
		l.wIn, l.wRec, l.wOut = g.InputWeights(), g.RecurrentWeights(), g.OutputWeights()
	} else if cfg.Regularization.weightTerms() {
		return nil, errors.New("train: regularization: the model does not expose its input, recurrent and output weights, so L1/L2 weight penalties cannot apply")
	}
	if cfg.Trainer == FPTT {
		l.fptt = newFPTTRun(cfg.FPTT, l.params)
	}
	if err := l.restore(st); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *loop) run(ctx context.Context, obs []Observer) (Summary, error) {
	l.start = time.Now()
	sum := func(r StopReason) Summary {
		return Summary{Reason: r, Steps: l.step, Stage: l.stage, Last: l.last, Eval: l.lastEval, Elapsed: time.Since(l.start), State: l.state()}
	}
	end := func(r StopReason, err error) (Summary, error) {
		s := sum(r)
		for _, o := range obs {
			if e := o.OnEnd(s); e != nil {
				return s, fmt.Errorf("train: observer at the end: %w", e)
			}
		}
		return s, err
	}
	for l.step < l.cfg.Steps {
		if err := ctx.Err(); err != nil {
			return end(Interrupted, fmt.Errorf("%w before step %d: %w", ErrInterrupted, l.step+1, err))
		}
		s, err := l.update()
		if err == nil {
			err = l.checkUpdate(l.step + 1)
		}
		if err != nil {
			return sum(Diverged), err
		}
		l.step++
		s.Step, s.l = l.step, l
		reached := false
		if (l.cfg.EvalEvery > 0 && l.step%l.cfg.EvalEvery == 0) || l.step == l.cfg.Steps {
			ev := l.evaluate()
			s.Eval, l.lastEval = &ev, &ev
			if l.stage < len(l.stages)-1 {
				if ev.Accuracy >= l.cfg.AdvanceThreshold {
					l.stage++
				}
			} else if l.cfg.TargetAccuracy > 0 && ev.Accuracy >= l.cfg.TargetAccuracy {
				reached = true
			}
		}
		s.Elapsed = time.Since(l.start)
		l.last = s
		for _, o := range obs {
			if err := o.OnStep(s); err != nil {
				if errors.Is(err, ErrStop) {
					return end(Stopped, nil)
				}
				return sum(Failed), fmt.Errorf("train: observer at step %d: %w", l.step, err)
			}
		}
		if reached {
			return end(TargetReached, nil)
		}
	}
	return end(Completed, nil)
}

// update performs one parameter update and returns its report (without
// Step, filled by the caller). On divergence the parameters are untouched.
func (l *loop) update() (Step, error) {
	task := l.stages[l.stage]
	b := task.Batch(l.batchRNG, l.cfg.BatchSize)
	if l.fptt != nil {
		return l.fpttUpdate(task, &b)
	}
	for _, p := range l.params {
		p.ZeroGrad()
	}
	kind := task.Loss()
	taskLoss, penalty := l.windows(l.tp, l.noiseRNG, &b, kind, true, nil)
	penalty += l.cfg.Regularization.ApplyWeightPenalties(l.wIn, l.wRec, l.wOut)
	loss := taskLoss + penalty
	s := Step{Stage: l.stage, Loss: loss, TaskLoss: taskLoss, Penalty: penalty}
	attempt := l.step + 1
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return s, &DivergenceError{Step: attempt, Value: loss}
	}
	s.GradNorm = ClipGradNorm(l.params, l.cfg.ClipNorm, l.cfg.ClipMode)
	if math.IsNaN(s.GradNorm) || math.IsInf(s.GradNorm, 0) {
		if err := findNonFinite(l.params, attempt); err != nil {
			return s, err
		}
		// Finite entries whose squares overflow float64 cannot occur for
		// float32 data; report the norm itself to be safe.
		return s, &DivergenceError{Step: attempt, Param: "(gradient norm)", Value: s.GradNorm}
	}
	s.LR = l.cfg.Schedule.LR(l.cfg.LR, l.step, l.cfg.Steps)
	l.opt.Step(l.params, s.LR)
	return s, nil
}

// windows runs b through the model window by window on tp and returns the
// batch's task loss and its penalties on activity: the rate penalties and
// the model's own (model.Result.Penalty). With grad it records the penalties
// and backpropagates each window (the parameters' gradients accumulate over the
// windows); without, it computes the task loss only. It copies the outputs
// into out when out is non-nil ([T][B][NOut], like b.Targets).
func (l *loop) windows(tp *autodiff.Tape[float32], noise *rand.Rand, b *tasks.Batch, kind tasks.Loss, grad bool, out []float32) (taskLoss, penalty float64) {
	k := l.cfg.TBPTT
	if l.fptt != nil {
		k = l.fptt.cfg.WindowSteps(b.T)
	}
	if k <= 0 || k > b.T {
		k = b.T
	}
	total := LossWeight(kind, b.Mask, b.NOut)
	norm := normScale(l.stages[l.stage], b, total)
	if cap(l.rowMask) < b.T*b.B {
		l.rowMask = make([]float32, b.T*b.B)
	}
	batchRows := trialSteps(b.Lengths, b.T, b.B)
	var init []autodiff.Tensor[float32]
	for t0 := 0; t0 < b.T; t0 += k {
		t1 := min(t0+k, b.T)
		n := t1 - t0
		tp.Reset()
		x := autodiff.FromSlice(n*b.B, b.NIn, b.Inputs[t0*b.B*b.NIn:t1*b.B*b.NIn])
		lengths := windowLengths(&l.winLengths, b.Lengths, t0, t1)
		// The penalties of the whole batch: this window's weigh by its
		// share of the steps within the trials' lengths, the rate penalties
		// below and a layer's own (the EGRU's activity penalty) alike.
		in, counted := trialRows(&l.trialRows, b.Lengths, t0, t1, b.B)
		penShare := 0.0 // no step in any trial: nothing to weigh
		if batchRows > 0 {
			penShare = float64(counted) / float64(batchRows)
		}
		pass := l.m.Forward(tp, x, n, b.B, model.Options[float32]{Init: init, Noise: noise, Lengths: lengths, PenaltyShare: penShare})
		lo, hi := t0*b.B*b.NOut, t1*b.B*b.NOut
		target := autodiff.FromSlice(n*b.B, b.NOut, b.Targets[lo:hi])
		mask := autodiff.FromSlice(n*b.B, b.NOut, b.Mask[lo:hi])
		loss := Loss(kind, pass.Out, target, mask, l.rowMask[t0*b.B:t1*b.B])
		// Each window weighs by its share of the batch's mask (see LossWeight).
		if k < b.T || norm != 1 {
			share := 1.0
			if k < b.T {
				share = 0
				if total > 0 {
					share = LossWeight(kind, mask.Data, b.NOut) / total
				}
			}
			loss = autodiff.Scale(loss, float32(share*norm))
		}
		taskLoss += float64(loss.Value.Data[0])
		if r := l.cfg.Regularization.RatePenalty(pass.Rates, penShare, in); r != nil && grad {
			penalty += float64(r.Value.Data[0])
			loss = autodiff.Add(loss, r)
		}
		if grad {
			// The model's own penalty (model.Result.Penalty) adds its
			// gradient in the backward pass itself: only its value here.
			penalty += pass.Penalty
			tp.Backward(loss)
		}
		if out != nil {
			copy(out[lo:hi], pass.Out.Value.Data)
		}
		if t1 < b.T {
			l.carry = carryState(l.carry, pass.Final)
			init = l.carry
		}
	}
	return taskLoss, penalty
}

// evaluate scores the current stage's held-out trials: for a dataset,
// EvalTrials trials of its validation split spread evenly over it (all of
// them if it has fewer), never trials training draws (of its training
// split when validation_fraction is 0; Eval.Split says so); for a generated
// task, EvalTrials fresh trials. The set is drawn once per stage from the
// eval stream of the seed, and the eval noise stream restarts at every
// evaluation, so an evaluation depends on the parameters only and does
// not disturb the training streams.
func (l *loop) evaluate() Eval {
	task := l.heldOut[l.stage]
	b, ok := l.evalSets[l.stage]
	if !ok {
		var bb tasks.Batch
		if f, finite := task.(tasks.Finite); finite {
			bb = f.BatchOf(tasks.Spread(f.Len(), l.cfg.EvalTrials))
		} else {
			rng := rand.New(NewSource(l.cfg.Seed, StreamEval+Stream(l.stage)*streamStride))
			bb = task.Batch(rng, l.cfg.EvalTrials)
		}
		b = &bb
		l.evalSets[l.stage] = b
	}
	if n := b.T * b.B * b.NOut; cap(l.evalOut) < n {
		l.evalOut = make([]float32, n)
	}
	out := l.evalOut[:b.T*b.B*b.NOut]
	l.evalNoise.Seed(l.cfg.Seed, streamSeed(StreamEvalNoise))
	loss, _ := l.windows(l.evalTape, rand.New(l.evalNoise), b, task.Loss(), false, out)
	res := task.Score(out, b)
	scored := b.B // counted here, not taken from res.Scored, which a Task of the caller's may leave 0
	for _, x := range res.Excluded {
		if x {
			scored--
		}
	}
	acc := res.Accuracy
	if scored == 0 {
		acc = math.NaN() // no trial to be right or wrong on
	}
	return Eval{Step: l.step, Stage: l.stage, Task: task.Name(), Split: tasks.SplitLabel(task), Trials: scored, Accuracy: acc, MSE: res.MSE, Loss: loss}
}

// carryState copies final into dst (one tensor per state variable),
// reusing dst's storage where the shapes match, and returns it.
func carryState(dst, final []autodiff.Tensor[float32]) []autodiff.Tensor[float32] {
	if len(dst) != len(final) {
		dst = make([]autodiff.Tensor[float32], len(final))
	}
	for i, f := range final {
		if !dst[i].SameShape(f) {
			dst[i] = autodiff.NewTensor[float32](f.Rows, f.Cols)
		}
		dst[i].CopyFrom(f)
	}
	return dst
}
