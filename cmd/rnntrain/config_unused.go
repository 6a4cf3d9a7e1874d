package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rnntrain/rnntrain/lowrank"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

// A setting that only acts together with another (the Poisson gain with
// the Poisson encoding, a target rate with its penalty) is refused when it
// is given, by a flag or a TOML config file, and the rest of the config
// leaves it without effect: it would be written to config.json and
// ignored. A JSON config (a run's config.json, holding every key with its
// resolved value) is taken as it is. A setting is taken to act with any
// value of the other but 0, so that a negative one is refused as such by
// validate, not as leaving this one without effect.

// dependentSetting is a key (or, ending in a dot, every key of a table)
// that acts only when on(c) holds; needs says what that takes, in config
// keys.
type dependentSetting struct {
	key, needs string
	on         func(c *runConfig) bool
}

func dependentSettings() []dependentSetting {
	return []dependentSetting{
		{"model.encoding_gain", "without model.encoding = poisson", func(c *runConfig) bool { return c.Model.Encoding == rnn.EncodePoisson }},
		{"model.encoding_threshold", "without model.encoding = delta", func(c *runConfig) bool { return c.Model.Encoding == rnn.EncodeDelta }},
		{"model.readout_tau_ms", "without model.readout = leaky", func(c *runConfig) bool { return c.Model.Readout == rnn.ReadoutLeaky }},
		{"train.regularization.rate_target", "without train.regularization.l2_rate_target > 0", func(c *runConfig) bool { return c.Train.Regularization.L2RateTarget != 0 }},
		{"model.activity_target", "without model.activity_reg > 0", func(c *runConfig) bool {
			e, ok := c.Model.Model.(*rnn.EGRUConfig)
			return !ok || e.ActivityReg != 0
		}},
		{"train.clip_mode", "without train.clip_norm > 0", func(c *runConfig) bool { return c.Train.ClipNorm != 0 }},
		{"train.schedule.step_size", "without train.schedule.kind = step", scheduleIs(train.StepDecay)},
		{"train.schedule.gamma", "without train.schedule.kind = step", scheduleIs(train.StepDecay)},
		{"train.schedule.min_lr", "without train.schedule.kind = cosine", scheduleIs(train.Cosine)},
		{"train.optimizer.momentum", "without train.optimizer.kind = sgd", sgd(true)},
		{"train.optimizer.dampening", "without train.optimizer.kind = sgd", sgd(true)},
		{"train.optimizer.nesterov", "without train.optimizer.kind = sgd", sgd(true)},
		{"train.optimizer.beta1", "with train.optimizer.kind = sgd", sgd(false)},
		{"train.optimizer.beta2", "with train.optimizer.kind = sgd", sgd(false)},
		{"train.optimizer.eps", "with train.optimizer.kind = sgd", sgd(false)},
		{"train.fptt.", "without train.trainer = fptt", fptt}, // every key of [train.fptt]
		{"train.fptt.prior_after", "without train.fptt.loss = progressive", func(c *runConfig) bool {
			return !fptt(c) || c.Train.FPTT.Loss == train.Progressive
		}},
		// Only an evaluation on a stage before the last moves the run on.
		{"train.advance_threshold", "without a train.curriculum of two stages or more", func(c *runConfig) bool { return len(c.Train.Curriculum) > 1 }},
		// The last step is always evaluated: a run with no evaluation
		// before it keeps the last step's weights anyway.
		{"train.keep_best", "without a held-out evaluation before the last step (train.eval_every between 1 and train.steps − 1)", func(c *runConfig) bool {
			return !c.Train.KeepBest || c.Train.EvalEvery > 0 && c.Train.EvalEvery < c.Train.Steps
		}},
		// The network's sizes and step come from the task (taskKeys); a
		// value in a TOML file was silently replaced (a lif net's decays
		// use the task's dt, not model.dt_ms).
		{"model.inputs", "in a config file (the network takes its inputs from the task)", never},
		{"model.outputs", "in a config file (the network takes its outputs from the task)", never},
		{"model.dt_ms", "in a config file (the network takes the task's step, task.settings.dt_ms)", never},
		{"plot_raster_units", "without a spiking or event-based model (lif, alif, ltc, egru: the models whose runs draw a raster)", func(c *runConfig) bool {
			return drawsRaster(c.Model.Resolved().Model.Model())
		}},
		// The low-rank net's own readout (rates tanh) has s_o and never
		// trains b; rates phi and state read out through a linear layer
		// and train b unless no_bias.
		{"model.output_scale", "without model.rates = tanh (the low-rank net's own readout, which s_o scales)", lowrankRates(true)},
		{"model.no_bias", "with model.rates = tanh (whose readout never trains the bias b)", lowrankRates(false)},
		// Nor is there another bias in such a net: freeze_bias would keep
		// nothing that trains (no_bias keeps b at 0 as well).
		{"model.freeze_bias", "on a low-rank net with model.rates = tanh or model.no_bias (it trains no bias)", func(c *runConfig) bool {
			m, ok := c.Model.Model.(*lowrank.Config)
			return !ok || m.Rates != lowrank.RatesTanh && !m.NoBias
		}},
		{"model.tau_mem_ms", "with model.beta > 0", func(c *runConfig) bool {
			switch m := c.Model.Model.(type) {
			case *rnn.LIFConfig:
				return m.Beta == 0
			case *rnn.ALIFConfig:
				return m.Beta == 0
			}
			return true
		}},
	}
}

