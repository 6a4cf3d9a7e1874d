package sweep

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const twoAxes = `
[base.model]
kind = "lowrank"
[axes]
"model.rank" = [1, 2, 3]
seed = [10, 20]
`

func values(p Point) []string {
	var s []string
	for _, v := range p.Values {
		s = append(s, v.String())
	}
	return s
}

func TestGridOrder(t *testing.T) {
	s, err := Parse([]byte(twoAxes))
	require.NoError(t, err)
	pts, err := s.Points()
	require.NoError(t, err)
	require.Len(t, pts, 6)
	// The last axis varies fastest, axes in the spec's order.
	want := [][]string{{"1", "10"}, {"1", "20"}, {"2", "10"}, {"2", "20"}, {"3", "10"}, {"3", "20"}}
	for i, p := range pts {
		assert.Equal(t, i, p.Index)
		assert.Equal(t, want[i], values(p))
	}
	assert.Equal(t, "p0003-model.rank=2-seed=20", s.Name(pts[3]))
	assert.Equal(t, map[string]any{"model": map[string]any{"kind": "lowrank"}}, s.Base)
}

func TestRandomDraws(t *testing.T) {
	spec := twoAxes + "[sweep]\nmode = \"random\"\nsamples = 4\nseed = 3\n"
	s, err := Parse([]byte(spec))
	require.NoError(t, err)
	a, err := s.Points()
	require.NoError(t, err)
	b, err := s.Points()
	require.NoError(t, err)
	assert.Equal(t, a, b, "the draw is a function of the seed")
	seen := map[string]bool{}
	for _, p := range a {
		k := strings.Join(values(p), ",")
		assert.False(t, seen[k], "point %s drawn twice", k)
		seen[k] = true
	}
	s.Options.Seed = 4
	c, err := s.Points()
	require.NoError(t, err)
	assert.NotEqual(t, a, c, "another seed, another draw")
	s.Options.Samples = 6
	all, err := s.Points()
	require.NoError(t, err)
	assert.Len(t, all, 6)
}

func TestNameCleansValues(t *testing.T) {
	s, err := Parse([]byte("[axes]\n\"task.settings.path\" = [\"../data/a b.npz\"]\n"))
	require.NoError(t, err)
	pts, err := s.Points()
	require.NoError(t, err)
	assert.Equal(t, "p0000-task.settings.path=.._data_a_b.npz", s.Name(pts[0]))
}

func TestOptionsFromSpecAndText(t *testing.T) {
	s, err := Parse([]byte("[sweep]\nexecutor = \"slurm\"\ntime = \"00:10:00\"\narray_limit = 3\nrequeue = false\n"))
	require.NoError(t, err)
	o := s.Options
	assert.Equal(t, Slurm, o.Exec)
	assert.Equal(t, "00:10:00", o.Time)
	assert.Equal(t, 3, o.ArrayLimit)
	assert.False(t, o.Requeue)
	require.NoError(t, o.Set("jobs", "4"))
	require.NoError(t, o.Set("requeue", "true"))
	assert.Equal(t, 4, o.Jobs)
	assert.True(t, o.Requeue)
	assert.Error(t, o.Set("jobs", "many"))
	assert.ErrorContains(t, o.Set("jobs", "5000000000"), "5000000000: want a whole number from 0 to 1073741824")
	assert.Error(t, o.Set("mem", int64(3)))
	assert.ErrorContains(t, o.Set("partitoin", "x"), "partition")
}

func TestArraySpec(t *testing.T) {
	assert.Equal(t, "0-3", ArraySpec([]int{3, 1, 2, 0}, 0))
	assert.Equal(t, "0-2,5,7-8%2", ArraySpec([]int{0, 1, 2, 5, 7, 8, 8}, 2))
	assert.Equal(t, "4", ArraySpec([]int{4}, 0))
}

func TestParseSqueue(t *testing.T) {
	got := ParseSqueue("12_0 RUNNING\n12_[3-5%2] PENDING\n12_[7,9] PENDING\n12_1 COMPLETED\n13 RUNNING\ngarbage\n12_[4-2] PENDING\n")
	assert.Equal(t, map[int]State{0: Running, 3: Queued, 4: Queued, 5: Queued, 7: Queued, 9: Queued}, got)
}

