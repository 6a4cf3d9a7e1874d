package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/internal/files"
	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/internal/plots"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/lowrank"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

// This file binds the low-rank commands (fit, truncate, latent) to the
// lowrank package and to the checkpoint format.

// writeFitData writes d as an npz task file (inputs, targets = activity,
// mask [conditions, T, units] with the first free steps zeroed), which the
// fitted checkpoints name as their task.
func writeFitData(path string, d *lowrank.Data, free int) error {
	return writeArrays(path, fitArrays(d, free))
}

// fitArrays are the arrays of writeFitData's file.
func fitArrays(d *lowrank.Data, free int) map[string]any {
	mask := slices.Clone(d.Mask)
	for c := range d.Conditions {
		clear(mask[c*d.T*d.Units : (c*d.T+free)*d.Units])
	}
	rec := analysis.Recording{Trials: d.Conditions, T: d.T, NIn: d.NIn, N: d.Units, NOut: d.Units,
		Inputs: d.Inputs, Rates: d.Activity, Outputs: d.Activity, Targets: d.Activity, Mask: mask}
	arrays := rec.Arrays()
	return map[string]any{"inputs": arrays["inputs"], "targets": arrays["targets"], "mask": arrays["mask"]}
}

// checkFitData refuses an -out out whose data.npz holds anything but the
// file writeFitData would write there for d and free (which an earlier,
// interrupted fit of the same data leaves): a file of the user's, or the
// data another fit's checkpoints were trained on, which fit would replace.
// It compares SHA-256 sums, so that neither file is held in memory.
func checkFitData(out string, d *lowrank.Data, free int) error {
	path := filepath.Join(out, "data.npz")
	f, size, err := files.OpenRegular(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		if _, ok := errors.AsType[*files.NotRegularError](err); ok {
			return usagef("-out %s: %s is not a regular file; fit writes its data.npz there: choose another -out", out, path)
		}
		return fmt.Errorf("-out %s: %w", out, err)
	}
	defer f.Close()
	want := sha256.New()
	if err := npy.EncodeArchiveValues(want, fitArrays(d, free)); err != nil { // as writeArrays writes them
		return err
	}
	have := sha256.New()
	n, err := io.Copy(have, f)
	if err != nil {
		return fmt.Errorf("-out %s: %s: %w", out, path, err)
	}
	if n != size || !bytes.Equal(have.Sum(nil), want.Sum(nil)) {
		return usagef("-out %s: %s holds other data than this fit's; fit writes its data.npz there and does not replace another: choose another -out, or move it", out, path)
	}
	return nil
}

// writeArrays writes arrays (name without ".npy" → nested slices) as an
// .npz archive at path, atomically; errors name path.
func writeArrays(path string, arrays map[string]any) error {
	return npy.WriteArchiveValues(path, arrays)
}

// nestRows views a flat [a, b, c] slice as nested slices for npz, sharing
// x's memory.
func nestRows(x []float32, a, b, c int) [][][]float32 {
	out := make([][][]float32, a)
	for i := range out {
		out[i] = make([][]float32, b)
		for j := range out[i] {
			out[i][j] = x[(i*b+j)*c : (i*b+j+1)*c]
		}
	}
	return out
}

// lowRankLayer returns the session network's low-rank layer, if it has one.
func lowRankLayer(s *session) (*lowrank.Layer[float32], bool) {
	return lowrank.LayerOf(s.net.net.Recurrent())
}

