package tasks

import (
	"fmt"
	"math"
	"slices"
)

// checkOutputs panics unless outputs has the batch's [T][B][NOut] size.
func checkOutputs(op string, outputs []float32, b *Batch) {
	if len(outputs) != b.T*b.B*b.NOut {
		panic(fmt.Sprintf("tasks: %s: len(outputs) = %d, want T·B·NOut = %d·%d·%d = %d",
			op, len(outputs), b.T, b.B, b.NOut, b.T*b.B*b.NOut))
	}
}

// MaskedMSE returns Σ mask·(outputs − targets)² / Σ mask over the batch
// (0 when the mask is empty). It panics if outputs has the wrong size.
func MaskedMSE(outputs []float32, b *Batch) float64 {
	checkOutputs("MaskedMSE", outputs, b)
	var num, den float64
	for i, m := range b.Mask {
		if m == 0 {
			continue
		}
		d := float64(outputs[i] - b.Targets[i])
		num += float64(m) * d * d
		den += float64(m)
	}
	if den == 0 {
		return 0
	}
	return num / den
}

// MaskedCrossEntropy returns the training loss of a cross-entropy task
// (train.Loss) on the batch: the softmax cross-entropy of each row's
// outputs (one step of one trial, over the output channels) against its
// one-hot target, weighted by w_r, the mean of the row's mask,
// Σ_r w_r·(−Σ_k t_rk log softmax(y_r)_k) / Σ_r w_r (0 when the mask is
// empty). The log-sum-exp is shifted by the row's maximum, so large outputs
// neither overflow nor lose precision. It panics if outputs has the wrong
// size.
func MaskedCrossEntropy(outputs []float32, b *Batch) float64 {
	checkOutputs("MaskedCrossEntropy", outputs, b)
	c := b.NOut
	var num, den float64
	for r := range b.T * b.B {
		var w float64
		for _, m := range b.Mask[r*c : (r+1)*c] {
			w += float64(m)
		}
		if w /= float64(c); w == 0 {
			continue
		}
		y, t := outputs[r*c:(r+1)*c], b.Targets[r*c:(r+1)*c]
		mx := math.Inf(-1)
		for _, v := range y {
			mx = max(mx, float64(v))
		}
		var sum float64
		for _, v := range y {
			sum += math.Exp(float64(v) - mx)
		}
		lse := mx + math.Log(sum)
		var ce float64
		for k, v := range y {
			if tk := float64(t[k]); tk != 0 {
				ce -= tk * (float64(v) - lse)
			}
		}
		num += w * ce
		den += w
	}
	if den == 0 {
		return 0
	}
	return num / den
}

// newResult allocates a Result for b.B trials.
func newResult(outputs []float32, b *Batch) Result {
	return Result{
		Correct:  make([]bool, b.B),
		Response: make([]int, b.B),
		Excluded: make([]bool, b.B),
		MSE:      MaskedMSE(outputs, b),
	}
}

// finish computes Scored and Accuracy from Correct and Excluded.
func (r *Result) finish() {
	n, c := 0, 0
	for i, ok := range r.Correct {
		if r.Excluded[i] {
			continue
		}
		n++
		if ok {
			c++
		}
	}
	r.Scored = n
	if n > 0 {
		r.Accuracy = float64(c) / float64(n)
	}
}

// argmaxAt returns the output channel with the largest value at step t of
// trial i (the first on ties).
func argmaxAt(outputs []float32, b *Batch, t, i int) int {
	row := outputs[(t*b.B+i)*b.NOut : (t*b.B+i+1)*b.NOut]
	best := 0
	for k := 1; k < len(row); k++ {
		if row[k] > row[best] {
			best = k
		}
	}
	return best
}

// ScoreDecisionAction is NeuroGym's rule. Outputs are one channel per
// action (0 = fixate, 1… = choices) and the action at a step is the
// argmax channel. A trial's response is the action at the first step of
// its decision window [ResponseStart, ResponseEnd) whose argmax is not
// fixation, or 0 when it fixates throughout; the trial is correct when
// the response equals Trial.Choice.
//
// This is what NeuroGym's environments score when a network acts in
// them (core.py L181-193 and every native env's _step): during the
// decision period the first action ≠ 0 ends the trial and sets
// performance = 1 iff it equals the ground truth; fixating through the
// decision period leaves performance = 0 (GoNogo starts no-go trials at
// performance = 1, which is a response of 0 matching Choice 0 here).
// Actions outside the decision period are ignored (abort = False, the
// default). We prefer this rule to the argmax of the mean output over the
// window because it is the one that defines NeuroGym's published
// performance, and to the last step's argmax because a network that
// commits early and then relaxes toward fixation still made its choice.
//
// It panics if outputs does not have the batch's size.
func ScoreDecisionAction(outputs []float32, b *Batch) Result {
	checkOutputs("ScoreDecisionAction", outputs, b)
	r := newResult(outputs, b)
	for i, tr := range b.Trials {
		resp := 0
		for t := tr.ResponseStart; t < tr.ResponseEnd; t++ {
			if a := argmaxAt(outputs, b, t, i); a != 0 {
				resp = a
				break
			}
		}
		r.Response[i] = resp
		r.Correct[i] = resp == tr.Choice
	}
	r.finish()
	return r
}

