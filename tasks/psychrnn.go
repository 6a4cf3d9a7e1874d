package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// This file holds the PsychRNN preset (murraylab/PsychRNN @ aff98e1,
// psychrnn/tasks/*.py) of perceptual-dm and parametric-wm, with dt 10 ms
// and T 2000 ms (200 steps) as in PsychRNN's documentation examples.
// Step k is time k·dt. Both tasks have two noisy input channels and two
// outputs, one per choice, with targets hi = 1.0 on the correct choice
// and lo = 0.2 on the other, MSE, scored by the masked-mean argmax.

const (
	psychTMS = 2000 // trial length T in ms
	psychHi  = 1.0  // one-hot high value
	psychLo  = 0.2  // one-hot low value
)

// psychNoiseStd is PsychRNN's input noise std,
// √(2·0.01·√10·√dt·stim_noise²), with stim_noise = 0.1 by default.
func psychNoiseStd(dt, stimNoise float64) float64 {
	return math.Sqrt(2 * 0.01 * math.Sqrt(10) * math.Sqrt(dt) * stimNoise * stimNoise)
}

// ceilStep is the first step k with k·dt >= ms.
func ceilStep(ms, dt float64) int { return int(math.Ceil(ms/dt - 1e-9)) }

// psychRNNTask assembles a PsychRNN-preset task. Its scorer is
// ScoreMaskedMeanArgmax with Response = channel + 1, so that choice k is
// output channel k−1 (there is no fixation output).
func psychRNNTask(name string, s Settings, inputs []string, T int, gen func(*rand.Rand, *trialBuf)) Task {
	sum, _ := Summary(name)
	def, _ := DefaultPreset(name)
	return &generated{
		info: Info{Name: name, Preset: PsychRNN, Default: def == PsychRNN, Summary: sum, DtMS: s.DtMS, NIn: 2, NOut: 2,
			Inputs: inputs, Outputs: []string{"choice 1", "choice 2"},
			MinSteps: T, MaxSteps: T, Loss: MSE, Scorer: MaskedMeanArgmax, Chance: 0.5},
		cfg: Config{Task: name, Preset: PsychRNN, Settings: s.withPsychRNNDefaults()},
		gen: gen,
		score: func(out []float32, b *Batch) Result {
			r := ScoreMaskedMeanArgmax(out, b)
			for i := range r.Response {
				r.Response[i]++
			}
			return r
		},
	}
}

// oneHotTargets sets the hi/lo targets of choice c ∈ {1, 2} with mask 1
// over steps p.
func oneHotTargets(tb *trialBuf, p Period, c int) {
	tb.value(c-1, p, psychHi)
	tb.value(2-c, p, psychLo)
}

// newPsychRNNPerceptual builds perceptual-dm with PsychRNN's
// PerceptualDiscrimination (perceptual_discrimination.py). The stimulus
// shows while onset < t < onset + duration, onset ~ U(0, T/2), duration
// ~ U(T/8, 3T/8): channel `direction` gets 1 + coh, the other 1, coh ∈
// {0.1, 0.3, 0.5, 0.7}. Both channels carry N(0, std²) noise on every step
// (psychNoiseStd, stim_noise = Settings.Noise = 0.1). Targets are 0 until
// onset + duration + 20 ms, then hi on the correct channel and lo on the
// other; the mask is 1 from the end of the stimulus.
func newPsychRNNPerceptual(s Settings) (Task, error) {
	const name = "perceptual-dm"
	s, err := resolveCohs(name, PsychRNN, s, Settings{DtMS: 10, Noise: ptr(0.1), Coherences: []float64{0.1, 0.3, 0.5, 0.7}})
	if err != nil {
		return nil, err
	}
	dt, cohs := s.DtMS, s.Coherences
	std := psychNoiseStd(dt, noiseOf(s))
	T := ceilStep(psychTMS, dt)
	return psychRNNTask(name, s, []string{"channel1", "channel2"}, T, func(rng *rand.Rand, tb *trialBuf) {
		// Draw order as in generate_trial_params.
		coh := pick(rng, cohs)
		dir := rng.IntN(2)
		onset := rng.Float64() * psychTMS / 2
		dur := rng.Float64()*psychTMS/4 + psychTMS/8
		// Steps k with onset < k·dt < onset + dur show the stimulus.
		first := int(math.Floor(onset/dt)) + 1
		end := ceilStep(onset+dur, dt)
		var tl timeline
		tl.add("fixation", first)
		stim := tl.add("stimulus", end-first)
		resp := tl.add("response", T-end)
		tb.start(&tl)
		tb.noise(rng, span("", 0, T), std, 0, 1)
		tb.addIn(dir, stim, 1+coh)
		tb.addIn(1-dir, stim, 1)
		late := max(resp.Start, int(math.Floor((onset+dur+20)/dt))+1) // first k with k·dt > onset+dur+20
		tb.value(0, span("", resp.Start, late), 0)
		tb.value(1, span("", resp.Start, late), 0)
		oneHotTargets(tb, span("", late, T), 1+dir)
		sc := signedCoh(1+dir, coh)
		tb.trial = Trial{Condition: fmt.Sprintf("coh=%+g", sc), Coherence: sc, Choice: 1 + dir,
			ResponseStart: resp.Start, ResponseEnd: resp.End, Periods: tb.trial.Periods}
	}), nil
}

