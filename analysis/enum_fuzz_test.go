package analysis

import (
	"testing"

	"github.com/rnntrain/rnntrain/internal/enum/enumtest"
)

// FuzzModeText feeds Mode.UnmarshalText any text: what it takes marshals
// back to itself, and what it refuses gives an error quoting it.
func FuzzModeText(f *testing.F) {
	for _, s := range []string{"silence", "clamp", "", "Clamp", "silense", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var m Mode
		enumtest.CheckText(t, &m, s, nil)
	})
}