func TestAggregate(t *testing.T) {
	s, err := Parse([]byte(twoAxes))
	require.NoError(t, err)
	pts, err := s.Points()
	require.NoError(t, err)
	tab := Table{Axes: []string{"model.rank", "seed"}}
	acc := []float64{0.5, 0.7, 0.9, 1.0, 0.8, math.NaN()}
	for i, p := range pts {
		r := Row{Point: p, Name: s.Name(p), State: Done, Result: &Result{Accuracy: acc[i], Split: "fresh trials", Loss: math.NaN()}}
		tab.Rows = append(tab.Rows, r)
	}
	tab.Rows[4].Result, tab.Rows[4].State = nil, Failed
	g, err := tab.Aggregate("model.rank", Accuracy)
	require.NoError(t, err)
	require.Len(t, g, 2, "rank 3 has no finite result")
	assert.Equal(t, "1", g[0].X.String())
	assert.InDelta(t, 0.6, g[0].Mean, 1e-12)
	assert.InDelta(t, 0.1, g[0].StdErr, 1e-12) // sd 0.1414 / √2
	assert.Equal(t, 2, g[1].N)
	_, err = tab.Aggregate("lr", Accuracy)
	assert.ErrorContains(t, err, "model.rank, seed")

	var md, csv bytes.Buffer
	require.NoError(t, tab.WriteMarkdown(&md))
	require.NoError(t, tab.WriteCSV(&csv))
	assert.Contains(t, md.String(), "| 4 | 3 | 10 | failed |")
	assert.Contains(t, csv.String(), "0,1,10,done,fresh trials,0.5,0,0,,0,0\n")
}

// TestCollectWeightsStep: a point whose final evaluation scored the
// weights of an earlier step (train.keep_best) gets them in a
// weights_step column, which the table has only when some point does;
// ReadResult reads it from eval.json.
// doneTable is the collect table of the first n points of twoAxes, each
// done after 300 steps with no other result.
func doneTable(t *testing.T, n int) Table {
	t.Helper()
	s, err := Parse([]byte(twoAxes))
	require.NoError(t, err)
	pts, err := s.Points()
	require.NoError(t, err)
	tab := Table{Axes: []string{"model.rank", "seed"}}
	for _, p := range pts[:n] {
		tab.Rows = append(tab.Rows, Row{Point: p, Name: s.Name(p), State: Done, Result: &Result{Steps: 300, Loss: math.NaN()}})
	}
	return tab
}

func TestCollectWeightsStep(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "eval.json"), []byte(`{"step": 300, "weights_step": 200, "split": "fresh trials", "accuracy": 0.9}`), 0o644))
	res, err := ReadResult(dir)
	require.NoError(t, err)
	assert.Equal(t, 300, res.Steps)
	assert.Equal(t, 200, res.WeightsStep)

	tab := doneTable(t, 3)
	tab.Rows[2].Result, tab.Rows[2].State = nil, Failed
	var csv bytes.Buffer
	require.NoError(t, tab.WriteCSV(&csv))
	assert.NotContains(t, csv.String(), "weights_step", "no point scored earlier weights")
	tab.Rows[1].Result = &res
	csv.Reset()
	require.NoError(t, tab.WriteCSV(&csv))
	assert.Contains(t, csv.String(), ",steps,weights_step,wall_s\n")
	assert.Contains(t, csv.String(), ",300,,0\n", "a point scoring its last step's weights")
	assert.Contains(t, csv.String(), ",300,200,0\n")
	assert.Contains(t, csv.String(), ",failed,,,,,,,,\n", "a failed point has every result column, weights_step too")

	// A failed point's error gives the table its last column, empty for
	// the others.
	tab.Rows[2].Error = "step 1: diverged, a | b"
	csv.Reset()
	require.NoError(t, tab.WriteCSV(&csv))
	assert.Contains(t, csv.String(), ",weights_step,wall_s,error\n")
	assert.Contains(t, csv.String(), `,failed,,,,,,,,,"step 1: diverged, a | b"`+"\n")
	assert.Contains(t, csv.String(), ",300,200,0,\n")
	var md bytes.Buffer
	require.NoError(t, tab.WriteMarkdown(&md))
	assert.Contains(t, md.String(), "| wall_s | error |")
	assert.Contains(t, md.String(), `| step 1: diverged, a \| b |`)
}

