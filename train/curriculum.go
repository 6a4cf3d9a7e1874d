package train

import (
	"fmt"

	"github.com/rnntrain/rnntrain/tasks"
)

// Stage is one curriculum stage. Run moves to the next stage once the
// held-out accuracy on the current one reaches Config.AdvanceThreshold.
// A stage is the run's task with some settings changed — Dubreuil et al.
// 2022 train match-to-sample by raising the maximum delay 700 → 1000 →
// 4000 ms (populations_paper_code training_scripts/dms_fig1.py L71, L90,
// L109: dms.delay_duration_max) — or another task with the same inputs and
// outputs.
type Stage struct {
	// Task is the stage's task; "" = the run's task.
	Task string `json:"task,omitempty" toml:"task"`
	// Preset is the stage's preset; unset (text "") = the run's preset
	// when Task is the run's task, else that task's default. Set to
	// tasks.Default (text "default") it is the task's default preset even
	// for the run's task.
	Preset tasks.OptionalPreset `json:"preset,omitzero" toml:"preset"`
	// Settings override the run's task settings for this stage (fields
	// left zero keep the run's values; see tasks.Settings.Override); when
	// the stage names another task, or another preset of the run's task,
	// they override that preset's own.
	Settings *tasks.Settings `json:"settings,omitempty" toml:"settings"`
}

func (s Stage) validate() error {
	// A set preset that is none of the constants does not marshal.
	if _, err := s.Preset.MarshalText(); err != nil {
		return fmt.Errorf("preset: %w", err)
	}
	if s.Settings != nil {
		if err := s.Settings.Validate(); err != nil {
			return fmt.Errorf("settings: %w", err)
		}
	}
	return nil
}

// StageTasks builds the task of each stage from the run's task config base
// (stage 0 of an empty curriculum is base itself): what Run takes as its
// stages. The error names the stage and the setting at fault. Every stage
// must step by base's dt: a network's leak α = dt/τ and its decays
// exp(−dt/τ) are set once from the run's dt, so a stage of another dt (a
// dt_ms setting, another preset or another task) would train other time
// constants; the error names the stage and both dts. Each stage is
// validated first (as Config.Validate does), so a stage's bad preset or
// settings are an error naming the stage and the key.
func StageTasks(base tasks.Config, stages []Stage) ([]tasks.Task, error) {
	if len(stages) == 0 {
		t, err := tasks.NewFromConfig(base)
		if err != nil {
			return nil, err
		}
		return []tasks.Task{t}, nil
	}
	out := make([]tasks.Task, len(stages))
	var run tasks.Task // base's task, built for the first stage whose dt may differ
	for i, s := range stages {
		c, err := StageConfig(base, s)
		if err != nil {
			return nil, fmt.Errorf("curriculum[%d].%w", i, err)
		}
		t, err := tasks.NewFromConfig(c)
		if err != nil {
			return nil, fmt.Errorf("curriculum[%d]: %w", i, err)
		}
		// The run's task, preset and dt_ms give the run's dt.
		if c.Task != base.Task || c.Preset != base.Preset || c.Settings.DtMS != base.Settings.DtMS {
			if run == nil {
				if run, err = tasks.NewFromConfig(base); err != nil {
					return nil, err
				}
			}
			if d, dt := tasks.Describe(t).DtMS, tasks.Describe(run).DtMS; d != dt {
				return nil, fmt.Errorf("curriculum[%d]: its task %s has %s, the run's task %s has %s; %s, so the stage would train other ones: give the stage's settings dt_ms = %g, or the run's task settings the stage's dt_ms",
					i, t.Name(), dtText(d), run.Name(), dtText(dt), oneDt, dt)
			}
		}
		out[i] = t
	}
	return out, nil
}

// StageConfig returns the task config of stage s of a run whose task
// config is base, as StageTasks builds it: base with the stage's settings
// over base's, or, for a stage naming another task or another preset of
// the run's task, that task and preset with the stage's settings alone
// over the preset's own (base's settings are those of base's preset, its
// periods and scales filled in). It validates s first; the error names
// the stage's key ("settings: …").
func StageConfig(base tasks.Config, s Stage) (tasks.Config, error) {
	if err := s.validate(); err != nil {
		return tasks.Config{}, err
	}
	c := tasks.Config{Task: base.Task, Preset: base.Preset, Settings: base.Settings}
	if s.Task != "" && s.Task != base.Task {
		c = tasks.Config{Task: s.Task}
	}
	if s.Preset.Set {
		if c.Task == base.Task && concretePreset(c.Task, s.Preset.Preset) != concretePreset(base.Task, base.Preset) {
			c.Settings = tasks.Settings{}
		}
		c.Preset = s.Preset.Preset
	}
	if s.Settings != nil {
		c.Settings = c.Settings.Override(*s.Settings)
	}
	return c, nil
}

// concretePreset is p, or task's default preset for tasks.Default (p
// itself for an unknown task, which building the stage reports).
func concretePreset(task string, p tasks.Preset) tasks.Preset {
	if p == tasks.Default {
		if d, err := tasks.DefaultPreset(task); err == nil {
			return d
		}
	}
	return p
}

// oneDt says why every stage steps by the run's dt.
const oneDt = "a network's time constants (leak α = dt/τ, decays exp(−dt/τ)) are set once from the run's dt"

// dtText names a task's step for a message: "dt_ms = 20", or "no time
// step" for a dataset without one.
func dtText(dt float64) string {
	if dt == 0 {
		return "no time step"
	}
	return fmt.Sprintf("dt_ms = %g", dt)
}

// normScale is the factor that turns the loss of b, normalised by the
// mask's weight total (Loss, LossWeight), into the task's normalisation:
// 1 for tasks.NormMask, total/(T·B·NOut) for tasks.NormAll (PsychRNN's mean
// over every element). Tasks that do not implement tasks.LossNormalizer
// use NormMask.
func normScale(t tasks.Task, b *tasks.Batch, total float64) float64 {
	n, ok := t.(tasks.LossNormalizer)
	if !ok || n.LossNorm() != tasks.NormAll {
		return 1
	}
	all := float64(b.T * b.B * b.NOut)
	if t.Loss() == tasks.CrossEntropy {
		all = float64(b.T * b.B)
	}
	return total / all
}
