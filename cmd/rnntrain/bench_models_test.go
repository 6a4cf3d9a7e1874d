package main

import (
	"errors"
	"strings"
	"testing"
)

// TestParseBenchModels checks bench's -model list: names with spaces
// around them, repeats, and the errors for an empty or unknown name and an
// over-long list, each a usage error naming -model.
func TestParseBenchModels(t *testing.T) {
	kinds, err := parseBenchModels(" lif, gru ,lif")
	if err != nil || len(kinds) != 3 || kinds[0].Name != "lif" || kinds[1].Name != "gru" || kinds[2].Name != "lif" {
		t.Fatalf("parseBenchModels(\" lif, gru ,lif\") = %v, %v; want lif, gru, lif", kinds, err)
	}
	for _, bad := range []string{"", "lif,,gru", "lstm", "lif," + strings.Repeat("gru,", maxBenchModels)} {
		_, err := parseBenchModels(bad)
		var u usageError
		if err == nil || !errors.As(err, &u) || !strings.HasPrefix(err.Error(), "-model: ") {
			t.Errorf("parseBenchModels(%.40q) = %v, want a usage error naming -model", bad, err)
		}
	}
}

// FuzzParseBenchModels feeds bench's -model parser arbitrary lists: it
// must not panic, and it returns one model per comma-separated name or a
// usage error naming -model.
func FuzzParseBenchModels(f *testing.F) {
	for _, s := range []string{"lif", "rnn,leaky,gru,lowrank,lif", " egru , alif", "", ",", "LIF", "lif,,", "ltc\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kinds, err := parseBenchModels(s)
		if err != nil {
			var u usageError
			if !errors.As(err, &u) || !strings.HasPrefix(err.Error(), "-model: ") {
				t.Fatalf("parseBenchModels(%q): %v, want a usage error naming -model", s, err)
			}
			return
		}
		if n := strings.Count(s, ",") + 1; len(kinds) != n {
			t.Fatalf("parseBenchModels(%q): %d models for %d names", s, len(kinds), n)
		}
	})
}
