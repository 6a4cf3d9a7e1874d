package checkpoints

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Layout of a run directory:
//
//	<dir>/checkpoint.safetensors                 the latest checkpoint (a regular file)
//	<dir>/checkpoints/step-000000123.safetensors one file per saved step
//	<dir>/best.safetensors                       the best held-out evaluation's (train.Config.KeepBest)
const (
	LatestName = "checkpoint.safetensors"
	BestName   = "best.safetensors"
	StepsDir   = "checkpoints"

	stepPrefix = "step-"
	stepSuffix = ".safetensors"
)

// LatestPath returns the path of the latest checkpoint of the run in dir.
func LatestPath(dir string) string { return filepath.Join(dir, LatestName) }

// BestPath returns the path of the checkpoint of the run in dir that scored
// best on held-out trials (train.Best).
func BestPath(dir string) string { return filepath.Join(dir, BestName) }

// StepPath returns the path of the checkpoint of step step of the run in
// dir: dir/checkpoints/step-%09d.safetensors. It panics if step is negative.
func StepPath(dir string, step int) string {
	if step < 0 {
		panic(fmt.Sprintf("checkpoints: StepPath negative step %d", step))
	}
	return filepath.Join(dir, StepsDir, fmt.Sprintf("%s%09d%s", stepPrefix, step, stepSuffix))
}

// Steps returns the steps that have a checkpoint file in dir/checkpoints, in
// increasing order; a missing directory gives none. Files whose names are not
// those StepPath gives (step-N.safetensors, N of nine digits or more without
// a leading zero beyond them) are ignored: SaveRun could not rotate them.
func Steps(dir string) ([]int, error) {
	ents, err := os.ReadDir(filepath.Join(dir, StepsDir))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list checkpoints: %w", err)
	}
	var steps []int
	for _, e := range ents {
		if s, ok := parseStep(e.Name()); ok && e.Type().IsRegular() {
			steps = append(steps, s)
		}
	}
	slices.Sort(steps)
	return steps, nil
}

// parseStep returns N for a name step-N.safetensors that StepPath gives
// for N: N in decimal, zero-padded to nine digits. Other spellings of N
// (step-0000000030.safetensors) name files that StepPath(N) does not.
func parseStep(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, stepPrefix)
	if !ok {
		return 0, false
	}
	digits, ok = strings.CutSuffix(digits, stepSuffix)
	if !ok || len(digits) < 9 || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || fmt.Sprintf("%09d", n) != digits {
		return 0, false
	}
	return n, true
}

// SaveRun saves c as step c.Meta.Step of the run in dir and returns the
// path of the step file. It writes, each atomically (see Save),
// StepPath(dir, step) and then LatestPath(dir), creating dir/checkpoints if
// needed, and then deletes older step files so that at most keep remain
// with steps up to c.Meta.Step (keep ≤ 0 keeps all). Step files with a
// larger step, left by an earlier run that went further before being
// resumed from an older checkpoint, are never deleted.
//
// If writing the step file fails, nothing else is changed. A crash between
// the two writes leaves LatestPath at the previous step: the newest step
// file is then the more recent state.
func SaveRun(dir string, c *Checkpoint, keep int) (string, error) {
	if c.Meta.Step < 0 {
		return "", fmt.Errorf("save checkpoint in %s: negative step %d", dir, c.Meta.Step)
	}
	data, err := Marshal(c)
	if err != nil {
		return "", fmt.Errorf("save checkpoint in %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Join(dir, StepsDir), 0o755); err != nil {
		return "", fmt.Errorf("save checkpoint: %w", err)
	}
	path := StepPath(dir, c.Meta.Step)
	if err := writeAtomic(path, data, nil); err != nil {
		return "", fmt.Errorf("save checkpoint %s: %w", path, err)
	}
	if err := writeAtomic(LatestPath(dir), data, nil); err != nil {
		return path, fmt.Errorf("save checkpoint %s: %w", LatestPath(dir), err)
	}
	if keep <= 0 {
		return path, nil
	}
	steps, err := Steps(dir)
	if err != nil {
		return path, err
	}
	var older []int
	for _, s := range steps {
		if s <= c.Meta.Step {
			older = append(older, s)
		}
	}
	for _, s := range older[:max(0, len(older)-keep)] {
		if err := os.Remove(StepPath(dir, s)); err != nil {
			return path, fmt.Errorf("rotate checkpoints: %w", err)
		}
	}
	return path, nil
}
