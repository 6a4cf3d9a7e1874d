package tasks

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func TestAdding(t *testing.T) {
	t.Parallel()
	const T, B = 50, 2000
	task := mustNew(t, "adding", Default, Settings{Steps: T})
	info := Describe(task)
	if info.Preset != LongHorizon || info.NIn != 2 || info.NOut != 1 || info.MinSteps != T || info.Scorer != MSEThreshold {
		t.Fatalf("info %+v", info)
	}
	b := task.Batch(rand.New(rand.NewPCG(1, 2)), B)
	if b2 := task.Batch(rand.New(rand.NewPCG(1, 2)), B); !reflect.DeepEqual(b, b2) {
		t.Fatal("two batches from the same seed differ")
	}
	ideal := make([]float32, T*B)
	for i := range B {
		var marked []int
		var sum float64
		for s := range T {
			v, m := b.Inputs[(s*B+i)*2], b.Inputs[(s*B+i)*2+1]
			if v < 0 || v >= 1 {
				t.Fatalf("trial %d step %d: value %v outside [0, 1)", i, s, v)
			}
			if m == 1 {
				marked = append(marked, s)
				sum += float64(v)
			} else if m != 0 {
				t.Fatalf("trial %d step %d: marker %v", i, s, m)
			}
			if want := float32(0); s == T-1 {
				want = 1
				if got := b.Mask[s*B+i]; got != want {
					t.Fatalf("trial %d: mask %v at the last step", i, got)
				}
			} else if b.Mask[s*B+i] != 0 {
				t.Fatalf("trial %d: mask set at step %d", i, s)
			}
		}
		if len(marked) != 2 || marked[0] >= T/2 || marked[1] < (T+1)/2 {
			t.Fatalf("trial %d: marked steps %v, want one in each half of %d", i, marked, T)
		}
		if got := float64(b.Targets[(T-1)*B+i]); math.Abs(got-sum) > 1e-6 || math.Abs(got-b.Trials[i].Value) > 1e-6 {
			t.Fatalf("trial %d: target %v, marked values sum to %v", i, got, sum)
		}
		ideal[(T-1)*B+i] = b.Targets[(T-1)*B+i] + 0.05
	}
	if r := task.Score(ideal, &b); r.Accuracy != 1 || math.Abs(r.MSE-0.0025) > 1e-6 {
		t.Errorf("outputs off by 0.05: accuracy %v, MSE %v; want 1, 0.0025", r.Accuracy, r.MSE)
	}
	// Always answering 1: MSE = Var(U+U) = 1/6 (sd of the estimate
	// ≈ 0.004 at B = 2000) and P(|sum − 1| < 0.1) = 0.19 (sd ≈ 0.009).
	r := task.Score(constantOutputs(&b, []float32{1}), &b)
	if math.Abs(r.MSE-1.0/6) > 0.015 || math.Abs(r.Accuracy-info.Chance) > 0.03 {
		t.Errorf("constant 1: MSE %.4f, accuracy %.3f; want ≈ 0.167, %.2f", r.MSE, r.Accuracy, info.Chance)
	}
}

func TestCopy(t *testing.T) {
	t.Parallel()
	const T, L, S, B = 20, 4, 5, 300
	task := mustNew(t, "copy", LongHorizon, Settings{Steps: T, CopyLength: L, Symbols: S})
	info := Describe(task)
	if info.NIn != S+2 || info.NOut != S+1 || info.MinSteps != T+2*L || info.Loss != CrossEntropy {
		t.Fatalf("info %+v", info)
	}
	b := task.Batch(rand.New(rand.NewPCG(3, 4)), B)
	for i := range B {
		in := func(s int) int { return oneHot(t, b.Inputs[(s*B+i)*b.NIn:(s*B+i+1)*b.NIn]) }
		tg := func(s int) int { return oneHot(t, b.Targets[(s*B+i)*b.NOut:(s*B+i+1)*b.NOut]) }
		for s := range T + 2*L {
			switch {
			case s < L:
				if in(s) < 1 || in(s) > S || tg(s) != 0 {
					t.Fatalf("trial %d step %d: input %d target %d", i, s, in(s), tg(s))
				}
			case s == T+L-1:
				if in(s) != S+1 || tg(s) != 0 {
					t.Fatalf("trial %d: cue step %d has input %d target %d", i, s, in(s), tg(s))
				}
			case s >= T+L:
				if in(s) != 0 || tg(s) != in(s-T-L) {
					t.Fatalf("trial %d step %d: target %d, shown %d", i, s, tg(s), in(s-T-L))
				}
			default:
				if in(s) != 0 || tg(s) != 0 {
					t.Fatalf("trial %d step %d: input %d target %d, want blanks", i, s, in(s), tg(s))
				}
			}
		}
		if tr := b.Trials[i]; tr.ResponseStart != T+L || tr.ResponseEnd != T+2*L {
			t.Fatalf("trial %d: response window [%d, %d)", i, tr.ResponseStart, tr.ResponseEnd)
		}
	}
	for _, m := range b.Mask {
		if m != 1 {
			t.Fatalf("mask %v, want 1 everywhere", m)
		}
	}
	if r := task.Score(b.Targets, &b); r.Accuracy != 1 {
		t.Errorf("targets as outputs: accuracy %v", r.Accuracy)
	}
	blank := make([]float32, S+1)
	blank[0] = 1
	if r := task.Score(constantOutputs(&b, blank), &b); r.Accuracy != 0 {
		t.Errorf("blank outputs: accuracy %v", r.Accuracy)
	}
	// One wrong symbol fails the trial.
	out := append([]float32(nil), b.Targets...)
	off := ((T+L)*B + 7) * b.NOut
	clear(out[off : off+b.NOut])
	if r := task.Score(out, &b); r.Correct[7] || r.Response[7] != L-1 || r.Accuracy != float64(B-1)/B {
		t.Errorf("one wrong symbol: correct %v, response %d, accuracy %v", r.Correct[7], r.Response[7], r.Accuracy)
	}
}

func oneHot(t *testing.T, row []float32) int {
	t.Helper()
	k := -1
	for j, v := range row {
		switch v {
		case 1:
			if k >= 0 {
				t.Fatalf("row %v is not one-hot", row)
			}
			k = j
		case 0:
		default:
			t.Fatalf("row %v is not one-hot", row)
		}
	}
	if k < 0 {
		t.Fatalf("row %v is empty", row)
	}
	return k
}

func TestLongHorizonSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		s    Settings
		want string
	}{
		{"adding", Settings{Steps: 1}, "steps = 1"},
		{"adding", Settings{Steps: maxLongSteps + 1}, "steps"},
		{"adding", Settings{CopyLength: 3}, "copy_length"},
		{"copy", Settings{Symbols: 1}, "symbols = 1"},
		{"copy", Settings{CopyLength: -1}, "copy_length = -1"},
		{"copy", Settings{Bits: 2}, "bits"},
	} {
		if _, err := New(tc.name, Default, tc.s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %+v: error %v, want one naming %q", tc.name, tc.s, err, tc.want)
		}
	}
	task := mustNew(t, "copy", Default, Settings{})
	c := task.(Configurable).Config()
	if c.Settings.Steps != 200 || c.Settings.CopyLength != 10 || c.Settings.Symbols != 8 || c.Preset != LongHorizon {
		t.Errorf("resolved copy config %+v", c)
	}
	if again, err := NewFromConfig(c); err != nil || Describe(again).MaxSteps != 220 {
		t.Errorf("rebuilt copy: %v", err)
	}
}
