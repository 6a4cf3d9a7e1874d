package analysis

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/tasks"
)

// evalBatch bounds the trials run through the network at once.
const evalBatch = 256

// ConditionRow is one line of a per-condition table: the scored trials
// that share a tasks.Trial.Condition.
type ConditionRow struct {
	Condition string  `json:"condition"`
	Trials    int     `json:"trials"`
	Correct   int     `json:"correct"`
	Accuracy  float64 `json:"accuracy"`
}

// PsychPoint is the fraction of choice-1 responses (the choice positive
// evidence calls for) at one signed coherence in one context.
type PsychPoint struct {
	Context   int     `json:"context"`
	Coherence float64 `json:"coherence"`
	Trials    int     `json:"trials"`
	PChoice1  float64 `json:"p_choice1"`
	// StdErr is, in a Summary of several evaluations, the standard error
	// of PChoice1 (their mean) across them; 0 (absent) otherwise. See
	// Summary.PsychInterval95.
	StdErr float64 `json:"p_choice1_stderr,omitempty"`
}

// Report is an evaluation: accuracy by the task's own scorer with its
// binomial standard error, the mask-weighted MSE, a per-condition table
// and, for decision tasks with signed evidence, psychometric points. The
// fields the caller knows (checkpoint, model, step, seed) are left for it
// to fill.
type Report struct {
	Checkpoint string `json:"checkpoint,omitempty"`
	Task       string `json:"task"`
	Model      string `json:"model,omitempty"`
	Step       int    `json:"step"`
	// WeightsStep, when not 0, is the step whose weights were scored
	// instead of Step's: a run's best held-out evaluation
	// (train.Config.KeepBest).
	WeightsStep int    `json:"weights_step,omitempty"`
	Seed        uint64 `json:"seed"`
	// Split names the trials scored: "train", "validation" or "test" for
	// a part of a dataset, "fresh trials" for a generated task
	// (tasks.SplitLabel). Accuracy and MSE are on this split.
	Split string `json:"split"`
	// Trials counts the scored trials (catch trials excluded).
	Trials   int     `json:"trials"`
	Accuracy float64 `json:"accuracy"`
	StdErr   float64 `json:"accuracy_stderr"`
	MSE      float64 `json:"mse"`
	// CrossEntropy, for a task trained with the cross-entropy loss (the
	// outputs are logits, whose MSE says little), is that loss on the
	// trials (tasks.MaskedCrossEntropy); nil for an MSE task.
	CrossEntropy *float64 `json:"cross_entropy,omitempty"`
	// Conditions are sorted by condition label, numbers compared as
	// numbers (tasks.CompareConditions).
	Conditions []ConditionRow `json:"conditions"`
	// Psychometric is sorted by context, then coherence; empty unless the
	// task has signed evidence and at least two conditions.
	Psychometric []PsychPoint `json:"psychometric,omitempty"`
	// Figures are the recurrent layer's own figures over all the trials,
	// from the sum of the batches' tallies (Activity.Tally); absent for
	// most models.
	Figures map[string]float64 `json:"figures,omitempty"`
}

// MarshalJSON writes r with a non-finite MSE, cross-entropy or figure (the
// outputs of a network whose weights are NaN) as null, since JSON has no
// NaN, and with accuracy and accuracy_stderr null when no trial was scored
// (Trials 0, every trial a catch trial): the accuracy is then undefined,
// not 0. Either way accuracy, accuracy_stderr, mse, cross_entropy and
// figures then come last.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	finite := finiteOrNil(r.MSE) != nil && (r.CrossEntropy == nil || finiteOrNil(*r.CrossEntropy) != nil)
	for _, v := range r.Figures {
		finite = finite && finiteOrNil(v) != nil
	}
	if finite && r.Trials > 0 {
		return json.Marshal(plain(r))
	}
	out := struct {
		plain
		Accuracy *float64            `json:"accuracy"`
		StdErr   *float64            `json:"accuracy_stderr"`
		MSE      *float64            `json:"mse"`
		CE       json.RawMessage     `json:"cross_entropy,omitempty"`
		Figures  map[string]*float64 `json:"figures,omitempty"`
	}{plain: plain(r), MSE: finiteOrNil(r.MSE)}
	if r.CrossEntropy != nil {
		// A non-finite cross-entropy is null, not left out: the task has
		// one.
		out.CE = json.RawMessage("null")
		if v := finiteOrNil(*r.CrossEntropy); v != nil {
			out.CE = strconv.AppendFloat(nil, *v, 'g', -1, 64)
		}
	}
	if r.Trials > 0 {
		out.Accuracy, out.StdErr = &r.Accuracy, &r.StdErr
	}
	if r.Figures != nil {
		out.Figures = make(map[string]*float64, len(r.Figures))
		for k, v := range r.Figures {
			out.Figures[k] = finiteOrNil(v)
		}
	}
	return json.Marshal(out)
}

