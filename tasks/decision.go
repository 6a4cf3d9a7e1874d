package tasks

import (
	"fmt"
	"math/rand/v2"
)

// This file holds the perceptual decision tasks: perceptual-dm,
// context-dm and multisensory.
//
// NeuroGym fixation convention. NeuroGym 2.2.0's PerceptualDecisionMaking
// and ContextDecisionMaking set the fixation input only during the
// fixation period (`add_ob(1, period="fixation", where="fixation")`),
// while its DelayMatchSample, DelayComparison, MultiSensoryIntegration,
// GoNogo and AntiReach keep it on until the decision period
// (`add_ob(1, where="fixation")` then `set_ob(0, "decision")`). We use the
// latter everywhere: the fixation input is 1 until the decision period
// and 0 during it, so its offset is the go cue. With context-dm's
// variable delay the decision onset would otherwise not be signalled at
// all and the decision-period scorer could not be met by any network.

// lowRankDecisionTimings are the Dubreuil/Valente mante.py and raposo.py
// constants in ms (populations_paper_code src/low_rank_rnns/mante.py:
// fixation_duration 100, ctx_only_pre_duration 350, stimulus_duration 800,
// delay_duration 100, decision_duration 20; peers.md §3.1).
const (
	lrFixationMS = 100
	lrCtxOnlyMS  = 350
	lrStimulusMS = 800
	lrDelayMS    = 100
	lrDecisionMS = 20
	// lrScale is the input scale of coherences and context cues (mante.py
	// SCALE = SCALE_CTX = 1e-1).
	lrScale = 0.1
)

func lowRankDecisionDefaults() Settings {
	// mante.py: std_default = 1e-1, coherences [-4, -2, -1, 1, 2, 4].
	return Settings{DtMS: 20, Noise: ptr(0.1), Coherences: []float64{-4, -2, -1, 1, 2, 4}}
}

// neurogymCohs are ContextDecisionMaking's and MultiSensoryIntegration's
// `self.cohs = [5, 15, 50]`.
func neurogymCohs() []float64 { return []float64{5, 15, 50} }

// resolveCohs resolves s against d and checks its coherences.
func resolveCohs(name string, p Preset, s, d Settings) (Settings, error) {
	if p != LowRank && s.CatchFraction != 0 {
		return s, fmt.Errorf("tasks: %s (preset %s) does not take the setting catch_fraction (lowrank only)", name, p)
	}
	s = resolve(s, d)
	return s, checkCohs(name, p, s.Coherences, p == LowRank)
}

func checkCohs(name string, p Preset, c []float64, signed bool) error {
	for i, v := range c {
		if !signed && v < 0 {
			return fmt.Errorf("tasks: %s (preset %s): coherences[%d] = %v: want unsigned levels (the direction is drawn per trial)", name, p, i, v)
		}
		if signed && v == 0 {
			return fmt.Errorf("tasks: %s (preset %s): coherences[%d] = 0: lowrank coherences are signed and nonzero (the sign is the correct choice)", name, p, i)
		}
	}
	return nil
}

