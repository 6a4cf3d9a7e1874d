package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// This file holds the working-memory and rule tasks: match-to-sample,
// parametric-wm, go-nogo, anti-saccade and ready-set-go.

// newMatchToSample builds match-to-sample.
//
// Dubreuil (default) and Valente (dms.py, the same constants in both):
// fixation 100, stimulus 1 500, delay U(500, 3000), stimulus 2 500,
// decision 1000 ms at dt 20 (5 + 25 + 25…149 + 25 + 50 steps), inputs
// [A, B], noise 0.03; delay_min_ms and delay_max_ms set the delay range
// (Dubreuil's shaping: max 700, 1000, 4000). See newLowRankMatch.
//
// NeuroGym (DelayMatchSample): fixation 300, sample 500, delay 1000,
// test 500, decision 900 ms at dt 100 (3 + 5 + 10 + 5 + 9 steps); inputs
// [fixation, stim1, stim2] with the ring encoding cos(θ_k − θ)·0.5 + 0.5
// of the sample and test directions θ ∈ {0, π} and σ/√dt noise on the
// stimulus channels during sample and test; actions [fixate, match,
// non-match].
//
// Trial.Context is the sample (0 = A / θ = 0, 1 = B / θ = π).
func newMatchToSample(p Preset, s Settings) (Task, error) {
	const name = "match-to-sample"
	if p == NeuroGym {
		s = resolve(s, Settings{DtMS: 100, Noise: ptr(1)})
		dt, std := s.DtMS, noiseOf(s)/sqrt(s.DtMS)
		T := steps(300, dt) + steps(500, dt) + steps(1000, dt) + steps(500, dt) + steps(900, dt)
		t := neurogymDecision(name, p, s, []string{"fixation", "stim1", "stim2"}, 2, T, T, func(rng *rand.Rand, tb *trialBuf) {
			gt := 1 + rng.IntN(2) // 1 = match, 2 = non-match
			sample := rng.IntN(2)
			test := sample
			if gt == 2 {
				test = 1 - sample
			}
			var tl timeline
			tl.add("fixation", steps(300, dt))
			smp := tl.add("sample", steps(500, dt))
			tl.add("delay", steps(1000, dt))
			tst := tl.add("test", steps(500, dt))
			dec := tl.add("decision", steps(900, dt))
			tb.start(&tl)
			tb.setIn(0, span("", 0, dec.Start), 1)
			for k := range 2 {
				tb.setIn(1+k, smp, math.Cos(math.Pi*float64(k-sample))*0.5+0.5)
				tb.setIn(1+k, tst, math.Cos(math.Pi*float64(k-test))*0.5+0.5)
			}
			tb.noise(rng, smp, std, 1, 2)
			tb.noise(rng, tst, std, 1, 2)
			tb.action(span("", 0, dec.Start), 0)
			tb.action(dec, gt)
			tb.trial = Trial{Condition: dmsCondition(sample, test), Context: sample, Choice: gt,
				ResponseStart: dec.Start, ResponseEnd: dec.End, Periods: tb.trial.Periods,
				Vars: []Var{{"sample", float64(sample)}, {"test", float64(test)}}}
		})
		g := t.(*generated)
		g.info.Outputs = []string{"fixate", "match", "non-match"}
		return g, nil
	}
	return newLowRankMatch(p, s)
}

func dmsCondition(a, b int) string { return string([]byte{'A' + byte(a), '-', 'A' + byte(b)}) }

// romoPairs are romo.py's fpairs_global: (f1, f2) = (base, base + d) for
// d ∈ {−24, −16, −8, 8, 16, 24} and every base keeping both in [10, 34].
func romoPairs() [][2]float64 {
	var pairs [][2]float64
	for _, d := range []int{-24, -16, -8, 8, 16, 24} {
		for base := max(10-d, 10); base <= min(34, 34-d); base++ {
			pairs = append(pairs, [2]float64{float64(base), float64(base + d)})
		}
	}
	return pairs
}