// never is the condition of a setting that has no effect in any run.
func never(*runConfig) bool { return false }

// taskKeys are the network's keys that the task sets, whose value in a
// config file or a sweep's base never takes effect.
func taskKeys() []string { return []string{"model.inputs", "model.outputs", "model.dt_ms"} }

// scheduleIs reports whether the run's learning-rate schedule is k.
func scheduleIs(k train.ScheduleKind) func(c *runConfig) bool {
	return func(c *runConfig) bool { return c.Train.Schedule.Kind == k }
}

// sgd reports whether the run's optimizer is (want true) or is not (want
// false) SGD.
func sgd(want bool) func(c *runConfig) bool {
	return func(c *runConfig) bool { return (c.Train.Optimizer.Kind == train.OptSGD) == want }
}

// lowrankRates reports whether the run's low-rank net reads out itself
// (rates tanh; want true) or through a linear layer (phi or state; want
// false). Another model has neither key.
func lowrankRates(want bool) func(c *runConfig) bool {
	return func(c *runConfig) bool {
		m, ok := c.Model.Model.(*lowrank.Config)
		return !ok || (m.Rates == lowrank.RatesTanh) == want
	}
}

// fptt reports whether the run trains with FPTT.
func fptt(c *runConfig) bool { return c.Train.Trainer == train.FPTT }

// checkUnused refuses every key in given (the keys a flag or a TOML file
// set; the map's values do not matter) that c leaves without effect. The
// errors name the key, its flag and what it needs.
func checkUnused(c *runConfig, given map[string]bool) error {
	keys := slices.Sorted(maps.Keys(given))
	var errs []error
	for _, d := range dependentSettings() {
		for _, k := range keys {
			if (k == d.key || strings.HasSuffix(d.key, ".") && strings.HasPrefix(k, d.key)) && !d.on(c) {
				errs = append(errs, configError(k, fmt.Errorf("has no effect %s", d.needs)))
			}
		}
	}
	errs = append(errs, checkScheduleSpan(c, given)...)
	if len(errs) == 0 {
		return nil
	}
	return usageError{errors.Join(errs...)}
}

