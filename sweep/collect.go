package sweep

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/rnntrain/rnntrain/internal/enum"
	"github.com/rnntrain/rnntrain/internal/files"
)

// Result is a finished point's final metrics.
type Result struct {
	// Split names the trials of the final evaluation (eval.json's split:
	// "fresh trials" of a generated task, or a dataset's "validation").
	Split string
	// Accuracy, StdErr (of Accuracy) and MSE are NaN where eval.json
	// has null: undefined (no scored trial, a diverged network).
	Accuracy float64
	StdErr   float64
	MSE      float64
	// CrossEntropy is eval.json's cross_entropy, the held-out loss of a
	// task trained with the cross-entropy (whose MSE is of logits); nil
	// for an MSE task.
	CrossEntropy *float64
	// Loss is the training loss at the last logged step.
	Loss  float64
	Steps int
	// WeightsStep, when not 0, is the step whose weights the final
	// evaluation scored instead of the last one's (eval.json's
	// weights_step: a run that kept its best held-out evaluation).
	WeightsStep int
	// WallS is the wall time of the processes that ran the point.
	WallS float64
}

// maxEvalBytes bounds the eval.json read (its per-condition table).
const maxEvalBytes = 64 << 20

// maxMetricsLine bounds a line of metrics.jsonl (a few hundred bytes as
// the train command writes them).
const maxMetricsLine = 1 << 20