// TestCollectCrossEntropy: a point whose eval.json has cross_entropy (a
// cross-entropy task) gives the table its column, left empty for points of
// MSE tasks, and the metric to aggregate.
func TestCollectCrossEntropy(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "eval.json"), []byte(`{"step": 300, "split": "fresh trials", "accuracy": 1, "accuracy_stderr": 0, "mse": 8387, "cross_entropy": 0.25}`), 0o644))
	res, err := ReadResult(dir)
	require.NoError(t, err)
	require.NotNil(t, res.CrossEntropy)
	assert.Equal(t, 0.25, *res.CrossEntropy)

	tab := doneTable(t, 2)
	var csv bytes.Buffer
	require.NoError(t, tab.WriteCSV(&csv))
	assert.NotContains(t, csv.String(), "cross_entropy", "no point of a cross-entropy task")
	tab.Rows[1].Result = &res
	csv.Reset()
	require.NoError(t, tab.WriteCSV(&csv))
	assert.Contains(t, csv.String(), ",mse,cross_entropy,loss,steps,wall_s\n")
	assert.Contains(t, csv.String(), ",fresh trials,1,0,8387,0.25,,300,0\n")
	assert.Contains(t, csv.String(), ",0,0,0,,,300,0\n", "a point of an MSE task leaves it empty")
	g, err := tab.Aggregate("seed", CrossEntropy)
	require.NoError(t, err)
	require.Len(t, g, 1, "the MSE task's point has no cross-entropy to average")
	assert.Equal(t, 0.25, g[0].Mean)
	// A diverged network's: null, a cross-entropy task's all the same.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "eval.json"), []byte(`{"step": 300, "accuracy": 0.5, "mse": null, "cross_entropy": null}`), 0o644))
	res, err = ReadResult(dir)
	require.NoError(t, err)
	require.NotNil(t, res.CrossEntropy)
	assert.True(t, math.IsNaN(*res.CrossEntropy))
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ spec, want string }{
		{"[axes]\nx = 3\n", `"x": want a list`},
		{"[axes]\n\"a..b\" = [1]\n", "not a dotted config key"},
		{"[axes]\nx = [[1]]\n", `"x"[0]`},
		{"base = 3\n", "want a table [base]"},
		{"[sweep]\nsamples = 2\n", "only random mode"},
		// A number too large was refused as not "a whole number ≥ 0".
		{"[sweep]\nmode = \"random\"\nsamples = 1000000000000\n", "sweep.samples: 1000000000000: want a whole number from 0 to 1073741824"},
		{"[sweep]\njobs = -1\n", "sweep.jobs: -1: want a whole number from 0 to 1073741824"},
		{"[axes]\na = [1,2,3,4,5,6,7,8,9,10]\nb = [1,2,3,4,5,6,7,8,9,10]\nc = [1,2,3,4,5,6,7,8,9,10]\nd = [1,2,3,4,5,6,7,8,9,10]\ne = [1,2]\n", "20000 grid points"},
	} {
		_, err := Parse([]byte(c.spec))
		assert.ErrorContains(t, err, c.want, c.spec)
	}
}

// TestSlurmValues: partition, time, mem, job_name and output take only
// the forms sbatch reads, within bounds, from a spec, from Set (a flag)
// and from options set directly (a resumed sweep's record); the errors
// name the key and the form wanted.
func TestSlurmValues(t *testing.T) {
	// Partition lists at the bounds: names of 128 characters, 1024 in all.
	name128 := strings.Repeat("x", 128)
	list1024 := strings.Repeat(name128[1:]+",", 7) + name128
	good := map[string][]string{
		"time":      {"", "0", "90", "30:00", "1:30:00", "48:00:00", "2-12", "2-12:30", "2-12:30:15", "365-00:00:00", "525600"},
		"mem":       {"", "0", "4096", "500M", "500m", "2G", "64k", "1T", "1024T", "1048576G"},
		"job_name":  {"rnntrain-sweep", "a", "rank_sweep.v2", strings.Repeat("x", 128)},
		"partition": {"", "debug", "gpu,cpu", "long-2.x_y", name128, list1024},
		"output":    {"logs/slurm-%A_%a.out", "/scratch/a b/%A.out", `o "q" 'r' $x #1.out`},
	}
	bad := map[string][]string{
		"time":      {"abc", "-5", "1:60", "1:00:60", "2-24", "2-1:60", "1:2:3:4", "1-2-3", "2-", ":30", "1 :00", " 90", "+90", "1.5", "525601", "366-00:00:00", "99999999999999999999"},
		"mem":       {"-5G", "G", "2GB", "2 G", "1.5G", "0x10", "1025T", "1099511627777K", "99999999999999999999"},
		"job_name":  {"", "a b", "x;rm", "$(id)", "a'b", "x --wrap=id", "a/b", "é", strings.Repeat("x", 129)},
		"partition": {"debug --wrap=id", "a b", ",debug", "debug,", "a,,b", "$(id)", "a;b", "é", "a\tb", name128 + "x", "gpu," + name128 + "x", list1024 + ",x", strings.Repeat("gpu,", 300) + "cpu"},
		"output":    {"", `logs\%A.out`, "a\tb", "a\x7fb", "a\x1bb"},
	}
	for key, vals := range good {
		for _, v := range vals {
			o := DefaultOptions()
			assert.NoError(t, o.Set(key, v), "%s = %q", key, v)
			_, err := Parse([]byte(fmt.Sprintf("[sweep]\n%s = %q\n", key, v)))
			assert.NoError(t, err, "%s = %q", key, v)
		}
	}
	want := map[string]string{"time": "HH:MM:SS", "mem": "K, M, G or T", "job_name": "A-Z a-z 0-9 . _ -",
		"partition": "comma-separated list", "output": "path"}
	for key, vals := range bad {
		for _, v := range vals {
			o := DefaultOptions()
			err := o.Set(key, v)
			assert.ErrorContains(t, err, "sweep."+key, "%s = %q", key, v)
			assert.ErrorContains(t, err, want[key], "%s = %q", key, v)
			_, err = Parse([]byte(fmt.Sprintf("[sweep]\n%s = %q\n", key, v)))
			assert.ErrorContains(t, err, "sweep."+key, "%s = %q", key, v)
		}
	}
	o := DefaultOptions()
	o.JobName = "x --wrap=id" // as a hand-edited sweep.json holds it
	assert.ErrorContains(t, o.Validate(), "sweep.job_name")
	o = DefaultOptions()
	o.Partition = "debug --wrap=id"
	assert.ErrorContains(t, o.Validate(), "sweep.partition")
	o.Partition = list1024 + ",x"
	assert.ErrorContains(t, o.Validate(), "sweep.partition: 1026 characters")
}

