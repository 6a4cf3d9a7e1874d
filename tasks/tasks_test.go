package tasks

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// span2 is an inclusive range of steps.
type span2 [2]int

// taskCase describes what one task/preset must generate: the period
// lengths in steps (the ms timings of the source file named at each case,
// floored by dt) and the coherences that may appear.
type taskCase struct {
	name    string
	preset  Preset
	periods map[string]span2
	cohs    []float64 // allowed |Trial.Coherence| (nil = not checked)
	signed  bool      // cohs are signed values
}

func fixed(n int) span2 { return span2{n, n} }

func taskCases() []taskCase {
	ngPDM := []float64{0, 6.4, 12.8, 25.6, 51.2}
	ng3 := []float64{5, 15, 50}
	lr := []float64{-4, -2, -1, 1, 2, 4}
	return []taskCase{
		// NeuroGym PerceptualDecisionMaking: 100/2000/0/100 ms at dt 100.
		{"perceptual-dm", NeuroGym, map[string]span2{"fixation": fixed(1), "stimulus": fixed(20), "delay": fixed(0), "decision": fixed(1)}, ngPDM, false},
		// PsychRNN PerceptualDiscrimination at dt 10, T 2000: onset
		// U(0, 1000) → 1…100 steps before the stimulus, duration
		// U(250, 750) → 24…76 steps, the rest (25…176 steps) response.
		{"perceptual-dm", PsychRNN, map[string]span2{"fixation": {1, 100}, "stimulus": {24, 76}, "response": {25, 176}}, []float64{0.1, 0.3, 0.5, 0.7}, false},
		// Dubreuil rdm.py: 100/800/100/20 ms at dt 20.
		{"perceptual-dm", LowRank, map[string]span2{"fixation": fixed(5), "stimulus": fixed(40), "delay": fixed(5), "decision": fixed(1)}, lr, true},
		// ContextDecisionMaking: 300/750/TruncExp(600,300,3000)/100 ms.
		{"context-dm", NeuroGym, map[string]span2{"fixation": fixed(3), "stimulus": fixed(7), "delay": {3, 29}, "decision": fixed(1)}, ng3, false},
		// mante.py: 100/350/800/100/20 ms at dt 20.
		{"context-dm", LowRank, map[string]span2{"fixation": fixed(5), "context": fixed(17), "stimulus": fixed(40), "delay": fixed(5), "decision": fixed(1)}, lr, true},
		// MultiSensoryIntegration: 300/750/100 ms.
		{"multisensory", NeuroGym, map[string]span2{"fixation": fixed(3), "stimulus": fixed(7), "decision": fixed(1)}, ng3, false},
		{"multisensory", LowRank, map[string]span2{"fixation": fixed(5), "context": fixed(17), "stimulus": fixed(40), "delay": fixed(5), "decision": fixed(1)}, lr, true},
		// DelayMatchSample: 300/500/1000/500/900 ms.
		{"match-to-sample", NeuroGym, map[string]span2{"fixation": fixed(3), "sample": fixed(5), "delay": fixed(10), "test": fixed(5), "decision": fixed(9)}, nil, false},
		// dms.py: 100/500/U(500,3000)/500/1000 ms at dt 20.
		{"match-to-sample", LowRank, map[string]span2{"fixation": fixed(5), "stimulus1": fixed(25), "delay": {25, 149}, "stimulus2": fixed(25), "decision": fixed(50)}, nil, false},
		// DelayComparison: 500/500/1000/500/100 ms; |f1−f2| = 8 Hz for every vpair.
		{"parametric-wm", NeuroGym, map[string]span2{"fixation": fixed(5), "stimulus1": fixed(5), "delay": fixed(10), "stimulus2": fixed(5), "decision": fixed(1)}, []float64{-8, 8}, true},
		// PsychRNN DelayedDiscrimination at dt 10, T 2000: onset U(0, 250),
		// stimuli and delay U(0, 500), decision U(0, 250) ms.
		{"parametric-wm", PsychRNN, map[string]span2{"fixation": {0, 25}, "stimulus1": {0, 50}, "delay": {0, 50}, "stimulus2": {0, 50}, "decision": {0, 25}, "end": {0, 200}}, []float64{-8, 8}, true},
		// romo.py: 100/100/500…1000/100/100 ms at dt 20.
		{"parametric-wm", LowRank, map[string]span2{"fixation": fixed(5), "stimulus1": fixed(5), "delay": {25, 50}, "stimulus2": fixed(5), "decision": fixed(5)}, []float64{-24, -16, -8, 8, 16, 24}, true},
		// GoNogo: 0/500/500/500 ms.
		{"go-nogo", NeuroGym, map[string]span2{"fixation": fixed(0), "stimulus": fixed(5), "delay": fixed(5), "decision": fixed(5)}, nil, false},
		// AntiReach: 500/500/0/500 ms.
		{"anti-saccade", NeuroGym, map[string]span2{"fixation": fixed(5), "stimulus": fixed(5), "delay": fixed(0), "decision": fixed(5)}, nil, false},
		// ReadySetGo at dt 80: 100/83/U(800,1500)/83 ms, production 2·measure.
		{"ready-set-go", NeuroGym, map[string]span2{"fixation": fixed(1), "ready": fixed(1), "measure": {10, 18}, "set": fixed(1), "production": {20, 36}}, nil, false},
		// FlipFlopData n_time = 64.
		{"flip-flop", SussilloBarak, map[string]span2{"trial": fixed(64)}, nil, false},
		{"sine-wave", SussilloBarak, map[string]span2{"trial": fixed(200)}, nil, false},
	}
}