// newParametricWM builds parametric-wm.
//
// Dubreuil (default; romo.py): fixation 100, stimulus 1 100, delay
// 500…1000 (uniform over whole steps), stimulus 2 100, decision 100 ms at
// dt 20 (45…70 steps), noise 0.01, graded target (f1 − f2)/24. Valente
// (romo.py): delay up to 2000 ms (45…120 steps). See newLowRankRomo.
//
// NeuroGym (DelayComparison): fixation 500, stimulus1 500, delay 1000,
// stimulus2 500, decision 100 ms at dt 100 (26 steps). Inputs [fixation,
// stimulus] with stimulus (1 + (f − 10)/24)/2 and σ/√dt noise on both
// channels during the stimuli; pairs (f1, f2) ∈ {(18, 10), (22, 14),
// (26, 18), (30, 22), (34, 26)}, shown in either order; actions [fixate,
// f1 > f2, f1 < f2]. Its ideal observer from the noisy inputs is ≈ 99.6 %
// (|f1 − f2| = 8 Hz is 1/6 apart in input units against 0.1·√(2/5) noise).
//
// Trial.Coherence is f1 − f2 in Hz.
//
// PsychRNN (DelayedDiscrimination with dt 10, T 2000): see
// newPsychRNNParametric.
func newParametricWM(p Preset, s Settings) (Task, error) {
	const name = "parametric-wm"
	if p == PsychRNN {
		return newPsychRNNParametric(s)
	}
	if p == NeuroGym {
		s = resolve(s, Settings{DtMS: 100, Noise: ptr(1)})
		dt, std := s.DtMS, noiseOf(s)/sqrt(s.DtMS)
		vpairs := [][2]float64{{18, 10}, {22, 14}, {26, 18}, {30, 22}, {34, 26}}
		const vmin, vmax = 10, 34
		repr := func(v float64) float64 { return (1 + (v-vmin)/(vmax-vmin)) / 2 }
		T := steps(500, dt) + steps(500, dt) + steps(1000, dt) + steps(500, dt) + steps(100, dt)
		return neurogymDecision(name, p, s, []string{"fixation", "stimulus"}, 2, T, T, func(rng *rand.Rand, tb *trialBuf) {
			gt := 1 + rng.IntN(2)
			vp := pick(rng, vpairs)
			f1, f2 := vp[0], vp[1]
			if gt == 2 {
				f1, f2 = f2, f1
			}
			var tl timeline
			tl.add("fixation", steps(500, dt))
			s1 := tl.add("stimulus1", steps(500, dt))
			tl.add("delay", steps(1000, dt))
			s2 := tl.add("stimulus2", steps(500, dt))
			dec := tl.add("decision", steps(100, dt))
			tb.start(&tl)
			tb.setIn(0, span("", 0, dec.Start), 1)
			tb.setIn(1, s1, repr(f1))
			tb.setIn(1, s2, repr(f2))
			tb.noise(rng, s1, std, 0, 1)
			tb.noise(rng, s2, std, 0, 1)
			tb.action(span("", 0, dec.Start), 0)
			tb.action(dec, gt)
			tb.trial = Trial{Condition: fmt.Sprintf("f1=%g f2=%g", f1, f2), Coherence: f1 - f2, Choice: gt,
				ResponseStart: dec.Start, ResponseEnd: dec.End, Periods: tb.trial.Periods,
				Vars: []Var{{"f1", f1}, {"f2", f2}}}
		}), nil
	}
	return newLowRankRomo(p, s)
}

