package layers

import (
	"slices"
	"testing"

	"github.com/rnntrain/rnntrain/internal/enum/enumtest"
)

// FuzzEnumText feeds each option of a layer config (activation, init,
// noise convention, integration, reset, EGRU kernels, surrogate) any text:
// what UnmarshalText takes marshals back to itself (a surrogate to its
// canonical form, which parses again to the same), and what it refuses
// gives an error quoting it.
func FuzzEnumText(f *testing.F) {
	enumtest.Fuzz(f, slices.Concat(activationNames(), initNames(), noiseNames(), integrationNames(), resetNames(), egruKernelNames(),
		[]string{"ArcTan(alpha=2)", "FastSigmoid(k=25)", "MultiGaussian", "arctan", "", "TANH", "tanhh", " tanh", "x,y", "\xff", "default "}),
		func() []enumtest.Value {
			return []enumtest.Value{new(Activation), new(Init), new(NoiseConvention), new(Integration), new(Reset), new(EGRUKernels)}
		}, func(t *testing.T, s string) {
			var sg Surrogate
			if sg.UnmarshalText([]byte(s)) == nil {
				enumtest.CheckText(t, &sg, sg.String(), nil)
			}
		})
}