func mustNew(t testing.TB, name string, p Preset, s Settings) Task {
	t.Helper()
	task, err := New(name, p, s)
	if err != nil {
		t.Fatalf("New(%s, %s): %v", name, p, err)
	}
	return task
}

// idealOutputs builds the outputs of an observer that knows each trial's
// own variables (Trial fields, the trial's inputs for flip-flop).
func idealOutputs(task Task, b *Batch) []float32 {
	info := Describe(task)
	out := make([]float32, b.T*b.B*b.NOut)
	for i, tr := range b.Trials {
		for t := range b.Lengths[i] {
			row := out[(t*b.B+i)*b.NOut : (t*b.B+i+1)*b.NOut]
			switch {
			case info.Scorer == ProductionTime:
				if t == tr.ResponseStart+int(math.Round(tr.Value/info.DtMS)) {
					row[1] = 1
				} else {
					row[0] = 1
				}
			case info.Scorer == DecisionAction:
				if t >= tr.ResponseStart && t < tr.ResponseEnd {
					row[tr.Choice] = 1
				} else {
					row[0] = 1
				}
			case info.Scorer == SignMean:
				if t >= tr.ResponseStart && t < tr.ResponseEnd && !tr.Catch {
					row[0] = float32(3 - 2*tr.Choice) // choice 1 → +1, 2 → −1
				}
			case info.Scorer == MaskedMeanArgmax:
				if t >= tr.ResponseStart && t < tr.ResponseEnd {
					row[tr.Choice-1] = 1
				}
			case info.Name == "sine-wave":
				row[0] = float32(math.Sin(tr.Value * float64(t)))
			case info.Name == "flip-flop":
				for k := range b.NOut {
					for s := t; s >= 0; s-- {
						if v := b.Inputs[(s*b.B+i)*b.NIn+k]; v != 0 {
							row[k] = v
							break
						}
					}
				}
			}
		}
	}
	return out
}

// constantOutputs returns outputs holding the vector v on every step.
func constantOutputs(b *Batch, v []float32) []float32 {
	out := make([]float32, b.T*b.B*b.NOut)
	for i := 0; i < len(out); i += b.NOut {
		copy(out[i:], v)
	}
	return out
}

func TestTasks(t *testing.T) {
	const B = 1000
	for _, tc := range taskCases() {
		t.Run(tc.name+"/"+tc.preset.String(), func(t *testing.T) {
			t.Parallel()
			task := mustNew(t, tc.name, tc.preset, Settings{})
			info := Describe(task)
			b := task.Batch(rand.New(rand.NewPCG(1, 2)), B)

			// Determinism for a seed, and a different batch for another.
			b2 := task.Batch(rand.New(rand.NewPCG(1, 2)), B)
			if !reflect.DeepEqual(b, b2) {
				t.Fatal("two batches from the same seed differ")
			}
			b3 := task.Batch(rand.New(rand.NewPCG(3, 4)), B)
			if reflect.DeepEqual(b.Inputs, b3.Inputs) {
				t.Fatal("batches from different seeds are equal")
			}

			checkShapes(t, task, info, &b)
			checkPeriods(t, tc, &b)
			checkTargets(t, info, &b)
			if tc.cohs != nil {
				checkCoherences(t, tc, &b)
			}

			// Ideal observer from each trial's own variables.
			r := task.Score(idealOutputs(task, &b), &b)
			if r.Accuracy < 0.99 {
				t.Errorf("ideal observer accuracy = %.3f, want >= 0.99", r.Accuracy)
			}
			catch := 0
			for _, tr := range b.Trials {
				if tr.Catch {
					catch++
				}
			}
			if r.Scored != B-catch || catch > B/10 {
				t.Errorf("scored %d trials with %d catch trials, want %d with few catch trials", r.Scored, catch, B)
			}

			// Constant outputs score at chance: the best constant reaches
			// Info.Chance and none exceeds it (binomial sd <= 0.016 at
			// B = 1000, tolerance 0.05).
			best := 0.0
			for _, v := range constants(info) {
				acc := task.Score(constantOutputs(&b, v), &b).Accuracy
				if acc > info.Chance+0.05 {
					t.Errorf("constant output %v scores %.3f, above chance %.3f", v, acc, info.Chance)
				}
				best = max(best, acc)
			}
			t.Logf("ideal observer %.3f, best constant output %.3f (chance %.3f)", r.Accuracy, best, info.Chance)
			if math.Abs(best-info.Chance) > 0.05 {
				t.Errorf("best constant output scores %.3f, want chance %.3f", best, info.Chance)
			}
		})
	}
}

