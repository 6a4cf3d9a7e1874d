package main

import (
	"bytes"
	"encoding/json"
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
