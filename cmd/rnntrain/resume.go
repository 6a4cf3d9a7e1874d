package main

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// resumableKeys are the config keys a resumed run may change without
// breaking bitwise continuation: how long it runs, and what it evaluates,
// logs and keeps.
func resumableKeys() []string {
	return []string{"train.steps", "train.target_accuracy", "train.eval_every", "train.eval_trials",
		"train.log_every", "train.checkpoint_every", "train.keep"}
}

// checkResume compares the config of a resumed run (saved, its
// config.json) with the one the flags made of it (cfg) and reports, unless
// force, every changed key that would break bitwise continuation.
func checkResume(saved, cfg runConfig, force bool) error {
	a, err := flatten(&saved)
	if err != nil {
		return err
	}
	b, err := flatten(&cfg)
	if err != nil {
		return err
	}
	ok := map[string]bool{}
	for _, k := range resumableKeys() {
		ok[k] = true
	}
	var changed []string
	for k, v := range b {
		if !ok[k] && !reflect.DeepEqual(a[k], v) {
			changed = append(changed, fmt.Sprintf("%s (%v → %v)", k, showValue(a[k]), showValue(v)))
		}
	}
	for k, v := range a {
		if _, in := b[k]; !in && !ok[k] {
			changed = append(changed, fmt.Sprintf("%s (%v → unset)", k, showValue(v)))
		}
	}
	if len(changed) == 0 || force {
		return nil
	}
	sort.Strings(changed)
	return usagef("-resume: these settings differ from the run's config.json and would break its bitwise continuation: %s; give -force to resume anyway (only %s may change freely)",
		strings.Join(changed, ", "), strings.Join(resumableKeys(), ", "))
}
