package train

import (
	"context"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/tasks"
)

// normAllToy is toyTask with PsychRNN's loss normalisation.
type normAllToy struct{ toyTask }

func (normAllToy) LossNorm() tasks.Normalization { return tasks.NormAll }

// TestLossNormAll checks that a task asking for tasks.NormAll gets the
// loss divided by every element, B·T·NOut, instead of by the mask's sum:
// the toy task's mask covers the last third of the steps on both outputs,
// so its first-step loss is a third of the masked mean's, with full and
// truncated BPTT alike.
func TestLossNormAll(t *testing.T) {
	for _, k := range []int{0, 4} {
		cfg := toyConfig()
		cfg.Steps, cfg.TBPTT = 1, k
		first := func(task tasks.Task) float64 {
			sum, err := Run(context.Background(), cfg, toyModel(1), []tasks.Task{task})
			if err != nil {
				t.Fatal(err)
			}
			return sum.Last.TaskLoss
		}
		masked, all := first(toyTask{steps: 12}), first(normAllToy{toyTask{steps: 12}})
		if got, want := all/masked, 4.0/12; math.Abs(got-want) > 1e-5 {
			t.Errorf("tbptt %d: NormAll/NormMask loss = %.6f/%.6f = %.6f, want %.6f", k, all, masked, got, want)
		}
	}
}

