package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIConfigNesting: a TOML file nested far deeper than any config (a
// few hundred kilobytes of "[" or of "a.") is refused at once as a usage
// error naming the file and the line; the decoder's time, and the memory
// of the walks that name each value by its path, grow with the square of
// the depth (a 200 KB file of nested arrays had train use 24 GiB).
func TestCLIConfigNesting(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	const n = 100000
	for _, c := range []struct{ name, text, want string }{
		{"arrays.toml", "seed = 1\n[task.settings]\ncoherences = " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n", "config arrays.toml: line 3: arrays and inline tables nested more than 32 deep"},
		{"tables.toml", "a = " + strings.Repeat("{b = ", n) + "1" + strings.Repeat("}", n) + "\n", "config tables.toml: line 1: arrays and inline tables nested more than 32 deep"},
		{"keys.toml", "[task]\n" + strings.Repeat("a.", n) + "b = 1\n", "config keys.toml: line 2: a key of more than 32 dotted parts"},
	} {
		if err := os.WriteFile(filepath.Join(work, c.name), []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		rnntrain(t, work, "train", "-config", c.name, "-steps", "1", "-out", filepath.Join(work, "run")).want(t, 2, c.want)
		rnntrain(t, work, "fit", "-data", "data.npz", "-config", c.name, "-out", "fit").want(t, 2, c.want)
		spec := "sweep-" + c.name
		if err := os.WriteFile(filepath.Join(work, spec), []byte("[base]\n"+c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		rnntrain(t, work, "sweep", spec, "-out", "sweep").want(t, 2, "spec "+spec+": line")
	}
}
