package train

import (
	"slices"
	"testing"

	"github.com/rnntrain/rnntrain/internal/enum/enumtest"
)

// FuzzEnumText feeds each training option (optimizer, clip mode, trainer,
// window loss, schedule) any text: what UnmarshalText takes marshals back
// to itself, and what it refuses gives an error quoting it.
func FuzzEnumText(f *testing.F) {
	enumtest.Fuzz(f, slices.Concat(optimizerNames(), clipNames(), trainerNames(), windowLossNames(), scheduleNames(), []string{"", "TANH", "adamh", " adam", "x,y", "\xff", "default "}),
		func() []enumtest.Value {
			return []enumtest.Value{new(OptimizerKind), new(ClipMode), new(Trainer), new(WindowLoss), new(ScheduleKind)}
		}, nil)
}