// constants lists the constant outputs to try: every one-hot action for
// cross-entropy tasks, ±1 and 0 otherwise.
func constants(info Info) [][]float32 {
	var cs [][]float32
	if info.Loss == CrossEntropy {
		for a := range info.NOut {
			v := make([]float32, info.NOut)
			v[a] = 1
			cs = append(cs, v)
		}
		return cs
	}
	for _, x := range []float32{1, -1, 0, 0.5} {
		v := make([]float32, info.NOut)
		for k := range v {
			v[k] = x
		}
		cs = append(cs, v)
	}
	return cs
}

func checkShapes(t *testing.T, task Task, info Info, b *Batch) {
	t.Helper()
	nIn, nOut := task.Dims()
	if b.NIn != nIn || b.NOut != nOut || info.NIn != nIn || info.NOut != nOut || len(info.Inputs) != nIn || len(info.Outputs) != nOut {
		t.Fatalf("dims: batch %d→%d, Dims %d→%d, Info %d→%d with %d/%d names", b.NIn, b.NOut, nIn, nOut, info.NIn, info.NOut, len(info.Inputs), len(info.Outputs))
	}
	if len(b.Inputs) != b.T*b.B*nIn || len(b.Targets) != b.T*b.B*nOut || len(b.Mask) != b.T*b.B*nOut {
		t.Fatalf("buffer sizes %d %d %d for T=%d B=%d", len(b.Inputs), len(b.Targets), len(b.Mask), b.T, b.B)
	}
	if b.T != slices.Max(b.Lengths) {
		t.Errorf("T = %d, want the longest trial %d", b.T, slices.Max(b.Lengths))
	}
	for i, L := range b.Lengths {
		if L < info.MinSteps || L > info.MaxSteps {
			t.Fatalf("trial %d has %d steps, want %d…%d", i, L, info.MinSteps, info.MaxSteps)
		}
		// Padding is zero and unmasked.
		for s := L; s < b.T; s++ {
			for k := range nOut {
				if b.Mask[(s*b.B+i)*nOut+k] != 0 || b.Targets[(s*b.B+i)*nOut+k] != 0 {
					t.Fatalf("trial %d step %d (padding) is masked or has a target", i, s)
				}
			}
			for k := range nIn {
				if b.Inputs[(s*b.B+i)*nIn+k] != 0 {
					t.Fatalf("trial %d step %d (padding) has input", i, s)
				}
			}
		}
	}
}

func checkPeriods(t *testing.T, tc taskCase, b *Batch) {
	t.Helper()
	seen := map[string][2]int{}
	for i, tr := range b.Trials {
		end := 0
		for _, p := range tr.Periods {
			want, ok := tc.periods[p.Name]
			if !ok {
				t.Fatalf("trial %d has unexpected period %q", i, p.Name)
			}
			n := p.End - p.Start
			if n < want[0] || n > want[1] {
				t.Fatalf("trial %d period %s lasts %d steps, want %d…%d", i, p.Name, n, want[0], want[1])
			}
			r, ok := seen[p.Name]
			if !ok {
				r = [2]int{n, n}
			}
			seen[p.Name] = [2]int{min(r[0], n), max(r[1], n)}
			end = max(end, p.End)
		}
		if end != b.Lengths[i] {
			t.Fatalf("trial %d periods end at %d, length %d", i, end, b.Lengths[i])
		}
	}
	for name, want := range tc.periods {
		got, ok := seen[name]
		if !ok {
			t.Fatalf("period %s never appears", name)
		}
		// Variable periods should span most of their range over 1000 trials.
		if want[1]-want[0] >= 2 && got[1]-got[0] < (want[1]-want[0])/2 {
			t.Errorf("period %s spans %v over the batch, want most of %v", name, got, want)
		}
	}
}

