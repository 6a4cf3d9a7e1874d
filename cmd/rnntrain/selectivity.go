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
)

// selective resolves the units selective to variable (with top > 0, the
// top of largest effect) by the regression on src.recording, computed
// and written next to the recording on first use.
func (src *unitSource) selective(flag, pop, variable string, top int) ([]int, error) {
	if src.recording == "" {
		return nil, usagef("%s %s: selectivity populations need -recording FILE.npz, an eval -record file of this checkpoint", flag, pop)
	}
	if src.sel == nil {
		sel, file, err := regressSelectivity(src.recording, src.n)
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
// trial of an eval -record file on the trials' choice, coherence and
// context (those the recording has), writes the regression and the
// VARIABLE-selective populations to FILE.selectivity.json beside it, and
// returns the regression and that path.
func regressSelectivity(path string, n int) (*analysis.Selectivity, string, error) {
	file := strings.TrimSuffix(path, ".npz") + ".selectivity.json"
	if err := checkSelectivityFile(path, file); err != nil {
		return nil, "", err
	}
	t, err := readRecording(path)
	if err != nil {
		return nil, "", fmt.Errorf("-recording: %w", err)
	}
	if t.N != n {
		return nil, "", usagef("-recording %s: rates of %d units, the checkpoint has %d", path, t.N, n)
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