// newPerceptualDM builds perceptual-dm.
//
// NeuroGym (PerceptualDecisionMaking): fixation 100, stimulus 2000,
// delay 0, decision 100 ms at dt 100 (22 steps); inputs [fixation,
// stim1, stim2] with stim_k = cos(θ_k − θ_choice)·coh/200 + 0.5 plus
// N(0, (σ/√dt)²) noise on the stimulus channels during the stimulus,
// σ = 1; coh ∈ {0, 6.4, 12.8, 25.6, 51.2}; outputs [fixate, choice 1,
// choice 2]. Its ideal observer from the noisy inputs is ≈ 90 %
// (coherence-0 trials are coin flips; TestNoisyIdealObservers).
//
// LowRank (Dubreuil rdm.py, peers.md §3.1): fixation 100, stimulus 800,
// delay 100, decision 20 ms at dt 20 (51 steps); one input, coh·0.1
// during the stimulus with coh ∈ ±{1, 2, 4}, N(0, 0.1²) noise on every
// step; target ±1 = sign(coh) in the decision window, masked there.
//
// PsychRNN (PerceptualDiscrimination with dt 10, T 2000): see
// newPsychRNNPerceptual.
func newPerceptualDM(p Preset, s Settings) (Task, error) {
	const name = "perceptual-dm"
	if p == PsychRNN {
		return newPsychRNNPerceptual(s)
	}
	if p == NeuroGym {
		s, err := resolveCohs(name, p, s, Settings{DtMS: 100, Noise: ptr(1), Coherences: []float64{0, 6.4, 12.8, 25.6, 51.2}})
		if err != nil {
			return nil, err
		}
		dt, cohs := s.DtMS, s.Coherences
		std := noiseOf(s) / sqrt(dt)
		T := steps(100, dt) + steps(2000, dt) + steps(0, dt) + steps(100, dt)
		return neurogymDecision(name, p, s, []string{"fixation", "stim1", "stim2"}, 2, T, T,
			func(rng *rand.Rand, tb *trialBuf) {
				c := 1 + rng.IntN(2)
				coh := pick(rng, cohs)
				var tl timeline
				fix := tl.add("fixation", steps(100, dt))
				stim := tl.add("stimulus", steps(2000, dt))
				delay := tl.add("delay", steps(0, dt))
				dec := tl.add("decision", steps(100, dt))
				tb.start(&tl)
				tb.setIn(0, span("", fix.Start, dec.Start), 1)
				v := ringChannels(c, coh)
				tb.setIn(1, stim, v[0])
				tb.setIn(2, stim, v[1])
				tb.noise(rng, stim, std, 1, 2)
				tb.action(span("", 0, delay.End), 0)
				tb.action(dec, c)
				signed := coh
				if c == 2 {
					signed = -coh
				}
				tb.trial = Trial{Condition: fmt.Sprintf("coh=%+g", signed), Coherence: signed, Choice: c,
					ResponseStart: dec.Start, ResponseEnd: dec.End, Periods: tb.trial.Periods}
			}), nil
	}
	s, err := resolveCohs(name, p, s, lowRankDecisionDefaults())
	if err != nil {
		return nil, err
	}
	dt, cohs, std, catch := s.DtMS, s.Coherences, noiseOf(s), s.CatchFraction
	T := steps(lrFixationMS, dt) + steps(lrStimulusMS, dt) + steps(lrDelayMS, dt) + steps(lrDecisionMS, dt)
	return lowRankDecision(name, s, []string{"stimulus"}, T, T, func(rng *rand.Rand, tb *trialBuf) {
		var tl timeline
		tl.add("fixation", steps(lrFixationMS, dt))
		stim := tl.add("stimulus", steps(lrStimulusMS, dt))
		tl.add("delay", steps(lrDelayMS, dt))
		dec := tl.add("decision", steps(lrDecisionMS, dt))
		tb.start(&tl)
		tb.noise(rng, span("", 0, tl.t), std, 0)
		tr := Trial{ResponseStart: dec.Start, ResponseEnd: dec.End, Periods: tb.trial.Periods}
		if rng.Float64() < catch {
			tr.Catch, tr.Condition = true, "catch"
			tb.value(0, dec, 0)
		} else {
			coh := pick(rng, cohs)
			tb.addIn(0, stim, coh*lrScale)
			tb.value(0, dec, sign(coh))
			tr.Coherence, tr.Choice, tr.Condition = coh, choiceOfSign(coh), fmt.Sprintf("coh=%+g", coh)
		}
		tb.trial = tr
	}), nil
}