func checkTargets(t *testing.T, info Info, b *Batch) {
	t.Helper()
	for i, tr := range b.Trials {
		for s := range b.Lengths[i] {
			row := b.Targets[(s*b.B+i)*b.NOut : (s*b.B+i+1)*b.NOut]
			mask := b.Mask[(s*b.B+i)*b.NOut : (s*b.B+i+1)*b.NOut]
			in := s >= tr.ResponseStart && s < tr.ResponseEnd
			switch info.Loss {
			case CrossEntropy:
				// Every step masked and one-hot: the choice in the
				// decision window, fixation elsewhere (ready-set-go: go at
				// one step of production only).
				want := 0
				if in && info.Scorer == DecisionAction {
					want = tr.Choice
				}
				if info.Scorer == ProductionTime && s == tr.ResponseStart+int(math.Round(tr.Value/info.DtMS)) {
					want = 1
				}
				for k, v := range row {
					if mask[k] != 1 || (v == 1) != (k == want) || (v != 0 && v != 1) {
						t.Fatalf("trial %d step %d: target %v mask %v, want one-hot %d masked", i, s, row, mask, want)
					}
				}
			case MSE:
				if info.Scorer == MaskedMeanArgmax { // PsychRNN: 0 or (hi, lo) from the stimulus end
					if in != (mask[0] == 1 && mask[1] == 1) {
						t.Fatalf("trial %d step %d: mask %v, want 1 exactly from the stimulus end", i, s, mask)
					}
					c := tr.Choice - 1
					if in && !(row[c] == 0 && row[1-c] == 0) && !(row[c] == 1 && row[1-c] == 0.2) {
						t.Fatalf("trial %d step %d: targets %v for choice %d, want 0 or hi 1 / lo 0.2", i, s, row, tr.Choice)
					}
				} else if info.Scorer == SignMean {
					if in != (mask[0] == 1) {
						t.Fatalf("trial %d step %d: mask %v, want 1 exactly in the response window", i, s, mask[0])
					}
					if in && !tr.Catch && sign(float64(row[0])) != float64(3-2*tr.Choice) {
						t.Fatalf("trial %d step %d: target %v for choice %d", i, s, row[0], tr.Choice)
					}
					if in && info.Name != "parametric-wm" && math.Abs(float64(row[0])) != 1 {
						t.Fatalf("trial %d step %d: target %v, want ±1", i, s, row[0])
					}
				} else if mask[0] != 1 || math.Abs(float64(row[0])) > 1 {
					t.Fatalf("trial %d step %d: target %v mask %v, want |target| <= 1 masked", i, s, row[0], mask[0])
				}
			}
		}
	}
}

func checkCoherences(t *testing.T, tc taskCase, b *Batch) {
	t.Helper()
	seen := map[float64]bool{}
	for i, tr := range b.Trials {
		c := tr.Coherence
		if !tc.signed {
			c = math.Abs(c)
		}
		if !slices.Contains(tc.cohs, c) {
			t.Fatalf("trial %d coherence %v not in %v", i, tr.Coherence, tc.cohs)
		}
		seen[c] = true
		if tr.Coherence != 0 && tr.Choice != 0 && sign(tr.Coherence) != float64(3-2*tr.Choice) {
			t.Fatalf("trial %d: coherence %v but choice %d (choice 1 must be the positive-coherence choice)", i, tr.Coherence, tr.Choice)
		}
	}
	if len(seen) != len(tc.cohs) {
		t.Errorf("saw coherences %v, want all of %v", seen, tc.cohs)
	}
}

func TestInputNoise(t *testing.T) {
	t.Parallel()
	// NeuroGym: std σ/√dt = 1/√100 = 0.1 on the stimulus channels during
	// the stimulus, none during fixation. Lowrank mante.py: std 0.1 on the
	// sensory channels on every step.
	cases := []struct {
		name   string
		p      Preset
		ch     int
		period string
		mean   func(Trial) float64
		std    float64
	}{
		{"context-dm", NeuroGym, 0, "fixation", func(Trial) float64 { return 1 }, 0},
		{"context-dm", LowRank, 0, "fixation", func(Trial) float64 { return 0 }, 0.1},
		{"context-dm", LowRank, 2, "delay", func(tr Trial) float64 { return 0.1 * float64(1-tr.Context) }, 0},
		{"perceptual-dm", NeuroGym, 1, "stimulus", func(tr Trial) float64 { return 0.5 + tr.Coherence/200 }, 0.1},
		{"perceptual-dm", LowRank, 0, "stimulus", func(tr Trial) float64 { return 0.1 * tr.Coherence }, 0.1},
		{"parametric-wm", LowRank, 0, "delay", func(Trial) float64 { return 0 }, 0.01},
		// PsychRNN: √(2·0.01·√10·√dt·0.1²) with dt = 10 is √0.002.
		{"perceptual-dm", PsychRNN, 1, "fixation", func(Trial) float64 { return 0 }, math.Sqrt(0.002)},
		{"match-to-sample", LowRank, 1, "delay", func(Trial) float64 { return 0 }, 0.03},
	}
	for _, c := range cases {
		task := mustNew(t, c.name, c.p, Settings{})
		b := task.Batch(rand.New(rand.NewPCG(5, 6)), 400)
		var sum, sq float64
		n := 0
		for i, tr := range b.Trials {
			for _, p := range tr.Periods {
				if p.Name != c.period {
					continue
				}
				for s := p.Start; s < p.End; s++ {
					d := float64(b.Inputs[(s*b.B+i)*b.NIn+c.ch]) - c.mean(tr)
					sum += d
					sq += d * d
					n++
				}
			}
		}
		mean, std := sum/float64(n), math.Sqrt(sq/float64(n))
		// Tolerances: 5 standard errors of the mean and 5 % of the std,
		// with n >= 2000 samples; float32 rounding for the noiseless cases.
		if math.Abs(mean) > 5*c.std/math.Sqrt(float64(n))+1e-6 || math.Abs(std-c.std) > 0.05*c.std+1e-6 {
			t.Errorf("%s/%s channel %d in %s: residual mean %.4g std %.4g over %d samples, want 0 and %g", c.name, c.p, c.ch, c.period, mean, std, n, c.std)
		}
	}
}