// ScoreSignMean is the low-rank library's rule (rdm.py accuracy_rdm,
// mante.py accuracy_mante, romo.py accuracy_romo, dms.py accuracy_dms):
// the decision is the sign of the mean of output channel 0 over the
// trial's response window [ResponseStart, ResponseEnd); response 1 for a
// positive mean, 2 for a negative one, 0 for exactly 0. Catch trials are
// excluded. A trial is correct when the response equals Trial.Choice.
// It panics if outputs does not have the batch's size.
func ScoreSignMean(outputs []float32, b *Batch) Result {
	checkOutputs("ScoreSignMean", outputs, b)
	r := newResult(outputs, b)
	for i, tr := range b.Trials {
		if tr.Catch {
			r.Excluded[i] = true
			continue
		}
		var sum float64
		for t := tr.ResponseStart; t < tr.ResponseEnd; t++ {
			sum += float64(outputs[(t*b.B+i)*b.NOut])
		}
		switch {
		case sum > 0:
			r.Response[i] = 1
		case sum < 0:
			r.Response[i] = 2
		}
		r.Correct[i] = r.Response[i] == tr.Choice
	}
	r.finish()
	return r
}

// ScoreMaskedMeanArgmax is PsychRNN's rule (tasks/*.py
// accuracy_function): per trial, the channel with the largest
// mask-weighted mean output over time must equal the channel with the
// largest mask-weighted mean target. Response is that output channel.
// Catch trials (nothing to score) are excluded. It panics if outputs does
// not have the batch's size.
func ScoreMaskedMeanArgmax(outputs []float32, b *Batch) Result {
	checkOutputs("ScoreMaskedMeanArgmax", outputs, b)
	r := newResult(outputs, b)
	mo := make([]float64, b.NOut)
	mt := make([]float64, b.NOut)
	for i := range b.B {
		if b.Trials[i].Catch {
			r.Excluded[i] = true
			continue
		}
		clear(mo)
		clear(mt)
		for t := range b.T {
			off := (t*b.B + i) * b.NOut
			for k := range b.NOut {
				m := float64(b.Mask[off+k])
				mo[k] += m * float64(outputs[off+k])
				mt[k] += m * float64(b.Targets[off+k])
			}
		}
		ao, at := argmax(mo), argmax(mt)
		r.Response[i] = ao
		r.Correct[i] = ao == at
	}
	r.finish()
	return r
}

func argmax(v []float64) int {
	best := 0
	for k := 1; k < len(v); k++ {
		if v[k] > v[best] {
			best = k
		}
	}
	return best
}

// ScoreNormalizedMSE judges continuous outputs: a trial is correct when
// Σ mask·(output − target)² < threshold · Σ mask·target² over its steps
// and channels (when its targets are all zero, when the mask-weighted
// mean squared error is below threshold). Response is -1.
// It panics if outputs does not have the batch's size.
func ScoreNormalizedMSE(outputs []float32, b *Batch, threshold float64) Result {
	checkOutputs("ScoreNormalizedMSE", outputs, b)
	r := newResult(outputs, b)
	for i := range b.B {
		se, power, msum := trialErrors(outputs, b, i)
		r.Response[i] = -1
		if power > 0 {
			r.Correct[i] = se < threshold*power
		} else {
			r.Correct[i] = msum == 0 || se/msum < threshold
		}
	}
	r.finish()
	return r
}

// trialErrors returns trial i's mask-weighted squared error Σ m·(y − t)²,
// target power Σ m·t² and mask sum Σ m over its steps and channels.
func trialErrors(outputs []float32, b *Batch, i int) (se, power, msum float64) {
	for t := range b.T {
		off := (t*b.B + i) * b.NOut
		for k := range b.NOut {
			m := float64(b.Mask[off+k])
			d := float64(outputs[off+k] - b.Targets[off+k])
			se += m * d * d
			power += m * float64(b.Targets[off+k]) * float64(b.Targets[off+k])
			msum += m
		}
	}
	return se, power, msum
}

// ScoreProductionTime is NeuroGym ReadySetGo's rule: the response is the
// first step of the production window [ResponseStart, ResponseEnd) whose
// argmax action is go (≠ 0); the produced interval runs from the end of
// the trial's "measure" period to that step, t_prod = (step −
// measureEnd)·dtMS; the trial is correct when |t_prod − Trial.Value| ≤
// margin·Trial.Value + 25 ms (readysetgo.py: eps_threshold =
// prod_margin·production + 25). Response is 1 for a go, 0 for none.
// It panics if outputs does not have the batch's size.
func ScoreProductionTime(outputs []float32, b *Batch, dtMS, margin float64) Result {
	checkOutputs("ScoreProductionTime", outputs, b)
	r := newResult(outputs, b)
	for i, tr := range b.Trials {
		measureEnd := tr.ResponseStart
		for _, p := range tr.Periods {
			if p.Name == "measure" {
				measureEnd = p.End
			}
		}
		for t := tr.ResponseStart; t < tr.ResponseEnd; t++ {
			if argmaxAt(outputs, b, t, i) != 0 {
				r.Response[i] = 1
				eps := math.Abs(float64(t-measureEnd)*dtMS - tr.Value)
				r.Correct[i] = eps <= margin*tr.Value+25
				break
			}
		}
	}
	r.finish()
	return r
}

