package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/internal/files"
	"github.com/rnntrain/rnntrain/train"
)

// resumableKeys are the config keys a resumed run may change without
// breaking bitwise continuation: how long it runs, and what it evaluates,
// logs, keeps and draws.
func resumableKeys() []string {
	return []string{"train.steps", "train.target_accuracy", "train.eval_every", "train.eval_trials",
		"train.log_every", "train.checkpoint_every", "train.keep", "train.keep_best", "plot_formats", "plot_raster_units"}
}

// checkResume compares the config of a resumed run (saved, its
// config.json) with the one the flags made of it (cfg) and reports, unless
// force, every changed key that would break bitwise continuation.
func checkResume(saved, cfg runConfig, force bool) error {
	// -lr 0 stands for the model's rate, which config.json names.
	saved.Train.LR, cfg.Train.LR = runLR(&saved), runLR(&cfg)
	changed, err := configChanges(saved, cfg)
	if err != nil || len(changed) == 0 || force {
		return err
	}
	return usagef("-resume: these settings differ from the run's config.json and would break its bitwise continuation: %s; give -force to resume anyway (only %s may change freely, train.steps not under the cosine schedule)",
		strings.Join(changed, ", "), strings.Join(resumableKeys(), ", "))
}

// checkStoredConfig compares the config of a resumed run's config.json
// (saved, read from jsonPath) with the config stored in the checkpoint c
// being resumed, and reports, unless force, every key other than the
// resumable ones in which they differ: config.json was edited or damaged
// since the checkpoint was written. A checkpoint without a stored config,
// or with one of format 1 (another layout), is not compared.
func checkStoredConfig(saved runConfig, jsonPath string, c *checkpoints.Checkpoint, force bool) error {
	changed, err := storedChanges(c, saved)
	if err != nil || len(changed) == 0 || force {
		return err
	}
	return storedConfigError(jsonPath, c.Path, changed)
}

// storesConfig reports whether c stores a run config that config.json is
// compared with: one of format 2 or later (format 1 had another layout).
func storesConfig(c *checkpoints.Checkpoint) bool {
	return len(c.Meta.Config) > 0 && c.Meta.FormatVersion > 1
}

// storedChanges returns configChanges of the config stored in c and cfg,
// none if c stores no config to compare (storesConfig).
func storedChanges(c *checkpoints.Checkpoint, cfg runConfig) ([]string, error) {
	if !storesConfig(c) {
		return nil, nil
	}
	stored, err := checkpointConfig(c)
	if err != nil {
		return nil, err
	}
	return configChanges(stored, cfg)
}

// storedConfigError refuses to resume with the config.json jsonPath, which
// differs in the keys changed from the config stored in the checkpoint
// ckptPath.
func storedConfigError(jsonPath, ckptPath string, changed []string) error {
	const most = 8
	more := ""
	if len(changed) > most {
		more = fmt.Sprintf(" and %d more", len(changed)-most)
		changed = changed[:most]
	}
	return usagef("-resume: %s differs from the config stored in %s (checkpoint's value → config.json's): %s%s; restore config.json, or give -force to resume with config.json's settings (only %s may differ)",
		jsonPath, ckptPath, strings.Join(changed, ", "), more, strings.Join(resumableKeys(), ", "))
}

// storedConfigDiffers reports whether cfg differs, in a key other than
// the resumable ones, from the config stored in c (storedChanges), or
// c's config does not decode.
func storedConfigDiffers(c *checkpoints.Checkpoint, cfg runConfig) bool {
	changed, err := storedChanges(c, cfg)
	return err != nil || len(changed) > 0
}

