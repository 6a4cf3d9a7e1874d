package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/sweep"
)

// tinySpec is the four-point test sweep (ranks 1, 2 × seeds 1, 2).
func tinySpec(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/sweep-tiny.toml")
	require.NoError(t, err)
	return string(b)
}

// writeSpec writes a spec file into dir and returns its path.
func writeSpec(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

// readCSV reads a CSV file into maps keyed by the header.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// attempts counts the start lines of a run's attempts.jsonl.
func attempts(t *testing.T, run string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(run, "attempts.jsonl"))
	require.NoError(t, err)
	return strings.Count(string(b), `"event":"start"`)
}

func TestSweepLocal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := writeSpec(t, dir, "spec.toml", tinySpec(t))
	out := filepath.Join(dir, "sw")
	rnntrain(t, dir, "sweep", spec, "-out", out).want(t, 0, "4 points", "p0003-model.rank=2-seed=2: done")

	for _, f := range []string{"sweep.toml", "points.csv", "sweep.json", "logs/p0000.log"} {
		assert.FileExists(t, filepath.Join(out, f))
	}
	pts := readCSV(t, filepath.Join(out, "points.csv"))
	require.Len(t, pts, 4)
	assert.Equal(t, map[string]string{"index": "2", "run": "runs/p0002-model.rank=2-seed=1", "model.rank": "2", "seed": "1"}, pts[2])
	for _, p := range pts {
		run := filepath.Join(out, p["run"])
		var cfg runConfig
		b, err := os.ReadFile(filepath.Join(run, "config.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &cfg))
		assert.Equal(t, p["seed"], strings.TrimSpace(string(mustJSON(t, cfg.Seed))), p["run"])
		assert.Contains(t, string(b), `"rank": `+p["model.rank"], p["run"])
		assert.FileExists(t, filepath.Join(run, "point.json"))
		assert.FileExists(t, filepath.Join(run, "eval.json"))
	}

	// Again with the same spec: nothing runs.
	rnntrain(t, dir, "sweep", spec, "-out", out).want(t, 0, "4 done", "0 to run")
	assert.Equal(t, 1, attempts(t, filepath.Join(out, pts[0]["run"])))
	rnntrain(t, dir, "sweep", "-status", out).want(t, 0, "4 points: 4 done")

	r := rnntrain(t, dir, "sweep", "-collect", out, "-x", "seed", "-metric", "mse")
	r.want(t, 0, "| point | model.rank | seed | state | split | accuracy |", "mse against seed", "collect-mse-seed.png")
	rows := readCSV(t, filepath.Join(out, "collect.csv"))
	require.Len(t, rows, 4)
	for i, row := range rows {
		var ev struct {
			Accuracy float64 `json:"accuracy"`
			Split    string  `json:"split"`
			Step     int     `json:"step"`
		}
		b, err := os.ReadFile(filepath.Join(out, pts[i]["run"], "eval.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &ev))
		assert.Equal(t, "done", row["state"])
		assert.Equal(t, ev.Split, row["split"])
		assert.Equal(t, strings.TrimSpace(string(mustJSON(t, ev.Accuracy))), row["accuracy"])
		assert.Equal(t, "10", row["steps"])
		assert.NotEmpty(t, row["loss"])
	}
	assert.FileExists(t, filepath.Join(out, "collect.md"))
	assert.FileExists(t, filepath.Join(out, "collect-mse-seed.png"))

	// Another spec into the same directory: refused, then forced; forcing
	// restarts the points whose config changed.
	other := writeSpec(t, dir, "other.toml", strings.Replace(tinySpec(t), "seed = [1, 2]", "seed = [1, 3]", 1))
	rnntrain(t, dir, "sweep", other, "-out", out).want(t, 2, "holds a sweep of another spec", "-force")
	rnntrain(t, dir, "sweep", other, "-out", out, "-force").want(t, 0, "2 done", "2 to run",
		"runs/p0001-model.rank=1-seed=2 is not a point of this spec")
	wider := writeSpec(t, dir, "wider.toml", strings.Replace(tinySpec(t), "hidden = 8", "hidden = 10", 1))
	rnntrain(t, dir, "sweep", wider, "-out", out, "-force").want(t, 0, "point p0000-model.rank=1-seed=1: config changed (-force)", "4 to run")
	rnntrain(t, dir, "sweep", "-status", out).want(t, 0, "4 points: 4 done")
	assert.Equal(t, 1, attempts(t, filepath.Join(out, "runs/p0000-model.rank=1-seed=1")))
	assert.Contains(t, string(must(os.ReadFile(filepath.Join(out, "runs/p0000-model.rank=1-seed=1/config.json")))), `"hidden": 10`)
}

// TestSweepDamagedPointFile checks that running a sweep again with its
// own spec does not remove a point's run because its point.json was
// damaged: without -force the file is named and nothing is removed; with
// -force the point restarts.
func TestSweepDamagedPointFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := writeSpec(t, dir, "spec.toml", strings.Replace(tinySpec(t), `"model.rank" = [1, 2]`, `"model.rank" = [1]`, 1))
	out := filepath.Join(dir, "sw")
	rnntrain(t, dir, "sweep", spec, "-out", out, "-jobs", "1").want(t, 0, "2 points")
	run := filepath.Join(out, "runs", "p0000-model.rank=1-seed=1")
	require.FileExists(t, filepath.Join(run, "eval.json"))
	point := filepath.Join(run, "point.json")
	require.NoError(t, os.WriteFile(point, []byte("\xff{"), 0o644))
	for _, args := range [][]string{{"sweep", spec, "-out", out}, {"sweep", "-resume", out}} {
		rnntrain(t, dir, args...).want(t, 1, "point p0000-model.rank=1-seed=1: "+point+" does not hold the point's config", "-force")
		assert.FileExists(t, filepath.Join(run, "eval.json"), "the run of a damaged point.json after %v", args)
	}
	rnntrain(t, dir, "sweep", spec, "-out", out, "-force").want(t, 0, "point p0000-model.rank=1-seed=1: config changed (-force)", "1 to run")
	rnntrain(t, dir, "sweep", "-status", out).want(t, 0, "2 points: 2 done")
}

// TestSweepGrownAxis checks that a sweep grown by a value of its first
// axis, which numbers the points anew, keeps the finished runs under their
// new names with -force instead of training them again.
func TestSweepGrownAxis(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := writeSpec(t, dir, "spec.toml", strings.Replace(tinySpec(t), `"model.rank" = [1, 2]`, `"model.rank" = [1]`, 1))
	out := filepath.Join(dir, "sw")
	rnntrain(t, dir, "sweep", spec, "-out", out).want(t, 0, "2 points")
	eval := must(os.ReadFile(filepath.Join(out, "runs/p0001-model.rank=1-seed=2/eval.json")))
	grown := writeSpec(t, dir, "grown.toml", strings.Replace(tinySpec(t), "seed = [1, 2]", "seed = [1, 2, 3]", 1))
	rnntrain(t, dir, "sweep", grown, "-out", out).want(t, 2, "holds a sweep of another spec")
	rnntrain(t, dir, "sweep", grown, "-out", out, "-force").want(t, 0, "2 done", "4 to run", "6 points")
	rnntrain(t, dir, "sweep", "-status", out).want(t, 0, "6 points: 6 done")
	assert.Equal(t, 1, attempts(t, filepath.Join(out, "runs/p0000-model.rank=1-seed=1")))
	assert.Equal(t, 1, attempts(t, filepath.Join(out, "runs/p0001-model.rank=1-seed=2")))
	assert.Equal(t, eval, must(os.ReadFile(filepath.Join(out, "runs/p0001-model.rank=1-seed=2/eval.json"))))

	// Grown by a seed, with rank the first axis: the ranks' points move.
	grown = writeSpec(t, dir, "grown4.toml", strings.Replace(tinySpec(t), "seed = [1, 2]", "seed = [1, 2, 3, 4]", 1))
	r := rnntrain(t, dir, "sweep", grown, "-out", out, "-force")
	r.want(t, 0, "point p0005-model.rank=2-seed=2: runs/p0004-model.rank=2-seed=2 holds its config: renamed, not run again (-force)",
		"6 done", "2 to run")
	assert.NotContains(t, r.stdout, "is not a point of this spec")
	for _, run := range []string{"p0004-model.rank=2-seed=1", "p0005-model.rank=2-seed=2"} {
		assert.Equal(t, 1, attempts(t, filepath.Join(out, "runs", run)), run)
	}
	rnntrain(t, dir, "sweep", "-status", out).want(t, 0, "8 points: 8 done")
}

// TestSweepLongNames checks that a point whose axes would name its run
// directory beyond a file name's 255 bytes runs, under its name cut.
func TestSweepLongNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := writeSpec(t, dir, "spec.toml", strings.NewReplacer(`"model.rank" = [1, 2]`, `"model.rank" = [1]`, "seed = [1, 2]", `seed = [1, 2]
"train.lr" = [0.0012345678901234567]
"train.optimizer.beta1" = [0.9123456789012345]
"train.optimizer.beta2" = [0.9991234567890124]
"train.optimizer.eps" = [1.2345678901234567e-08]
"train.clip_norm" = [1.0000000000000002]
"train.max_param" = [123456.78901234567]
"train.batch_size" = [8]`).Replace(tinySpec(t)))
	out := filepath.Join(dir, "sw")
	rnntrain(t, dir, "sweep", spec, "-out", out).want(t, 0, "2 points run, 0 failed")
	rnntrain(t, dir, "sweep", "-collect", out).want(t, 0, "2 of 2 points done")
	for _, p := range readCSV(t, filepath.Join(out, "points.csv")) {
		name := filepath.Base(p["run"])
		assert.Len(t, name, 255, name)
		assert.FileExists(t, filepath.Join(out, p["run"], "eval.json"))
	}
}

// onePointSweep runs the test sweep reduced to its first point (rank 1,
// seed 1) in a temporary directory dir, into dir/sw; it returns dir, the
// sweep directory and the point's run directory.
func onePointSweep(t *testing.T) (dir, out, run string) {
	t.Helper()
	dir = t.TempDir()
	spec := writeSpec(t, dir, "spec.toml", strings.NewReplacer(`"model.rank" = [1, 2]`, `"model.rank" = [1]`, "seed = [1, 2]", "seed = [1]").Replace(tinySpec(t)))
	out = filepath.Join(dir, "sw")
	rnntrain(t, dir, "sweep", spec, "-out", out).want(t, 0, "1 points")
	return dir, out, filepath.Join(out, "runs", "p0000-model.rank=1-seed=1")
}

// TestSweepPointStoppedBeforeCheckpoint: a point whose run stopped
// before its first checkpoint (its config.json and metrics.jsonl written,
// no checkpoint) resumes from step 0 when the sweep runs again, instead
// of failing on a run directory that train refuses to start a new run in.
func TestSweepPointStoppedBeforeCheckpoint(t *testing.T) {
	t.Parallel()
	dir, out, run := onePointSweep(t)
	for _, f := range []string{"checkpoint.safetensors", "checkpoints", "eval.json"} {
		require.NoError(t, os.RemoveAll(filepath.Join(run, f)))
	}
	rnntrain(t, dir, "sweep", "-resume", out).want(t, 0, "1 to run", "p0000-model.rank=1-seed=1: done")
	assert.Equal(t, 2, attempts(t, run))
	assert.Contains(t, string(must(os.ReadFile(filepath.Join(out, "logs", "p0000.log")))), "has no checkpoint yet")
	rnntrain(t, dir, "sweep", "-status", out).want(t, 0, "1 points: 1 done")

	// The sweep's own directory is no run directory for train.
	rnntrain(t, dir, "train", "-out", out, "-steps", "2").want(t, 2, "-out "+out+" is not empty", "choose another -out")
}

// TestSweepDamagedSpecCopy: a sweep directory's sweep.toml, which the
// sweep wrote, damaged since is a failure of -status, -collect and
// -resume (exit 1) naming it, not a usage error.
func TestSweepDamagedSpecCopy(t *testing.T) {
	t.Parallel()
	dir, out, _ := onePointSweep(t)
	path := filepath.Join(out, "sweep.toml")
	for _, damage := range []string{"[[[\n", "\xff"} {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = f.WriteString(damage)
		require.NoError(t, err)
		require.NoError(t, f.Close())
		for _, args := range [][]string{{"-status", out}, {"-collect", out}, {"-resume", out}} {
			r := rnntrain(t, dir, append([]string{"sweep"}, args...)...)
			r.want(t, 1, path, "edited or damaged since the sweep wrote it")
			assert.NotContains(t, r.stderr, "for usage", "sweep %v", args)
		}
	}
}

// TestSweepNotesOnStderr checks that -status and -collect, which print
// their table on the standard output, name a run's file they cannot read
// on the standard error, with their exit status 1, not in the table.
func TestSweepNotesOnStderr(t *testing.T) {
	t.Parallel()
	dir, out, run := onePointSweep(t)
	for _, c := range []struct {
		file, flag string
		damage     func(path string) error
	}{
		{"eval.json", "-collect", func(path string) error { return os.WriteFile(path, []byte("{"), 0o644) }},
		{"attempts.jsonl", "-status", func(path string) error {
			if err := os.Remove(path); err != nil {
				return err
			}
			return os.Mkdir(path, 0o755)
		}},
	} {
		path := filepath.Join(run, c.file)
		require.NoError(t, c.damage(path))
		r := rnntrain(t, dir, "sweep", c.flag, out)
		assert.Equal(t, 1, r.code, "sweep %s with a damaged %s\n%s%s", c.flag, c.file, r.stdout, r.stderr)
		assert.Contains(t, r.stderr, "rnntrain sweep: note: "+path, "sweep %s: stderr", c.flag)
		assert.NotContains(t, r.stdout, path, "sweep %s: stdout", c.flag)
	}
}

// TestSweepDamagedAttemptsLine: -status and -collect name a line of a
// point's attempts.jsonl that is not an attempt, which they leave out, on
// the standard error, rather than skip it in silence.
func TestSweepDamagedAttemptsLine(t *testing.T) {
	t.Parallel()
	dir, out, run := onePointSweep(t)
	path := filepath.Join(run, "attempts.jsonl")
	lines := strings.SplitAfter(string(must(os.ReadFile(path))), "\n")
	require.NoError(t, os.WriteFile(path, []byte(`{"event":"sta`+"\n"+strings.Join(lines[1:], "")), 0o644))
	for _, flag := range []string{"-status", "-collect"} {
		r := rnntrain(t, dir, "sweep", flag, out)
		r.want(t, 0)
		assert.Contains(t, r.stderr, path+": line 1 is not an attempt record", "sweep %s: stderr", flag)
	}
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "")+"{}\n\x00\n"), 0o644))
	rnntrain(t, dir, "sweep", "-status", out).want(t, 0, path+": 2 lines, the first line 3, are not attempt records", "1 points: 1 done")
}

