package lowrank

import (
	"slices"
	"testing"

	"github.com/rnntrain/rnntrain/internal/enum/enumtest"
)

// FuzzEnumText feeds the fit's init and the layer's rates any text: what
// UnmarshalText takes marshals back to itself, and what it refuses gives
// an error quoting it.
func FuzzEnumText(f *testing.F) {
	enumtest.Fuzz(f, slices.Concat(initNames(), ratesNames(), []string{"", "TANH", "tanhh", " tanh", "x,y", "\xff", "default "}),
		func() []enumtest.Value { return []enumtest.Value{new(Init), new(Rates)} }, nil)
}
