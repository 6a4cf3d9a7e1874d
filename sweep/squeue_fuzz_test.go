package sweep

import (
	"maps"
	"testing"

	"github.com/rnntrain/rnntrain/internal/enum/enumtest"
)

// FuzzParseSqueue feeds ParseSqueue any squeue output: it must never
// panic, report only task indices a sweep can have (below MaxPoints, so
// that the map stays within MaxPoints entries however long the ranges the
// output claims), only Running or Queued, and read each line on its own:
// a last line "7_3 RUNNING" sets task 3 and changes nothing else.
func FuzzParseSqueue(f *testing.F) {
	for _, s := range []string{
		"12_0 RUNNING\n12_[3-5%2] PENDING\n12_[7,9] PENDING\n12_1 COMPLETED\n13 RUNNING\ngarbage\n12_[4-2] PENDING\n",
		"12_[0-9999] PENDING", "12_[9990-10010] PENDING", "1_[100000-110000,200000-210000] RUNNING",
		"1_9223372036854775807 RUNNING", "1_[0-9223372036854775807] PENDING", "1_-3 RUNNING", "1_[-] PENDING",
		"1_[,,] PENDING", "1_%% REQUEUED", "\x00_\xff RUNNING", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, out string) {
		m := ParseSqueue(out)
		if len(m) > MaxPoints {
			t.Fatalf("ParseSqueue(%q): %d tasks, at most %d", out, len(m), MaxPoints)
		}
		for i, st := range m {
			if i < 0 || i >= MaxPoints {
				t.Fatalf("ParseSqueue(%q): task %d, outside [0, %d)", out, i, MaxPoints)
			}
			if st != Running && st != Queued {
				t.Fatalf("ParseSqueue(%q): task %d is %v", out, i, st)
			}
		}
		got := ParseSqueue(out + "\n7_3 RUNNING")
		want := maps.Clone(m)
		want[3] = Running
		if !maps.Equal(got, want) {
			t.Fatalf("ParseSqueue(%q + a last line 7_3 RUNNING) = %v, want %v", out, got, want)
		}
	})
}

// FuzzEnumText checks the text forms of Mode, Executor and Metric: a text
// that UnmarshalText takes marshals back to itself, and one it refuses
// gives an error that quotes it.
func FuzzEnumText(f *testing.F) {
	enumtest.Fuzz(f, []string{"grid", "random", "local", "slurm", "accuracy", "mse", "loss", "steps", "wall_s", "Grid", "slrum", "", "wall-s", "\xff"},
		func() []enumtest.Value { return []enumtest.Value{new(Mode), new(Executor), new(Metric)} }, nil)
}
