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

// builtFromKeys are the config keys of the files a network is built from
// each time a run is rebuilt (eval, resume, every analysis): the
// connectivity masks, which the checkpoint does not hold.
func builtFromKeys() []string {
	return []string{"model.rec_mask", "model.rec_fixed", "model.in_mask", "model.in_fixed"}
}

// builtFromSums returns the SHA-256 (hex) of each file of cfg named by a
// builtFromKeys key, by that key; nil when there is none.
func builtFromSums(cfg runConfig) (map[string]string, error) {
	flat, err := flatten(&cfg)
	if err != nil {
		return nil, err
	}
	var sums map[string]string
	for _, k := range builtFromKeys() {
		path, _ := flat[k].(string)
		if path == "" {
			continue
		}
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
	flat, _ := flatten(&cfg)
	var diffs []string
	for k, was := range saved {
		if is := now[k]; is != was {
			path, _ := flat[k].(string)
			diffs = append(diffs, fmt.Sprintf("%s %s has SHA-256 %.12s…, the file trained with %.12s…", k, path, is, was))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "; ")
}