// TestSweepCollectUndefinedMetrics checks that -collect leaves empty the
// accuracy, its standard error and the MSE a run's eval.json gives as null
// (undefined: no scored trial, a diverged network), instead of taking them
// for 0, and leaves the point out of the plot of that metric.
func TestSweepCollectUndefinedMetrics(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := writeSpec(t, dir, "spec.toml", strings.Replace(tinySpec(t), `"model.rank" = [1, 2]`, `"model.rank" = [1]`, 1))
	out := filepath.Join(dir, "sw")
	rnntrain(t, dir, "sweep", spec, "-out", out).want(t, 0, "2 points")
	path := filepath.Join(out, "runs", "p0000-model.rank=1-seed=1", "eval.json")
	var ev map[string]any
	require.NoError(t, json.Unmarshal(must(os.ReadFile(path)), &ev))
	ev["accuracy"], ev["accuracy_stderr"], ev["mse"] = nil, nil, nil
	require.NoError(t, os.WriteFile(path, mustJSON(t, ev), 0o644))
	rnntrain(t, dir, "sweep", "-collect", out, "-x", "seed", "-metric", "mse").want(t, 0, "seed = 2", "(1 runs)")
	rows := readCSV(t, filepath.Join(out, "collect.csv"))
	require.Len(t, rows, 2)
	for _, k := range []string{"accuracy", "accuracy_se", "mse"} {
		assert.Empty(t, rows[0][k], "%s of the point whose eval.json has it null", k)
		assert.NotEmpty(t, rows[1][k], "%s of the other point", k)
	}
	assert.NotContains(t, rnntrain(t, dir, "sweep", "-collect", out, "-x", "seed", "-metric", "mse").stdout, "seed = 1", "the plot of mse against seed")

	// A metric no point has: the table, and no plot, without an error.
	rnntrain(t, dir, "sweep", "-collect", out, "-metric", "cross_entropy").want(t, 0, "2 of 2 points done",
		"no plot: none of the 2 finished points has a value of cross_entropy (only a cross-entropy task's points have one)")
	assert.NoFileExists(t, filepath.Join(out, "collect-cross_entropy-model.rank.png"))
	ev = map[string]any{}
	path = filepath.Join(out, "runs", "p0001-model.rank=1-seed=2", "eval.json")
	require.NoError(t, json.Unmarshal(must(os.ReadFile(path)), &ev))
	ev["accuracy"], ev["accuracy_stderr"], ev["mse"] = nil, nil, nil
	require.NoError(t, os.WriteFile(path, mustJSON(t, ev), 0o644))
	rnntrain(t, dir, "sweep", "-collect", out).want(t, 0, "no plot: none of the 2 finished points has a value of accuracy\n")
}

