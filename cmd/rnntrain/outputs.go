package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/rnntrain/rnntrain/internal/files"
	"github.com/rnntrain/rnntrain/internal/npy"
)

// outputFile is a file a command writes into its output directory, with
// what an earlier output of that name holds: the arrays of an .npz, or the
// top-level keys of a .json.
type outputFile struct {
	name string
	keys []string
}

// checkOutputFiles refuses an output directory dir (flag name, command
// cmd) holding, under the name of one of outs, anything but an empty file
// or an earlier output of cmd: writing would replace it (a recording saved
// as latent.npz, a run's config.json). A missing file is accepted. The
// figures a command draws are not checked: plot redraws a run's.
func checkOutputFiles(name, dir, cmd string, outs []outputFile) error {
	for _, o := range outs {
		path := filepath.Join(dir, o.name)
		st, err := os.Lstat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return usagef("%s %s: %v", name, dir, err)
		case !st.Mode().IsRegular():
			return usagef("%s %s: %s exists and is not a regular file; %s replaces only its own earlier %s there", name, dir, path, cmd, o.name)
		case st.Size() == 0:
			continue
		}
		if !earlierOutput(path, o.keys) {
			return usagef("%s %s: %s exists and is not an earlier output of %s (it lacks %s); %s replaces only its own files there: choose another %s",
				name, dir, path, cmd, listText(o.keys), cmd, name)
		}
	}
	return nil
}

// earlierOutput reports whether the file at path holds every one of keys:
// the arrays of an .npz archive, the top-level keys of a JSON object.
func earlierOutput(path string, keys []string) bool {
	if strings.HasSuffix(path, ".npz") {
		a, err := npy.OpenArchive(path)
		if err != nil {
			return false
		}
		defer a.Close()
		for _, k := range keys {
			if !a.Has(k) {
				return false
			}
		}
		return true
	}
	b, err := files.ReadRegular(path, maxConfigBytes)
	var obj map[string]json.RawMessage
	if err != nil || json.Unmarshal(b, &obj) != nil {
		return false
	}
	for _, k := range keys {
		if _, ok := obj[k]; !ok {
			return false
		}
	}
	return true
}
