package tasks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/rnntrain/rnntrain/internal/enum"
)

// spec is one registered task: its presets (the first is the default),
// the settings it accepts, and its constructor.
type spec struct {
	name    string
	summary string
	presets []Preset
	fields  field
	build   func(p Preset, s Settings) (Task, error)
}

// specs is the registry. It is a function, not a package variable, so
// nothing in the package is mutable.
func specs() []spec {
	const decision = fDt | fNoise | fCoh | fLossNorm | fCatch | fFixMS | fStimMS | fDelayMS | fDecMS | fInScale
	return []spec{
		{"perceptual-dm", "random-dot motion discrimination (Britten et al. 1992): NeuroGym PerceptualDecisionMaking, Dubreuil/Valente rdm.py, PsychRNN PerceptualDiscrimination",
			[]Preset{Dubreuil, NeuroGym, PsychRNN, Valente}, decision | fFixCue, newPerceptualDM},
		{"context-dm", "context-dependent decision (Mante et al. 2013): NeuroGym ContextDecisionMaking(use_expl_context=True), Dubreuil/Valente mante.py",
			[]Preset{Dubreuil, NeuroGym, Valente}, decision | fCtxMS | fCtxScale | fFixCue | fImplicit, newContextDM},
		{"multisensory", "multisensory integration (Raposo et al. 2014): NeuroGym MultiSensoryIntegration, Dubreuil/Valente raposo.py",
			[]Preset{Dubreuil, NeuroGym, Valente}, decision | fCtxMS | fCtxScale | fCueSpan, newMultisensory},
		{"match-to-sample", "delayed match-to-sample (Miller et al. 1996): NeuroGym DelayMatchSample, Dubreuil/Valente dms.py",
			[]Preset{Dubreuil, NeuroGym, Valente}, fDt | fNoise | fLossNorm | fFixMS | fStimMS | fDelayRange | fDecMS, newMatchToSample},
		{"parametric-wm", "vibrotactile frequency comparison (Romo et al. 1999): NeuroGym DelayComparison, Dubreuil/Valente romo.py, PsychRNN DelayedDiscrimination",
			[]Preset{Dubreuil, NeuroGym, PsychRNN, Valente}, fDt | fNoise | fLossNorm | fEmpty | fFixMS | fStimMS | fDelayRange | fDecMS, newParametricWM},
		{"go-nogo", "go / no-go: NeuroGym GoNogo",
			[]Preset{NeuroGym}, fDt | fNoise | fLossNorm, newGoNogo},
		{"anti-saccade", "pro and anti saccades (Munoz & Everling 2004): NeuroGym AntiReach with a per-trial rule input",
			[]Preset{NeuroGym}, fDt | fNoise | fLossNorm, newAntiSaccade},
		{"flip-flop", "3-bit flip-flop (Sussillo & Barak 2013): FixedPointFinder FlipFlopData",
			[]Preset{SussilloBarak}, fDt | fSteps | fBits | fLossNorm, newFlipFlop},
		{"sine-wave", "sine-wave generation, a static input level sets the frequency (Sussillo & Barak 2013)",
			[]Preset{SussilloBarak}, fDt | fSteps | fLossNorm, newSineWave},
		{"ready-set-go", "interval reproduction (Jazayeri & Shadlen 2010; Remington et al. 2018): NeuroGym ReadySetGo",
			[]Preset{NeuroGym}, fDt | fLossNorm, newReadySetGo},
		{"adding", "adding problem (Hochreiter & Schmidhuber 1997): sum of two marked values, answered at the last of T steps (Kag & Saligrama 2021)",
			[]Preset{LongHorizon}, fDt | fSteps | fLossNorm, newAdding},
		{"copy", "copy-memory (Arjovsky et al. 2016): recall L symbols after a delay of T steps",
			[]Preset{LongHorizon}, fDt | fSteps | fCopy | fLossNorm, newCopy},
		{"npz", "user trials from an .npz file: inputs [trials,T,n_in], targets [trials,T,n_out], optional mask",
			[]Preset{Dataset}, fPath | fLoss | fSplit | fValidation | fValTrials | fTestFraction | fSplitSeed, newNPZTask},
		{"mnist-rows", "sequential MNIST, one 28-pixel row per step (T = 28)",
			[]Preset{Dataset}, fSplit | fMNISTDir | fValidation | fSplitSeed, newMNISTRows},
		{"mnist-pixels", "sequential MNIST, one pixel per step (T = 784)",
			[]Preset{Dataset}, fSplit | fMNISTDir | fValidation | fSplitSeed, newMNISTPixels},
		{"mnist-permuted", "permuted sequential MNIST, one pixel per step in a seeded fixed order (T = 784)",
			[]Preset{Dataset}, fSplit | fMNISTDir | fPerm | fValidation | fSplitSeed, newMNISTPermuted},
	}
}

// presetFields masks out of a task's settings those that only other
// presets take: the period durations, scales, cue span and catch trials
// of the low-rank presets, NeuroGym's fixation cue and implicit context,
// PsychRNN's rule for empty trials.
func presetFields(p Preset) field {
	const lowRank = fFixMS | fCtxMS | fStimMS | fDelayMS | fDelayRange | fDecMS | fInScale | fCtxScale | fCueSpan | fCatch
	all := ^field(0)
	if !p.lowRank() {
		all &^= lowRank
	}
	if p != NeuroGym {
		all &^= fFixCue | fImplicit
	}
	if p != PsychRNN {
		all &^= fEmpty
	}
	return all
}