// newGoNogo builds go-nogo (NeuroGym GoNogo): fixation 0, stimulus 500,
// delay 500, decision 500 ms at dt 100 (0 + 5 + 5 + 5 steps). Inputs
// [fixation, nogo, go]: the cue of the trial's type is 1 during the
// stimulus; GoNogo adds no noise (noise 0 by default). Actions [fixate,
// go]: go trials (choice 1) must go in the decision period, no-go trials
// (choice 0) must keep fixating through it.
func newGoNogo(p Preset, s Settings) (Task, error) {
	const name = "go-nogo"
	s = resolve(s, Settings{DtMS: 100, Noise: ptr(0)})
	dt, std := s.DtMS, noiseOf(s)/sqrt(s.DtMS)
	T := steps(0, dt) + steps(500, dt) + steps(500, dt) + steps(500, dt)
	t := neurogymDecision(name, p, s, []string{"fixation", "nogo", "go"}, 1, T, T, func(rng *rand.Rand, tb *trialBuf) {
		gt := rng.IntN(2)
		var tl timeline
		tl.add("fixation", steps(0, dt))
		stim := tl.add("stimulus", steps(500, dt))
		tl.add("delay", steps(500, dt))
		dec := tl.add("decision", steps(500, dt))
		tb.start(&tl)
		tb.setIn(0, span("", 0, dec.Start), 1)
		tb.setIn(1+gt, stim, 1)
		tb.noise(rng, stim, std, 1, 2)
		tb.action(span("", 0, dec.Start), 0)
		tb.action(dec, gt)
		cond := "nogo"
		if gt == 1 {
			cond = "go"
		}
		tb.trial = Trial{Condition: cond, Choice: gt, ResponseStart: dec.Start, ResponseEnd: dec.End, Periods: tb.trial.Periods}
	})
	g := t.(*generated)
	g.info.Outputs = []string{"fixate", "go"}
	g.info.Chance = 0.5 // always fixating is right on the no-go half
	return g, nil
}

// antiRing is AntiReach's dim_ring.
const antiRing = 32

// newAntiSaccade builds anti-saccade (NeuroGym AntiReach, dim_ring 32):
// fixation 500, stimulus 500, delay 0, decision 500 ms at dt 100 (5 + 5 +
// 0 + 5 steps). Inputs [fixation, ring ×32, pro, anti]: the ring carries
// cos(θ_k − θ_stim) during the stimulus (no noise by default, as in
// AntiReach). AntiReach fixes `anti` per environment; here each trial
// draws pro or anti with probability ½ and signals it on the two rule
// channels for the whole trial (as Yang et al.'s rule inputs do), so one
// network learns both. The correct action is the stimulus direction
// (pro) or its opposite (anti): choice k ∈ 1…32 ↔ θ = 2π(k−1)/32.
// Trial.Context is 0 for pro, 1 for anti.
func newAntiSaccade(p Preset, s Settings) (Task, error) {
	const name = "anti-saccade"
	s = resolve(s, Settings{DtMS: 100, Noise: ptr(0)})
	dt, std := s.DtMS, noiseOf(s)/sqrt(s.DtMS)
	inputs := []string{"fixation"}
	ring := make([]int, antiRing)
	for k := range antiRing {
		inputs = append(inputs, fmt.Sprintf("ring%d", k+1))
		ring[k] = 1 + k
	}
	inputs = append(inputs, "pro", "anti")
	T := steps(500, dt) + steps(500, dt) + steps(0, dt) + steps(500, dt)
	t := neurogymDecision(name, p, s, inputs, antiRing, T, T, func(rng *rand.Rand, tb *trialBuf) {
		gt := rng.IntN(antiRing)
		anti := rng.IntN(2)
		stimK := gt
		if anti == 1 {
			stimK = (gt + antiRing/2) % antiRing
		}
		var tl timeline
		tl.add("fixation", steps(500, dt))
		stim := tl.add("stimulus", steps(500, dt))
		tl.add("delay", steps(0, dt))
		dec := tl.add("decision", steps(500, dt))
		tb.start(&tl)
		tb.setIn(0, span("", 0, dec.Start), 1)
		for k := range antiRing {
			tb.setIn(1+k, stim, math.Cos(2*math.Pi*float64(k-stimK)/antiRing))
		}
		tb.noise(rng, stim, std, ring...)
		tb.setIn(1+antiRing+anti, span("", 0, tl.t), 1)
		tb.action(span("", 0, dec.Start), 0)
		tb.action(dec, 1+gt)
		rule := "pro"
		if anti == 1 {
			rule = "anti"
		}
		tb.trial = Trial{Condition: fmt.Sprintf("%s target=%d", rule, 1+gt), Context: anti, Choice: 1 + gt,
			ResponseStart: dec.Start, ResponseEnd: dec.End, Periods: tb.trial.Periods,
			Vars: []Var{{"stimulus", float64(stimK)}, {"target", float64(gt)}}}
	})
	return t, nil
}

