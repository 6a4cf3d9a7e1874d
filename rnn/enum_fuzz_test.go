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
	for _, s := range slices.Concat(encodingNames(), readoutNames(), []string{"", "TANH", "linearh", " linear", "x,y", "\xff", "default "}) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range []enumtest.Value{new(Encoding), new(Readout)} {
			enumtest.CheckText(t, v, s, nil)
		}
	})
}