// accepts is the set of settings the task takes under preset p: its own
// fields less those of other presets, and less the context period and
// cues of Valente's multisensory, which has neither (raposo.py L10-17).
func (sp spec) accepts(p Preset) field {
	f := sp.fields & presetFields(p)
	if sp.name == "multisensory" && p == Valente {
		f &^= fCtxMS | fCtxScale | fCueSpan
	}
	return f
}

func lookup(name string) (spec, error) {
	for _, s := range specs() {
		if s.name == name {
			return s, nil
		}
	}
	return spec{}, fmt.Errorf("unknown task %q; valid tasks: %s%s", name, strings.Join(Names(), ", "), enum.Hint(name, Names()))
}

// Names returns the registered task names in display order.
func Names() []string {
	var n []string
	for _, s := range specs() {
		n = append(n, s.name)
	}
	return n
}

// Presets returns the presets a task defines; the first is its default.
func Presets(name string) ([]Preset, error) {
	s, err := lookup(name)
	if err != nil {
		return nil, err
	}
	return slices.Clone(s.presets), nil
}

// DefaultPreset returns the preset a task uses when none is given.
func DefaultPreset(name string) (Preset, error) {
	s, err := lookup(name)
	if err != nil {
		return 0, err
	}
	return s.presets[0], nil
}

// Summary returns a task's one-line description.
func Summary(name string) (string, error) {
	s, err := lookup(name)
	if err != nil {
		return "", err
	}
	return s.summary, nil
}

// New builds the named task with the given preset (Default = the task's
// default preset) and settings (zero Settings = the preset's defaults). It returns an error naming the valid
// tasks or presets when name or preset is unknown, and an error naming
// the offending field when the settings are invalid or do not apply (an
// *UnusedSettingsError for settings the task and preset do not take, a
// *SettingsError for settings that do not suit them).
// The returned Task also implements Describer and Configurable.
func New(name string, p Preset, s Settings) (Task, error) {
	sp, err := lookup(name)
	if err != nil {
		return nil, err
	}
	def := p == Default
	if def {
		p = sp.presets[0]
	}
	if !slices.Contains(sp.presets, p) {
		var v []string
		for _, q := range sp.presets {
			v = append(v, q.String())
		}
		return nil, fmt.Errorf("task %s has no preset %q; valid presets: %s", name, p, strings.Join(v, ", "))
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkFields(name, p, def, sp.accepts(p)); err != nil {
		return nil, err
	}
	t, err := sp.build(p, s)
	if se := (*SettingsError)(nil); errors.As(err, &se) {
		se.DefaultPreset = def
	}
	if err != nil {
		return nil, err
	}
	if n := Describe(t).MaxSteps; n > maxLongSteps {
		return nil, &SettingsError{TaskChoice: TaskChoice{Task: name, Preset: p, DefaultPreset: def},
			Err: fmt.Errorf("trials of up to %d steps, more than %d; raise dt_ms or shorten the periods", n, maxLongSteps)}
	}
	return t, nil
}

// NewDefault builds the named task with its default preset and settings.
func NewDefault(name string) (Task, error) { return New(name, Default, Settings{}) }

// NewFromConfig builds the task a Config describes.
func NewFromConfig(c Config) (Task, error) { return New(c.Task, c.Preset, c.Settings) }

// Catalog describes every task under every preset it defines, in
// registry order, with default settings and the settings it takes: what
// `rnntrain tasks` lists. The
// dataset tasks are described without reading their files (npz reports
// 0 inputs and outputs: they come from the file; MNIST's Chance is left
// 0: it is the most frequent label's share of the split).
func Catalog() ([]Info, error) {
	var out []Info
	for _, sp := range specs() {
		for _, p := range sp.presets {
			info := datasetInfo(sp)
			if p != Dataset {
				t, err := sp.build(p, Settings{})
				if err != nil {
					return nil, fmt.Errorf("tasks: catalog %s/%s: %w", sp.name, p, err)
				}
				info = Describe(t)
			}
			info.Settings, _ = Accepts(sp.name, p)
			out = append(out, info)
		}
	}
	return out, nil
}

// datasetInfo is the static description of a dataset task.
func datasetInfo(sp spec) Info {
	info := Info{Name: sp.name, Preset: Dataset, Default: true, Summary: sp.summary, Scorer: NormalizedMSE, Loss: MSE}
	switch sp.name {
	case "mnist-rows":
		info.NIn, info.NOut, info.MinSteps, info.MaxSteps = 28, 10, 28, 28
	case "mnist-pixels", "mnist-permuted":
		info.NIn, info.NOut, info.MinSteps, info.MaxSteps = 1, 10, 784, 784
	}
	if info.NOut == 10 {
		info.Loss, info.Scorer = CrossEntropy, MaskedMeanArgmax
	}
	return info
}

// Describe returns t's Info, or a minimal Info built from the Task
// interface when t is not one of this package's tasks.
func Describe(t Task) Info {
	if d, ok := t.(Describer); ok {
		return d.Info()
	}
	nIn, nOut := t.Dims()
	return Info{Name: t.Name(), NIn: nIn, NOut: nOut, Loss: t.Loss()}
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