// newContextDM builds context-dm.
//
// LowRank (default; Dubreuil/Valente mante.py): fixation 100, context
// only 350, stimulus 800, delay 100, decision 20 ms at dt 20 (68 steps).
// Inputs [modality 1, modality 2, context 1, context 2]: each modality
// carries coh·0.1 during the stimulus (coh ∈ ±{1, 2, 4}, drawn
// independently) plus N(0, 0.1²) noise on every step; the context cue
// is 0.1 on its channel from the end of fixation to the decision. The
// target is sign(relevant coh) = ±1 in the decision window, masked there.
// Its ideal observer from the noisy inputs is ≈ 100 % (the weakest
// coherence, 0.1, against 0.1/√40 noise on the stimulus mean).
//
// NeuroGym (ContextDecisionMaking with use_expl_context=True): fixation
// 300, stimulus 750, delay TruncExp(600, 300, 3000), decision 100 ms at
// dt 100 (floored: 3 + 7 + 3…29 + 1 steps). Inputs [fixation, mod1 ×2,
// mod2 ×2, context 1, context 2] with the ring encoding of each modality
// (coh ∈ {5, 15, 50}, independent directions) and σ/√dt noise on the four
// stimulus channels during the stimulus; the context channel is on for
// the whole trial. The explicit-context variant is the one shipped:
// with NeuroGym's default implicit context (a fixed relevant modality
// that the network must learn) a batch that mixes contexts gives the
// network no way to tell them apart. Its ideal observer from the noisy
// inputs is ≈ 94 % (coh 5 trials: d' = 0.05/(0.1·√2/√7) ≈ 0.94, 82 %).
//
// Trial.Context is 0 when modality 1 is relevant and 1 for modality 2;
// Trial.Coherence is the relevant signed coherence, Coherence2 the other.
func newContextDM(p Preset, s Settings) (Task, error) {
	const name = "context-dm"
	if p == NeuroGym {
		s, err := resolveCohs(name, p, s, Settings{DtMS: 100, Noise: ptr(1), Coherences: neurogymCohs()})
		if err != nil {
			return nil, err
		}
		dt, cohs := s.DtMS, s.Coherences
		std := noiseOf(s) / sqrt(dt)
		base := steps(300, dt) + steps(750, dt) + steps(100, dt)
		// TruncExp(600, 300, 3000) lies in [300, 3000), so the floored
		// delay is at least 300 ms and at most 2999 ms.
		minT, maxT := base+steps(300, dt), base+steps(2999.999, dt)
		inputs := []string{"fixation", "mod1-stim1", "mod1-stim2", "mod2-stim1", "mod2-stim2", "context1", "context2"}
		return neurogymDecision(name, p, s, inputs, 2, minT, maxT, func(rng *rand.Rand, tb *trialBuf) {
			// Draw order as in _new_trial: ground truth, other choice,
			// context, coh_1, coh_2.
			gt := 1 + rng.IntN(2)
			other := 1 + rng.IntN(2)
			ctx := rng.IntN(2)
			coh1, coh2 := pick(rng, cohs), pick(rng, cohs)
			c1, c2 := gt, other
			if ctx == 1 {
				c1, c2 = other, gt
			}
			var tl timeline
			fix := tl.add("fixation", steps(300, dt))
			stim := tl.add("stimulus", steps(750, dt))
			tl.add("delay", steps(truncExp(rng, 600, 300, 3000), dt))
			dec := tl.add("decision", steps(100, dt))
			tb.start(&tl)
			tb.setIn(0, span("", fix.Start, dec.Start), 1)
			v1, v2 := ringChannels(c1, coh1), ringChannels(c2, coh2)
			setRings(tb, stim, v1, v2)
			tb.noise(rng, stim, std, 1, 2, 3, 4)
			tb.setIn(5+ctx, span("", 0, tl.t), 1)
			tb.action(span("", 0, dec.Start), 0)
			tb.action(dec, gt)
			sc1, sc2 := signedCoh(c1, coh1), signedCoh(c2, coh2)
			rel, irr := sc1, sc2
			if ctx == 1 {
				rel, irr = sc2, sc1
			}
			tb.trial = Trial{Condition: fmt.Sprintf("ctx=%d coh=%+g other=%+g", ctx, rel, irr),
				Coherence: rel, Coherence2: irr, Context: ctx, Choice: gt,
				ResponseStart: dec.Start, ResponseEnd: dec.End, Periods: tb.trial.Periods}
		}), nil
	}
	s, err := resolveCohs(name, p, s, lowRankDecisionDefaults())
	if err != nil {
		return nil, err
	}
	dt, cohs, std, catch := s.DtMS, s.Coherences, noiseOf(s), s.CatchFraction
	T := manteSteps(dt)
	inputs := []string{"modality1", "modality2", "context1", "context2"}
	return lowRankDecision(name, s, inputs, T, T, func(rng *rand.Rand, tb *trialBuf) {
		fix, stim, dec, tr := manteTrial(rng, tb, dt, std, catch)
		if tr.Catch {
			return
		}
		c1, c2 := pick(rng, cohs), pick(rng, cohs)
		ctx := rng.IntN(2)
		tb.addIn(0, stim, c1*lrScale)
		tb.addIn(1, stim, c2*lrScale)
		tb.setIn(2+ctx, span("", fix.End, dec.Start), lrScale)
		rel, irr := c1, c2
		if ctx == 1 {
			rel, irr = c2, c1
		}
		tb.value(0, dec, sign(rel))
		tr.Coherence, tr.Coherence2, tr.Context, tr.Choice = rel, irr, ctx, choiceOfSign(rel)
		tr.Condition = fmt.Sprintf("ctx=%d coh=%+g other=%+g", ctx, rel, irr)
		tb.trial = tr
	}), nil
}

