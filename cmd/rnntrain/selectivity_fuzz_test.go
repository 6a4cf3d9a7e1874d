package main

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/analysis"
)

// FuzzIsSelectivityFile feeds the check of an earlier selectivity file
// any contents: it never panics, and what it accepts decodes as a
// selectivity file with its regression; a file inactivate writes is
// accepted.
func FuzzIsSelectivityFile(f *testing.F) {
	written, err := json.MarshalIndent(selectivityFile{Recording: "rec.npz", Selectivity: &analysis.Selectivity{Variables: []string{"coherence"}, Trials: 4,
		Units: []analysis.UnitSelectivity{{Unit: 0, Beta: []float64{0.1}, T: []float64{3.2}, R2: 0.4}}, Threshold: 3}}, "", "  ")
	if err != nil {
		f.Fatal(err)
	}
	if !isSelectivityFile(bytes.NewReader(written)) {
		f.Fatalf("a written selectivity file is refused:\n%s", written)
	}
	for _, s := range []string{string(written), "my notes\n", "{}", `{"selectivity": null}`, `{"selectivity": {}}`, "[", `{"populations": {"a": [1]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !isSelectivityFile(bytes.NewReader(b)) {
			return
		}
		var sf selectivityFile
		if err := json.Unmarshal(b, &sf); err != nil || sf.Selectivity == nil {
			t.Fatalf("accepted %q: %v, regression %v", b, err, sf.Selectivity)
		}
	})
}

// FuzzRegressSelectivity feeds inactivate's regression on -recording any
// file in place of a recording of a small network's trials: it never
// panics, every error names the file, and what it accepts is a
// regression of the network's units.
func FuzzRegressSelectivity(f *testing.F) {
	cfg := defaultConfig()
	cfg.Model.Hidden = 4
	s, err := newSession(cfg)
	if err != nil {
		f.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	seed := filepath.Join(f.TempDir(), "rec.npz")
	if err := (provenance{seed: 1, step: 5}).write(seed, analysis.Record(s.net, s.task, rng, rng, 12)); err != nil {
		f.Fatal(err)
	}
	b, err := os.ReadFile(seed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "rec.npz")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		sel, _, err := regressSelectivity(path, s, 5)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		if len(sel.Units) != 4 {
			t.Errorf("a regression of %d units, want 4", len(sel.Units))
		}
	})
}
