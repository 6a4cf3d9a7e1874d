package analysis

import (
	"testing"

	"github.com/rnntrain/rnntrain/internal/enum/enumtest"
)

// FuzzModeText feeds Mode.UnmarshalText any text: what it takes marshals
// back to itself, and what it refuses gives an error quoting it.
func FuzzModeText(f *testing.F) {
	enumtest.Fuzz(f, []string{"silence", "clamp", "", "Clamp", "silense", "\xff"},
		func() []enumtest.Value { return []enumtest.Value{new(Mode)} }, nil)
}