// ReadResult reads the final metrics of the finished run in dir:
// eval.json and the last line of metrics.jsonl. Either being anything but
// a regular file, or metrics.jsonl failing to read to its end (a line
// over 1 MiB), is an error naming it.
func ReadResult(dir string) (Result, error) {
	var r Result
	path := filepath.Join(dir, "eval.json")
	f, _, err := files.OpenRegular(path)
	if err != nil {
		return r, fmt.Errorf("sweep: %w", err)
	}
	// Accuracy, its standard error and the MSE are null in eval.json
	// where they are undefined (no scored trial; a diverged network): NaN,
	// an empty cell, not 0.
	var ev struct {
		Step     int      `json:"step"`
		Split    string   `json:"split"`
		Accuracy *float64 `json:"accuracy"`
		StdErr   *float64 `json:"accuracy_stderr"`
		MSE      *float64 `json:"mse"`
		// cross_entropy is absent for an MSE task, null when not finite.
		CE      json.RawMessage `json:"cross_entropy"`
		Weights int             `json:"weights_step"`
		Trials  int             `json:"trials"`
	}
	err = json.NewDecoder(io.LimitReader(f, maxEvalBytes)).Decode(&ev)
	f.Close()
	if err != nil {
		return r, fmt.Errorf("sweep: %s: %w", path, err)
	}
	// A value no evaluation gives (a file edited or damaged since) is an
	// error, not a number in the table.
	for _, c := range []struct {
		key    string
		v      *float64
		hi     float64
		within string
	}{
		{"accuracy", ev.Accuracy, 1, "from 0 to 1"},
		{"accuracy_stderr", ev.StdErr, 0.5, "from 0 to 0.5"},
		{"mse", ev.MSE, math.MaxFloat64, "≥ 0"},
	} {
		if c.v != nil && !(*c.v >= 0 && *c.v <= c.hi) {
			return r, fmt.Errorf("sweep: %s: %s %v: want a number %s or null; no evaluation gives it", path, c.key, *c.v, c.within)
		}
	}
	switch {
	case ev.Step < 0:
		return r, fmt.Errorf("sweep: %s: step %d: want a step ≥ 0; no evaluation gives it", path, ev.Step)
	case ev.Trials < 0:
		return r, fmt.Errorf("sweep: %s: trials %d: want a count ≥ 0; no evaluation gives it", path, ev.Trials)
	case ev.Weights < 0 || ev.Weights > ev.Step:
		return r, fmt.Errorf("sweep: %s: weights_step %d: want a step from 0 to the run's step %d; no evaluation gives it", path, ev.Weights, ev.Step)
	}
	orNaN := func(x *float64) float64 {
		if x == nil {
			return math.NaN()
		}
		return *x
	}
	r.Split, r.Accuracy, r.StdErr, r.MSE, r.Steps, r.WeightsStep = ev.Split, orNaN(ev.Accuracy), orNaN(ev.StdErr), orNaN(ev.MSE), ev.Step, ev.Weights
	r.Loss = math.NaN()
	if len(ev.CE) > 0 {
		var ce *float64
		if err := json.Unmarshal(ev.CE, &ce); err != nil {
			return r, fmt.Errorf("sweep: %s: cross_entropy: %w", path, err)
		}
		if ce != nil && !(*ce >= 0) {
			return r, fmt.Errorf("sweep: %s: cross_entropy %v: want a number ≥ 0 or null; no evaluation gives it", path, *ce)
		}
		v := orNaN(ce)
		r.CrossEntropy = &v
	}
	mpath := filepath.Join(dir, "metrics.jsonl")
	m, _, err := files.OpenRegular(mpath)
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	} else if err != nil {
		return r, fmt.Errorf("sweep: %w", err)
	}
	defer m.Close()
	sc := bufio.NewScanner(m)
	sc.Buffer(nil, maxMetricsLine)
	for sc.Scan() {
		var line struct {
			Loss *float64 `json:"loss"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Loss != nil {
			r.Loss = *line.Loss
		}
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return r, fmt.Errorf("sweep: %s: a line longer than %d bytes", mpath, maxMetricsLine)
	} else if err != nil {
		return r, fmt.Errorf("sweep: %s: %w", mpath, err)
	}
	return r, nil
}

// Metric is a column of the collect table that can be plotted.
type Metric int

// The metrics, each the Result field of the same name; their text forms
// are accuracy, mse, loss, steps, wall_s and cross_entropy.
const (
	Accuracy     Metric = iota // Result.Accuracy
	MSE                        // Result.MSE
	Loss                       // Result.Loss, the last logged training loss
	Steps                      // Result.Steps
	WallS                      // Result.WallS, in seconds
	CrossEntropy               // Result.CrossEntropy
)

// Metrics lists every Metric.
func Metrics() []Metric { return []Metric{Accuracy, MSE, Loss, Steps, WallS, CrossEntropy} }

// metricNames lists the metrics' text forms, indexed by Metric.
func metricNames() []string {
	return []string{Accuracy: "accuracy", MSE: "mse", Loss: "loss", Steps: "steps", WallS: "wall_s", CrossEntropy: "cross_entropy"}
}

// String returns the metric's text form, or Metric(i) for a value that is
// none of the constants.
func (m Metric) String() string { return enum.Name(metricNames(), int(m), "Metric") }

// MarshalText implements encoding.TextMarshaler. It returns an error for a
// value that is none of the constants.
func (m Metric) MarshalText() ([]byte, error) {
	return enum.Text("sweep", metricNames(), int(m), "metric")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Metric) UnmarshalText(b []byte) error {
	var names []string
	for _, x := range Metrics() {
		if x.String() == string(b) {
			*m = x
			return nil
		}
		names = append(names, x.String())
	}
	return fmt.Errorf("unknown metric %q: want one of %s%s", b, strings.Join(names, ", "), enum.Hint(string(b), names))
}

// Of returns the metric of r. It panics if m is none of the constants.
func (m Metric) Of(r Result) float64 {
	switch m {
	case Accuracy:
		return r.Accuracy
	case MSE:
		return r.MSE
	case Loss:
		return r.Loss
	case Steps:
		return float64(r.Steps)
	case WallS:
		return r.WallS
	case CrossEntropy:
		if r.CrossEntropy == nil {
			return math.NaN()
		}
		return *r.CrossEntropy
	}
	panic(fmt.Sprintf("sweep: Metric.Of: unknown metric %d", int(m)))
}

// Row is one point of the collect table; Result is nil unless the point
// is Done.
type Row struct {
	Point  Point
	Name   string
	State  State
	Result *Result
	// Error is what a Failed point's run printed last (RunState.Error):
	// the table's error column, which it has when some row has one.
	Error string
}

// Table is the collect table of a sweep.
type Table struct {
	Axes []string
	Rows []Row
}

// columns says which of the table's optional columns it has:
// cross_entropy, after mse, when some finished point's task was trained
// with the cross-entropy; weights_step, after steps, when some point
// scored earlier weights (Table.bestWeights); error, last, when some
// failed row has an Error.
type columns struct{ crossEntropy, weights, errors bool }

// optional returns the table's optional columns.
func (t Table) optional() columns {
	c := columns{weights: t.bestWeights()}
	for _, r := range t.Rows {
		c.crossEntropy = c.crossEntropy || r.Result != nil && r.Result.CrossEntropy != nil
		c.errors = c.errors || r.Error != ""
	}
	return c
}

// header is the table's columns, with the optional ones of cols.
func (t Table) header(cols columns) []string {
	h := []string{"point"}
	h = append(h, t.Axes...)
	h = append(h, "state", "split", "accuracy", "accuracy_se", "mse")
	if cols.crossEntropy {
		h = append(h, "cross_entropy")
	}
	h = append(h, "loss", "steps")
	if cols.weights {
		h = append(h, "weights_step")
	}
	h = append(h, "wall_s")
	if cols.errors {
		h = append(h, "error")
	}
	return h
}

// bestWeights reports whether the final evaluation of some finished point
// scored the weights of a step before its last (Result.WeightsStep).
func (t Table) bestWeights() bool {
	for _, r := range t.Rows {
		if r.Result != nil && r.Result.WeightsStep != 0 {
			return true
		}
	}
	return false
}

// cells is row r's columns, numbers with prec significant digits (-1:
// shortest exact), with the optional columns of cols.
func (t Table) cells(r Row, prec int, cols columns) []string {
	c := []string{fmt.Sprintf("%d", r.Point.Index)}
	for _, v := range r.Point.Values {
		c = append(c, v.String())
	}
	c = append(c, r.State.String())
	if r.Result == nil {
		c = append(c, make([]string, len(t.header(cols))-len(c))...)
		if cols.errors {
			c[len(c)-1] = r.Error
		}
		return c
	}
	f := func(x float64, p int) string {
		if math.IsNaN(x) {
			return ""
		}
		if prec < 0 {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return strconv.FormatFloat(x, 'f', p, 64)
	}
	res := r.Result
	c = append(c, res.Split, f(res.Accuracy, 3), f(res.StdErr, 3), f(res.MSE, 4))
	if cols.crossEntropy {
		c = append(c, f(CrossEntropy.Of(*res), 4))
	}
	c = append(c, f(res.Loss, 4), strconv.Itoa(res.Steps))
	if cols.weights {
		w := ""
		if res.WeightsStep != 0 {
			w = strconv.Itoa(res.WeightsStep)
		}
		c = append(c, w)
	}
	c = append(c, f(res.WallS, 1))
	if cols.errors {
		c = append(c, r.Error)
	}
	return c
}

// WriteCSV writes the table as CSV, numbers in full.
func (t Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cols := t.optional()
	cw.Write(t.header(cols))
	for _, r := range t.Rows {
		cw.Write(t.cells(r, -1, cols))
	}
	cw.Flush()
	return cw.Error()
}

// WriteMarkdown writes the table as a Markdown table, numbers rounded.
func (t Table) WriteMarkdown(w io.Writer) error {
	cols := t.optional()
	h := t.header(cols)
	var b strings.Builder
	b.WriteString("| " + strings.Join(h, " | ") + " |\n|")
	for range h {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		c := t.cells(r, 3, cols)
		for i := range c {
			c[i] = strings.ReplaceAll(c[i], "|", `\|`)
		}
		b.WriteString("| " + strings.Join(c, " | ") + " |\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Group is one value of an axis and a metric's mean and standard error
// over the finished points with that value.
type Group struct {
	X      Value
	Mean   float64
	StdErr float64 // standard deviation / √N (N − 1 in the deviation); 0 when N = 1
	N      int
}

// Aggregate groups the finished rows of t by the value of axis (a column
// of t.Axes) and returns m's mean ± standard error over the other axes for
// each value, in the order the values first appear. Rows whose metric is
// NaN are left out. It returns an error if axis is not one of t.Axes or m
// is none of the Metric constants.
func (t Table) Aggregate(axis string, m Metric) ([]Group, error) {
	if m < 0 || int(m) >= len(metricNames()) {
		return nil, fmt.Errorf("sweep: unknown metric %d", int(m))
	}
	j := slices.Index(t.Axes, axis)
	if j < 0 {
		return nil, fmt.Errorf("sweep: no axis %q; the axes are %s", axis, strings.Join(t.Axes, ", "))
	}
	var keys []string
	vals := map[string][]float64{}
	xs := map[string]Value{}
	for _, r := range t.Rows {
		if r.Result == nil || j >= len(r.Point.Values) {
			continue
		}
		y := m.Of(*r.Result)
		if math.IsNaN(y) {
			continue
		}
		k := r.Point.Values[j].JSON()
		if _, ok := vals[k]; !ok {
			keys = append(keys, k)
			xs[k] = r.Point.Values[j]
		}
		vals[k] = append(vals[k], y)
	}
	out := make([]Group, 0, len(keys))
	for _, k := range keys {
		ys := vals[k]
		g := Group{X: xs[k], N: len(ys)}
		for _, y := range ys {
			g.Mean += y
		}
		g.Mean /= float64(len(ys))
		if len(ys) > 1 {
			var ss float64
			for _, y := range ys {
				ss += (y - g.Mean) * (y - g.Mean)
			}
			g.StdErr = math.Sqrt(ss/float64(len(ys)-1)) / math.Sqrt(float64(len(ys)))
		}
		out = append(out, g)
	}
	return out, nil
}
