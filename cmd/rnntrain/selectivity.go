package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/internal/npy"
)

// selective resolves the units selective to variable (with top > 0, the
// top of largest effect) by the regression on src.recording, computed
// and written next to the recording on first use.
func (src *unitSource) selective(flag, pop, variable string, top int) ([]int, error) {
	if src.recording == "" {
		return nil, usagef("%s %s: selectivity populations need -recording FILE.npz, an eval -record file of this checkpoint", flag, pop)
	}
	if src.sel == nil {
		sel, file, err := regressSelectivity(src.recording, src.s, src.step)
		if err != nil {
			return nil, err
		}
		src.sel, src.selFile = sel, file
	}
	u, err := src.sel.Selective(variable, top)
	if err != nil {
		return nil, usagef("%s %s: %v", flag, pop, err)
	}
	if len(u) == 0 {
		return nil, usagef("%s %s: no unit is selective to %s in %s (|t| ≥ %g; see %s)", flag, pop, variable, src.recording, src.sel.Threshold, src.selFile)
	}
	return u, nil
}

// selectivityFile is what regressSelectivity writes next to a recording.
type selectivityFile struct {
	Recording   string                `json:"recording"`
	Selectivity *analysis.Selectivity `json:"selectivity"`
	Populations map[string][]int      `json:"populations"`
}

// regressSelectivity regresses the mean rate of every unit over each scored
// trial of an eval -record file of s's network, whose checkpoint is of
// step, on the trials' choice, coherence and context (those the recording
// has), writes the regression and the VARIABLE-selective populations to
// FILE.selectivity.json beside it, and returns the regression and that
// path. A recording of another network (its sizes or its step not s's)
// is a usage error; one whose values cannot be the task's, a failure.
func regressSelectivity(path string, s *session, step int) (*analysis.Selectivity, string, error) {
	file := strings.TrimSuffix(path, ".npz") + ".selectivity.json"
	if err := checkSelectivityFile(path, file); err != nil {
		return nil, "", err
	}
	t, err := readRecording(path)
	if err != nil {
		return nil, "", fmt.Errorf("-recording: %w", err)
	}
	nIn, n, nOut := s.net.Dims()
	for _, d := range []struct {
		array, what string
		got, want   int
	}{{"rates", "units", t.N, n}, {"inputs", "inputs", t.nIn, nIn}, {"outputs", "outputs", t.nOut, nOut}} {
		if d.got != d.want {
			return nil, "", usagef("-recording %s: array %s has %d %s, the checkpoint's network %d: want eval -record of this checkpoint", path, d.array, d.got, d.what, d.want)
		}
	}
	recorded, err := recordingStep(path)
	if err != nil {
		return nil, "", fmt.Errorf("-recording: %w", err)
	}
	if recorded >= 0 && recorded != step {
		return nil, "", usagef("-recording %s was recorded from a checkpoint of step %d, -checkpoint is of step %d: want eval -record of this checkpoint", path, recorded, step)
	}
	weights, ok, err := recordingWeights(path)
	if err != nil {
		return nil, "", fmt.Errorf("-recording: %w", err)
	}
	if ok && weights != weightsID(s.net) {
		return nil, "", usagef("-recording %s was recorded from a network of other weights than -checkpoint's (its array weights is %d, the checkpoint's %d): want eval -record of this checkpoint", path, weights, weightsID(s.net))
	}
	if t.choice == nil && len(t.vars) == 0 {
		return nil, "", usagef("-recording %s holds no choice or task/ variables (a recording of eval -inputs?): want eval -record of the task's trials", path)
	}
	// The task's responses: 0 (fixate) and the choices, at most one a
	// channel, or 1 and 2 on a task of one output; -1 for none.
	hi := max(nOut, 2)
	for name, v := range map[string][]int{"choice": t.choice, "response": t.response} {
		for i, c := range v {
			if c > hi {
				return nil, "", fmt.Errorf("-recording %s: array %s: trial %d holds %d; the checkpoint's task of %s has responses -1 to %d", path, name, i, c, count(nOut, "output"), hi)
			}
		}
	}
	if t.scored != nil && !slices.Contains(t.scored, true) {
		return nil, "", fmt.Errorf("-recording %s: array scored: no trial of %d is scored (all catch trials); the regression needs scored trials", path, t.trials)
	}
	masked := func(v func(i int) float64) []float64 {
		out := make([]float64, t.trials)
		for i := range out {
			out[i] = math.NaN()
			if t.isScored(i) {
				out[i] = v(i)
			}
		}
		return out
	}
	var vars []analysis.Variable
	if t.choice != nil && slices.ContainsFunc(t.choice, func(c int) bool { return c > 0 }) {
		vars = append(vars, analysis.Variable{Name: "choice", Values: masked(func(i int) float64 {
			if t.choice[i] < 0 {
				return math.NaN()
			}
			return float64(t.choice[i])
		})})
	}
	for _, name := range []string{"coherence", "context"} {
		if v, ok := t.vars[name]; ok {
			vars = append(vars, analysis.Variable{Name: name, Values: masked(func(i int) float64 { return v[i] })})
		}
	}
	sel, err := analysis.Regress(t.rates, t.trials, t.T, t.N, t.length, vars)
	if err != nil {
		return nil, "", fmt.Errorf("-recording %s: %w", path, err)
	}
	b, err := json.MarshalIndent(selectivityFile{Recording: path, Selectivity: sel, Populations: sel.Populations()}, "", "  ")
	if err != nil {
		return nil, "", err
	}
	if err := writeFileAtomic(file, append(b, '\n')); err != nil {
		return nil, "", err
	}
	return sel, file, nil
}