// finiteOrNil returns &v, or nil if v is NaN or infinite.
func finiteOrNil(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// EvalOptions say which trials Evaluate scores.
type EvalOptions struct {
	// Trials is the number of trials to run. For a generated task they
	// are drawn fresh from Draw, and Trials must be >= 1. For a dataset
	// (tasks.Finite, e.g. one split of a file) Evaluate walks its trials
	// in order: all of them when Trials is 0 or at least Len, else
	// Trials of them spread evenly (tasks.Spread).
	Trials int
	// Draw draws the trials of a generated task; it must not be nil for
	// one, and is unused for a dataset.
	Draw *rand.Rand
	// Noise draws the network's private noise; nil runs noiseless.
	// Passing the Draw generator itself is allowed: trials and noise then
	// interleave on one stream.
	Noise *rand.Rand
	// Inactivation, when not nil, perturbs the units it names in every
	// trial (see Inactivation; nil or no units: the plain network).
	Inactivation *Inactivation
}

// Evaluate runs the trials opt selects of task through net and scores them
// with the task's own scorer. Trials the scorer excludes (catch trials)
// count in no accuracy. It panics if a generated task gets opt.Trials < 1
// or no opt.Draw, or net's sizes do not match the task's, or, with the
// error EvaluateContext returns, opt.Inactivation does not fit net
// (Inactivation.Validate) or a trial lacks the period its window names.
func Evaluate(net Runner, task tasks.Task, opt EvalOptions) Report {
	rep, err := EvaluateContext(context.Background(), net, task, opt)
	if err != nil {
		panic(err.Error())
	}
	return rep
}

// EvaluateContext is Evaluate stopped by ctx: before each batch of trials
// it checks ctx, and once ctx is done it returns at once with ctx.Err()
// and a zero Report. It returns an error and a zero Report if
// opt.Inactivation does not fit net (Inactivation.Validate) or a trial
// lacks the period its window names, and panics on the other misuses
// Evaluate panics on.
func EvaluateContext(ctx context.Context, net Runner, task tasks.Task, opt EvalOptions) (Report, error) {
	finite, isFinite := task.(tasks.Finite)
	var walk []int
	if isFinite {
		walk = tasks.Spread(finite.Len(), opt.Trials)
		opt.Trials = len(walk)
	} else if opt.Trials < 1 || opt.Draw == nil {
		panic(fmt.Sprintf("analysis: Evaluate: %d trials, draw %v: want >= 1 trials and a generator", opt.Trials, opt.Draw))
	}
	checkDims("Evaluate", net, task)
	_, units, _ := net.Dims()
	if err := opt.Inactivation.Validate(units); err != nil {
		return Report{}, err
	}
	rep := Report{Task: task.Name(), Split: tasks.SplitLabel(task)}
	var conds tasks.Conditions
	var psych tasks.Psychometric
	var sqErr, ce float64
	crossEntropy := task.Loss() == tasks.CrossEntropy
	var tally layers.Tally
	correct := 0
	for done := 0; done < opt.Trials; {
		if err := ctx.Err(); err != nil {
			return Report{}, err
		}
		b := min(evalBatch, opt.Trials-done)
		var batch tasks.Batch
		if isFinite {
			batch = finite.BatchOf(walk[done : done+b])
		} else {
			batch = task.Batch(opt.Draw, b)
		}
		act, err := runBatch(net, &batch, opt.Inactivation, opt.Noise)
		if err != nil {
			return Report{}, err
		}
		if act.Tally != nil {
			tally.Add(*act.Tally)
		}
		res := task.Score(act.Out, &batch)
		sqErr += res.MSE * float64(b)
		if crossEntropy {
			ce += tasks.MaskedCrossEntropy(act.Out, &batch) * float64(b)
		}
		if hasEvidence(batch.Trials) {
			psych.Add(&batch, res)
		}
		conds.Add(&batch, res)
		for i, ok := range res.Correct {
			if !res.Excluded[i] && ok {
				correct++
			}
		}
		rep.Trials += res.Scored
		done += b
	}
	if rep.Trials > 0 {
		rep.Accuracy = float64(correct) / float64(rep.Trials)
		rep.StdErr = math.Sqrt(rep.Accuracy * (1 - rep.Accuracy) / float64(rep.Trials))
	}
	if opt.Trials > 0 {
		rep.MSE = sqErr / float64(opt.Trials)
		if crossEntropy {
			v := ce / float64(opt.Trials)
			rep.CrossEntropy = &v
		}
	}
	rep.Figures = tally.Map()
	for _, r := range conds.Rows() {
		rep.Conditions = append(rep.Conditions, ConditionRow{Condition: r.Condition, Trials: r.N, Correct: r.Correct, Accuracy: r.Accuracy})
	}
	if pts := psych.Points(); len(pts) > 1 {
		for _, p := range pts {
			rep.Psychometric = append(rep.Psychometric, PsychPoint{Context: p.Context, Coherence: p.Coherence, Trials: p.N, PChoice1: p.PChoice1})
		}
	}
	return rep, nil
}

// hasEvidence reports whether a batch holds decision trials with signed
// evidence, the ones a psychometric curve is about.
func hasEvidence(trials []tasks.Trial) bool {
	for _, tr := range trials {
		if tr.Choice >= 0 && tr.Coherence != 0 {
			return true
		}
	}
	return false
}

// checkDims panics, naming op, unless net's input and output sizes are the
// task's.
func checkDims(op string, net Runner, task tasks.Task) {
	nIn, _, nOut := net.Dims()
	if tIn, tOut := task.Dims(); tIn != nIn || tOut != nOut {
		panic(fmt.Sprintf("analysis: %s: network has %d inputs and %d outputs, task %s has %d and %d", op, nIn, nOut, task.Name(), tIn, tOut))
	}
}