// PsychometricPoint aggregates the trials of one (context, coherence)
// condition.
type PsychometricPoint struct {
	Context   int     `json:"context"`
	Coherence float64 `json:"coherence"`
	// N counts the scored trials; Correct those judged correct; Chose1
	// those whose response was choice 1 (the positive-coherence choice).
	N       int `json:"n"`
	Correct int `json:"correct"`
	Chose1  int `json:"chose1"`
	// Accuracy = Correct/N and PChoice1 = Chose1/N.
	Accuracy float64 `json:"accuracy"`
	PChoice1 float64 `json:"p_choice1"`
}

// Psychometric accumulates accuracy and P(choice 1) per context and
// signed coherence over any number of scored batches. The zero value is
// ready to use. Excluded (catch) trials are skipped.
type Psychometric struct {
	points map[psychKey]*PsychometricPoint
}

type psychKey struct {
	ctx int
	coh float64
}

// Add accumulates the trials of b as judged by r (r = task.Score(…, b)).
// It panics if r and b describe different numbers of trials.
func (p *Psychometric) Add(b *Batch, r Result) {
	if p.points == nil {
		p.points = make(map[psychKey]*PsychometricPoint)
	}
	eachScored("Psychometric.Add", b, r, func(tr Trial, correct bool, resp int) {
		k := psychKey{tr.Context, tr.Coherence}
		pt := p.points[k]
		if pt == nil {
			pt = &PsychometricPoint{Context: tr.Context, Coherence: tr.Coherence}
			p.points[k] = pt
		}
		pt.N++
		if correct {
			pt.Correct++
		}
		if resp == 1 {
			pt.Chose1++
		}
	})
}

// eachScored calls f for every trial of b that r does not exclude. It
// panics, naming op, if r and b describe different numbers of trials.
func eachScored(op string, b *Batch, r Result, f func(tr Trial, correct bool, resp int)) {
	if len(r.Correct) != len(b.Trials) || len(r.Response) != len(b.Trials) || len(r.Excluded) != len(b.Trials) {
		panic(fmt.Sprintf("tasks: %s: result for %d trials, batch has %d", op, len(r.Correct), len(b.Trials)))
	}
	for i, tr := range b.Trials {
		if !r.Excluded[i] {
			f(tr, r.Correct[i], r.Response[i])
		}
	}
}

// Points returns the accumulated conditions sorted by context, then
// coherence, with Accuracy and PChoice1 filled in.
func (p *Psychometric) Points() []PsychometricPoint {
	out := make([]PsychometricPoint, 0, len(p.points))
	for _, pt := range p.points {
		q := *pt
		q.Accuracy = float64(q.Correct) / float64(q.N)
		q.PChoice1 = float64(q.Chose1) / float64(q.N)
		out = append(out, q)
	}
	slices.SortFunc(out, func(a, b PsychometricPoint) int {
		if a.Context != b.Context {
			return a.Context - b.Context
		}
		switch {
		case a.Coherence < b.Coherence:
			return -1
		case a.Coherence > b.Coherence:
			return 1
		}
		return 0
	})
	return out
}

// ConditionRow aggregates the scored trials that share a Trial.Condition.
type ConditionRow struct {
	Condition string  `json:"condition"`
	N         int     `json:"n"`
	Correct   int     `json:"correct"`
	Accuracy  float64 `json:"accuracy"`
}

// Conditions accumulates accuracy per Trial.Condition over any number of
// scored batches, for per-condition tables (go/no-go, pro/anti, AA/AB …).
// The zero value is ready to use. Excluded trials are skipped.
type Conditions struct {
	rows map[string]*ConditionRow
}

// Add accumulates the trials of b as judged by r. It panics if r and b
// describe different numbers of trials.
func (c *Conditions) Add(b *Batch, r Result) {
	if c.rows == nil {
		c.rows = make(map[string]*ConditionRow)
	}
	eachScored("Conditions.Add", b, r, func(tr Trial, correct bool, _ int) {
		row := c.rows[tr.Condition]
		if row == nil {
			row = &ConditionRow{Condition: tr.Condition}
			c.rows[tr.Condition] = row
		}
		row.N++
		if correct {
			row.Correct++
		}
	})
}

// Rows returns the accumulated conditions sorted by CompareConditions
// (numbers as numbers), with Accuracy filled in.
func (c *Conditions) Rows() []ConditionRow {
	out := make([]ConditionRow, 0, len(c.rows))
	for _, r := range c.rows {
		q := *r
		q.Accuracy = float64(q.Correct) / float64(q.N)
		out = append(out, q)
	}
	slices.SortFunc(out, func(a, b ConditionRow) int { return CompareConditions(a.Condition, b.Condition) })
	return out
}
