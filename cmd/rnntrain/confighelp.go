package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
)

// configKeyDocs describes the config keys that no flag sets (the flags'
// own help describes the others).
func configKeyDocs() map[string]string {
	docs := map[string]string{
		"model.inputs":              "number of inputs (taken from the task)",
		"model.outputs":             "number of outputs (taken from the task)",
		"model.dt_ms":               "the task's step in ms (taken from the task; α = dt/τ)",
		"model.freeze_input":        "keep the input weights at their initial values",
		"model.freeze_recurrent":    "keep the recurrent weights at their initial values (ltc: and its gates' weights)",
		"model.freeze_bias":         "keep the biases at their initial values (egru: and its thresholds ϑ; ltc: and its gates' bias)",
		"model.freeze_output":       "keep the readout at its initial values",
		"model.input_scale":         "lowrank: initial input scaling s_i (default 1; trained with rates tanh, fixed with phi and state)",
		"model.output_scale":        "lowrank, rates tanh: initial output scaling s_o of the net's own readout, trained (default 1)",
		"model.no_bias":             "lowrank, rates phi or state: keep the bias b inside φ(h + b) at 0 (default false: trained; rates tanh never trains it)",
		"train.optimizer.beta1":     "adam, adamw, adamax: β1, the decay of the gradient's running mean, taken as given (0 = no momentum)",
		"train.optimizer.beta2":     "adam, adamw, adamax: β2, the decay of the squared gradient's running mean (adamax: of the running maximum)",
		"train.optimizer.eps":       "adam, adamw, adamax: ε added to the update's denominator (> 0)",
		"train.optimizer.momentum":  "sgd: momentum μ, b ← μ b + (1 − dampening) g (0 = none)",
		"train.optimizer.dampening": "sgd: dampening τ of the momentum, in [0, 1] (0 = none)",
		"train.optimizer.nesterov":  "sgd: Nesterov momentum, g + μ b in place of b (needs momentum > 0 and dampening 0)",
		"train.schedule.step_size":  "step schedule: updates between decays, lr·gamma^⌊t/step_size⌋ at update t after the warm-up (required by the step schedule)",
		"train.schedule.gamma":      "step schedule: the factor of each decay (0 = PyTorch's 0.1)",
		"train.schedule.min_lr":     "cosine schedule: the rate the cosine anneals train.lr to, min_lr + (lr − min_lr)(1 + cos(π t/T))/2 at update t of the T after the warm-up, reached after the last (default 0; at most train.lr)",
		"train.advance_threshold":   "curriculum: advance once validation accuracy reaches this",
		"train.fptt.alpha":          "fptt: α, the multiplier's step and the proximal weight",
		"train.fptt.beta":           "fptt: β, the running average's step",
		"train.fptt.rho":            "fptt: ρ in (ρ − 1)⟨W, λ⟩",
		"train.fptt.reg":            "fptt: weight of the proximal term (α/2)‖W − W̄‖²",
		"train.fptt.reset_every":    "fptt: W ← W̄, λ ← 0 every so many updates (0 = once per epoch, −1 = never)",
		"train.fptt.loss":           "fptt: window (each window's own masked steps) or progressive (every window on the final answer, sFPTT)",
		"train.fptt.prior_after":    "fptt progressive cross-entropy: updates on the uniform prior before the running class prior (default 0; the running prior starts uniform, so 1 is the same)",
		"train.curriculum":          "curriculum stages [{task, preset, settings}], in order; a stage's settings override task.settings ({} = the run's task; not with a zero value, as task.eval_settings), or, for a stage of another task or preset, that preset's own; every stage has the run's task's inputs and outputs and steps by its dt_ms; the run advances at a held-out evaluation (train.eval_every, which two stages or more need below train.steps); the final evaluation is on the last stage",
		"task.settings":             "task settings, the task.settings keys below; each task takes its own ('rnntrain tasks NAME' lists them; README, Task presets), another is an error naming it; a key left out keeps the preset's value",
		"model.tau_mem_bias":        "ltc: initial bias c_m of the membrane's gate τm = σ(… + c_m), its resting decay fraction σ(c_m) (default 0: ½; trained unless freeze_bias)",
		"model.tau_adapt_bias":      "ltc: initial bias c_a of the adaptation's gate τa = σ(… + c_a), its resting decay fraction σ(c_a) (default 0: ½; trained unless freeze_bias)",
		"task.eval_settings":        "task settings overriding the final task's for the final evaluation and plots (e.g. psychometric coherences; not dt_ms); noise, catch_fraction, validation_fraction, the periods in ms and the scales take 0 (noise = 0: a noise-free evaluation; catch_fraction = 0: one without catch trials), while a 0, false or \"default\" of any other key is refused, as an override cannot tell it from the key left out",
	}
	for _, h := range tasks.SettingsHelp() {
		docs["task.settings."+h.Key] = h.Meaning + "; taken by " + strings.Join(h.TakenBy, ", ")
	}
	return docs
}

