package rnn

import (
	"slices"
	"testing"

	"github.com/rnntrain/rnntrain/internal/enum/enumtest"
)

// FuzzEnumText feeds the input encoding and the readout any text: what
// UnmarshalText takes marshals back to itself, and what it refuses gives
// an error quoting it.
func FuzzEnumText(f *testing.F) {
	enumtest.Fuzz(f, slices.Concat(encodingNames(), readoutNames(), []string{"", "TANH", "linearh", " linear", "x,y", "\xff", "default "}),
		func() []enumtest.Value { return []enumtest.Value{new(Encoding), new(Readout)} }, nil)
}