// TestStageTasks builds a curriculum whose stages change the run's task
// settings and checks that each stage's task carries them, that a stage
// with a setting the task does not take is an error naming the stage and
// the key, and that Run advances through such stages.
func TestStageTasks(t *testing.T) {
	base := tasks.Config{Task: "perceptual-dm"}
	noise := 0.0
	stages, err := StageTasks(base, []Stage{{}, {Settings: &tasks.Settings{Noise: &noise, Coherences: []float64{0.5}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != 2 {
		t.Fatalf("got %d stages, want 2", len(stages))
	}
	c0, c1 := stages[0].(tasks.Configurable).Config(), stages[1].(tasks.Configurable).Config()
	if *c0.Settings.Noise != 0.1 || *c1.Settings.Noise != 0 || len(c0.Settings.Coherences) == 1 || len(c1.Settings.Coherences) != 1 {
		t.Errorf("stage settings noise %g, %g and coherences %v, %v; want 0.1, 0 and the preset's, [0.5]", *c0.Settings.Noise, *c1.Settings.Noise, c0.Settings.Coherences, c1.Settings.Coherences)
	}
	if _, err := StageTasks(base, []Stage{{}, {Settings: &tasks.Settings{Bits: 2}}}); err == nil || !strings.Contains(err.Error(), "curriculum[1]") || !strings.Contains(err.Error(), "bits") {
		t.Errorf("stage with a setting the task does not take: err = %v", err)
	}
	if _, err := StageTasks(base, []Stage{{Task: "nope"}}); err == nil || !strings.Contains(err.Error(), "curriculum[0]") {
		t.Errorf("unknown stage task: err = %v", err)
	}
	// Settings that tasks.Settings.Override cannot take (it panics on an
	// enum value out of range) are an error, not a panic, even when the
	// stages were not validated by Config.Validate first.
	if _, err := StageTasks(base, []Stage{{}, {Settings: &tasks.Settings{Split: tasks.Split(9)}}}); err == nil || !strings.Contains(err.Error(), "curriculum[1].settings") || !strings.Contains(err.Error(), "split") {
		t.Errorf("stage with an invalid split: err = %v", err)
	}
}

// TestStageTasksDt: a network's leak α = dt/τ and its decays exp(−dt/τ)
// are set once from the run's dt, so a stage whose task steps by another
// dt (a setting, another preset or another task of the same sizes) is an
// error naming the stage and both steps; one that gives the run's dt
// explicitly, or another preset with the same dt, is not.
func TestStageTasksDt(t *testing.T) {
	for _, c := range []struct {
		name  string
		base  tasks.Config
		stage Stage
		want  []string // nil: no error
	}{
		{"setting", tasks.Config{Task: "perceptual-dm"}, Stage{Settings: &tasks.Settings{DtMS: 10}},
			[]string{"curriculum[1]", "perceptual-dm has dt_ms = 10", "run's task perceptual-dm has dt_ms = 20", "give the stage's settings dt_ms = 20"}},
		{"preset", tasks.Config{Task: "perceptual-dm"}, Stage{Preset: tasks.OptionalPreset{Preset: tasks.NeuroGym, Set: true}},
			[]string{"curriculum[1]", "perceptual-dm has dt_ms = 100", "run's task perceptual-dm has dt_ms = 20"}},
		{"task", tasks.Config{Task: "go-nogo"}, Stage{Task: "ready-set-go"},
			[]string{"curriculum[1]", "ready-set-go has dt_ms = 80", "run's task go-nogo has dt_ms = 100"}},
		{"run's setting", tasks.Config{Task: "perceptual-dm", Settings: tasks.Settings{DtMS: 10}}, Stage{Settings: &tasks.Settings{DtMS: 20}},
			[]string{"curriculum[1]", "has dt_ms = 20", "run's task perceptual-dm has dt_ms = 10"}},
		{"same dt given", tasks.Config{Task: "perceptual-dm"}, Stage{Settings: &tasks.Settings{DtMS: 20}}, nil},
		{"same dt, another preset", tasks.Config{Task: "perceptual-dm"}, Stage{Preset: tasks.OptionalPreset{Preset: tasks.Valente, Set: true}}, nil},
	} {
		_, err := StageTasks(c.base, []Stage{{}, c.stage})
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error, want one naming %q", c.name, c.want)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}

// dtToy is toyTask stepping by dt ms.
type dtToy struct {
	toyTask
	dt float64
}

func (d dtToy) Info() tasks.Info {
	return tasks.Info{Name: d.Name(), NIn: 2, NOut: 2, Loss: d.Loss(), DtMS: d.dt}
}

// TestRunStagesDt: Run refuses stages that step by different dts, as
// StageTasks does, for a caller that builds its stages itself.
func TestRunStagesDt(t *testing.T) {
	cfg := toyConfig()
	cfg.Steps = 1
	stages := []tasks.Task{dtToy{toyTask{steps: 8}, 10}, dtToy{toyTask{steps: 8}, 10}, dtToy{toyTask{steps: 8}, 20}}
	_, err := Run(context.Background(), cfg, toyModel(1), stages)
	if err == nil {
		t.Fatal("stages of dt 10, 10 and 20: no error")
	}
	for _, w := range []string{"stage 2 (toy) has dt_ms = 20", "stage 0 (toy) has dt_ms = 10"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
	if _, err := Run(context.Background(), cfg, toyModel(1), stages[:2]); err != nil {
		t.Errorf("stages of one dt: %v", err)
	}
}

// TestStagePreset checks a stage's preset: unset keeps the run's preset
// for the run's task, an explicit "default" asks for the task's default
// preset, and a preset out of range is an error naming the stage's key.
func TestStagePreset(t *testing.T) {
	base := tasks.Config{Task: "perceptual-dm", Preset: tasks.Valente}
	stages, err := StageTasks(base, []Stage{{}, {Preset: tasks.OptionalPreset{Preset: tasks.Default, Set: true}}})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []tasks.Preset{tasks.Valente, tasks.Dubreuil} {
		if got := tasks.Describe(stages[i]).Preset; got != want {
			t.Errorf("stage %d: got preset %v, want %v", i, got, want)
		}
	}
	bad := []Stage{{}, {Preset: tasks.OptionalPreset{Preset: tasks.Preset(99), Set: true}}}
	if _, err := StageTasks(base, bad); err == nil || !strings.HasPrefix(err.Error(), "curriculum[1].preset: ") {
		t.Errorf("StageTasks with preset 99: got %v, want an error naming curriculum[1].preset", err)
	}
}

// TestStagePresetJSON reads stages as config files and checkpoints of
// earlier versions wrote them, the preset a string or absent, and checks
// that an unset preset is still left out when a stage is written.
func TestStagePresetJSON(t *testing.T) {
	const old = `[{}, {"preset": ""}, {"task": "go-nogo", "preset": "neurogym"}, {"preset": "default"}, {"preset": "lowrank"}]`
	var got []Stage
	if err := json.Unmarshal([]byte(old), &got); err != nil {
		t.Fatal(err)
	}
	want := []Stage{{}, {}, {Task: "go-nogo", Preset: tasks.OptionalPreset{Preset: tasks.NeuroGym, Set: true}},
		{Preset: tasks.OptionalPreset{Preset: tasks.Default, Set: true}}, {Preset: tasks.OptionalPreset{Preset: tasks.Dubreuil, Set: true}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if w := `[{},{},{"task":"go-nogo","preset":"neurogym"},{"preset":"default"},{"preset":"dubreuil"}]`; string(b) != w {
		t.Errorf("got %s, want %s", b, w)
	}
	var bad []Stage
	if err := json.Unmarshal([]byte(`[{"preset": "yang"}]`), &bad); err == nil || !strings.Contains(err.Error(), `unknown preset "yang"`) {
		t.Errorf("unknown preset: got %v, want ParsePreset's error", err)
	}
}

// TestStageConfigPreset: a stage of the run's task keeps the run's
// settings under the run's preset, named or as the default, and starts from
// its own preset's under another, as a stage of another task does.
func TestStageConfigPreset(t *testing.T) {
	noise := 0.3
	base := tasks.Config{Task: "perceptual-dm", Preset: tasks.Dubreuil, Settings: tasks.Settings{Noise: &noise}}
	own := tasks.Settings{CatchFraction: new(0.1)}
	for _, c := range []struct {
		name  string
		stage Stage
		keeps bool
	}{
		{"no preset", Stage{Settings: &own}, true},
		{"the run's preset", Stage{Preset: tasks.OptionalPreset{Preset: tasks.Dubreuil, Set: true}, Settings: &own}, true},
		{"the default preset", Stage{Preset: tasks.OptionalPreset{Preset: tasks.Default, Set: true}, Settings: &own}, true},
		{"another preset", Stage{Preset: tasks.OptionalPreset{Preset: tasks.Valente, Set: true}, Settings: &own}, false},
	} {
		c2, err := StageConfig(base, c.stage)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := c2.Settings.Noise != nil; got != c.keeps {
			t.Errorf("%s: keeps the run's noise %v, want %v", c.name, got, c.keeps)
		}
		if c2.Settings.CatchFraction == nil || *c2.Settings.CatchFraction != 0.1 {
			t.Errorf("%s: the stage's own catch_fraction is not applied: %+v", c.name, c2.Settings)
		}
	}
}