// unique returns xs without repeats, in order.
func unique[T comparable](xs ...T) []T {
	var out []T
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func f64s(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// fitNetwork builds the rnn network of a fit: a lowrank network with the
// recorded units as outputs, read out by w_out = N·[I; 0] and s_o = 1, so
// that z = tanh(h)·(w_out ⊙ s_o)/N is the first units' rates.
func fitNetwork(f *lowrank.Fit, units int) (*rnn.Network[float32], rnn.Config, error) {
	l := f.Net
	cfg := rnn.Config{Inputs: l.Config.Inputs, Hidden: l.Size(), Outputs: units,
		Model: &lowrank.Config{Rank: l.Config.Rank, Alpha: l.Config.Alpha, Activation: layers.Tanh}}
	net, err := rnn.New[float32](cfg, rand.New(rand.NewPCG(1, 1))) // every weight is overwritten below
	if err != nil {
		return nil, cfg, err
	}
	byName := map[string]*autodiff.Param[float32]{}
	for _, p := range l.Params() {
		byName[p.Name] = p
	}
	n := float32(l.Size())
	for _, p := range net.Params() {
		switch {
		case byName[p.Name] != nil:
			p.Value.CopyFrom(byName[p.Name].Value)
		case strings.HasSuffix(p.Name, ".wo"):
			p.Value.Zero()
			for i := range units {
				p.Value.Set(i, i, n)
			}
		case strings.HasSuffix(p.Name, ".so"):
			for i := range p.Value.Data {
				p.Value.Data[i] = 1
			}
		default:
			return nil, cfg, fmt.Errorf("fit: the network's parameter %s has no counterpart in the fit", p.Name)
		}
	}
	return net, cfg, nil
}

// saveFit writes the fitted network f as a run directory dir
// (checkpoint.safetensors and config.json) whose task is the npz file
// dataPath, and returns the checkpoint's path.
func saveFit(dir string, f *lowrank.Fit, d *lowrank.Data, c lowrank.FitConfig, dataPath string) (string, error) {
	net, nc, err := fitNetwork(f, d.Units)
	if err != nil {
		return "", err
	}
	rc := defaultConfig()
	rc.Seed = c.Seed
	// The conditions -holdout held out of the fit are the validation
	// split of the task of its data (validation_trials), which eval and
	// the analysis commands score and name; without -holdout every
	// condition was fitted and the task has no validation split.
	none := 0.0
	rc.Task = taskConfig{Name: "npz", Preset: presetChoice{Preset: tasks.Dataset, Set: true},
		Settings: tasks.Settings{Path: dataPath, Loss: tasks.MSE, ValidationFraction: &none, ValidationTrials: lowrank.HeldOut(d, c)}}
	rc.Model = nc.Resolved()
	cfgJSON, err := json.Marshal(rc)
	if err != nil {
		return "", err
	}
	metrics := map[string]float64{"fit_r2": f.R2, "fit_loss": f.Loss}
	if f.R2Held != nil {
		metrics["fit_r2_heldout"] = *f.R2Held
	}
	// The sum of data.npz lets a moved fit directory find it again
	// (relocateData) and tells a changed file from the one fitted to.
	sums, err := builtFromSums(rc)
	if err != nil {
		return "", err
	}
	cp, err := train.NewCheckpoint(checkpoints.Meta{Model: nc.Kind(), Task: "npz", Config: cfgJSON, Files: sums}, net, train.State{Step: f.Steps, Metrics: metrics})
	if err != nil {
		return "", err
	}
	if _, err := checkpoints.SaveRun(dir, cp, 1); err != nil {
		return "", err
	}
	if err := writeJSONFile(filepath.Join(dir, "config.json"), rc); err != nil {
		return "", err
	}
	return checkpoints.LatestPath(dir), nil
}

// noteUnsplitFit says on w, for command cmd, when c is a fit checkpoint
// written before fit recorded its held-out conditions in its task
// (validation_trials) but has a held-out R² (fit -holdout): that those
// conditions were rebuilt from the fit's fit.json (fitHoldout), or else
// warns that its task's training trials include the held-out conditions
// and that it has no validation split that names them.
func noteUnsplitFit(w io.Writer, cmd string, s *session, c *checkpoints.Checkpoint) {
	if s.heldFrom != "" {
		fmt.Fprintf(w, "rnntrain %s: note: %s was written by a fit with -holdout before fits recorded their held-out conditions: "+
			"took them from %s: conditions %v are its validation split\n", cmd, c.Path, s.heldFrom, s.cfg.Task.Settings.ValidationTrials)
		return
	}
	if _, ok := c.Meta.Metrics["fit_r2_heldout"]; !ok || len(s.cfg.Task.Settings.ValidationTrials) > 0 {
		return
	}
	fmt.Fprintf(w, "rnntrain %s: warning: %s was written by a fit with -holdout before fits recorded their held-out conditions: "+
		"its task's training trials include the held-out conditions, which cannot be told apart; fit again to score them as its validation split\n", cmd, c.Path)
}

// plotFit draws fitted against recorded activity of the units of most
// variance (at most units of them) in up to three conditions of d, as
// the figure name of set.
func plotFit(set *figureSet, name string, f *lowrank.Fit, d *lowrank.Data, free, units int) error {
	pred := lowrank.Predict(f.Net, d)
	units = min(max(units, 1), d.Units)
	variance := make([]float64, d.Units)
	for k, v := range d.Activity {
		variance[k%d.Units] += float64(v) * float64(v)
	}
	order := make([]int, d.Units)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case variance[a] > variance[b]:
			return -1
		case variance[a] < variance[b]:
			return 1
		}
		return 0
	})
	order = order[:units]
	conds := unique(0, d.Conditions/2, d.Conditions-1)
	tr := plots.Trials{Title: fmt.Sprintf("rank %d fit (R² %.3f): recorded (dashed) and fitted (solid)", f.Rank, f.R2), DT: d.DtMS, OutputLabel: "activity"}
	for _, u := range order {
		tr.OutputNames = append(tr.OutputNames, fmt.Sprintf("unit %d", u))
	}
	for _, c := range conds {
		t := plots.Trial{Title: fmt.Sprintf("condition %d", c)}
		for s := range d.T {
			base := (c*d.T + s)
			in := make([]float64, d.NIn)
			for k := range in {
				in[k] = float64(d.Inputs[base*d.NIn+k])
			}
			rec, fit := make([]float64, units), make([]float64, units)
			for k, u := range order {
				rec[k], fit[k] = float64(d.Activity[base*d.Units+u]), float64(pred[base*d.Units+u])
				if d.Mask[base*d.Units+u] == 0 {
					rec[k] = math.NaN() // not recorded (padding) or left out: not drawn
				}
			}
			t.Inputs, t.Targets, t.Outputs = append(t.Inputs, in), append(t.Targets, rec), append(t.Outputs, fit)
			t.Scored = append(t.Scored, s >= free)
		}
		tr.Trials = append(tr.Trials, t)
	}
	return set.add(name, func(path string) error { return plots.WriteTrials(path, tr) })
}

