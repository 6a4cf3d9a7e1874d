package dynamics

import (
	"testing"

	"github.com/rnntrain/rnntrain/internal/enum/enumtest"
)

// FuzzClassText feeds Class.UnmarshalText any text: what it takes marshals
// back to itself, and what it refuses gives an error quoting it.
func FuzzClassText(f *testing.F) {
	for _, s := range []string{"stable", "marginal", "saddle", "unstable", "Class(7)", "", "Stable", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var c Class
		enumtest.CheckText(t, &c, s, nil)
	})
}
