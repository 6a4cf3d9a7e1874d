package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/train"
)

const inspectLong = `
Inspect prints what a checkpoint holds without building the network: the
model and its sizes, the task, the step, the metrics at save time (the last
validation accuracy among them), the parameter count, the checkpoint format
version and every tensor with its shape. PATH is a .safetensors file or a
run directory (its checkpoint.safetensors; with the step and held-out
accuracy of its best.safetensors when the run kept one, -keep-best: a best
file that cannot be read is shown as such, and inspect then exits with
status 1 naming it; one past the checkpoint's step, of a run resumed
since without -keep-best, or of another run (another task or seed), is
marked so). A checkpoint whose model or task label is not that of the run
config it stores (edited since) is refused, as every command refuses it.
-json prints the same as one JSON object.
`

func inspectCommand() *command {
	return &command{
		Name:  "inspect",
		Short: "describe a checkpoint: model, sizes, task, step, accuracy, parameters",
		Usage: "[-json] PATH",
		Long:  inspectLong,
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			asJSON := fs.Bool("json", false, "print one JSON object")
			return func(ctx context.Context, args []string) error {
				switch {
				case len(args) != 1:
					return usagef("want one checkpoint PATH, got %d arguments", len(args))
				case args[0] == "":
					return usagef("want one checkpoint PATH, got an empty one")
				}
				info, err := inspectCheckpoint(args[0])
				if err != nil {
					return err
				}
				if *asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					if err := enc.Encode(info); err != nil {
						return err
					}
				} else {
					info.print(e.stdout)
				}
				// A damaged best file does not hide the checkpoint: it is
				// shown, and the best file's error fails the command.
				if b := info.Best; b != nil && b.Error != "" {
					return errors.New(b.Error)
				}
				return nil
			}
		},
	}
}

// tensorInfo is one stored tensor.
type tensorInfo struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	DType string `json:"dtype"`
}

// checkpointInfo is what inspect reports.
type checkpointInfo struct {
	Path          string              `json:"path"`
	FormatVersion int                 `json:"format_version"`
	Model         string              `json:"model"`
	Task          string              `json:"task"`
	Preset        string              `json:"preset"`
	Hidden        int                 `json:"hidden"`
	Step          int                 `json:"step"`
	Seed          uint64              `json:"seed"`
	Parameters    int                 `json:"parameters"`
	Accuracy      *float64            `json:"validation_accuracy,omitempty"` // the last evaluation during training, if finite
	Metrics       checkpoints.Metrics `json:"metrics,omitempty"`             // NaN and ±Inf as strings, as in the checkpoint
	Created       time.Time           `json:"created"`
	// Best is the run directory's best held-out evaluation
	// (best.safetensors, train.keep_best), when PATH is a run directory
	// that kept one.
	Best           *bestInfo    `json:"best,omitempty"`
	Tensors        []tensorInfo `json:"tensors"`
	OptimizerState int          `json:"optimizer_tensors"`
	// Config is the run config the checkpoint carries, every key resolved.
	Config *runConfig `json:"config,omitempty"`
}

// bestInfo is what inspect says of a run's best checkpoint: its step and
// held-out scores, or Error when it cannot be read.
type bestInfo struct {
	Path     string   `json:"path"`
	Step     *int     `json:"step,omitempty"`
	Accuracy *float64 `json:"validation_accuracy,omitempty"`
	Loss     *float64 `json:"validation_loss,omitempty"`
	MSE      *float64 `json:"validation_mse,omitempty"`
	Error    string   `json:"error,omitempty"`
	// Note says why the file may not be the run's best so far: it is of
	// another run (task or seed), of a step past the checkpoint's, or the
	// run went on without keep_best.
	Note string `json:"note,omitempty"`
	// metrics are the file's metrics, for the text: Accuracy, Loss and
	// MSE are nil where they are not recorded or not finite (no JSON
	// number).
	metrics checkpoints.Metrics
}

func inspectCheckpoint(path string) (*checkpointInfo, error) {
	c, err := openCheckpoint(path)
	if err != nil {
		return nil, err
	}
	var best *bestInfo
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		best = inspectBest(path, c.Meta)
	}
	path = c.Path
	m := c.Meta
	info := &checkpointInfo{
		Path: path, FormatVersion: m.FormatVersion, Model: m.Model, Task: m.Task,
		Step: m.Step, Metrics: m.Metrics, Created: m.Created, Best: best,
	}
	// A checkpoint without a config of this version is shown without it;
	// one whose labels disagree with its config is refused, as every
	// command refuses it.
	cfg, err := checkpointConfig(c)
	if _, ok := errors.AsType[*labelError](err); ok {
		return nil, err
	}
	if err == nil {
		info.Preset, info.Hidden, info.Seed = cfg.Task.Preset.String(), cfg.Model.Hidden, cfg.Seed
		info.Config = &cfg
	}
	if b := best; b != nil && b.Step != nil {
		switch {
		case b.Note != "": // another run's
		case *b.Step > m.Step:
			b.Note = "of a step past the checkpoint's, left from before the run was resumed from an earlier checkpoint; a resume with -keep-best replaces it at its next evaluation"
		case info.Config != nil && !info.Config.Train.KeepBest:
			b.Note = "not updated since the run was resumed without -keep-best; its evaluations since were not compared with it"
		}
	}
	if a, ok := m.Metrics["accuracy"]; ok { // the last held-out evaluation's
		info.Accuracy = finite(a)
	}
	for _, t := range c.Tensors {
		if strings.HasPrefix(t.Name, checkpoints.OptimizerPrefix) {
			info.OptimizerState++
			continue
		}
		info.Parameters += t.Len()
		info.Tensors = append(info.Tensors, tensorInfo{Name: t.Name, Shape: t.Shape, DType: t.DType().String()})
	}
	slices.SortFunc(info.Tensors, func(a, b tensorInfo) int { return strings.Compare(a.Name, b.Name) })
	return info, nil
}