// newMultisensory builds multisensory.
//
// NeuroGym (MultiSensoryIntegration): fixation 300, stimulus 750,
// decision 100 ms at dt 100 (3 + 7 + 1 steps). Inputs [fixation, mod1 ×2,
// mod2 ×2]; coh ∈ {5, 15, 50} split between the modalities as coh·p and
// coh·(1−p), p ~ U(0, 1), both toward the correct choice; σ/√dt noise is
// added to every input channel during the stimulus (`add_randn(0, sigma,
// "stimulus")` without `where`, fixation included). An observer summing
// both modalities' evidence from the noisy inputs reaches ≈ 91 % (coh 5
// trials: 75 %; TestNoisyIdealObservers).
//
// LowRank (Dubreuil raposo.py timing, the mante.py constants; peers.md
// §3.1): 68 steps at dt 20; inputs [visual, auditory, visual cue,
// auditory cue]. Context 0 shows the visual modality only, 1 the
// auditory only, 2 both; every shown modality carries coh·0.1 (coh ∈
// ±{1, 2, 4}) during the stimulus, both sensory channels carry N(0, 0.1²)
// noise on every step, and the cue of each shown modality is 0.1 from
// the end of fixation to the decision. Target ±1 = sign(coh).
func newMultisensory(p Preset, s Settings) (Task, error) {
	const name = "multisensory"
	if p == NeuroGym {
		s, err := resolveCohs(name, p, s, Settings{DtMS: 100, Noise: ptr(1), Coherences: neurogymCohs()})
		if err != nil {
			return nil, err
		}
		dt, cohs := s.DtMS, s.Coherences
		std := noiseOf(s) / sqrt(dt)
		T := steps(300, dt) + steps(750, dt) + steps(100, dt)
		inputs := []string{"fixation", "mod1-stim1", "mod1-stim2", "mod2-stim1", "mod2-stim2"}
		return neurogymDecision(name, p, s, inputs, 2, T, T, func(rng *rand.Rand, tb *trialBuf) {
			c := 1 + rng.IntN(2)
			coh := pick(rng, cohs)
			prop := rng.Float64()
			var tl timeline
			tl.add("fixation", steps(300, dt))
			stim := tl.add("stimulus", steps(750, dt))
			dec := tl.add("decision", steps(100, dt))
			tb.start(&tl)
			tb.setIn(0, span("", 0, dec.Start), 1)
			v1, v2 := ringChannels(c, coh*prop), ringChannels(c, coh*(1-prop))
			setRings(tb, stim, v1, v2)
			tb.noise(rng, stim, std, 0, 1, 2, 3, 4)
			tb.action(span("", 0, dec.Start), 0)
			tb.action(dec, c)
			sc := signedCoh(c, coh)
			tb.trial = Trial{Condition: fmt.Sprintf("coh=%+g", sc), Coherence: sc, Value: prop, Choice: c,
				ResponseStart: dec.Start, ResponseEnd: dec.End, Periods: tb.trial.Periods}
		}), nil
	}
	s, err := resolveCohs(name, p, s, lowRankDecisionDefaults())
	if err != nil {
		return nil, err
	}
	dt, cohs, std, catch := s.DtMS, s.Coherences, noiseOf(s), s.CatchFraction
	T := manteSteps(dt)
	inputs := []string{"visual", "auditory", "visual-cue", "auditory-cue"}
	return lowRankDecision(name, s, inputs, T, T, func(rng *rand.Rand, tb *trialBuf) {
		fix, stim, dec, tr := manteTrial(rng, tb, dt, std, catch)
		if tr.Catch {
			return
		}
		coh := pick(rng, cohs)
		ctx := rng.IntN(3)
		for m := range 2 {
			if ctx == m || ctx == 2 {
				tb.addIn(m, stim, coh*lrScale)
				tb.setIn(2+m, span("", fix.End, dec.Start), lrScale)
			}
		}
		tb.value(0, dec, sign(coh))
		tr.Coherence, tr.Context, tr.Choice = coh, ctx, choiceOfSign(coh)
		tr.Condition = fmt.Sprintf("ctx=%d coh=%+g", ctx, coh)
		tb.trial = tr
	}), nil
}