// printConfigHelp documents every config key with its default: the
// default run's keys, then each model's own keys with that model's
// defaults.
func printConfigHelp(w io.Writer) {
	fmt.Fprint(w, `Config files (rnntrain train -config FILE; TOML or JSON, the layout of a
run's config.json) have the sections seed, task, model and train. Keys left
out keep their defaults; unknown keys are errors. A model key listed with 0
below takes its default when left out; a 0 given to it by a flag, a TOML
file or a sweep spec is refused unless its meaning says what 0 means
("0 = ..."). A setting given by a flag or a TOML file that the rest of the
config leaves without effect is refused too (encoding_gain without the
poisson encoding, encoding_threshold without delta, readout_tau_ms without
the leaky readout, rate_target without l2_rate_target, activity_target
without activity_reg, tau_mem_ms beside beta, the low-rank
output_scale without rates tanh, no_bias with it and freeze_bias with
either (such a net trains no bias), clip_mode without
clip_norm, the schedule, optimizer and fptt keys of another schedule,
optimizer or trainer, plot_raster_units without a spiking or egru model,
keep_best without an evaluation before the last step, and model.inputs,
outputs and dt_ms, which the network takes from the task).
Flags given on the command line override the file. The model section
holds the network's keys and the chosen model's (kind) own keys side by
side.

`)
	cfg := defaultConfig()
	flat, _ := flatten(&cfg)
	docs, usage := configKeyDocs(), keyFlagUsage()
	// Keys the default config leaves out (task settings, the curriculum)
	// are listed too, unset; the models' own keys follow per model.
	set := slices.Sorted(maps.Keys(flat))
	for _, k := range slices.Concat(slices.Collect(maps.Keys(docs)), slices.Collect(maps.Values(flagKeys()))) {
		inner := func(f string) bool { return strings.HasPrefix(f, k+".") }
		if _, ok := flat[k]; !ok && !strings.HasPrefix(k, "model.") && !slices.ContainsFunc(set, inner) {
			flat[k] = nil
		}
	}
	// A settings key that a flag sets keeps the tasks that take it.
	takenBy := map[string]string{}
	for _, h := range tasks.SettingsHelp() {
		takenBy["task.settings."+h.Key] = strings.Join(h.TakenBy, ", ")
	}
	describe := func(key string) (flagName, doc string) {
		flagName, doc = keyDoc(key, docs, usage)
		if t := takenBy[key]; t != "" && flagName != "" {
			doc += "; taken by " + t
		}
		return flagName, doc
	}
	rows := [][4]string{{"key", "default", "flag", "meaning"}}
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, d := describe(k)
		rows = append(rows, [4]string{k, showValue(flat[k]), f, d})
	}
	printKeys(w, "", rows)
	for _, m := range rnn.Models() {
		io.WriteString(w, "\n"+wrapLine("", fmt.Sprintf("model.kind = %q: %s", m.Name, m.Summary), "    ", false))
		mc := m.New()
		if cfg.Model.Kind() == m.Name {
			mc = cfg.Model.Model // the default run's model, with its own defaults (relu)
		}
		b, _ := json.Marshal(mc)
		var obj map[string]any
		_ = json.Unmarshal(b, &obj)
		mk := make([]string, 0, len(obj))
		for k := range obj {
			mk = append(mk, k)
		}
		sort.Strings(mk)
		var rows [][4]string
		for _, k := range mk {
			f, d := describe("model." + k)
			rows = append(rows, [4]string{"model." + k, showValue(obj[k]), f, d})
		}
		printKeys(w, "  ", rows)
	}
}

// printKeys prints rows of config keys {key, default, flag, meaning},
// each line beginning with indent: the key, its default and its flag in
// aligned columns, and under them the meaning, indented by four more
// spaces and wrapped to helpWidth columns.
func printKeys(w io.Writer, indent string, rows [][4]string) {
	var width [2]int
	for _, r := range rows {
		for i := range width {
			width[i] = max(width[i], utf8.RuneCountInString(r[i]))
		}
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", n-utf8.RuneCountInString(s)) }
	for _, r := range rows {
		fmt.Fprintln(w, strings.TrimRight(indent+pad(r[0], width[0])+"  "+pad(r[1], width[1])+"  "+r[2], " "))
		if r[3] != "" {
			io.WriteString(w, wrapLine(indent+"    ", r[3], indent+"    ", false))
		}
	}
}

// keyDoc returns the flag that sets the config key, if one does, and the
// key's description: the flag's help (usage, keyFlagUsage), or its entry
// or its parent's in docs (configKeyDocs).
func keyDoc(key string, docs, usage map[string]string) (flagName, doc string) {
	if f := keyFlag(key); f != "" {
		return f, usage[strings.TrimPrefix(f, "-")]
	}
	if d, ok := docs[key]; ok {
		return "", d
	}
	for k, d := range docs {
		if strings.HasPrefix(key, k+".") {
			return "", d
		}
	}
	return "", ""
}

// showValue prints a default as a config file would hold it.
func showValue(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case nil:
		return "(unset)"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
