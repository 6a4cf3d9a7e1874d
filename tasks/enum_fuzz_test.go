package tasks

import (
	"slices"
	"testing"

	"github.com/rnntrain/rnntrain/internal/enum/enumtest"
)

// FuzzEnumText feeds each task option (split, cue span, fixation cue,
// loss normalisation, empty trials rule, preset, scorer, loss) any text:
// what UnmarshalText takes marshals back to itself (lowrank to dubreuil,
// its preset), and what it refuses gives an error quoting it.
func FuzzEnumText(f *testing.F) {
	enumtest.Fuzz(f, slices.Concat(cueSpanNames(), fixationCueNames(), normNames(), emptyNames(), presetNames(), scorerNames(),
		[]string{"train", "validation", "test", "mse", "cross-entropy", "lowrank", "", "TANH", "mseh", " mse", "x,y", "\xff", "default "}),
		func() []enumtest.Value {
			return []enumtest.Value{new(Split), new(CueSpan), new(FixationCue), new(Normalization), new(EmptyTrials), new(Scorer), new(Loss)}
		}, func(t *testing.T, s string) {
			enumtest.CheckText(t, new(Preset), s, func(s string) string {
				if s == "lowrank" {
					return LowRank.String()
				}
				return s
			})
		})
}