// TestSweepCollectImpossibleMetrics: a point whose eval.json holds
// numbers no evaluation gives (edited by hand: an accuracy of 5, a
// negative standard error or trial count) is a note naming the file, with
// exit status 1, its metrics left empty in the table, as a point whose
// eval.json cannot be read.
func TestSweepCollectImpossibleMetrics(t *testing.T) {
	t.Parallel()
	dir, out, run := onePointSweep(t)
	path := filepath.Join(run, "eval.json")
	var ev map[string]any
	require.NoError(t, json.Unmarshal(must(os.ReadFile(path)), &ev))
	for _, c := range []struct {
		key  string
		v    float64
		want string
	}{{"accuracy", 5, "accuracy 5"}, {"accuracy_stderr", -0.01, "accuracy_stderr -0.01"}, {"trials", -1000, "trials -1000"}} {
		edited := maps.Clone(ev)
		edited[c.key] = c.v
		require.NoError(t, os.WriteFile(path, mustJSON(t, edited), 0o644))
		r := rnntrain(t, dir, "sweep", "-collect", out)
		r.want(t, 1, "rnntrain sweep: note: "+path+": "+c.want)
		rows := readCSV(t, filepath.Join(out, "collect.csv"))
		require.Len(t, rows, 1)
		assert.Empty(t, rows[0]["accuracy"], "accuracy of the point whose eval.json has %s %v", c.key, c.v)
		assert.Empty(t, rows[0]["accuracy_se"], "accuracy_se of the point whose eval.json has %s %v", c.key, c.v)
	}
}

// must returns v, failing on err.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// fakeSbatch is an sbatch that runs the array tasks of the script at once,
// one after another, as Slurm would (SLURM_ARRAY_* set, output appended to
// the --output pattern, read from its double quotes), prints the job id
// 42, and keeps the script. A squeue beside it lists nothing; sacct fails
// as on a cluster without accounting.
const fakeSbatch = `#!/bin/bash
script="${@: -1}"
cp "$script" "$(dirname "$0")/submitted.sbatch"
spec=$(sed -n 's/^#SBATCH --array=//p' "$script"); spec=${spec%%%*}
out=$(sed -n 's/^#SBATCH --output="\(.*\)"$/\1/p' "$script"); out=${out//\\\"/\"}
for part in ${spec//,/ }; do
  lo=${part%-*}; hi=${part#*-}
  for ((i=lo; i<=hi; i++)); do
    f=${out//%A/42}; f=${f//%a/$i}
    SLURM_ARRAY_JOB_ID=42 SLURM_ARRAY_TASK_ID=$i SLURM_JOB_ID=$((4200+i)) bash "$script" >>"$f" 2>&1
  done
done
echo 42
`

// fakeSlurm writes fakeSbatch and its squeue and sacct into dir/bin and
// returns that directory.
func fakeSlurm(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "bin")
	require.NoError(t, os.MkdirAll(bin, 0o755))
	writeSpec(t, bin, "sbatch", fakeSbatch)
	writeSpec(t, bin, "squeue", "#!/bin/sh\nexit 0\n")
	writeSpec(t, bin, "sacct", "#!/bin/sh\necho 'Slurm accounting storage is disabled' >&2\nexit 1\n")
	for _, f := range []string{"sbatch", "squeue", "sacct"} {
		require.NoError(t, os.Chmod(filepath.Join(bin, f), 0o755))
	}
	return bin
}

// TestSweepStaleSpec: a sweep whose spec this build resolves to other
// point configs than it was run with (a default changed; here its
// record's digest is altered) still gives -status and -collect, with a
// note saying why and what restarts the changed points, while -run-point
// refuses to train it and -resume names itself and asks for -force.
func TestSweepStaleSpec(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := strings.Replace(tinySpec(t), "\"model.rank\" = [1, 2]\nseed = [1, 2]", "seed = [1]", 1)
	out := filepath.Join(dir, "sw")
	rnntrain(t, dir, "sweep", writeSpec(t, dir, "spec.toml", base), "-out", out).want(t, 0, "1 points run, 0 failed")
	path := filepath.Join(out, "sweep.json")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var rec map[string]any
	require.NoError(t, json.Unmarshal(b, &rec))
	rec["digest"] = "0000"
	b, err = json.Marshal(rec)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o644))
	const note = "its spec no longer gives the points' configs it was run with"
	rnntrain(t, dir, "sweep", "-status", out).want(t, 0, "1 points: 1 done", note, "'rnntrain sweep -resume "+out+" -force' restarts")
	rnntrain(t, dir, "sweep", "-collect", out).want(t, 0, "1 of 1 points done", note)
	rnntrain(t, dir, "sweep", "-run-point", out, "0").want(t, 1, note)
	rnntrain(t, dir, "sweep", "-resume", out).want(t, 2, "-resume "+out+": "+note, "give -force")
	rnntrain(t, dir, "sweep", filepath.Join(dir, "spec.toml"), "-out", out).want(t, 2, "-out "+out+" holds a sweep of this spec whose points' configs this build resolves otherwise")

	// An edited copy of the spec: the notes name the runs of other
	// configs and the runs no point names.
	for _, c := range []struct{ from, to, want string }{
		{"steps = 10", "steps = 12", "point 0: runs/p0000-seed=1 was trained from another config than the spec now gives"},
		{"seed = [1]", "seed = [2]", "runs/p0000-seed=1: no point of the spec names it (left out)"},
	} {
		require.Contains(t, base, c.from)
		writeSpec(t, out, "sweep.toml", strings.Replace(base, c.from, c.to, 1))
		rnntrain(t, dir, "sweep", "-status", out).want(t, 0, note, c.want)
	}

	// A spec this build refuses to resolve (a key without effect) still
	// gives the table of the runs its axes name.
	require.Contains(t, base, "[base.model]")
	writeSpec(t, out, "sweep.toml", strings.Replace(base, "[base.model]", "[base.task.eval_settings]\nimplicit_context = false\n[base.model]", 1))
	const refused = "task.eval_settings.implicit_context: false has no effect"
	rnntrain(t, dir, "sweep", "-status", out).want(t, 0, "1 points: 1 done", refused, "its points are read from the run directories the spec's axes name")
	rnntrain(t, dir, "sweep", "-collect", out).want(t, 0, "1 of 1 points done")
	rnntrain(t, dir, "sweep", "-run-point", out, "0").want(t, 1, refused)
}

