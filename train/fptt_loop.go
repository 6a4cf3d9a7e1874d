package train

import (
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/model"
	"github.com/rnntrain/rnntrain/tasks"
)

// fpttRun is the FPTT trainer's state within one run: the regularizer's
// W̄ and λ, sFPTT's class prior, and scratch reused at every update.
type fpttRun struct {
	cfg   FPTTConfig
	dyn   Dynamic
	prior classPrior

	carry  []autodiff.Tensor[float32] // start state of the current window, one per state variable
	answer []int                      // per trial: the step of its final answer, −1 if none
	label  []int                      // per trial: the answer's class (cross-entropy)
	tgt    []float32                  // a window's progressive targets, [n·B, NOut]
	msk    []float32                  // and mask
}

func newFPTTRun(cfg FPTTConfig, params []*autodiff.Param[float32]) *fpttRun {
	return &fpttRun{cfg: cfg, dyn: NewDynamic(params)}
}

// fpttUpdate trains on batch b window by window (see FPTTConfig) and
// returns the update's report: Loss, TaskLoss, Penalty (rate and weight
// penalties plus the dynamic regularizer) and GradNorm (before clipping)
// are means over the windows' optimizer steps. On divergence the windows
// before the failing one have already updated the parameters.
func (l *loop) fpttUpdate(task tasks.Task, b *tasks.Batch) (Step, error) {
	f, c := l.fptt, l.fptt.cfg
	kind := task.Loss()
	w := c.WindowSteps(b.T)
	parts := (b.T + w - 1) / w
	attempt := l.step + 1
	s := Step{Stage: l.stage, LR: l.cfg.Schedule.LR(l.cfg.LR, l.step, l.cfg.Steps)}
	if c.Loss == Progressive {
		f.answers(b)
		if kind == tasks.CrossEntropy {
			f.prior.ensure(b.NOut, parts)
		}
		if n := w * b.B * b.NOut; cap(f.tgt) < n {
			f.tgt, f.msk = make([]float32, n), make([]float32, n)
		}
	}
	if cap(l.rowMask) < w*b.B {
		l.rowMask = make([]float32, w*b.B)
	}
	var init []autodiff.Tensor[float32]
	var sumLoss, sumTask, sumPen, sumNorm float64
	for p := range parts {
		t0, t1 := p*w, min((p+1)*w, b.T)
		n := t1 - t0
		x := autodiff.FromSlice(n*b.B, b.NIn, b.Inputs[t0*b.B*b.NIn:t1*b.B*b.NIn])
		var pass model.Result[float32]
		lengths := windowLengths(&l.winLengths, b.Lengths, t0, t1)
		for k := range c.K {
			for _, q := range l.params {
				q.ZeroGrad()
			}
			l.tp.Reset()
			pass = l.m.Forward(l.tp, x, n, b.B, model.Options[float32]{Init: init, Noise: l.noiseRNG, Lengths: lengths})
			var loss *autodiff.Var[float32]
			if c.Loss == Progressive {
				loss = f.progressiveLoss(l, pass.Out, b, kind, p, parts, t0, t1, k == 0)
			} else {
				lo, hi := t0*b.B*b.NOut, t1*b.B*b.NOut
				target := autodiff.FromSlice(n*b.B, b.NOut, b.Targets[lo:hi])
				mask := autodiff.FromSlice(n*b.B, b.NOut, b.Mask[lo:hi])
				loss = Loss(kind, pass.Out, target, mask, l.rowMask[:n*b.B])
				// The task's normalisation, over the window (normScale).
				win := tasks.Batch{T: n, B: b.B, NOut: b.NOut}
				if norm := normScale(task, &win, LossWeight(kind, mask.Data, b.NOut)); norm != 1 {
					loss = autodiff.Scale(loss, float32(norm))
				}
			}
			taskLoss := float64(loss.Value.Data[0])
			pen := pass.Penalty // the model's own, its gradient already in its backward pass
			in, _ := trialRows(&l.trialRows, b.Lengths, t0, t1, b.B)
			if r := l.cfg.Regularization.RatePenalty(pass.Rates, 1, in); r != nil {
				pen += float64(r.Value.Data[0])
				loss = autodiff.Add(loss, r)
			}
			l.tp.Backward(loss)
			pen += l.cfg.Regularization.ApplyWeightPenalties(l.wIn, l.wRec, l.wOut)
			pen += f.dyn.AddGrad(l.params, c.Alpha, c.Rho, c.Reg)
			total := taskLoss + pen
			if math.IsNaN(total) || math.IsInf(total, 0) {
				return s, &DivergenceError{Step: attempt, Value: total}
			}
			norm := ClipGradNorm(l.params, l.cfg.ClipNorm, l.cfg.ClipMode)
			if math.IsNaN(norm) || math.IsInf(norm, 0) {
				if err := findNonFinite(l.params, attempt); err != nil {
					return s, err
				}
				return s, &DivergenceError{Step: attempt, Param: "(gradient norm)", Value: norm}
			}
			l.opt.Step(l.params, s.LR)
			sumLoss, sumTask, sumPen, sumNorm = sumLoss+total, sumTask+taskLoss, sumPen+pen, sumNorm+norm
		}
		f.dyn.Update(l.params, c.Alpha, c.Beta)
		if t1 < b.T {
			// The last forward pass's final state starts the next window,
			// as a constant.
			f.carry = carryState(f.carry, pass.Final)
			init = f.carry
		}
	}
	steps := float64(parts * c.K)
	s.Loss, s.TaskLoss, s.Penalty, s.GradNorm = sumLoss/steps, sumTask/steps, sumPen/steps, sumNorm/steps
	if every := f.resetEvery(l, task); every > 0 && attempt%every == 0 {
		f.dyn.Reset(l.params)
	}
	return s, nil
}