// phi is the standard normal CDF.
func phi(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// meanPhi averages Φ(k·c) over the coherences c.
func meanPhi(k float64, cohs ...float64) float64 {
	var m float64
	for _, c := range cohs {
		m += phi(k*c) / float64(len(cohs))
	}
	return m
}

// TestNoisyIdealObservers measures the accuracy ceiling that the input
// noise sets: an observer that sums each trial's evidence from the noisy
// inputs and picks its sign, against the analytic value.
func TestNoisyIdealObservers(t *testing.T) {
	t.Parallel()
	const B = 6000
	stim := func(tr Trial, name string) Period {
		for _, p := range tr.Periods {
			if p.Name == name {
				return p
			}
		}
		panic("no period " + name)
	}
	// sum adds f(inputs at step s) over period p of trial i.
	sum := func(b *Batch, i int, p Period, f func(x []float32) float64) float64 {
		var ev float64
		for s := p.Start; s < p.End; s++ {
			ev += f(b.Inputs[(s*b.B+i)*b.NIn : (s*b.B+i+1)*b.NIn])
		}
		return ev
	}
	cases := []struct {
		name string
		p    Preset
		ev   func(b *Batch, i int) float64
		want float64
	}{
		// Evidence ch1 − ch2 = ±coh/100 per step, noise std 0.1·√2, 20 steps.
		{"perceptual-dm", NeuroGym, func(b *Batch, i int) float64 {
			return sum(b, i, stim(b.Trials[i], "stimulus"), func(x []float32) float64 { return float64(x[1] - x[2]) })
		}, meanPhi(math.Sqrt(20)/(100*0.1*math.Sqrt2), 0, 6.4, 12.8, 25.6, 51.2)},
		{"perceptual-dm", LowRank, func(b *Batch, i int) float64 {
			return sum(b, i, stim(b.Trials[i], "stimulus"), func(x []float32) float64 { return float64(x[0]) })
		}, 1},
		// Relevant modality only: ±coh/100 per step, noise 0.1·√2, 7 steps.
		{"context-dm", NeuroGym, func(b *Batch, i int) float64 {
			c := b.Trials[i].Context
			return sum(b, i, stim(b.Trials[i], "stimulus"), func(x []float32) float64 { return float64(x[1+2*c] - x[2+2*c]) })
		}, meanPhi(math.Sqrt(7)/(100*0.1*math.Sqrt2), 5, 15, 50)},
		{"context-dm", LowRank, func(b *Batch, i int) float64 {
			c := b.Trials[i].Context
			return sum(b, i, stim(b.Trials[i], "stimulus"), func(x []float32) float64 { return float64(x[c]) })
		}, 1},
		// Both modalities: ±coh/100 per step in total, noise 0.1·√4, 7 steps.
		{"multisensory", NeuroGym, func(b *Batch, i int) float64 {
			return sum(b, i, stim(b.Trials[i], "stimulus"), func(x []float32) float64 { return float64(x[1] - x[2] + x[3] - x[4]) })
		}, meanPhi(math.Sqrt(7)/(100*0.2), 5, 15, 50)},
		// Mean stimulus 1 − mean stimulus 2: (8/24)/2 apart, noise 0.1·√(2/5).
		{"parametric-wm", NeuroGym, func(b *Batch, i int) float64 {
			f := func(x []float32) float64 { return float64(x[1]) }
			return sum(b, i, stim(b.Trials[i], "stimulus1"), f) - sum(b, i, stim(b.Trials[i], "stimulus2"), f)
		}, phi((8.0 / 48) / (0.1 * math.Sqrt(2.0/5)))},
	}
	for _, c := range cases {
		task := mustNew(t, c.name, c.p, Settings{})
		b := task.Batch(rand.New(rand.NewPCG(7, 8)), B)
		correct := 0
		for i, tr := range b.Trials {
			ev := c.ev(&b, i)
			if ev == 0 || math.Abs(tr.Coherence) == 0 { // no evidence either way: a coin flip
				if rand.New(rand.NewPCG(uint64(i), 0)).IntN(2) == 0 {
					correct++
				}
				continue
			}
			if choiceOfSign(ev) == tr.Choice {
				correct++
			}
		}
		acc := float64(correct) / B
		t.Logf("%s %s: noisy-input ideal observer %.4f (analytic %.4f)", c.name, c.p, acc, c.want)
		// Binomial sd at B = 6000 is < 0.0065; tolerance 0.02.
		if math.Abs(acc-c.want) > 0.02 {
			t.Errorf("%s %s: noisy-input ideal observer %.4f, want %.4f", c.name, c.p, acc, c.want)
		}
	}
}

func TestRegistry(t *testing.T) {
	names := Names()
	for _, want := range []string{"perceptual-dm", "context-dm", "multisensory", "match-to-sample", "parametric-wm",
		"go-nogo", "anti-saccade", "flip-flop", "sine-wave", "ready-set-go", "npz", "mnist-rows", "mnist-pixels", "mnist-permuted"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() lacks %s", want)
		}
	}
	if p, _ := DefaultPreset("context-dm"); p != LowRank {
		t.Errorf("context-dm default preset %s, want lowrank", p)
	}
	// The zero Preset resolves to the task's default, in New and in JSON
	// configs that leave the preset out.
	for _, name := range []string{"context-dm", "go-nogo", "flip-flop"} {
		want, _ := DefaultPreset(name)
		task := mustNew(t, name, Default, Settings{})
		if got := task.(Configurable).Config().Preset; got != want {
			t.Errorf("%s: Default resolves to %s, want %s", name, got, want)
		}
		fromJSON, err := ParseConfig([]byte(`{"task":"` + name + `"}`))
		if err != nil || fromJSON.(Configurable).Config().Preset != want {
			t.Errorf("%s: config without a preset gives %v, %v; want preset %s", name, fromJSON, err, want)
		}
	}
	_, err := New("contextdm", NeuroGym, Settings{})
	if err == nil || !strings.Contains(err.Error(), "context-dm") || !strings.Contains(err.Error(), "ready-set-go") {
		t.Errorf("unknown task error %v, want the valid names listed", err)
	}
	_, err = New("go-nogo", LowRank, Settings{})
	if err == nil || !strings.Contains(err.Error(), "neurogym") {
		t.Errorf("missing preset error %v, want the valid presets listed", err)
	}
	_, err = New("go-nogo", NeuroGym, Settings{Bits: 3})
	if err == nil || !strings.Contains(err.Error(), "bits") {
		t.Errorf("inapplicable setting error %v, want it to name bits", err)
	}
	// It is an *UnusedSettingsError, whose text says whether the preset
	// was chosen or is the task's default.
	for _, c := range []struct {
		p    Preset
		want string
	}{
		{NeuroGym, `tasks: go-nogo (preset neurogym) does not take the settings ["bits"]`},
		{Default, `tasks: go-nogo (default preset neurogym) does not take the settings ["bits"]`},
	} {
		_, err = New("go-nogo", c.p, Settings{Bits: 3})
		if ue := (*UnusedSettingsError)(nil); !errors.As(err, &ue) || err.Error() != c.want || !slices.Equal(ue.Keys, []string{"bits"}) {
			t.Errorf("go-nogo preset %s with bits: error %v, want an *UnusedSettingsError %q", c.p, err, c.want)
		}
		// A caller whose default task it is says so.
		if ue := (*UnusedSettingsError)(nil); errors.As(err, &ue) {
			ue.DefaultTask = true
			want := strings.Replace(c.want, "go-nogo (", "go-nogo (the default task; ", 1)
			if got := err.Error(); got != want {
				t.Errorf("go-nogo preset %s with bits as the default task: error %q, want %q", c.p, got, want)
			}
		}
	}
	// Settings that do not suit the task under its preset are a
	// *SettingsError, whose text says the same of the preset.
	for _, c := range []struct {
		name string
		p    Preset
		s    Settings
		want string
	}{
		{"context-dm", Dubreuil, Settings{StimulusMS: ptr(5.0)}, "tasks: context-dm (preset dubreuil): stimulus_ms = 5 is shorter than one step of dt_ms = 20"},
		{"context-dm", Default, Settings{StimulusMS: ptr(5.0)}, "tasks: context-dm (default preset dubreuil): stimulus_ms = 5 is shorter than one step of dt_ms = 20"},
		{"perceptual-dm", Default, Settings{DtMS: 0.001, StimulusMS: ptr(2000.0)}, "tasks: perceptual-dm (default preset dubreuil): stimulus_ms = 2000 is more than 1000000 steps of dt_ms = 0.001"},
		{"perceptual-dm", Default, Settings{DtMS: 0.001}, "tasks: perceptual-dm (default preset dubreuil): trials of up to 1020000 steps, more than 1000000; raise dt_ms or shorten the periods"},
		{"perceptual-dm", Valente, Settings{DtMS: 0.001}, "tasks: perceptual-dm (preset valente): trials of up to"},
		{"context-dm", NeuroGym, Settings{Coherences: []float64{-1}}, "tasks: context-dm (preset neurogym): coherences[0] = -1: want unsigned levels"},
	} {
		_, err = New(c.name, c.p, c.s)
		if se := (*SettingsError)(nil); !errors.As(err, &se) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s preset %s with %+v: error %v, want a *SettingsError starting %q", c.name, c.p, c.s, err, c.want)
		}
	}
	// Valente's multisensory has no context period or cues to set.
	_, err = New("multisensory", Valente, Settings{ContextMS: ptr(100.0), ContextScale: ptr(0.5), CueSpan: CueResponse})
	if ue := (*UnusedSettingsError)(nil); !errors.As(err, &ue) || !slices.Equal(ue.Keys, []string{"context_ms", "context_scale", "cue_span"}) {
		t.Errorf("multisensory (valente) with context_ms, context_scale and cue_span: error %v, want an *UnusedSettingsError naming the three", err)
	}
	_, err = New("perceptual-dm", NeuroGym, Settings{CatchFraction: ptr(0.1)})
	if err == nil || !strings.Contains(err.Error(), "catch_fraction") {
		t.Errorf("catch_fraction on NeuroGym: error %v, want it rejected", err)
	}
	_, err = New("context-dm", LowRank, Settings{Noise: ptr(-1)})
	if err == nil || !strings.Contains(err.Error(), "noise") {
		t.Errorf("negative noise error %v", err)
	}
	// Dubreuil's psychometric curves use coherence 0 (rdm.py L84).
	if _, err = New("perceptual-dm", LowRank, Settings{Coherences: []float64{-1, 0, 1}}); err != nil {
		t.Errorf("zero lowrank coherence: %v", err)
	}
	if _, err := ParsePreset("yang"); err == nil || !strings.Contains(err.Error(), "lowrank") || !strings.Contains(err.Error(), "valente") {
		t.Errorf("ParsePreset error %v, want the valid presets listed", err)
	}
	if p, err := ParsePreset("lowrank"); err != nil || p != Dubreuil {
		t.Errorf(`ParsePreset("lowrank") = %v, %v; want dubreuil (the alias)`, p, err)
	}
}