// TestSweepRelativeSbatch: a relative -sbatch is kept absolute in the
// sweep's record, so that -status run from another directory still asks
// the Slurm tools beside it.
func TestSweepRelativeSbatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := fakeSlurm(t, dir)
	spec := writeSpec(t, dir, "spec.toml", tinySpec(t))
	out := filepath.Join(dir, "slurm")
	rnntrain(t, dir, "sweep", spec, "-out", out, "-executor", "slurm", "-sbatch", filepath.Join("bin", "sbatch")).
		want(t, 0, "submitted Slurm array job 42")
	b, err := os.ReadFile(filepath.Join(out, "sweep.json"))
	require.NoError(t, err)
	var rec sweep.Record
	require.NoError(t, json.Unmarshal(b, &rec))
	assert.Equal(t, filepath.Join(bin, "sbatch"), rec.Options.Sbatch)
	rnntrain(t, t.TempDir(), "sweep", "-status", out).want(t, 0, "sacct: Slurm accounting storage is disabled", "4 points: 4 done")
}

func TestSweepSlurmExecutor(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := fakeSlurm(t, dir)
	spec := writeSpec(t, dir, "spec.toml", tinySpec(t))
	local, slurm := filepath.Join(dir, "local"), filepath.Join(dir, "slurm")
	rnntrain(t, dir, "sweep", spec, "-out", local).want(t, 0)
	rnntrain(t, dir, "sweep", spec, "-out", slurm, "-executor", "slurm", "-sbatch", filepath.Join(bin, "sbatch"),
		"-time", "00:05:00", "-mem", "1G").want(t, 0, "submitted Slurm array job 42: 4 tasks (--array=0-3%2)")

	script, err := os.ReadFile(filepath.Join(bin, "submitted.sbatch"))
	require.NoError(t, err)
	abs, err := filepath.Abs(slurm)
	require.NoError(t, err)
	for _, line := range []string{"#SBATCH --array=0-3%2", "#SBATCH --partition=debug", "#SBATCH --time=00:05:00", "#SBATCH --mem=1G",
		"#SBATCH --cpus-per-task=1", "#SBATCH --signal=B:USR1@60", "#SBATCH --requeue", "#SBATCH --output=\"" + abs + "/logs/slurm-%A_%a.out\"",
		"sweep -run-point '" + abs + "' \"$SLURM_ARRAY_TASK_ID\""} {
		assert.Contains(t, string(script), line+"\n")
	}
	assert.FileExists(t, filepath.Join(slurm, "logs", "slurm-42_3.out"))
	rnntrain(t, dir, "sweep", "-status", slurm).want(t, 0, "42_3", "sacct: Slurm accounting storage is disabled", "4 points: 4 done")

	// Both executors ran the same points to the same results.
	rnntrain(t, dir, "sweep", "-collect", local).want(t, 0)
	rnntrain(t, dir, "sweep", "-collect", slurm).want(t, 0)
	a, b := readCSV(t, filepath.Join(local, "collect.csv")), readCSV(t, filepath.Join(slurm, "collect.csv"))
	require.Len(t, b, 4)
	for i := range a {
		for _, k := range []string{"model.rank", "seed", "accuracy", "mse", "loss", "steps"} {
			assert.Equal(t, a[i][k], b[i][k], "point %d %s", i, k)
		}
	}
}

// TestSweepSlurmToolsFail checks the Slurm executor where sbatch cannot
// run or fails, and -wait where squeue cannot run or no longer knows the
// job: one line each, exit 1, and no endless wait.
func TestSweepSlurmToolsFail(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := writeSpec(t, dir, "spec.toml", strings.NewReplacer(`"model.rank" = [1, 2]`, `"model.rank" = [1]`, "seed = [1, 2]", "seed = [1]").Replace(tinySpec(t)))
	bin := filepath.Join(dir, "bin")
	require.NoError(t, os.MkdirAll(bin, 0o755))
	tool := func(name, text string) string {
		writeSpec(t, bin, name, "#!/bin/sh\n"+text)
		require.NoError(t, os.Chmod(filepath.Join(bin, name), 0o755))
		return filepath.Join(bin, name)
	}
	missing := filepath.Join(dir, "nobin", "sbatch")
	rnntrain(t, dir, "sweep", spec, "-out", filepath.Join(dir, "a"), "-executor", "slurm", "-sbatch", missing).want(t, 1,
		"sbatch: fork/exec "+missing+": no such file or directory: give the path of Slurm's sbatch with -sbatch")
	failing := tool("failing-sbatch", "echo 'sbatch: error: Batch job submission failed: Invalid partition name specified' >&2\necho 'sbatch: fatal: giving up' >&2\nexit 1\n")
	r := rnntrain(t, dir, "sweep", spec, "-out", filepath.Join(dir, "b"), "-executor", "slurm", "-sbatch", failing)
	r.want(t, 1, "exit status 1: sbatch: error: Batch job submission failed: Invalid partition name specified; sbatch: fatal: giving up\n")
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), r.stderr)
	// An array beyond the cluster's MaxArraySize: the highest index named.
	failing = tool("array-sbatch", "echo 'sbatch: error: Batch job submission failed: Invalid job array specification' >&2\nexit 1\n")
	rnntrain(t, dir, "sweep", spec, "-out", filepath.Join(dir, "b2"), "-executor", "slurm", "-sbatch", failing).want(t, 1,
		"Invalid job array specification (the array's highest index is 0; a cluster takes indices below its MaxArraySize")

	// An sbatch that submits and a squeue that does not run: -wait ends.
	tool("sbatch", "echo 7\n")
	c := exec.Command(binary, "sweep", spec, "-out", filepath.Join(dir, "c"), "-executor", "slurm", "-sbatch", filepath.Join(bin, "sbatch"), "-wait")
	timer := time.AfterFunc(time.Minute, func() { c.Process.Kill() })
	r = runBinary(t, c, dir)
	timer.Stop()
	r.want(t, 1, "submitted Slurm array job 7", "-wait: "+filepath.Join(bin, "squeue")+": fork/exec", "the array job 7 was submitted and runs without the wait")
	// One that no longer knows the job: it has left the queue.
	tool("squeue", "echo 'slurm_load_jobs error: Invalid job id specified' >&2\nexit 1\n")
	rnntrain(t, dir, "sweep", spec, "-out", filepath.Join(dir, "d"), "-executor", "slurm", "-sbatch", filepath.Join(bin, "sbatch"), "-wait").want(t, 0,
		"submitted Slurm array job 7", "1 points: 1 pending")
}