// rsgMargin is ReadySetGo's prod_margin default.
const rsgMargin = 0.2

// newReadySetGo builds ready-set-go (NeuroGym ReadySetGo, gain 1): dt 80;
// fixation 100, ready 83, measure U(800, 1500), set 83 ms, then a
// production period of twice the measured interval; each duration floored
// to whole steps (1, 1, 10…18, 1 steps). As in the source the measure
// period starts right after fixation, so ready overlaps its first step.
// Inputs [fixation, ready, set]: fixation is 1 until production, ready
// and set are 1 during their periods. Actions [fixate, go]: the target is
// go at production step ⌊t_p/dt⌋ and fixate elsewhere. Scored by
// ScoreProductionTime: the first go in the production period must come
// within 0.2·t_p + 25 ms of t_p after the set cue (NeuroGym's
// prod_margin rule). Trial.Value is t_p in ms.
func newReadySetGo(p Preset, s Settings) (Task, error) {
	const name = "ready-set-go"
	s = resolve(s, Settings{DtMS: 80})
	dt := s.DtMS
	mMin, mMax := steps(800, dt), steps(1499.999, dt)
	fixN, readyN, setN := steps(100, dt), steps(83, dt), steps(83, dt)
	if fixN < 1 || readyN < 1 || setN < 1 {
		return nil, fmt.Errorf("tasks: ready-set-go: dt_ms = %v leaves the 83 ms ready or set cue without a step; want dt_ms <= 83", dt)
	}
	t := neurogymDecision(name, p, s, []string{"fixation", "ready", "set"}, 1, fixN+mMin+setN+2*mMin, fixN+mMax+setN+2*mMax,
		func(rng *rand.Rand, tb *trialBuf) {
			m := steps(800+700*rng.Float64(), dt)
			var tl timeline
			tl.add("fixation", fixN)
			meas := tl.add("measure", m)
			tl.add("set", setN)
			prod := tl.add("production", 2*m)
			ready := span("ready", meas.Start, meas.Start+readyN)
			tl.periods = append(tl.periods[:1], append([]Period{ready}, tl.periods[1:]...)...)
			tb.start(&tl)
			tb.setIn(0, span("", 0, prod.Start), 1)
			tb.setIn(1, ready, 1)
			tb.setIn(2, span("", meas.End, prod.Start), 1)
			tb.action(span("", 0, tl.t), 0)
			tb.action(span("", prod.Start+m, prod.Start+m+1), 1)
			tp := float64(m) * dt
			tb.trial = Trial{Condition: fmt.Sprintf("tp=%g", tp), Value: tp, Choice: 1,
				ResponseStart: prod.Start, ResponseEnd: prod.End, Periods: tb.trial.Periods}
		})
	g := t.(*generated)
	g.info.Outputs = []string{"fixate", "go"}
	g.info.Scorer = ProductionTime
	g.info.Chance = 0
	g.score = func(out []float32, b *Batch) Result { return ScoreProductionTime(out, b, dt, rsgMargin) }
	return g, nil
}

func sqrt(x float64) float64 { return math.Sqrt(x) }