func TestConfigRoundTrip(t *testing.T) {
	for _, tc := range taskCases() {
		task := mustNew(t, tc.name, tc.preset, Settings{})
		data, err := json.Marshal(task.(Configurable).Config())
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseConfig(data)
		if err != nil {
			t.Fatalf("%s: ParseConfig(%s): %v", tc.name, data, err)
		}
		if !reflect.DeepEqual(again.(Configurable).Config(), task.(Configurable).Config()) {
			t.Errorf("%s: config %s does not round-trip", tc.name, data)
		}
		b1 := task.Batch(rand.New(rand.NewPCG(9, 9)), 3)
		b2 := again.Batch(rand.New(rand.NewPCG(9, 9)), 3)
		if !reflect.DeepEqual(b1, b2) {
			t.Errorf("%s: rebuilt task generates different trials", tc.name)
		}
		if tc.name == "context-dm" && tc.preset == LowRank && !strings.Contains(string(data), `"preset":"dubreuil"`) {
			t.Errorf("config JSON %s lacks the preset's text form", data)
		}
	}
	if _, err := ParseConfig([]byte(`{"task":"go-nogo","preset":"neurogym","settings":{"nosie":1}}`)); err == nil {
		t.Error("ParseConfig accepted an unknown settings field")
	}
	s, err := ParseSettings([]byte(`{"noise":0,"coherences":[5],"split":"test"}`))
	if err != nil || s.Noise == nil || *s.Noise != 0 || len(s.Coherences) != 1 || s.Split != Test {
		t.Errorf("ParseSettings = %+v, %v; want noise 0 (set, not default), coherences [5], split test", s, err)
	}
	if _, err := ParseSettings([]byte(`{"catch_fraction":1.5}`)); err == nil || !strings.Contains(err.Error(), "catch_fraction") {
		t.Errorf("ParseSettings accepted catch_fraction 1.5: %v", err)
	}
	if _, err := ParseSettings([]byte(`{"split":"holdout"}`)); err == nil || !strings.Contains(err.Error(), "train, validation, test") {
		t.Errorf("ParseSettings accepted an unknown split: %v", err)
	}
}