func TestSweepStopAndResume(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := writeSpec(t, dir, "spec.toml", strings.Replace(tinySpec(t), "steps = 10", "steps = 400", 1))
	out := filepath.Join(dir, "sw")
	cmd := exec.Command(binary, "sweep", spec, "-out", out, "-jobs", "2")
	cmd.Dir = dir
	var stdout strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stdout
	require.NoError(t, cmd.Start())
	// Stop once both running points have saved a checkpoint.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		m0, _ := filepath.Glob(filepath.Join(out, "runs", "p0000-*", "checkpoint.safetensors"))
		m1, _ := filepath.Glob(filepath.Join(out, "runs", "p0001-*", "checkpoint.safetensors"))
		if len(m0)+len(m1) == 2 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err := cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, stdout.String())
	if ee.ExitCode() != 75 {
		t.Fatalf("exit status %d, want 75 after SIGTERM\n%s", ee.ExitCode(), stdout.String())
	}
	st := rnntrain(t, dir, "sweep", "-status", out)
	st.want(t, 0, "pending")
	if strings.Contains(st.stdout, "stopped") {
		assert.Contains(t, stdout.String(), "checkpoint saved (exit 75")
	}
	rnntrain(t, dir, "sweep", "-resume", out).want(t, 0, "0 failed")
	rnntrain(t, dir, "sweep", "-status", out).want(t, 0, "4 points: 4 done")
	var ev struct {
		Step int `json:"step"`
	}
	b, err := os.ReadFile(filepath.Join(out, "runs", "p0000-model.rank=1-seed=1", "eval.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &ev))
	assert.Equal(t, 400, ev.Step)
}

func TestSweepBadSpecs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := tinySpec(t)
	cases := []struct {
		name, from, to string
		want           []string
	}{
		{"unknown axis key", `"model.rank" = [1, 2]`, `"model.rankk" = [1, 2]`, []string{`axes: "model.rankk"`, "rankk"}},
		{"unknown section key", `seed = [1, 2]`, `"trian.steps" = [1, 2]`, []string{`"trian.steps"`}},
		{"bad value", `"model.rank" = [1, 2]`, `"model.rank" = ["two"]`, []string{`"model.rank" = "two"`}},
		{"invalid value", `"model.rank" = [1, 2]`, `"train.lr" = [-1.0]`, []string{"lr", "must be positive"}},
		{"empty axis", `"model.rank" = [1, 2]`, `"model.rank" = []`, []string{`"model.rank": empty list`}},
		{"repeated value", `"model.rank" = [1, 2]`, `"model.rank" = [1, 1]`, []string{"appears twice"}},
		// Two names of one surrogate are two values of the axis but one
		// network: every pair of points would train the same run.
		{"one setting by two names", `"model.rank" = [1, 2]`, "\"model.kind\" = [\"lif\"]\n\"model.surrogate\" = [\"fast_sigmoid\", \"FastSigmoid(k=25)\"]",
			[]string{"point p0002-model.kind=lif-model.surrogate=FastSigmoid_k_25_-seed=1 trains the same network as point p0000-model.kind=lif-model.surrogate=fast_sigmoid-seed=1"}},
		{"table value", `"model.rank" = [1, 2]`, `"model.rank" = [{a = 1}]`, []string{`"model.rank"[0]`}},
		{"unquoted dotted key", `"model.rank" = [1, 2]`, `model.rank = [1, 2]`, []string{"quote a dotted key"}},
		{"unknown base key", "hidden = 8", "hiden = 8", []string{"base", "hiden"}},
		{"unknown sweep key", "jobs = 2", "jobz = 2", []string{`unknown key "jobz"`}},
		{"bad sweep value", "jobs = 2", "jobs = -2", []string{"sweep.jobs", "-2"}},
		{"bad mode", "jobs = 2", `mode = "latin"`, []string{"sweep.mode", "latin"}},
		// A run of GOMAXPROCS 100 000 dies of thread exhaustion.
		{"cpus per task beyond any node", "jobs = 2", "cpus_per_task = 100000", []string{"sweep.cpus_per_task: 100000: want a whole number from 1 to 1024"}},
		{"signal time beyond sbatch's", "jobs = 2", "signal_s = 70000", []string{"sweep.signal_s: 70000: want a whole number of seconds from 0 to 65535"}},
		{"random without samples", "jobs = 2", `mode = "random"`, []string{"sweep.samples"}},
		{"too many samples", "jobs = 2", "mode = \"random\"\nsamples = 5", []string{"only 4 points"}},
		{"unknown table", "[sweep]", "[sweeps]", []string{`"sweeps"`}},
		{"nan", `"model.rank" = [1, 2]`, `"train.lr" = [nan]`, []string{"finite"}},
		// A task is refused before any point runs, not by the point.
		{"unknown task", `"model.rank" = [1, 2]`, `"task.name" = ["bogus"]`, []string{`axes: "task.name" = "bogus"`, `unknown task "bogus"`}},
		// So are a point's task settings its task cannot be built from,
		// with a curriculum or without, from the base or an axis.
		{"unbuildable base task", `name = "context-dm"`, "name = \"context-dm\"\nsettings = { stimulus_ms = 5 }",
			[]string{"spec.toml: point p0000-model.rank=1-seed=1: base: task.settings.stimulus_ms: tasks: context-dm (default preset dubreuil): stimulus_ms = 5 is shorter than one step of dt_ms = 20"}},
		{"unbuildable axis task", `"model.rank" = [1, 2]`, `"task.settings.stimulus_ms" = [800, 5]`,
			[]string{"spec.toml: point p0002-task.settings.stimulus_ms=5-seed=1: axes: \"task.settings.stimulus_ms\" = 5: tasks: context-dm", "stimulus_ms = 5 is shorter than one step"}},
		{"unbuildable task of base and axis", "[axes]\n\"model.rank\" = [1, 2]", "[base.task.settings]\ndt_ms = 10\n[axes]\n\"task.settings.stimulus_ms\" = [800, 5]",
			[]string{"spec.toml: point p0002-task.settings.stimulus_ms=5-seed=1: base: task.settings.dt_ms and axes: \"task.settings.stimulus_ms\" = 5: tasks: context-dm", "stimulus_ms = 5 is shorter than one step of dt_ms = 10"}},
		// And a task.eval_settings of another dt or that the final task
		// cannot be built with.
		{"eval settings of another dt", `name = "context-dm"`, "name = \"context-dm\"\neval_settings = { dt_ms = 10 }",
			[]string{"spec.toml: point p0000-model.rank=1-seed=1: base: task.eval_settings: dt_ms = 10, the run's task context-dm has dt_ms = 20"}},
		{"unbuildable eval task", `name = "context-dm"`, "name = \"context-dm\"\neval_settings = { stimulus_ms = 5 }\n[[base.train.curriculum]]\nsettings = { noise = 0.2 }",
			[]string{"spec.toml: point p0000-model.rank=1-seed=1: base: task.eval_settings: tasks: context-dm (default preset dubreuil): stimulus_ms = 5 is shorter than one step of dt_ms = 20"}},
		// So is a curriculum stage's task or preset, by its key.
		{"unknown stage task", "[axes]", "[[base.train.curriculum]]\ntask = \"context-dmm\"\n[axes]",
			[]string{"spec.toml: point p0000-model.rank=1-seed=1: base: train.curriculum[0].task: unknown task \"context-dmm\""}},
		{"stage preset of another task", "[axes]", "[[base.train.curriculum]]\n[[base.train.curriculum]]\ntask = \"go-nogo\"\npreset = \"dubreuil\"\n[axes]",
			[]string{"spec.toml: point p0000-model.rank=1-seed=1: base: train.curriculum[1].preset: task go-nogo has no preset \"dubreuil\""}},
		{"stage preset of the run's task", "[axes]", "[[base.train.curriculum]]\npreset = \"psychrnn\"\n[axes]",
			[]string{"base: train.curriculum[0].preset: task context-dm has no preset \"psychrnn\""}},
		// And a stage whose task has other sizes or another dt than the
		// point's task, which the point's training would refuse.
		{"stage task of other sizes and dt", "[axes]", "[[base.train.curriculum]]\ntask = \"flip-flop\"\n[axes]",
			[]string{"spec.toml: point p0000-model.rank=1-seed=1: base: train.curriculum[0]: its task flip-flop has 3 inputs, 3 outputs and dt_ms = 100, the run's task context-dm has 4 inputs, 1 output and dt_ms = 20"}},
		{"stage of another dt", "[axes]", "[[base.train.curriculum]]\n[[base.train.curriculum]]\nsettings = { dt_ms = 10 }\n[axes]",
			[]string{"spec.toml: point p0000-model.rank=1-seed=1: base: train.curriculum[1]: its task context-dm has dt_ms = 10, the run's task context-dm has dt_ms = 20", "give the stage's settings dt_ms = 20"}},
		{"stage of another point's sizes", "[axes]\n\"model.rank\" = [1, 2]", "[[base.train.curriculum]]\ntask = \"multisensory\"\n[axes]\n\"task.name\" = [\"context-dm\", \"perceptual-dm\"]",
			[]string{"spec.toml: point p0002-task.name=perceptual-dm-seed=1: base: train.curriculum[0]: its task multisensory has 4 inputs, the run's task perceptual-dm has 1 input"}},
		// And a curriculum that no evaluation before a point's last
		// step can advance.
		{"curriculum without evaluation", "eval_every = 5\neval_trials = 32\nlog_every = 5\ncheckpoint_every = 5\n",
			"eval_every = 10\neval_trials = 32\nlog_every = 5\ncheckpoint_every = 5\n[[base.train.curriculum]]\n[[base.train.curriculum]]\nsettings = {}\n",
			[]string{"spec.toml: point p0000-model.rank=1-seed=1: base: train.eval_every: 10 leaves the 2 curriculum stages (train.curriculum) without a held-out evaluation before the last of the 10 steps"}},
		{"syntax", "[axes]", "[axes", []string{"spec"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Contains(t, base, c.from)
			spec := writeSpec(t, t.TempDir(), "spec.toml", strings.Replace(base, c.from, c.to, 1))
			out := filepath.Join(t.TempDir(), "sw")
			rnntrain(t, dir, "sweep", spec, "-out", out).want(t, 2, c.want...)
			assert.NoDirExists(t, filepath.Join(out, "runs"))
		})
	}
	spec := writeSpec(t, dir, "spec.toml", base)
	for _, args := range [][]string{
		{"sweep", spec},
		{"sweep", "-out", filepath.Join(dir, "x")},
		{"sweep", "-status", dir, "-collect", dir},
		{"sweep", spec, "-out", dir, "-executor", "pbs"},
		{"sweep", "-run-point", dir},
	} {
		rnntrain(t, dir, args...).want(t, 2)
	}
	// A negative INDEX is an index, not a flag; flags after it still are.
	for _, args := range [][]string{
		{"sweep", "-run-point", dir, "-1"},
		{"sweep", "-1", "-run-point", dir},
	} {
		r := rnntrain(t, dir, args...)
		r.want(t, 2, "-run-point "+dir+" -1: INDEX must be a point index ≥ 0")
		if strings.Contains(r.stderr, "not defined") {
			t.Errorf("%q: a negative number taken for a flag:\n%s", args, r.stderr)
		}
	}
	// sbatch refuses a --signal time beyond 65535 s.
	rnntrain(t, dir, "sweep", spec, "-out", filepath.Join(dir, "x"), "-signal-s", "100000").want(t, 2, "-signal-s: sweep.signal_s: 100000: want a whole number of seconds from 0 to 65535")
	rnntrain(t, dir, "sweep", spec, "-out", filepath.Join(dir, "x"), "-cpus-per-task", "2000").want(t, 2, "-cpus-per-task: sweep.cpus_per_task: 2000: want a whole number from 1 to 1024")
	// A flag's bad negative value is still the flag's error.
	rnntrain(t, dir, "fit", "-steps", "-1.5").want(t, 2, `invalid value "-1.5" for flag -steps`)
}

