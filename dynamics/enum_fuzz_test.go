package dynamics

import (
	"testing"

	"github.com/rnntrain/rnntrain/internal/enum/enumtest"
)

// FuzzClassText feeds Class.UnmarshalText any text: what it takes marshals
// back to itself, and what it refuses gives an error quoting it.
func FuzzClassText(f *testing.F) {
	enumtest.Fuzz(f, []string{"stable", "marginal", "saddle", "unstable", "Class(7)", "", "Stable", "\xff"},
		func() []enumtest.Value { return []enumtest.Value{new(Class)} }, nil)
}
