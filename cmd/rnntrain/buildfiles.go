package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rnntrain/rnntrain/internal/files"
)

// maskKeys are the config keys of the connectivity masks, which a
// network is built from each time a run is rebuilt and the checkpoint
// does not hold.
func maskKeys() []string {
	return []string{"model.rec_mask", "model.rec_fixed", "model.in_mask", "model.in_fixed"}
}

// builtFromPaths returns, by config key, the files a run of cfg is built
// from each time it is rebuilt (eval, resume, every analysis) and its
// checkpoints do not hold: the connectivity masks (maskKeys) and the
// data files of the npz task (task.settings.path, task.eval_settings.path,
// train.curriculum[i].settings.path), whose trials are divided into the
// splits again from the file.
func builtFromPaths(cfg runConfig) (map[string]string, error) {
	flat, err := flatten(&cfg)
	if err != nil {
		return nil, err
	}
	paths := map[string]string{}
	for _, k := range maskKeys() {
		if p, _ := flat[k].(string); p != "" {
			paths[k] = p
		}
	}
	if p := cfg.Task.Settings.Path; p != "" {
		paths["task.settings.path"] = p
	}
	if s := cfg.Task.EvalSettings; s != nil && s.Path != "" {
		paths["task.eval_settings.path"] = s.Path
	}
	for i, st := range cfg.Train.Curriculum {
		if st.Settings != nil && st.Settings.Path != "" {
			paths[fmt.Sprintf("train.curriculum[%d].settings.path", i)] = st.Settings.Path
		}
	}
	return paths, nil
}

// builtFromSums returns the SHA-256 (hex) of each file of cfg that
// builtFromPaths names, by its key; nil when there is none.
func builtFromSums(cfg runConfig) (map[string]string, error) {
	paths, err := builtFromPaths(cfg)
	if err != nil {
		return nil, err
	}
	var sums map[string]string
	for k, path := range paths {
		sum, err := fileSum(path)
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
// checkpoint written before the sums were stored has none to compare.
func changedFiles(saved, now map[string]string, cfg runConfig) string {
	paths, _ := builtFromPaths(cfg)
	var diffs []string
	for k, was := range saved {
		if is := now[k]; is != was {
			path := paths[k]
			diffs = append(diffs, fmt.Sprintf("%s %s has SHA-256 %.12s…, the file trained with %.12s…", k, path, is, was))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "; ")
}