// TestSweepDatasetStageLeftToPoint: a curriculum whose run's task reads a
// data file is not built when the sweep resolves (that would read the
// file for every point); a stage of another dt is refused by the point's
// own training, whose log names the stage.
func TestSweepDatasetStageLeftToPoint(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "d.npz")
	writeTinyNPZ(t, data)
	base := tinySpec(t)
	for _, r := range [][2]string{
		{`name = "context-dm"`, fmt.Sprintf("name = \"npz\"\nsettings = { path = %q }", data)},
		{"[axes]", "[[base.train.curriculum]]\ntask = \"perceptual-dm\"\n[axes]"},
		{"\"model.rank\" = [1, 2]\nseed = [1, 2]", "seed = [1]"},
	} {
		require.Contains(t, base, r[0])
		base = strings.Replace(base, r[0], r[1], 1)
	}
	spec := writeSpec(t, dir, "spec.toml", base)
	out := filepath.Join(dir, "sw")
	rnntrain(t, dir, "sweep", spec, "-out", out).want(t, 1, "1 of 1 points failed")
	b, err := os.ReadFile(filepath.Join(out, "logs", "p0000.log"))
	require.NoError(t, err)
	assert.Contains(t, string(b), "train.curriculum[0]: its task perceptual-dm has dt_ms = 20, the run's task npz has no time step")
}

// TestSweepFailedPointError: the error a failed point's run printed last
// is in the line that reports its end, its attempts.jsonl, -status and
// -collect's error column; a point that did not fail has none.
func TestSweepFailedPointError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := strings.Replace(tinySpec(t), "\"model.rank\" = [1, 2]\nseed = [1, 2]", "\"train.lr\" = [1e-3, 1e30]", 1)
	require.Contains(t, base, "1e30")
	spec := writeSpec(t, dir, "spec.toml", base)
	out := filepath.Join(dir, "sw")
	const why = "step 1: after the update, parameter lowrank.m has"
	r := rnntrain(t, dir, "sweep", spec, "-out", out)
	r.want(t, 1, "1 of 2 points failed", "p0001-train.lr=1e+30: failed (exit 1, ")
	r.want(t, 1, "s): "+why)
	rnntrain(t, dir, "sweep", "-status", out).want(t, 0, "point 1 failed: "+why, "beyond max_param 1e+06")
	rnntrain(t, dir, "sweep", "-collect", out).want(t, 0, "| wall_s | error |")
	rows := readCSV(t, filepath.Join(out, "collect.csv"))
	require.Len(t, rows, 2)
	assert.Empty(t, rows[0]["error"])
	assert.Equal(t, "failed", rows[1]["state"])
	assert.True(t, strings.HasPrefix(rows[1]["error"], why), "error column %q", rows[1]["error"])
}

// TestSweepOverrideZero: a zero in task.eval_settings that the final
// evaluation could not apply is refused before any point runs, in the
// base or as an axis value, naming it; catch_fraction = 0, which it
// applies, is taken.
func TestSweepOverrideZero(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := strings.Replace(tinySpec(t), "\"model.rank\" = [1, 2]\nseed = [1, 2]", "\"task.eval_settings.catch_fraction\" = [0, 0.5]", 1)
	require.Contains(t, base, "catch_fraction")
	for _, c := range []struct{ from, to, want string }{
		{"[axes]", "[axes]\n\"task.eval_settings.implicit_context\" = [false]",
			`axes: "task.eval_settings.implicit_context" = false: task.eval_settings.implicit_context: false has no effect`},
		{"[axes]", "[base.task.eval_settings]\ncontext_modality = 0\n[axes]", "base: task.eval_settings.context_modality: 0 has no effect"},
		{"[axes]", "[base.task.eval_settings]\ncoherence = [2]\n[axes]", `unknown key "task.eval_settings.coherence"; did you mean "task.eval_settings.coherences"?`},
	} {
		spec := writeSpec(t, dir, "spec.toml", strings.Replace(base, c.from, c.to, 1))
		rnntrain(t, dir, "sweep", spec, "-out", filepath.Join(dir, "refused")).want(t, 2, c.want)
	}
	// Under a run's catch trials, the point of catch_fraction = 0 scores
	// every trial of its final evaluation, the other about half.
	base = strings.Replace(base, "[axes]", "[base.task.settings]\ncatch_fraction = 0.5\n[axes]", 1)
	spec := writeSpec(t, dir, "spec.toml", base)
	rnntrain(t, dir, "sweep", spec, "-out", filepath.Join(dir, "sw")).want(t, 0, "p0000-task.eval_settings.catch_fraction=0: done", "2 points run, 0 failed")
	scored := func(name string) int {
		b, err := os.ReadFile(filepath.Join(dir, "sw", "runs", name, "eval.json"))
		require.NoError(t, err)
		var e struct{ Trials int }
		require.NoError(t, json.Unmarshal(b, &e))
		return e.Trials
	}
	none, half := scored("p0000-task.eval_settings.catch_fraction=0"), scored("p0001-task.eval_settings.catch_fraction=0.5")
	assert.Equal(t, 1000, none, "catch_fraction = 0: every trial scored")
	assert.True(t, half > 400 && half < 600, "catch_fraction = 0.5: %d of 1000 trials scored", half)
}

