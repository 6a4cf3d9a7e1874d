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
	for _, s := range slices.Concat(cueSpanNames(), fixationCueNames(), normNames(), emptyNames(), presetNames(), scorerNames(),
		[]string{"train", "validation", "test", "mse", "cross-entropy", "lowrank", "", "TANH", "mseh", " mse", "x,y", "\xff", "default "}) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range []enumtest.Value{new(Split), new(CueSpan), new(FixationCue), new(Normalization), new(EmptyTrials), new(Scorer), new(Loss)} {
			enumtest.CheckText(t, v, s, nil)
		}
		enumtest.CheckText(t, new(Preset), s, func(s string) string {
			if s == "lowrank" {
				return LowRank.String()
			}
			return s
		})
	})
}