// TestSetUnknownKeyHint: an unknown [sweep] key near one suggests it.
func TestSetUnknownKeyHint(t *testing.T) {
	o := DefaultOptions()
	assert.ErrorContains(t, o.Set("jobz", 2), `sweep: unknown key "jobz"; did you mean "jobs"?`)
	err := o.Set("zzz", 2)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "did you mean")
}

// TestValueFloatExact: an integer value float64 does not hold exactly (a
// 64-bit seed) is not a number to draw on an axis, where it would share
// its position with its neighbours; -collect draws such values as
// categories with their digits.
func TestValueFloatExact(t *testing.T) {
	for _, c := range []struct {
		v  any
		ok bool
	}{{int64(3), true}, {int64(1 << 53), true}, {int64(1<<53 + 1), false}, {int64(1765100000123456789), false}, {int64(math.MaxInt64), false}, {int64(math.MinInt64), true}, {0.1, true}, {"tanh", false}} {
		if x, ok := (Value{c.v}).Float(); ok != c.ok {
			t.Errorf("Value{%v}.Float() = %v, %v; want ok %v", c.v, x, ok, c.ok)
		}
	}
}

// TestMetricOutOfRange: a Metric that is none of the constants has a
// String that names it (instead of an index panic), fails to marshal, is
// refused by Aggregate with an error and panics in Of; the constants
// round-trip through their text form.
func TestMetricOutOfRange(t *testing.T) {
	for _, m := range Metrics() {
		b, err := m.MarshalText()
		require.NoError(t, err)
		var got Metric
		require.NoError(t, got.UnmarshalText(b))
		assert.Equal(t, m, got)
	}
	bad := Metric(len(Metrics()))
	assert.Equal(t, "Metric(6)", bad.String())
	_, err := bad.MarshalText()
	assert.ErrorContains(t, err, "sweep: invalid metric 6")
	tab := Table{Axes: []string{"seed"}, Rows: []Row{{Point: Point{Values: []Value{{}}}, State: Done, Result: &Result{}}}}
	_, err = tab.Aggregate("seed", bad)
	assert.ErrorContains(t, err, "sweep: unknown metric 6")
	assert.PanicsWithValue(t, "sweep: Metric.Of: unknown metric 6", func() { bad.Of(Result{}) })
}

// TestEnumsOutOfRange: a Mode, Executor or State that is none of the
// constants is named as such by String instead of passing for grid, local
// or pending, fails to marshal, and a Mode or Executor out of range fails
// Options.Validate (a Mode(2) used to skip the MaxPoints check of grids).
func TestEnumsOutOfRange(t *testing.T) {
	for _, c := range []struct {
		v       interface{ MarshalText() ([]byte, error) }
		str     string
		want    string
		wantErr string
	}{
		{Mode(2), Mode(2).String(), "Mode(2)", "sweep: invalid mode 2"},
		{Executor(-1), Executor(-1).String(), "Executor(-1)", "sweep: invalid executor -1"},
		{State(7), State(7).String(), "State(7)", "sweep: invalid state 7"},
	} {
		assert.Equal(t, c.want, c.str)
		b, err := c.v.MarshalText()
		assert.EqualError(t, err, c.wantErr, c.want)
		assert.Nil(t, b, c.want)
	}
	for _, s := range States() {
		b, err := s.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, s.String(), string(b))
	}
	s, err := Parse([]byte(twoAxes))
	require.NoError(t, err)
	o := s.Options
	require.NoError(t, o.Validate())
	o.Mode = Mode(2)
	assert.ErrorContains(t, o.Validate(), "sweep.mode = 2")
	o = s.Options
	o.Exec = Executor(2)
	assert.ErrorContains(t, o.Validate(), "sweep.executor = 2")
}