// manteSteps is the length of a mante.py-timed trial.
func manteSteps(dt float64) int {
	return steps(lrFixationMS, dt) + steps(lrCtxOnlyMS, dt) + steps(lrStimulusMS, dt) + steps(lrDelayMS, dt) + steps(lrDecisionMS, dt)
}

// manteTrial lays out a trial with the mante.py timing, adds N(0, std²)
// noise to input channels 0 and 1 on every step, and draws whether it is
// a catch trial (then with target 0 in the decision window, recorded in
// tb.trial). It returns the fixation, stimulus and decision periods and
// the trial record to complete.
func manteTrial(rng *rand.Rand, tb *trialBuf, dt, std, catch float64) (fix, stim, dec Period, tr Trial) {
	var tl timeline
	fix = tl.add("fixation", steps(lrFixationMS, dt))
	tl.add("context", steps(lrCtxOnlyMS, dt))
	stim = tl.add("stimulus", steps(lrStimulusMS, dt))
	tl.add("delay", steps(lrDelayMS, dt))
	dec = tl.add("decision", steps(lrDecisionMS, dt))
	tb.start(&tl)
	tb.noise(rng, span("", 0, tl.t), std, 0, 1)
	tr = Trial{ResponseStart: dec.Start, ResponseEnd: dec.End, Periods: tb.trial.Periods}
	if rng.Float64() < catch {
		tr.Catch, tr.Condition = true, "catch"
		tb.value(0, dec, 0)
		tb.trial = tr
	}
	return fix, stim, dec, tr
}

// setRings sets the dim_ring = 2 encodings of two modalities on input
// channels 1…4 over the stimulus period.
func setRings(tb *trialBuf, stim Period, v1, v2 [2]float64) {
	tb.setIn(1, stim, v1[0])
	tb.setIn(2, stim, v1[1])
	tb.setIn(3, stim, v2[0])
	tb.setIn(4, stim, v2[1])
}

// signedCoh gives a NeuroGym coherence the sign of its direction: + for
// choice 1, − for choice 2.
func signedCoh(c int, coh float64) float64 {
	if c == 2 {
		return -coh
	}
	return coh
}

// neurogymDecision assembles a NeuroGym-preset task with nChoices choice
// actions scored by the decision-period action.
func neurogymDecision(name string, p Preset, s Settings, inputs []string, nChoices, minT, maxT int, gen func(*rand.Rand, *trialBuf)) Task {
	outputs := []string{"fixate"}
	for i := 1; i <= nChoices; i++ {
		outputs = append(outputs, fmt.Sprintf("choice%d", i))
	}
	sum, _ := Summary(name)
	def, _ := DefaultPreset(name)
	return &generated{
		info: Info{Name: name, Preset: p, Default: def == p, Summary: sum, DtMS: s.DtMS,
			NIn: len(inputs), NOut: len(outputs), Inputs: inputs, Outputs: outputs,
			MinSteps: minT, MaxSteps: maxT, Loss: CrossEntropy, Scorer: DecisionAction,
			Chance: 1 / float64(nChoices)},
		cfg:   Config{Task: name, Preset: p, Settings: s},
		gen:   gen,
		score: ScoreDecisionAction,
	}
}

// lowRankDecision assembles a LowRank-preset task: scalar output, MSE,
// sign-of-mean scorer.
func lowRankDecision(name string, s Settings, inputs []string, minT, maxT int, gen func(*rand.Rand, *trialBuf)) Task {
	sum, _ := Summary(name)
	def, _ := DefaultPreset(name)
	return &generated{
		info: Info{Name: name, Preset: LowRank, Default: def == LowRank, Summary: sum, DtMS: s.DtMS,
			NIn: len(inputs), NOut: 1, Inputs: inputs, Outputs: []string{"z"},
			MinSteps: minT, MaxSteps: maxT, Loss: MSE, Scorer: SignMean, Chance: 0.5},
		cfg:   Config{Task: name, Preset: LowRank, Settings: s},
		gen:   gen,
		score: ScoreSignMean,
	}
}