// inspectBest reads the best checkpoint of the run in dir, whose latest
// checkpoint's metadata are run: nil if it kept none, one with Error if it
// cannot be read, with Note if it is another run's (train.SameRun).
func inspectBest(dir string, run checkpoints.Meta) *bestInfo {
	path := checkpoints.BestPath(dir)
	b, err := checkpoints.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &bestInfo{Path: path, Error: err.Error()}
	}
	info := &bestInfo{Path: b.Path, Step: &b.Meta.Step, metrics: b.Meta.Metrics}
	if err := train.SameRun(b, run); err != nil {
		info.Note = "not this run's best: " + err.Error()
	}
	if a, ok := b.Meta.Metrics[train.BestAccuracyMetric]; ok {
		info.Accuracy = finite(a)
	}
	if l, ok := b.Meta.Metrics[train.BestLossMetric]; ok {
		info.Loss = finite(l)
	}
	if m, ok := b.Meta.Metrics[train.BestMSEMetric]; ok {
		info.MSE = finite(m)
	}
	return info
}

// metric is the text of metric key of the best checkpoint, in format,
// or "not recorded".
func (b *bestInfo) metric(key, format string) string {
	v, ok := b.metrics[key]
	if !ok {
		return "not recorded"
	}
	return fmt.Sprintf(format, v)
}

func (info *checkpointInfo) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	preset := info.Preset
	if preset == "" {
		preset = "default"
	}
	fmt.Fprintf(tw, "checkpoint\t%s\n", info.Path)
	fmt.Fprintf(tw, "format version\t%d\n", info.FormatVersion)
	fmt.Fprintf(tw, "model\t%s\n", info.Model)
	fmt.Fprintf(tw, "hidden units\t%d\n", info.Hidden)
	if info.Config != nil {
		fmt.Fprintf(tw, "model config\t%s\n", modelSummary(info.Config.Model))
	}
	fmt.Fprintf(tw, "task\t%s (preset %s)\n", info.Task, preset)
	fmt.Fprintf(tw, "step\t%d\n", info.Step)
	fmt.Fprintf(tw, "seed\t%d\n", info.Seed)
	if a, ok := info.Metrics["accuracy"]; ok {
		if math.IsNaN(a) {
			fmt.Fprintf(tw, "validation accuracy\tn/a (the last evaluation scored no trial)\n")
		} else {
			fmt.Fprintf(tw, "validation accuracy\t%.4f\n", a)
		}
	} else {
		fmt.Fprintf(tw, "validation accuracy\tnot recorded\n")
	}
	switch b := info.Best; {
	case b == nil:
	case b.Error != "":
		fmt.Fprintf(tw, "best held-out\tunreadable (%s)\n", b.Path)
	default:
		// The task's loss (the MSE in float32, or the cross-entropy), where
		// the file records it, and the outputs' MSE.
		loss := ""
		if _, ok := b.metrics[train.BestLossMetric]; ok {
			loss = "loss " + b.metric(train.BestLossMetric, "%.4g") + ", "
		}
		fmt.Fprintf(tw, "best held-out\tstep %d, validation accuracy %s, %smse %s (%s)\n", *b.Step,
			b.metric(train.BestAccuracyMetric, "%.4f"), loss, b.metric(train.BestMSEMetric, "%.4g"), b.Path)
		if b.Note != "" {
			fmt.Fprintf(tw, "\t(%s)\n", b.Note)
		}
	}
	keys := make([]string, 0, len(info.Metrics))
	for k := range info.Metrics {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(tw, "metric %s\t%.6g\n", k, info.Metrics[k])
	}
	fmt.Fprintf(tw, "parameters\t%d in %d tensors (+%d optimizer tensors)\n", info.Parameters, len(info.Tensors), info.OptimizerState)
	fmt.Fprintf(tw, "created\t%s\n", info.Created.Format(time.RFC3339))
	tw.Flush()
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\ntensor\tshape\tdtype")
	for _, t := range info.Tensors {
		fmt.Fprintf(tw, "%s\t%v\t%s\n", t.Name, t.Shape, t.DType)
	}
	tw.Flush()
}

// modelSummary is the model's keys and values on one line, as in a config
// file, without the sizes.
func modelSummary(m rnn.Config) string { return modelSummaryWithout(m, nil) }

// modelSummaryWithout is modelSummary without the keys in skip.
func modelSummaryWithout(m rnn.Config, skip map[string]bool) string {
	b, err := json.Marshal(m)
	if err != nil {
		return err.Error()
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		return err.Error()
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		v := obj[k]
		if k == "kind" || skip[k] || v == "" || v == false || v == nil || v == 0.0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s=%v", k, v))
	}
	return strings.Join(parts, " ")
}