func TestSettingsOverride(t *testing.T) {
	task := mustNew(t, "context-dm", NeuroGym, Settings{Noise: ptr(0), Coherences: []float64{50}})
	b := task.Batch(rand.New(rand.NewPCG(1, 1)), 50)
	for i, tr := range b.Trials {
		if math.Abs(tr.Coherence) != 50 {
			t.Fatalf("trial %d coherence %v, want ±50", i, tr.Coherence)
		}
		stim := tr.Periods[1]
		if got := b.Inputs[(stim.Start*b.B+i)*b.NIn+1]; got != 0.75 && got != 0.25 {
			t.Fatalf("noiseless stimulus input %v, want 0.5 ± 0.25", got)
		}
	}
	if got := task.(Configurable).Config().Settings.DtMS; got != 100 {
		t.Errorf("resolved dt %v, want 100", got)
	}
}

func TestCatalog(t *testing.T) {
	infos, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	defaults := map[string]int{}
	for _, in := range infos {
		if in.Default {
			defaults[in.Name]++
			if want, _ := DefaultPreset(in.Name); in.Preset != want {
				t.Errorf("%s: default row has preset %s, want %s", in.Name, in.Preset, want)
			}
		}
		if in.Preset != Dataset && (in.NIn < 1 || in.NOut < 1 || in.MinSteps < 1 || in.DtMS <= 0) {
			t.Errorf("%s/%s: incomplete info %+v", in.Name, in.Preset, in)
		}
	}
	for _, name := range Names() {
		if defaults[name] != 1 {
			t.Errorf("%s has %d default rows, want 1", name, defaults[name])
		}
	}
}