// newPsychRNNParametric builds parametric-wm with PsychRNN's
// DelayedDiscrimination (delayed_discrim.py): onset ~ U(0, T/8), stimulus
// 1 ~ U(0, T/4), delay ~ U(0, T/4), stimulus 2 ~ U(0, T/4), decision ~
// U(0, T/8), each period covering the steps with start <= k·dt < end.
// Frequency pairs (f1, f2) ∈ {(18, 10), (22, 14), (26, 18), (30, 22),
// (34, 26)} in either order; during each stimulus channel 1 carries
// 0.4 + 0.8(f − 10)/24 and channel 2 its mirror 0.4 + 0.8(34 − f)/24;
// both carry psychNoiseStd noise on every step. Targets hi/lo on the
// choice (1 when f1 > f2) with mask 1 during the decision only. A trial
// whose decision period has no step (2.0 % at dt 10: a decision shorter
// than dt, probability 10/250, that holds no multiple of dt, probability
// ½ on average) has nothing to score; with EmptyCorrect (the default) it
// counts as correct whatever the output, as in PsychRNN's accuracy, with
// EmptyExclude it is marked Catch and excluded. Trial.Coherence is f1 − f2.
func newPsychRNNParametric(s Settings) (Task, error) {
	const name = "parametric-wm"
	s = resolve(s, Settings{DtMS: 10, Noise: ptr(0.1)})
	if s.EmptyTrials == EmptyDefault {
		s.EmptyTrials = EmptyCorrect
	}
	exclude := s.EmptyTrials == EmptyExclude
	dt := s.DtMS
	std := psychNoiseStd(dt, noiseOf(s))
	T := ceilStep(psychTMS, dt)
	pairs := [][2]float64{{18, 10}, {22, 14}, {26, 18}, {30, 22}, {34, 26}}
	scaleP := func(f float64) float64 { return 0.4 + 0.8*(f-10)/(34-10) }
	scaleN := func(f float64) float64 { return 0.4 + 0.8*(34-f)/(34-10) }
	return psychRNNTask(name, s, []string{"positive", "negative"}, T, func(rng *rand.Rand, tb *trialBuf) {
		// Draw order as in generate_trial_params.
		onset := rng.Float64() * psychTMS / 8
		s1 := rng.Float64() * psychTMS / 4
		delay := rng.Float64() * psychTMS / 4
		s2 := rng.Float64() * psychTMS / 4
		dec := rng.Float64() * psychTMS / 8
		fp := pick(rng, pairs)
		c := 1 + rng.IntN(2)
		f1, f2 := fp[0], fp[1]
		if c == 2 {
			f1, f2 = f2, f1
		}
		edges := []float64{0, onset, onset + s1, onset + s1 + delay, onset + s1 + delay + s2, onset + s1 + delay + s2 + dec}
		var tl timeline
		var ps [5]Period
		for i, name := range []string{"fixation", "stimulus1", "delay", "stimulus2", "decision"} {
			ps[i] = tl.add(name, ceilStep(edges[i+1], dt)-ceilStep(edges[i], dt))
		}
		tl.add("end", T-tl.t)
		tb.start(&tl)
		tb.noise(rng, span("", 0, T), std, 0, 1)
		tb.addIn(0, ps[1], scaleP(f1))
		tb.addIn(1, ps[1], scaleN(f1))
		tb.addIn(0, ps[3], scaleP(f2))
		tb.addIn(1, ps[3], scaleN(f2))
		oneHotTargets(tb, ps[4], c)
		tb.trial = Trial{Condition: fmt.Sprintf("f1=%g f2=%g", f1, f2), Coherence: f1 - f2, Choice: c,
			Catch: exclude && ps[4].End == ps[4].Start, ResponseStart: ps[4].Start, ResponseEnd: ps[4].End, Periods: tb.trial.Periods,
			Vars: []Var{{"f1", f1}, {"f2", f2}}}
	}), nil
}

// withPsychRNNDefaults resolves the PsychRNN preset's loss normalisation
// (NormAll, the mean over every element, loss_functions.py L68).
func (s Settings) withPsychRNNDefaults() Settings {
	if s.LossNorm == NormDefault {
		s.LossNorm = NormAll
	}
	return s
}