// TestSweepPointErrorNamesSpecKey: a value that a point's validation
// refuses is named as the spec gave it, by its axis and the point's value
// or by its [base] key, never by a flag (a sweep takes no run flags) or a
// config file; a key neither gave is named alone.
func TestSweepPointErrorNamesSpecKey(t *testing.T) {
	t.Parallel()
	base := tinySpec(t)
	for _, c := range []struct{ name, from, to, want string }{
		{"axis", `"model.rank" = [1, 2]`, `"train.batch_size" = [0, 8]`,
			`point p0000-train.batch_size=0-seed=1: axes: "train.batch_size" = 0: must be positive, got 0`},
		{"axis of a flag-less key", `"model.rank" = [1, 2]`, `"train.advance_threshold" = [1.5]`,
			`point p0000-train.advance_threshold=1.5-seed=1: axes: "train.advance_threshold" = 1.5: must be in (0, 1], got 1.5`},
		{"base", "batch_size = 8", "batch_size = -4",
			`point p0000-model.rank=1-seed=1: base: train.batch_size: must be positive, got -4`},
		{"task axis", `"model.rank" = [1, 2]`, `"task.name" = ["bogus"]`,
			`point p0000-task.name=bogus-seed=1: axes: "task.name" = "bogus": unknown task "bogus"; valid tasks: `},
		{"preset axis", `"model.rank" = [1, 2]`, `"task.preset" = ["psychrnn"]`,
			`point p0000-task.preset=psychrnn-seed=1: axes: "task.preset" = "psychrnn": task context-dm has no preset "psychrnn"; valid presets: `},
		{"base task", `name = "context-dm"`, `name = "bogus"`,
			`point p0000-model.rank=1-seed=1: base: task.name: unknown task "bogus"`},
		// A base without a task has the default task, and says so.
		{"default task", `name = "context-dm"`, `settings = { split_seed = 3 }`,
			`point p0000-model.rank=1-seed=1: base: task.settings.split_seed: task context-dm (the default task; default preset dubreuil) does not take this setting`},
		{"default task's preset", `name = "context-dm"`, `preset = "psychrnn"`,
			`point p0000-model.rank=1-seed=1: base: task.preset: task context-dm (the default task) has no preset "psychrnn"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.Contains(t, base, c.from)
			spec, err := sweep.Parse([]byte(strings.Replace(base, c.from, c.to, 1)))
			require.NoError(t, err)
			_, err = resolveSweep(spec)
			require.Error(t, err)
			msg := err.Error()
			if !strings.Contains(msg, c.want) || strings.Contains(msg, "in a config file") || strings.Contains(msg, "-batch") {
				t.Errorf("error\n%s\nwant it to hold\n%s\nand name no flag or config file", msg, c.want)
			}
		})
	}
}

// runPointUntilSignal runs 'sweep -run-point dir i' as array task 42_i,
// sends sig once the point has saved a checkpoint, and returns the exit
// status and output.
func runPointUntilSignal(t *testing.T, dir, out string, i int, sig os.Signal) (int, string) {
	t.Helper()
	cmd := exec.Command(binary, "sweep", "-run-point", out, fmt.Sprint(i))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SLURM_ARRAY_JOB_ID=42", fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", i), "SLURM_JOB_ID=42")
	var output strings.Builder
	cmd.Stdout, cmd.Stderr = &output, &output
	require.NoError(t, cmd.Start())
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m, _ := filepath.Glob(filepath.Join(out, "runs", fmt.Sprintf("p%04d-*", i), "checkpoint.safetensors")); len(m) == 1 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(sig))
	err := cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, output.String())
	return ee.ExitCode(), output.String()
}

// queueOnlySlurm writes into dir/bin an sbatch that submits array job 42, a
// scontrol that appends its arguments to bin/scontrol.args and a squeue
// with an empty queue, and returns bin.
func queueOnlySlurm(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "bin")
	require.NoError(t, os.MkdirAll(bin, 0o755))
	writeSpec(t, bin, "sbatch", "#!/bin/sh\necho 42\n")
	writeSpec(t, bin, "scontrol", "#!/bin/sh\necho \"$@\" >> \""+bin+"/scontrol.args\"\n")
	writeSpec(t, bin, "squeue", "#!/bin/sh\nexit 0\n")
	for _, f := range []string{"sbatch", "scontrol", "squeue"} {
		require.NoError(t, os.Chmod(filepath.Join(bin, f), 0o755))
	}
	return bin
}

// submitLongSweep submits the test sweep, with a million steps a point, to
// the fake sbatch in bin, into dir/sw, and returns that directory.
func submitLongSweep(t *testing.T, dir, bin string) string {
	t.Helper()
	spec := writeSpec(t, dir, "spec.toml", strings.Replace(tinySpec(t), "steps = 10", "steps = 1000000", 1))
	out := filepath.Join(dir, "sw")
	rnntrain(t, dir, "sweep", spec, "-out", out, "-executor", "slurm", "-sbatch", filepath.Join(bin, "sbatch")).want(t, 0, "submitted Slurm array job 42")
	return out
}

func TestSweepRunPointRequeue(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := queueOnlySlurm(t, dir)
	out := submitLongSweep(t, dir, bin)

	// SIGTERM (scancel, preemption): saved, status 75, no requeue.
	code, output := runPointUntilSignal(t, dir, out, 0, syscall.SIGTERM)
	assert.Equal(t, 75, code, output)
	assert.Contains(t, output, "stopped by SIGTERM")
	assert.NoFileExists(t, filepath.Join(bin, "scontrol.args"))

	// SIGUSR1 (the time-limit warning): saved, status 75, and the task
	// requeues itself by its array job and index.
	code, output = runPointUntilSignal(t, dir, out, 1, syscall.SIGUSR1)
	assert.Equal(t, 75, code, output)
	assert.Contains(t, output, "stopped by SIGUSR1 (the time-limit warning)")
	args, err := os.ReadFile(filepath.Join(bin, "scontrol.args"))
	require.NoError(t, err)
	assert.Equal(t, "requeue 42_1\n", string(args))

	st := rnntrain(t, dir, "sweep", "-status", out)
	st.want(t, 0, "2 pending, 2 stopped")
	assert.Regexp(t, `p0001-model.rank=1-seed=2 +stopped +1 +75 .* 42_1`, st.stdout)
}

// TestSweepKindAxisKeepsBaseModelKeys checks that a point whose model.kind
// axis value differs from the base's kind keeps the base's model keys that
// its model has (a lif base's tau_mem_ms in an alif point) and leaves out
// those it has not (in an ltc point).
func TestSweepKindAxisKeepsBaseModelKeys(t *testing.T) {
	t.Parallel()
	spec, err := sweep.Parse([]byte("[base.model]\nkind = \"lif\"\nhidden = 8\ntau_mem_ms = 30\nthreshold = 0.5\n" +
		"[axes]\n\"model.kind\" = [\"lif\", \"alif\", \"ltc\"]\n"))
	require.NoError(t, err)
	plan, err := resolveSweep(spec)
	require.NoError(t, err)
	require.Len(t, plan.configs, 3)
	for i, want := range []map[string]any{
		{"kind": "lif", "tau_mem_ms": 30.0, "threshold": 0.5, "hidden": 8.0},
		{"kind": "alif", "tau_mem_ms": 30.0, "threshold": 0.5, "hidden": 8.0},
		{"kind": "ltc", "tau_mem_ms": nil, "threshold": 0.5, "hidden": 8.0},
	} {
		var cfg struct{ Model map[string]any }
		require.NoError(t, json.Unmarshal(plan.configs[i], &cfg))
		for k, v := range want {
			assert.Equal(t, v, cfg.Model[k], "point %d: model.%s", i, k)
		}
	}
	// A key of no model is still refused.
	spec, err = sweep.Parse([]byte("[base.model]\nkind = \"lif\"\ntau_mem = 30\n[axes]\n\"model.kind\" = [\"lif\", \"alif\"]\n"))
	require.NoError(t, err)
	_, err = resolveSweep(spec)
	require.ErrorContains(t, err, `unknown key "tau_mem"`)
}

// TestSweepKeepsLargeSeeds: a seed axis's whole numbers reach each point's
// config as written: 2⁵³ and 2⁵³ + 1 are two seeds, not one rounded
// through a float64 (which the points' check would refuse as one network).
func TestSweepKeepsLargeSeeds(t *testing.T) {
	t.Parallel()
	spec, err := sweep.Parse([]byte("[base.model]\nkind = \"lif\"\nhidden = 8\n[axes]\nseed = [9007199254740992, 9007199254740993]\n"))
	require.NoError(t, err)
	plan, err := resolveSweep(spec)
	require.NoError(t, err)
	require.Len(t, plan.configs, 2)
	for i, want := range []uint64{9007199254740992, 9007199254740993} {
		var cfg struct{ Seed uint64 }
		require.NoError(t, json.Unmarshal(plan.configs[i], &cfg))
		assert.Equal(t, want, cfg.Seed, "point %d", i)
	}
}

// TestSweepSlurmValues: a partition, time, mem, job_name or output that
// is not a form sbatch reads, or is out of bounds, is a usage error naming the spec file (or
// the flag), the key and the form wanted, before anything runs or any
// script is written.
func TestSweepSlurmValues(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := tinySpec(t)
	const from = `partition = "debug"`
	require.Contains(t, base, from)
	for _, c := range []struct {
		line string
		want []string
	}{
		{`time = "abc"`, []string{`sweep.time: "abc"`, "minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS"}},
		{`time = "1:60:00"`, []string{`sweep.time: "1:60:00"`}},
		{`time = "400-00:00:00"`, []string{"sweep.time", "at most 365 days"}},
		{`mem = "-5G"`, []string{`sweep.mem: "-5G"`, "a whole number of megabytes, or with a K, M, G or T suffix"}},
		{`mem = "99999999T"`, []string{"sweep.mem", "at most 1024T"}},
		{`job_name = "x --wrap='id' $(id)"`, []string{"sweep.job_name", "1 to 128 of the characters A-Z a-z 0-9 . _ -"}},
		{`job_name = "a\nb"`, []string{"sweep.job_name"}},
		{`job_name = "` + strings.Repeat("x", 129) + `"`, []string{"sweep.job_name"}},
		{`partition = "debug --wrap=id"`, []string{`sweep.partition: "debug --wrap=id"`, "a partition name of 1 to 128 of A-Z a-z 0-9 . _ -, or a comma-separated list of them"}},
		{`partition = "a,,b"`, []string{"sweep.partition"}},
		{`partition = "gpu,` + strings.Repeat("x", 129) + `"`, []string{"sweep.partition", "1 to 128"}},
		{`partition = "` + strings.Repeat("gpu,", 300) + `cpu"`, []string{"sweep.partition: 1203 characters", "at most 1024 characters"}},
		{`output = "logs\\%A.out"`, []string{"sweep.output", "a path without backslashes or control characters"}},
	} {
		spec := writeSpec(t, t.TempDir(), "spec.toml", strings.Replace(base, from, c.line, 1))
		out := filepath.Join(dir, "sw")
		rnntrain(t, dir, "sweep", spec, "-out", out, "-executor", "slurm", "-sbatch", "/nonexistent/sbatch").want(t, 2, append([]string{"spec " + spec}, c.want...)...)
		assert.NoFileExists(t, filepath.Join(out, "sweep.sbatch"))
	}
	spec := writeSpec(t, dir, "spec.toml", base)
	rnntrain(t, dir, "sweep", spec, "-out", filepath.Join(dir, "sw"), "-time", "1:00:00 --wrap=id").want(t, 2, "-time: sweep.time")
	rnntrain(t, dir, "sweep", spec, "-out", filepath.Join(dir, "sw"), "-partition", "debug --wrap=id").want(t, 2, "-partition: sweep.partition")
}

// TestSweepSlurmPaths: a sweep directory with a space, a quote and a $ in
// it reaches sbatch's --output and the task's -run-point whole; one with a
// backslash, which sbatch's --output cannot take, is a usage error naming
// -out before anything is written.
func TestSweepSlurmPaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := tinySpec(t)
	spec := writeSpec(t, dir, "spec.toml", base)
	rnntrain(t, dir, "sweep", spec, "-out", filepath.Join(dir, `a\b`), "-executor", "slurm", "-sbatch", "/nonexistent/sbatch").want(t, 2, "-out "+filepath.Join(dir, `a\b`), "backslashes")
	assert.NoDirExists(t, filepath.Join(dir, `a\b`))

	// One point, run by the fake sbatch from a directory named with a
	// space, a quote and a $.
	bin := fakeSlurm(t, dir)
	one := writeSpec(t, dir, "one.toml", strings.Replace(strings.Replace(base, `"model.rank" = [1, 2]`, `"model.rank" = [1]`, 1), "seed = [1, 2]", "seed = [1]", 1))
	sw := filepath.Join(dir, `sw p'$x`)
	rnntrain(t, dir, "sweep", one, "-out", sw, "-executor", "slurm", "-sbatch", filepath.Join(bin, "sbatch")).want(t, 0, "submitted Slurm array job 42: 1 tasks")
	script, err := os.ReadFile(filepath.Join(bin, "submitted.sbatch"))
	require.NoError(t, err)
	assert.Contains(t, string(script), "#SBATCH --output=\""+sw+"/logs/slurm-%A_%a.out\"\n")
	assert.FileExists(t, filepath.Join(sw, "logs", "slurm-42_0.out"))
	rnntrain(t, dir, "sweep", "-status", sw).want(t, 0, "1 points: 1 done")
}

// TestSweepKilledPoint: a point whose process was killed (SIGKILL: it
// neither saves nor records its end) shows in -status and -collect as
// killed with an unknown exit status, not as stopped with exit 0, and
// -resume runs it again.
func TestSweepKilledPoint(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := queueOnlySlurm(t, dir)
	out := submitLongSweep(t, dir, bin)
	code, output := runPointUntilSignal(t, dir, out, 0, syscall.SIGKILL)
	assert.Equal(t, -1, code, output)

	st := rnntrain(t, dir, "sweep", "-status", out)
	st.want(t, 0, "3 pending, 1 killed")
	assert.Regexp(t, `p0000-model.rank=1-seed=1 +killed +1 +\? +0\.0\+\? +42_0`, st.stdout)
	assert.Contains(t, st.stdout, "exit status and wall time unknown")
	col := rnntrain(t, dir, "sweep", "-collect", out)
	col.want(t, 0)
	rows := readCSV(t, filepath.Join(out, "collect.csv"))
	assert.Equal(t, "killed", rows[0]["state"])
	rnntrain(t, dir, "sweep", "-resume", out).want(t, 0, "1 killed", "4 to run")
}

// TestSweepReportKilled: the local executor reports a point whose process
// a signal killed as killed by it, not with the Go error "signal: killed".
func TestSweepReportKilled(t *testing.T) {
	t.Parallel()
	var stdout bytes.Buffer
	e := &env{stdout: &stdout, stderr: io.Discard}
	plan := &sweepPlan{names: []string{"p0000-seed=1"}}
	failed, stopped := 0, 0
	report(e, plan, pointDone{index: 0, sig: syscall.SIGKILL, wall: 1500 * time.Millisecond}, &failed, &stopped)
	assert.Equal(t, "  p0000-seed=1: killed by SIGKILL (1.5 s): it did not save; it resumes from its last checkpoint\n", stdout.String())
	assert.Equal(t, 1, failed)
}
