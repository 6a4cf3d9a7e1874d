package tasks

import "math/rand/v2"

// Batch holds B trials, time-major and padded to the longest trial: element
// (t, b, i) of Inputs is Inputs[(t*B+b)*NIn+i]; likewise Targets and Mask
// with NOut. Mask is 0 where a target is not scored (padding, fixation
// periods that the preset does not score) and positive elsewhere.
type Batch struct {
	T, B, NIn, NOut int
	Inputs          []float32 // [T][B][NIn]
	Targets         []float32 // [T][B][NOut]
	Mask            []float32 // [T][B][NOut]
	Lengths         []int     // [B]: steps of each trial before padding
	Trials          []Trial   // [B]: each trial's own variables, for scorers and psychometrics
}

// Trial records the variables one trial was generated from.
type Trial struct {
	// Condition labels the trial for per-condition tables and
	// psychometric curves (for example "ctx=1 coh=+0.128"); contexts are
	// numbered from 1 there, as in the figures, while Context counts from 0.
	Condition string
	// Coherence is the signed evidence the psychometric x axis uses (the
	// relevant coherence for context-dm); 0 for tasks without one.
	Coherence float64
	// Context is the rule or context index, 0 when the task has none.
	Context int
	// Choice is the correct response: the target action (0 = fixate,
	// 1… = choices) for decision tasks, -1 for continuous tasks. For the
	// lowrank preset, 1 means a +1 target and 2 a −1 target, so that
	// "choice 1" is the positive-coherence choice in every preset.
	Choice int

	// Coherence2 is the signed evidence of the other (irrelevant)
	// modality for context-dm; 0 otherwise.
	Coherence2 float64
	// Value is a task-specific scalar: the measured interval in ms for
	// ready-set-go, the frequency in rad/step for sine-wave, the share p
	// of the coherence in modality 1 for NeuroGym multisensory, the label
	// for sequential MNIST; 0 otherwise.
	Value float64
	// Catch marks a catch trial (no stimulus, no response); scorers
	// exclude it.
	Catch bool
	// ResponseStart and ResponseEnd delimit the scored window in steps,
	// [ResponseStart, ResponseEnd): the decision period (NeuroGym), the
	// response window (lowrank), the production period (ready-set-go).
	ResponseStart, ResponseEnd int
	// Periods lists the trial's epochs in order, in steps.
	Periods []Period
	// Vars are the task's own latent variables beyond the fields above
	// (see Latents), in a fixed order per task.
	Vars []Var
}

// Period is one epoch of a trial: steps [Start, End).
type Period struct {
	Name       string
	Start, End int
}

// Loss is the training loss a task's targets are made for.
type Loss int

const (
	// MSE: targets are values to regress; mask-weighted mean squared error.
	MSE Loss = iota
	// CrossEntropy: targets are one-hot actions over the outputs;
	// mask-weighted softmax cross-entropy over the output channels.
	CrossEntropy
)

// Task generates trials. Implementations are deterministic given the rng.
type Task interface {
	// Name is the task's registered name, e.g. "context-dm".
	Name() string
	// Dims returns the number of input and output channels.
	Dims() (nIn, nOut int)
	// Batch draws b trials from rng.
	Batch(rng *rand.Rand, b int) Batch
	// Loss is the loss the targets are designed for.
	Loss() Loss
	// Score judges outputs (time-major [T][B][NOut], like Targets) with
	// the task's own scorer.
	Score(outputs []float32, batch *Batch) Result
}

// Result is a scorer's verdict on one batch.
type Result struct {
	// Correct is per trial. For continuous tasks a trial is correct when
	// its masked MSE is below the task's documented threshold.
	Correct []bool
	// Accuracy is the fraction of Correct trials.
	Accuracy float64
	// MSE is the mask-weighted mean squared error of outputs against
	// targets over the whole batch.
	MSE float64

	// Response is per trial: the action the scorer read out (0 = fixate
	// or no response, 1… = choices; for the sign rule 1 = positive,
	// 2 = negative; the argmax channel for the masked-mean rule), or -1
	// for continuous tasks.
	Response []int
	// Excluded is per trial: true for trials the scorer does not judge
	// (catch trials). Accuracy is over the trials not excluded.
	Excluded []bool
	// Scored is the number of trials not excluded.
	Scored int
}
