package main

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/rnntrain/rnntrain/checkpoints"
)

// resumableKeys are the config keys a resumed run may change without
// breaking bitwise continuation: how long it runs, and what it evaluates,
// logs, keeps and draws.
func resumableKeys() []string {
	return []string{"train.steps", "train.target_accuracy", "train.eval_every", "train.eval_trials",
		"train.log_every", "train.checkpoint_every", "train.keep", "plot_formats"}
}

// checkResume compares the config of a resumed run (saved, its
// config.json) with the one the flags made of it (cfg) and reports, unless
// force, every changed key that would break bitwise continuation.
func checkResume(saved, cfg runConfig, force bool) error {
	changed, err := configChanges(saved, cfg)
	if err != nil || len(changed) == 0 || force {
		return err
	}
	return usagef("-resume: these settings differ from the run's config.json and would break its bitwise continuation: %s; give -force to resume anyway (only %s may change freely)",
		strings.Join(changed, ", "), strings.Join(resumableKeys(), ", "))
}

// checkStoredConfig compares the config of a resumed run's config.json
// (saved, read from jsonPath) with the config stored in the checkpoint c
// being resumed, and reports, unless force, every key other than the
// resumable ones in which they differ: config.json was edited or damaged
// since the checkpoint was written. A checkpoint without a stored config,
// or with one of format 1 (another layout), is not compared.
func checkStoredConfig(saved runConfig, jsonPath string, c *checkpoints.Checkpoint, force bool) error {
	if len(c.Meta.Config) == 0 || c.Meta.FormatVersion <= 1 {
		return nil
	}
	stored, err := checkpointConfig(c)
	if err != nil {
		return err
	}
	changed, err := configChanges(stored, saved)
	if err != nil || len(changed) == 0 || force {
		return err
	}
	const most = 8
	more := ""
	if len(changed) > most {
		more = fmt.Sprintf(" and %d more", len(changed)-most)
		changed = changed[:most]
	}
	return usagef("-resume: %s differs from the config stored in %s (checkpoint's value → config.json's): %s%s; restore config.json, or give -force to resume with config.json's settings (only %s may differ)",
		jsonPath, c.Path, strings.Join(changed, ", "), more, strings.Join(resumableKeys(), ", "))
}

// configChanges returns, sorted by key, every key other than the resumable
// ones whose value differs between a and b, as "key (a's value → b's)".
func configChanges(a, b runConfig) ([]string, error) {
	fa, err := flatten(&a)
	if err != nil {
		return nil, err
	}
	fb, err := flatten(&b)
	if err != nil {
		return nil, err
	}
	ok := map[string]bool{}
	for _, k := range resumableKeys() {
		ok[k] = true
	}
	var changed []string
	for k, v := range fb {
		if !ok[k] && !reflect.DeepEqual(fa[k], v) {
			changed = append(changed, fmt.Sprintf("%s (%v → %v)", k, showValue(fa[k]), showValue(v)))
		}
	}
	for k, v := range fa {
		if _, in := fb[k]; !in && !ok[k] {
			changed = append(changed, fmt.Sprintf("%s (%v → unset)", k, showValue(v)))
		}
	}
	sort.Strings(changed)
	return changed, nil
}