// configChanges returns every key other than the resumable ones whose
// value differs between a and b, and train.steps when both anneal over it
// (the cosine schedule), as "key (a's value → b's)": the keys
// that decide the network's shape (shapeKeys) first, in that order, then
// the others sorted by key, so that a short list of them still names the
// model kind and size.
func configChanges(a, b runConfig) ([]string, error) {
	fa, err := flattenExact(&a)
	if err != nil {
		return nil, err
	}
	fb, err := flattenExact(&b)
	if err != nil {
		return nil, err
	}
	changed := flatChanges(fa, fb)
	if a.Train.Schedule.Kind == train.Cosine && b.Train.Schedule.Kind == train.Cosine && a.Train.Steps != b.Train.Steps {
		changed = append(changed, fmt.Sprintf("train.steps (%d → %d) under the cosine schedule, which anneals the learning rate over train.steps: from the step resumed on it would follow the %d-step curve, not the run's", a.Train.Steps, b.Train.Steps, b.Train.Steps))
	}
	return changed, nil
}

// flattenExact is flatten with every number kept as the text json.Marshal
// gives it (a json.Number), so that two configs compare digit for digit:
// seeds above 2^53 that float64 rounds to one value still differ.
func flattenExact(c *runConfig) (map[string]any, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	return flattenObject(obj), nil
}

// flatChanges is configChanges of two flattened configs (flatten).
func flatChanges(fa, fb map[string]any) []string {
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
	rank := func(c string) int {
		key, _, _ := strings.Cut(c, " ")
		if i := slices.Index(shapeKeys(), key); i >= 0 {
			return i
		}
		return len(shapeKeys())
	}
	slices.SortFunc(changed, func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b))
	})
	return changed
}

// shapeKeys are the config keys that decide the network's shape and so
// whether a checkpoint fits it at all, in the order a list of changed keys
// names them.
func shapeKeys() []string {
	return []string{"model.kind", "model.hidden", "model.rank", "model.inputs", "model.outputs"}
}

// resumePoint is what a resumed run continues from.
type resumePoint struct {
	// ckpt is the run's latest checkpoint; nil when the run has none yet
	// (it stopped before its first one), so that it starts again from
	// step 0 with its config.json.
	ckpt *checkpoints.Checkpoint
	// info is the file ckpt was read from, to notice one written since.
	info fs.FileInfo
}

// loadResumePoint reads the latest checkpoint of the run in dir. A run with
// no checkpoint and no step files has none yet (a zero resumePoint). A
// latest checkpoint that is missing while step files remain, or that does
// not load, is an error naming it and the newest step file that loads,
// to be copied into its place. Every error is a failure naming the file.
func loadResumePoint(dir string) (resumePoint, error) {
	path := checkpoints.LatestPath(dir)
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		steps, serr := checkpoints.Steps(dir)
		if serr != nil {
			return resumePoint{}, fmt.Errorf("resume: %w", serr)
		}
		if len(steps) == 0 {
			return resumePoint{}, nil
		}
		return resumePoint{}, fmt.Errorf("resume: %s: no such file, but the run has step files%s", path, newestGood(dir, steps))
	}
	if err != nil {
		return resumePoint{}, fmt.Errorf("resume: %w", err)
	}
	c, err := checkpoints.Load(path)
	if err != nil {
		steps, _ := checkpoints.Steps(dir)
		return resumePoint{}, fmt.Errorf("resume: %w%s", err, newestGood(dir, steps))
	}
	return resumePoint{ckpt: c, info: info}, nil
}

// newestGood says which of the run in dir's step files (steps) is the
// newest that loads, for an error about its latest checkpoint: "" if
// there are none, or none loads.
func newestGood(dir string, steps []int) string {
	for i := len(steps) - 1; i >= 0; i-- {
		p := checkpoints.StepPath(dir, steps[i])
		if _, err := checkpoints.Load(p); err == nil {
			return fmt.Sprintf("; the newest good one, %s, holds step %d: copy it to %s to resume from it", p, steps[i], checkpoints.LatestPath(dir))
		}
	}
	if len(steps) > 0 {
		return fmt.Sprintf("; none of the %d step files in %s loads either", len(steps), filepath.Join(dir, checkpoints.StepsDir))
	}
	return ""
}

