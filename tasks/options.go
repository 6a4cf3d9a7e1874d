package tasks

import (
	"fmt"

	"github.com/rnntrain/rnntrain/internal/enum"
)

// This file holds the typed options of Settings whose zero value means
// "the preset's choice": the context-cue span of multisensory, the
// NeuroGym fixation cue, the loss normalisation and the handling of
// trials without a scored step.

// CueSpan is how long the modality cues of lowrank multisensory stay on.
type CueSpan int

const (
	// CueDefault is the preset's span (Dubreuil: CueStimulus).
	CueDefault CueSpan = iota
	// CueStimulus: from the end of fixation to the end of the stimulus
	// (populations_paper_code src/low_rank_rnns/raposo.py L76, L83:
	// inputs[i, fixation_duration_discrete:stim_end, 2|3]).
	CueStimulus
	// CueResponse: from the end of fixation to the response (the span of
	// mante.py's context cues, fixation_duration_discrete:response_begin).
	CueResponse
)

func cueSpanNames() []string { return []string{"default", "stimulus", "response"} }

// String returns the span's text form.
func (c CueSpan) String() string { return enumString(cueSpanNames(), int(c), "CueSpan") }

// MarshalText implements encoding.TextMarshaler.
func (c CueSpan) MarshalText() ([]byte, error) {
	return enumMarshal(cueSpanNames(), int(c), "cue span")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *CueSpan) UnmarshalText(b []byte) error {
	return enumUnmarshal(cueSpanNames(), b, "cue span", (*int)(c))
}

// FixationCue is when the NeuroGym fixation input is on.
type FixationCue int

const (
	// FixationDefault is the preset's choice (FixationUntilDecision).
	FixationDefault FixationCue = iota
	// FixationUntilDecision: 1 until the decision period, so its offset
	// is the go cue (NeuroGym DelayMatchSample, DelayComparison,
	// MultiSensoryIntegration: `add_ob(1, where="fixation")`,
	// `set_ob(0, "decision")`).
	FixationUntilDecision
	// FixationPeriod: 1 during the fixation period only, NeuroGym's stock
	// PerceptualDecisionMaking and ContextDecisionMaking
	// (perceptualdecisionmaking.py L98, contextdecisionmaking.py L157:
	// `add_ob(1, period="fixation", where="fixation")`).
	FixationPeriod
)

func fixationCueNames() []string { return []string{"default", "until-decision", "fixation-period"} }

// String returns the cue's text form.
func (f FixationCue) String() string { return enumString(fixationCueNames(), int(f), "FixationCue") }

// MarshalText implements encoding.TextMarshaler.
func (f FixationCue) MarshalText() ([]byte, error) {
	return enumMarshal(fixationCueNames(), int(f), "fixation cue")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (f *FixationCue) UnmarshalText(b []byte) error {
	return enumUnmarshal(fixationCueNames(), b, "fixation cue", (*int)(f))
}

// Normalization is what the task loss of a batch divides by.
type Normalization int

const (
	// NormDefault is the preset's choice (NormMask except PsychRNN).
	NormDefault Normalization = iota
	// NormMask: the mask's sum, Σ m (a masked mean).
	NormMask
	// NormAll: every element, B·T·NOut, as PsychRNN's
	// `tf.reduce_mean(tf.square(output_mask * (predictions - y)))`
	// (psychrnn/backend/loss_functions.py L68), which weighs the loss by
	// the scored share of the batch against the regularisers.
	NormAll
)

func normNames() []string { return []string{"default", "mask", "all"} }

// String returns the normalisation's text form.
func (n Normalization) String() string { return enumString(normNames(), int(n), "Normalization") }

// MarshalText implements encoding.TextMarshaler.
func (n Normalization) MarshalText() ([]byte, error) {
	return enumMarshal(normNames(), int(n), "loss normalization")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (n *Normalization) UnmarshalText(b []byte) error {
	return enumUnmarshal(normNames(), b, "loss normalization", (*int)(n))
}

// EmptyTrials is how a scorer treats trials with no scored step (PsychRNN
// parametric-wm trials whose decision period holds no step).
type EmptyTrials int

const (
	// EmptyDefault is the preset's choice (PsychRNN: EmptyCorrect).
	EmptyDefault EmptyTrials = iota
	// EmptyExclude: the trial is marked Catch and not scored.
	EmptyExclude
	// EmptyCorrect: the trial counts as correct whatever the output, as
	// PsychRNN's accuracy_function, whose argmax of two all-zero masked
	// means is channel 0 for both output and target
	// (psychrnn/tasks/delayed_discrim.py L195-197).
	EmptyCorrect
)

func emptyNames() []string { return []string{"default", "exclude", "correct"} }

// String returns the rule's text form.
func (e EmptyTrials) String() string { return enumString(emptyNames(), int(e), "EmptyTrials") }

// MarshalText implements encoding.TextMarshaler.
func (e EmptyTrials) MarshalText() ([]byte, error) {
	return enumMarshal(emptyNames(), int(e), "empty trials rule")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (e *EmptyTrials) UnmarshalText(b []byte) error {
	return enumUnmarshal(emptyNames(), b, "empty trials rule", (*int)(e))
}

func enumString(names []string, v int, typ string) string { return enum.Name(names, v, typ) }

func enumMarshal(names []string, v int, what string) ([]byte, error) {
	return enum.Text("tasks", names, v, what)
}

func enumUnmarshal(names []string, b []byte, what string, dst *int) error {
	v, err := enum.Parse(names, string(b), what)
	if err != nil {
		return fmt.Errorf("tasks: %w", err)
	}
	*dst = v
	return nil
}

// LossNormalizer is implemented by the synthetic tasks of this package:
// what the training loss of their batches divides by (NormMask or NormAll,
// never NormDefault). The train package uses NormMask for tasks that do
// not implement it (datasets).
type LossNormalizer interface {
	LossNorm() Normalization
}