func TestCatchTrials(t *testing.T) {
	task := mustNew(t, "context-dm", LowRank, Settings{CatchFraction: ptr(0.25)})
	b := task.Batch(rand.New(rand.NewPCG(4, 4)), 2000)
	n := 0
	for i, tr := range b.Trials {
		if !tr.Catch {
			continue
		}
		n++
		// mante.py catch trials: no stimulus and no context cue, target 0
		// in the (masked) response window.
		for s := range b.Lengths[i] {
			if x := b.Inputs[(s*b.B+i)*b.NIn : (s*b.B+i+1)*b.NIn]; x[2] != 0 || x[3] != 0 {
				t.Fatalf("catch trial %d has a context cue at step %d", i, s)
			}
			if b.Targets[s*b.B+i] != 0 {
				t.Fatalf("catch trial %d has target %v", i, b.Targets[s*b.B+i])
			}
		}
	}
	// 2000 draws at p = 0.25: sd ≈ 19; tolerance 100.
	if n < 400 || n > 600 {
		t.Errorf("%d catch trials in 2000, want about 500", n)
	}
	r := task.Score(idealOutputs(task, &b), &b)
	if r.Scored != 2000-n || r.Accuracy != 1 {
		t.Errorf("scored %d (want %d) with accuracy %v (want 1)", r.Scored, 2000-n, r.Accuracy)
	}
}

// TestInfoStepsAttained checks that Info.MinSteps and Info.MaxSteps, the
// trial length `rnntrain tasks` and the run header print, are lengths the
// task draws and not only bounds on them. The explicit cases carry the
// source's numbers: dms.py (populations_paper_code @ 1bb6256
// src/low_rank_rnns/dms.py L84-85, L85-86 in lowrank_inference)
// draws the delay as floor(np.random.uniform(min, max) / deltaT) with
// deltaT = 20, and uniform's interval is half-open, so the default
// U(500, 3000) gives 25…149 steps, not 150, and a trial of 5 + 25 + delay
// + 25 + 50 steps lasts 130…254; dms_fig1.py L71's delay_duration_max =
// 700 gives 25…34 steps (130…139); min = max gives that one delay.
func TestInfoStepsAttained(t *testing.T) {
	t.Parallel()
	draw := func(t *testing.T, task Task) (lo, hi int) {
		info := Describe(task)
		rng := rand.New(rand.NewPCG(11, 12))
		lo, hi = math.MaxInt, 0
		for range 30 {
			b := task.Batch(rng, 400)
			lo, hi = min(lo, slices.Min(b.Lengths)), max(hi, slices.Max(b.Lengths))
			if lo == info.MinSteps && hi == info.MaxSteps {
				break
			}
		}
		return lo, hi
	}
	for _, c := range []struct {
		name     string
		p        Preset
		label    string
		s        Settings
		min, max int
	}{
		{"match-to-sample", Dubreuil, "default", Settings{}, 130, 254},
		{"match-to-sample", Valente, "default", Settings{}, 130, 254},
		{"match-to-sample", Dubreuil, "delay_max_ms 700", Settings{DelayMaxMS: ptr(700)}, 130, 139},
		{"match-to-sample", Dubreuil, "delay 1000…1000", Settings{DelayMinMS: ptr(1000), DelayMaxMS: ptr(1000)}, 155, 155},
		// romo.py L62: random.randint includes both ends, 25…50 steps.
		{"parametric-wm", Dubreuil, "default", Settings{}, 45, 70},
	} {
		task := mustNew(t, c.name, c.p, c.s)
		info := Describe(task)
		if info.MinSteps != c.min || info.MaxSteps != c.max {
			t.Errorf("%s/%s %s: Info steps %d…%d, want %d…%d", c.name, c.p, c.label, info.MinSteps, info.MaxSteps, c.min, c.max)
		}
		if lo, hi := draw(t, task); lo != c.min || hi != c.max {
			t.Errorf("%s/%s %s: drew trials of %d…%d steps, want %d…%d", c.name, c.p, c.label, lo, hi, c.min, c.max)
		}
	}
	infos, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range infos {
		if in.Preset == Dataset {
			continue
		}
		if lo, hi := draw(t, mustNew(t, in.Name, in.Preset, Settings{})); lo != in.MinSteps || hi != in.MaxSteps {
			t.Errorf("%s/%s: drew trials of %d…%d steps, Info says %d…%d", in.Name, in.Preset, lo, hi, in.MinSteps, in.MaxSteps)
		}
	}
}