// fitHoldout rebuilds the held-out conditions of a fit checkpoint c written
// before fits recorded them (it has a held-out R², cfg's npz task no
// validation_trials) from the fit.json beside c's run directory: the
// conditions lowrank.HeldOut draws for its holdout and seed become cfg's
// validation_trials. It does so only when the report is of this fit: its
// row for c's run directory has c's fitted and held-out R², and its number
// of conditions is the number of trials of cfg's data file. It returns
// what stderr is to name ("fit.json (holdout H, seed S)"), or "" when it
// changed nothing.
func fitHoldout(c *checkpoints.Checkpoint, cfg *runConfig) string {
	held, ok := c.Meta.Metrics["fit_r2_heldout"]
	st := &cfg.Task.Settings
	if !ok || cfg.Task.Name != "npz" || len(st.ValidationTrials) > 0 {
		return ""
	}
	run := runDirOf(c)
	path := filepath.Join(filepath.Dir(run), "fit.json")
	data, err := files.ReadRegular(path, maxConfigBytes)
	var rep fitReport
	if err != nil || json.Unmarshal(data, &rep) != nil || rep.Config.Holdout < 1 || rep.Config.Holdout >= rep.Conditions {
		return ""
	}
	rows := rep.Fits
	if rep.Full != nil {
		rows = append(rows, *rep.Full)
	}
	i := slices.IndexFunc(rows, func(r fitRow) bool { return filepath.Base(filepath.Dir(r.Checkpoint)) == filepath.Base(run) })
	if i < 0 {
		return ""
	}
	row := rows[i]
	if row.R2 == nil || *row.R2 != c.Meta.Metrics["fit_r2"] || row.R2Heldout == nil || *row.R2Heldout != held {
		return ""
	}
	if n, ok := archiveTrials(st.Path); !ok || n != rep.Conditions {
		return ""
	}
	st.ValidationTrials = lowrank.HeldOut(&lowrank.Data{Conditions: rep.Conditions}, rep.Config)
	return fmt.Sprintf("%s (holdout %d, seed %d)", path, rep.Config.Holdout, rep.Config.Seed)
}

// archiveTrials returns the number of trials of the npz task file path
// (the first dimension of its inputs), and whether it could be read.
func archiveTrials(path string) (int, bool) {
	f, err := npy.OpenArchive(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	h, err := f.HeaderNumeric("inputs")
	if err != nil || len(h.Shape) == 0 {
		return 0, false
	}
	return h.Shape[0], true
}
