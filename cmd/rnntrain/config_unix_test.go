//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCLIConfigNotRegular checks that a FIFO or a device given as a config
// file, a sweep spec or a sweep's record is refused (status 1, a file that
// cannot be read) with an error naming it, instead of blocking in open until a writer comes (a FIFO) or reading
// what the device gives.
func TestCLIConfigNotRegular(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	fifo := filepath.Join(work, "config.toml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	sw := filepath.Join(work, "sweep")
	if err := os.Mkdir(sw, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(sw, "sweep.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"train", "-config", fifo, "-steps", "1"}, 1, fifo},
		{[]string{"train", "-config", os.DevNull, "-steps", "1"}, 1, os.DevNull},
		{[]string{"fit", "-data", filepath.Join(work, "x.npz"), "-config", fifo}, 1, fifo},
		{[]string{"sweep", fifo, "-out", filepath.Join(work, "out")}, 1, fifo},
		{[]string{"sweep", "-status", sw}, 1, filepath.Join(sw, "sweep.json")},
	}
	for _, c := range cases {
		r := rnntrainWithin(t, work, 30*time.Second, c.args...)
		r.want(t, c.code, c.want, "not a regular file")
	}
}

// rnntrainWithin is rnntrain killed after d: a command that blocks fails
// the test instead of hanging it.
func rnntrainWithin(t *testing.T, dir string, d time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	r := runBinary(t, exec.CommandContext(ctx, binary, args...), dir)
	if ctx.Err() != nil {
		t.Fatalf("rnntrain %s: still running after %v", strings.Join(args, " "), d)
	}
	return r
}

// TestCLIRunFilesNotRegular checks that a FIFO in place of a file of a
// run (metrics.jsonl for plot and train -resume; a sweep point's
// attempts.jsonl, eval.json, metrics.jsonl and lock file for -status,
// -collect and -run-point) is refused with an error naming it and exit
// status 1, instead of blocking in open until a writer comes.
func TestCLIRunFilesNotRegular(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-task", "context-dm", "-model", "lowrank", "-rank", "1", "-hidden", "8", "-steps", "4",
		"-eval-trials", "16", "-batch", "8", "-plot-format", "svg", "-out", run).want(t, 0)
	metrics := filepath.Join(run, "metrics.jsonl")
	toFIFO(t, metrics)
	rnntrainWithin(t, work, 30*time.Second, "plot", run, "-out", filepath.Join(work, "plots")).want(t, 1, metrics, "not a regular file")
	rnntrainWithin(t, work, 30*time.Second, "train", "-resume", run, "-steps", "8").want(t, 1, metrics, "not a regular file")
	// A new run in a directory that holds a FIFO metrics.jsonl, which the
	// run would open for writing: refused as a directory not empty.
	fresh := filepath.Join(work, "fresh")
	if err := os.Mkdir(fresh, 0o755); err != nil {
		t.Fatal(err)
	}
	toFIFO(t, filepath.Join(fresh, "metrics.jsonl"))
	rnntrainWithin(t, work, 30*time.Second, "train", "-task", "context-dm", "-model", "lowrank", "-rank", "1", "-hidden", "8", "-steps", "4",
		"-eval-trials", "16", "-batch", "8", "-out", fresh).want(t, 2, filepath.Join(fresh, "metrics.jsonl"), "is not empty")

	spec := filepath.Join(work, "one.toml")
	one := strings.Replace(strings.Replace(tinySpec(t), `"model.rank" = [1, 2]`, `"model.rank" = [1]`, 1), "seed = [1, 2]", "seed = [1]", 1)
	if err := os.WriteFile(spec, []byte(one), 0o644); err != nil {
		t.Fatal(err)
	}
	sw := filepath.Join(work, "sw")
	rnntrain(t, work, "sweep", spec, "-out", sw).want(t, 0)
	pt, err := filepath.Glob(filepath.Join(sw, "runs", "p0000-*"))
	if err != nil || len(pt) != 1 {
		t.Fatalf("point 0's run directory: %v, %v", pt, err)
	}
	// A local sweep's log of a point, which the sweep opens for appending.
	log := filepath.Join(sw, "logs", "p0000.log")
	toFIFO(t, log)
	os.Remove(filepath.Join(pt[0], "eval.json")) // the point is to run again
	rnntrainWithin(t, work, 60*time.Second, "sweep", "-resume", sw).want(t, 1, log, "not a regular file")
	os.Remove(log)
	rnntrain(t, work, "sweep", "-resume", sw).want(t, 0)

	for _, c := range []struct {
		file string
		args []string
		code int
	}{
		{"eval.json", []string{"-collect", sw}, 1},
		{"metrics.jsonl", []string{"-collect", sw}, 1},
		{"attempts.jsonl", []string{"-status", sw}, 1},
		{"attempts.jsonl", []string{"-run-point", sw, "0"}, 1},
		{".rnntrain.lock", []string{"-status", sw}, 0}, // no holder
		{"attempts.jsonl", []string{"-resume", sw}, 1},
	} {
		path := filepath.Join(pt[0], c.file)
		saved, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		toFIFO(t, path)
		r := rnntrainWithin(t, work, 30*time.Second, append([]string{"sweep"}, c.args...)...)
		if c.code == 0 {
			r.want(t, 0, "1 points: 1 done")
		} else {
			r.want(t, c.code, path, "not a regular file")
		}
		os.Remove(path)
		if saved != nil {
			if err := os.WriteFile(path, saved, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// toFIFO replaces path (if it exists) with a FIFO.
func toFIFO(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

// TestCLIFlagNotUTF8: a flag's value that is not valid UTF-8 (a file name
// may hold any bytes but / and NUL) cannot go into the run's config, which
// is JSON and would store it changed (each bad byte as U+FFFD), so the run
// would read another path than the one given: it is refused, naming the
// flag and the value, before anything is written.
func TestCLIFlagNotUTF8(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	bad := filepath.Join(work, "a\xffb.npz")
	writeTinyNPZ(t, bad)
	run := filepath.Join(work, "run")
	r := rnntrain(t, work, "train", "-task", "npz", "-data", bad, "-steps", "1", "-out", run)
	r.want(t, 2, `-data "`+work+`/a\xffb.npz": not valid UTF-8`)
	if _, err := os.Stat(run); !os.IsNotExist(err) {
		t.Errorf("a refused run wrote -out (%v)", err)
	}
	rnntrain(t, work, "train", "-model", "lif", "-rec-mask", "m\xfe.npy", "-steps", "1", "-out", run).want(t, 2, `-rec-mask "m\xfe.npy": not valid UTF-8`)

	// Nor can a JSON config file, which the decoder would read changed.
	conf := filepath.Join(work, "c.json")
	if err := os.WriteFile(conf, []byte("{\"task\": {\"name\": \"npz\",\n\"settings\": {\"path\": \"a\xffb.npz\"}}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-config", conf, "-steps", "1", "-out", run).want(t, 2, "config "+conf+": line 2: not valid UTF-8")
}

// TestCLIFitFlagNotUTF8: fit's -data and -out, which fit.json and every
// checkpoint's config (the path of data.npz) record as JSON, are refused
// when not valid UTF-8, naming the flag, as train's flags are: JSON would
// store each bad byte as U+FFFD, another path.
func TestCLIFitFlagNotUTF8(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	writeTinyFitData(t, work)
	bad := filepath.Join(work, "a\xffb.npz")
	if err := os.Rename(filepath.Join(work, "d.npz"), bad); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "fit")
	rnntrain(t, work, "fit", "-data", bad, "-ranks", "1", "-steps", "1", "-out", out).want(t, 2, `-data "`+work+`/a\xffb.npz": not valid UTF-8`)
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused fit wrote -out (%v)", err)
	}
	if err := os.Rename(bad, filepath.Join(work, "d.npz")); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "fit", "-data", "d.npz", "-ranks", "1", "-steps", "1", "-out", "f\xfe").want(t, 2, `-out "f\xfe": not valid UTF-8`)
	if _, err := os.Stat(filepath.Join(work, "f\xfe")); !os.IsNotExist(err) {
		t.Errorf("a refused fit wrote -out (%v)", err)
	}
}