// replaced reports whether the run in dir's latest checkpoint is no
// longer the file rp was read from (another process saved one before this
// one took the run's lock).
func (rp resumePoint) replaced(dir string) bool {
	info, err := os.Lstat(checkpoints.LatestPath(dir))
	if rp.ckpt == nil {
		return err == nil
	}
	return err != nil || !os.SameFile(info, rp.info) || !info.ModTime().Equal(rp.info.ModTime()) || info.Size() != rp.info.Size()
}

// resumeConfig reads the resumed run's config.json (jsonPath) and compares
// it with the config stored in the checkpoint resumed (checkStoredConfig)
// before anything is built from it, so that an edit the network cannot be
// built from is refused as an edit, naming the keys. A config.json that
// does not decode into a config (an unknown value, a wrong type) is
// compared key by key as it is written; one that is not JSON at all is
// reported as such.
func resumeConfig(jsonPath string, rp resumePoint, force bool) (runConfig, error) {
	saved := defaultConfig()
	err := loadConfigFile(jsonPath, &saved)
	if rp.ckpt == nil {
		return saved, err
	}
	if err == nil {
		return saved, checkStoredConfig(saved, jsonPath, rp.ckpt, force)
	}
	if force || !storesConfig(rp.ckpt) {
		return saved, err
	}
	stored, serr := checkpointConfig(rp.ckpt)
	if serr != nil {
		return saved, serr
	}
	data, rerr := files.ReadRegular(jsonPath, maxConfigBytes)
	var obj map[string]any
	if rerr != nil || json.Unmarshal(data, &obj) != nil {
		return saved, err
	}
	flat, ferr := flatten(&stored)
	if ferr != nil {
		return saved, err
	}
	if changed := flatChanges(flat, flattenObject(obj)); len(changed) > 0 {
		return saved, storedConfigError(jsonPath, rp.ckpt.Path, changed)
	}
	return saved, err
}

// restoreConfig writes the config.json of the run in dir, which has none,
// from the config stored in its latest checkpoint, and says so on stderr.
// That config is the one the checkpoint's state was trained with (or, after
// a resume with -force, the one it accepted), which a resume would require
// config.json to match anyway, so the run continues exactly as it would
// have with its config.json. A run with no checkpoint, or whose checkpoint
// stores no config of the current layout (format 1), or that another
// process holds, is an error naming the file.
func restoreConfig(e *env, dir string) error {
	path := filepath.Join(dir, "config.json")
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("-resume %s: no run to resume: %s: no such file", dir, path)
	}
	rp, err := loadResumePoint(dir)
	if err != nil {
		return fmt.Errorf("-resume %s: %s: no such file; %w", dir, path, err)
	}
	if rp.ckpt == nil {
		return fmt.Errorf("-resume %s: no run to resume: %s: no such file, and no checkpoint (%s) to take the run's config from", dir, path, checkpoints.LatestPath(dir))
	}
	if !storesConfig(rp.ckpt) {
		return fmt.Errorf("-resume %s: %s: no such file, and %s (format %d) stores no config it can be written back from: put back the config.json the run was written with", dir, path, rp.ckpt.Path, rp.ckpt.Meta.FormatVersion)
	}
	if pid, host, live := checkpoints.Holder(dir); live {
		return fmt.Errorf("-resume %s: %s: no such file, and process %d on %s holds the run; resume once it has stopped", dir, path, pid, host)
	}
	stored, err := checkpointConfig(rp.ckpt)
	if err != nil {
		return err
	}
	if err := writeJSONFile(path, stored); err != nil {
		return fmt.Errorf("-resume %s: %s was missing: %w", dir, path, err)
	}
	fmt.Fprintf(e.stderr, "rnntrain train: -resume %s: %s was missing: wrote it from the config stored in %s (step %d)\n", dir, path, rp.ckpt.Path, rp.ckpt.Meta.Step)
	return nil
}

