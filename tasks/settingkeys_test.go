package tasks

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestSettingKeysCoverSettings checks that the table of setting keys
// names every field of Settings by its JSON key, in field order, each
// with a meaning, and that each key is taken by some task.
func TestSettingKeysCoverSettings(t *testing.T) {
	var want []string
	typ := reflect.TypeFor[Settings]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		want = append(want, name)
	}
	var got []string
	for _, h := range SettingsHelp() {
		got = append(got, h.Key)
		if h.Meaning == "" {
			t.Errorf("setting %s has no meaning", h.Key)
		}
		if len(h.TakenBy) == 0 {
			t.Errorf("setting %s is taken by no task", h.Key)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("setting keys %v, want the fields of Settings %v", got, want)
	}
}

// TestAcceptsMatchesNew checks Accepts against New: every key Accepts
// lists for a task and preset is not refused as unused by New, and every
// other key is.
func TestAcceptsMatchesNew(t *testing.T) {
	one := map[string]Settings{
		"dt_ms": {DtMS: 7}, "noise": {Noise: ptr(0.0)}, "coherences": {Coherences: []float64{1}},
		"catch_fraction": {CatchFraction: ptr(0.1)}, "steps": {Steps: 9}, "bits": {Bits: 2}, "path": {Path: "x.npz"},
		"loss": {Loss: CrossEntropy}, "split": {Split: Test}, "permutation_seed": {PermutationSeed: 1},
		"mnist_dir": {MNISTDir: "/nonexistent"}, "copy_length": {CopyLength: 3}, "symbols": {Symbols: 3},
		"fixation_ms": {FixationMS: ptr(100.0)}, "context_ms": {ContextMS: ptr(100.0)},
		"stimulus_ms": {StimulusMS: ptr(100.0)}, "delay_ms": {DelayMS: ptr(100.0)},
		"delay_min_ms": {DelayMinMS: ptr(500.0)}, "delay_max_ms": {DelayMaxMS: ptr(3000.0)},
		"decision_ms": {DecisionMS: ptr(100.0)}, "input_scale": {InputScale: ptr(0.2)},
		"context_scale": {ContextScale: ptr(0.2)}, "cue_span": {CueSpan: CueResponse},
		"fixation_cue": {FixationCue: FixationPeriod}, "implicit_context": {ImplicitContext: true},
		"context_modality": {ImplicitContext: true, ContextModality: 1}, "loss_norm": {LossNorm: NormAll},
		"empty_trials": {EmptyTrials: EmptyExclude}, "validation_fraction": {ValidationFraction: ptr(0.2)},
		"validation_trials": {ValidationTrials: []int{0}}, "test_fraction": {TestFraction: 0.1}, "split_seed": {SplitSeed: 1},
	}
	for _, h := range SettingsHelp() {
		if _, ok := one[h.Key]; !ok {
			t.Fatalf("no example value for setting %s", h.Key)
		}
	}
	for _, name := range Names() {
		presets, _ := Presets(name)
		for _, p := range presets {
			keys, err := Accepts(name, p)
			if err != nil {
				t.Fatal(err)
			}
			for key, s := range one {
				_, err := New(name, p, s)
				ue := (*UnusedSettingsError)(nil)
				unused := errors.As(err, &ue)
				if taken := slices.Contains(keys, key); taken == unused {
					t.Errorf("%s (%s), %s: Accepts lists it %v, New: %v", name, p, key, taken, err)
				}
			}
		}
	}
	if _, err := Accepts("go-nogo", Dubreuil); err == nil {
		t.Error("Accepts(go-nogo, dubreuil): no error for a preset the task does not define")
	}
	if _, err := Accepts("nope", Default); err == nil {
		t.Error("Accepts(nope): no error for an unknown task")
	}
}
