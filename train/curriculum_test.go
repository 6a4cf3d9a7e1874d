package train

import (
	"context"
	"math"
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
	stages, err := StageTasks(base, []Stage{{}, {Settings: &tasks.Settings{DtMS: 10, Noise: &noise}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != 2 {
		t.Fatalf("got %d stages, want 2", len(stages))
	}
	c0, c1 := stages[0].(tasks.Configurable).Config(), stages[1].(tasks.Configurable).Config()
	if c0.Settings.DtMS != 20 || *c0.Settings.Noise != 0.1 || c1.Settings.DtMS != 10 || *c1.Settings.Noise != 0 {
		t.Errorf("stage settings dt %g, %g and noise %g, %g; want 20, 10 and 0.1, 0", c0.Settings.DtMS, c1.Settings.DtMS, *c0.Settings.Noise, *c1.Settings.Noise)
	}
	if _, err := StageTasks(base, []Stage{{}, {Settings: &tasks.Settings{Bits: 2}}}); err == nil || !strings.Contains(err.Error(), "curriculum[1]") || !strings.Contains(err.Error(), "bits") {
		t.Errorf("stage with a setting the task does not take: err = %v", err)
	}
	if _, err := StageTasks(base, []Stage{{Task: "nope"}}); err == nil || !strings.Contains(err.Error(), "curriculum[0]") {
		t.Errorf("unknown stage task: err = %v", err)
	}
}