// recordingStep returns the checkpoint step an eval -record file records
// (its array step, of shape []), or -1 when it has none.
func recordingStep(path string) (int, error) {
	x, ok, err := recordingWhole(path, "step", "the checkpoint's step")
	if !ok {
		return -1, err
	}
	return int(x), err
}

// recordingWeights returns the weightsID an eval -record file records (its
// array weights, of shape []), and false when it has none (a recording
// written before recordings held it).
func recordingWeights(path string) (int64, bool, error) {
	return recordingWhole(path, "weights", "the identifier of the network's weights")
}

// recordingWhole reads the array name of an eval -record file, a whole
// number in [0, 2⁵³) of shape [] (what, for errors), and false when the
// file has no such array.
func recordingWhole(path, name, what string) (int64, bool, error) {
	f, err := npy.OpenArchive(path)
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	if !f.Has(name) {
		return 0, false, nil
	}
	h, err := f.HeaderNumeric(name)
	if err != nil {
		return 0, false, err
	}
	if len(h.Shape) != 0 {
		return 0, false, fmt.Errorf("%s: array %s: shape %v, want [] (%s)", path, name, h.Shape, what)
	}
	a, err := f.ReadNumeric(name)
	if err != nil {
		return 0, false, err
	}
	x := a.Float64()[0]
	if !(x >= 0 && x < 1<<53) || x != math.Trunc(x) {
		return 0, false, fmt.Errorf("%s: array %s holds %v, want %s, a whole number in [0, 2⁵³)", path, name, x, what)
	}
	return int64(x), true, nil
}

// maxSelectivityBytes bounds the earlier selectivity file read to check it:
// far above the regression of the largest network (a few hundred bytes a
// unit).
const maxSelectivityBytes = 256 << 20

// checkSelectivityFile refuses file, where the regression on the recording
// path is to be written, when it holds anything but an empty file or an
// earlier regression (a selectivityFile): the user's own file of that name
// would be lost.
func checkSelectivityFile(path, file string) error {
	if st, err := os.Stat(file); err == nil && st.IsDir() {
		return usagef("-recording %s: %s is a directory; inactivate writes the regression on the recording there", path, file)
	}
	return checkOutputFile("-recording "+path+":", file, filepath.Base(file), isSelectivityFile,
		"is not an earlier selectivity file; inactivate writes the regression on the recording there and replaces only an earlier one: move it")
}

// isSelectivityFile reports whether r holds a selectivityFile (with its
// regression) of at most maxSelectivityBytes.
func isSelectivityFile(r io.Reader) bool {
	b, err := io.ReadAll(io.LimitReader(r, maxSelectivityBytes+1))
	if err != nil || len(b) > maxSelectivityBytes {
		return false
	}
	var f selectivityFile
	return json.Unmarshal(b, &f) == nil && f.Selectivity != nil
}