// checkResumable refuses to resume from a checkpoint written by rnntrain
// fit (fit_r2 in its metrics), which keeps no training state (random
// streams) for train to continue from, or from one holding a NaN or an
// infinity, which training never saves (the resumed run would diverge at
// its first step and call that checkpoint the last good one), before
// anything is written.
func checkResumable(rp resumePoint) error {
	if c := rp.ckpt; c != nil {
		if _, ok := c.Meta.Metrics["fit_r2"]; ok {
			return fmt.Errorf("resume: checkpoint %s was written by rnntrain fit, which keeps no training state (random streams) to continue from, so it cannot be resumed; fit again with a larger -steps", c.Path)
		}
		if err := train.CheckFinite(c); err != nil {
			return fmt.Errorf("resume: %s: %w; copy an earlier step file of %s to it to resume from that step",
				c.Path, err, filepath.Join(filepath.Dir(c.Path), checkpoints.StepsDir))
		}
	}
	return nil
}

// relocateResumeData is relocateData for a resume of the run in dir from
// rp, whose config.json is saved and whose config the flags made cfg: when
// a data file config.json names (task.settings.path,
// task.eval_settings.path, train.curriculum[i].settings.path) is gone, it
// takes the file of that name in the run directory or beside it whose
// SHA-256 the checkpoint recorded under that key and says so on w; cfg and
// saved then name it, so that the resume compares the two as config.json
// held them, and the resumed run records it. A -data flag naming another
// file is taken as given. The error, when a file is not found, names the
// checkpoint (or, for a run with none yet, config.json), the config key
// and the missing file.
func relocateResumeData(w io.Writer, dir string, rp resumePoint, saved, cfg *runConfig) error {
	held := map[string]string{}
	for _, d := range dataPaths(saved) {
		held[d.key] = *d.path
	}
	keep := func(key, path string) bool { p, ok := held[key]; return ok && p == path }
	if rp.ckpt == nil {
		for _, d := range dataPaths(cfg) {
			if !keep(d.key, *d.path) {
				continue
			}
			if _, err := os.Stat(*d.path); errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("-resume %s: its data file %s (%s in %s) is missing, and the run has no checkpoint yet whose SHA-256 would tell a moved copy; restore the file",
					dir, *d.path, d.key, filepath.Join(dir, "config.json"))
			}
		}
		return nil
	}
	moved, err := relocateData(rp.ckpt, cfg, keep)
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	if len(moved) == 0 {
		return nil
	}
	to := map[string]string{}
	for _, m := range moved {
		q := m.to
		if abs, err := filepath.Abs(q); err == nil {
			q = abs
		}
		to[m.key] = q
		fmt.Fprintf(w, "rnntrain train: -resume %s: its data file %s (%s) is missing; resuming on %s, whose SHA-256 is the one %s recorded (config.json and the checkpoints now name it)\n",
			dir, m.from, m.key, q, rp.ckpt.Path)
	}
	for _, c := range []*runConfig{cfg, saved} {
		for _, d := range dataPaths(c) {
			if q, ok := to[d.key]; ok {
				*d.path = q
			}
		}
	}
	return nil
}

// checkpointFileHint says, when path is a checkpoint file rather than a run
// directory, that -resume wants the directory and how to resume from that
// checkpoint; "" for anything else.
func checkpointFileHint(path string) string {
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() || !strings.EqualFold(filepath.Ext(path), ".safetensors") {
		return ""
	}
	run := filepath.Dir(path)
	if filepath.Base(run) == "checkpoints" {
		run = filepath.Dir(run)
	}
	if _, err := os.Stat(filepath.Join(run, "config.json")); err != nil {
		return "a checkpoint file, not a run directory (the directory holding config.json and checkpoint.safetensors)"
	}
	latest := checkpoints.LatestPath(run)
	if same, err := sameFile(path, latest); err == nil && same {
		return fmt.Sprintf("a checkpoint file, not a run directory: give -resume %s", run)
	}
	return fmt.Sprintf("a checkpoint file, not a run directory: to resume from it, copy it to %s and give -resume %s", latest, run)
}

// sameFile reports whether paths a and b name one file.
func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}