// resetEvery resolves FPTTConfig.ResetEvery for task: the epoch length in
// updates, 0 for never.
func (f *fpttRun) resetEvery(l *loop, task tasks.Task) int {
	switch e := f.cfg.ResetEvery; {
	case e > 0:
		return e
	case e < 0:
		return 0
	}
	if fin, ok := task.(tasks.Finite); ok {
		return max(1, (fin.Len()+l.cfg.BatchSize-1)/l.cfg.BatchSize)
	}
	return l.cfg.EvalEvery
}

// answers finds each trial's final answer: its last step with a nonzero
// mask (−1 when it has none), and the answer's argmax class.
func (f *fpttRun) answers(b *tasks.Batch) {
	if cap(f.answer) < b.B {
		f.answer, f.label = make([]int, b.B), make([]int, b.B)
	}
	f.answer, f.label = f.answer[:b.B], f.label[:b.B]
	for i := range b.B {
		f.answer[i], f.label[i] = -1, 0
		for t := b.T - 1; t >= 0 && f.answer[i] < 0; t-- {
			off := (t*b.B + i) * b.NOut
			for _, m := range b.Mask[off : off+b.NOut] {
				if m != 0 {
					f.answer[i] = t
					f.label[i] = argmax32(b.Targets[off : off+b.NOut])
					break
				}
			}
		}
	}
}

// progressiveLoss records window p's (of parts) progressive loss (see
// Progressive) on the window's outputs out, steps [t0, t1). With update,
// it then refreshes the class prior from out, after reading it.
func (f *fpttRun) progressiveLoss(l *loop, out *autodiff.Var[float32], b *tasks.Batch, kind tasks.Loss, p, parts, t0, t1 int, update bool) *autodiff.Var[float32] {
	n, C := t1-t0, b.NOut
	tgt, msk := f.tgt[:n*b.B*C], f.msk[:n*b.B*C]
	clear(tgt)
	clear(msk)
	wp := float32(p+1) / float32(parts)
	uniform := l.step < f.cfg.PriorAfter
	for i, a := range f.answer {
		if a < t0 {
			continue
		}
		row := (min(t1-1, a)-t0)*b.B + i
		src := (a*b.B + i) * C
		t, m := tgt[row*C:(row+1)*C], msk[row*C:(row+1)*C]
		if kind != tasks.CrossEntropy {
			copy(t, b.Targets[src:src+C])
			copy(m, b.Mask[src:src+C])
			continue
		}
		pri := f.prior.row(f.label[i], p)
		for k := range C {
			q := pri[k]
			if uniform {
				q = 1 / float32(C)
			}
			t[k] = wp*b.Targets[src+k] + (1-wp)/float32(C)*q
			m[k] = 1
		}
	}
	loss := Loss(kind, out, autodiff.FromSlice(n*b.B, C, tgt), autodiff.FromSlice(n*b.B, C, msk), l.rowMask[:n*b.B])
	if kind != tasks.CrossEntropy {
		return autodiff.Scale(loss, wp)
	}
	if update && p < parts-1 {
		f.prior.observe(out.Value.Data, f.answer, f.label, b.B, t0, t1, p)
	}
	return loss
}

// classPrior is sFPTT's running estimate π̂[y][p] of the output
// distribution at window p of trials of class y, [classes][windows][classes],
// starting uniform.
type classPrior struct {
	classes, windows int
	p                []float32
	filled           []bool
}

// ensure sizes the prior for classes and at least windows windows; new
// entries are uniform.
func (c *classPrior) ensure(classes, windows int) {
	if c.classes == classes && c.windows >= windows {
		return
	}
	old, oldW := c.p, c.windows
	if c.classes != classes {
		old, oldW = nil, 0
	}
	c.classes, c.windows = classes, max(windows, oldW)
	c.p = make([]float32, classes*c.windows*classes)
	for k := range c.p {
		c.p[k] = 1 / float32(classes)
	}
	for y := range classes {
		copy(c.p[y*c.windows*classes:], old[y*oldW*classes:(y+1)*oldW*classes])
	}
	c.filled = make([]bool, classes)
}

func (c *classPrior) row(y, p int) []float32 {
	off := (y*c.windows + p) * c.classes
	return c.p[off : off+c.classes]
}

// observe sets π̂[y][p] to the softmax of the output of the first trial of
// class y (in batch order) that window p, steps [t0, t1), misclassifies
// (train_mnist_snn_v2.py L180-190). out is the window's [n·B, classes]
// logits.
func (c *classPrior) observe(out []float32, answer, label []int, B, t0, t1, p int) {
	clear(c.filled)
	left := c.classes
	for i, a := range answer {
		if a < t0 || left == 0 {
			continue
		}
		y := label[i]
		row := out[((min(t1-1, a)-t0)*B+i)*c.classes:][:c.classes]
		if c.filled[y] || argmax32(row) == y {
			continue
		}
		softmaxTo(c.row(y, p), row)
		c.filled[y] = true
		left--
	}
}

// softmaxTo writes softmax(z) into dst, shifted by the maximum.
func softmaxTo(dst, z []float32) {
	mx := math.Inf(-1)
	for _, v := range z {
		mx = max(mx, float64(v))
	}
	var s float64
	for _, v := range z {
		s += math.Exp(float64(v) - mx)
	}
	for k, v := range z {
		dst[k] = float32(math.Exp(float64(v)-mx) / s)
	}
}

// argmax32 returns the index of the first largest element of v.
func argmax32(v []float32) int {
	best := 0
	for k := 1; k < len(v); k++ {
		if v[k] > v[best] {
			best = k
		}
	}
	return best
}