// checkScheduleSpan refuses, as checkUnused does a setting without effect,
// a warm-up or a step decay given by a flag or a TOML file that the run's
// train.steps cut short: a warm-up longer than the run never reaches
// train.lr, and a first decay (at update warmup_steps + step_size, counted
// from 0) after the last update never comes; and a cosine schedule's
// min_lr above the run's rate, which would make the rate rise. A resume
// that raises train.steps alone is not checked.
func checkScheduleSpan(c *runConfig, given map[string]bool) []error {
	s, steps := c.Train.Schedule, c.Train.Steps
	_, warmup := given["train.schedule.warmup_steps"]
	_, stepSize := given["train.schedule.step_size"]
	var errs []error
	if warmup && s.Warmup > steps {
		errs = append(errs, configError("train.schedule.warmup_steps", fmt.Errorf(
			"%d warm-up steps are more than the run's %d (-steps, train.steps): the learning rate would never reach train.lr; lower it or raise -steps", s.Warmup, steps)))
	}
	if stepSize && s.Kind == train.StepDecay && s.StepSize > 0 && s.Warmup+s.StepSize >= steps {
		errs = append(errs, configError("train.schedule.step_size", fmt.Errorf(
			"the first decay, at update %d (warmup_steps + step_size, from 0), comes after the run's last, %d (-steps %d, train.steps): the learning rate would never decay; lower it or raise -steps", s.Warmup+s.StepSize, steps-1, steps)))
	}
	if _, set := given["train.schedule.min_lr"]; set && s.Kind == train.Cosine && s.MinLR > runLR(c) {
		errs = append(errs, configError("train.schedule.min_lr", fmt.Errorf(
			"%g is above the run's learning rate %g (-lr, train.lr): the cosine schedule anneals from train.lr down to min_lr, and would rise instead; give a min_lr below it", s.MinLR, runLR(c))))
	}
	return errs
}

// checkCurriculumEval refuses a curriculum of two stages or more with no
// held-out evaluation before the last step: only an evaluation moves a run
// to its next stage (train.advance_threshold), and the last step's ends
// the run, which would train on the first stage alone.
func checkCurriculumEval(c *runConfig) error {
	n, t := len(c.Train.Curriculum), c.Train
	if n < 2 || t.EvalEvery > 0 && t.EvalEvery < t.Steps {
		return nil
	}
	if t.Steps < 2 {
		return configError("train.steps", fmt.Errorf("a run of %d step cannot evaluate before its last step, and only an evaluation moves a run to its next stage: the run would train on the first of the %d curriculum stages (train.curriculum) alone; give it 2 steps or more and train.eval_every below them",
			t.Steps, n))
	}
	return configError("train.eval_every", fmt.Errorf("%d leaves the %d curriculum stages (train.curriculum) without a held-out evaluation before the last of the %d steps, and only an evaluation moves a run to its next stage: the run would train on the first stage alone; set it between 1 and %d",
		t.EvalEvery, n, t.Steps, max(t.Steps-1, 1)))
}

// checkOverrides refuses, as checkUnused does a setting without effect,
// every key of the settings that override the run's task (task.eval_settings
// and each train.curriculum[i].settings) in obj, a decoded TOML config file,
// whose value tasks.Settings.Override does not apply: the zero value of a
// field that is not a pointer (0, false, "", "default", "train", "mse"),
// which an override cannot tell from the key left out, so that the run's
// own value would stay. An unknown key is left to the strict decoder.
func checkOverrides(obj map[string]any) error {
	var errs []error
	check := func(table, keeps string, v any) {
		m, _ := v.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			val, err := json.Marshal(m[k])
			if err != nil {
				continue
			}
			var s tasks.Settings
			dec := json.NewDecoder(strings.NewReader(fmt.Sprintf("{%q: %s}", k, val)))
			dec.DisallowUnknownFields()
			if dec.Decode(&s) != nil {
				continue // an unknown key or a wrong value: the strict decoder reports it
			}
			if out, err := json.Marshal(s); err == nil && string(out) == "{}" {
				errs = append(errs, configError(table+"."+k, fmt.Errorf("%s has no effect: an override applies only the values it can tell from the key left out, not 0 (but for noise, catch_fraction, validation_fraction, the periods in ms and the scales), false, \"\", \"default\", \"train\" or \"mse\", so %s would keep the run's %s; leave the key out",
					val, keeps, k)))
			}
		}
	}
	task, _ := obj["task"].(map[string]any)
	check("task.eval_settings", "the final evaluation", task["eval_settings"])
	tr, _ := obj["train"].(map[string]any)
	var stages []any
	switch c := tr["curriculum"].(type) {
	case []any:
		stages = c
	case []map[string]any:
		for _, st := range c {
			stages = append(stages, st)
		}
	}
	for i, st := range stages {
		m, _ := st.(map[string]any)
		check(fmt.Sprintf("train.curriculum[%d].settings", i), "the stage", m["settings"])
	}
	if len(errs) == 0 {
		return nil
	}
	return usageError{errors.Join(errs...)}
}
