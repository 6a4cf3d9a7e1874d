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

// neurogymCohs are ContextDecisionMaking's and MultiSensoryIntegration's
// `self.cohs = [5, 15, 50]`.
func neurogymCohs() []float64 { return []float64{5, 15, 50} }

// resolveCohs resolves s against d and checks its coherences.
func resolveCohs(name string, p Preset, s, d Settings) (Settings, error) {
	s = resolve(s, d)
	return s, checkCohs(name, p, s.Coherences, false)
}

func checkCohs(name string, p Preset, c []float64, signed bool) error {
	for i, v := range c {
		if !signed && v < 0 {
			return settingsErrorf(name, p, "coherences[%d] = %v: want unsigned levels (the direction is drawn per trial)", i, v)
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
// Dubreuil (default; rdm.py): fixation 100, stimulus 800, delay 100,
// decision 20 ms at dt 20 (51 steps); coh·0.1 with coh ∈ ±{1, 2, 4}, noise
// 0.1. Valente (rdm.py): delay 300, decision 300 ms (75 steps); coh·0.032
// with coh ∈ ±{1, 2, 4, 8, 16}, noise 0.03. See newLowRankPerceptual.
//
// FixationCue = FixationPeriod gives NeuroGym's stock fixation input (on
// during the fixation period only).
//
// PsychRNN (PerceptualDiscrimination with dt 10, T 2000): see
// newPsychRNNPerceptual.
func newPerceptualDM(p Preset, s Settings) (Task, error) {
	const name = "perceptual-dm"
	if p == PsychRNN {
		return newPsychRNNPerceptual(s)
	}
	if p == NeuroGym {
		s, err := resolveCohs(name, p, s, Settings{DtMS: 100, Noise: ptr(1), Coherences: []float64{0, 6.4, 12.8, 25.6, 51.2}, FixationCue: FixationUntilDecision})
		if err != nil {
			return nil, err
		}
		fixOff := s.FixationCue == FixationPeriod
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
				tb.setIn(0, fixationSpan(fix, dec, fixOff), 1)
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
	return newLowRankPerceptual(p, s)
}

// newContextDM builds context-dm.
//
// Dubreuil (default) and Valente (mante.py, the same constants in both):
// fixation 100, context only 350, stimulus 800, delay 100, decision 20 ms
// at dt 20 (68 steps); coh·0.1 per modality with coh ∈ ±{1, 2, 4}, noise
// 0.1, context cue 0.1 (context_scale). See newLowRankContext. Its ideal
// observer from the noisy inputs is ≈ 100 % (the weakest coherence, 0.1,
// against 0.1/√40 noise on the stimulus mean).
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
		s, err := resolveCohs(name, p, s, Settings{DtMS: 100, Noise: ptr(1), Coherences: neurogymCohs(), FixationCue: FixationUntilDecision})
		if err != nil {
			return nil, err
		}
		dt, cohs := s.DtMS, s.Coherences
		std := noiseOf(s) / sqrt(dt)
		fixOff, implicit := s.FixationCue == FixationPeriod, s.ImplicitContext
		base := steps(300, dt) + steps(750, dt) + steps(100, dt)
		// TruncExp(600, 300, 3000) lies in [300, 3000), so the floored
		// delay is at least 300 ms and at most 2999 ms.
		minT, maxT := base+steps(300, dt), base+steps(2999.999, dt)
		inputs := []string{"fixation", "mod1-stim1", "mod1-stim2", "mod2-stim1", "mod2-stim2", "context 1", "context 2"}
		if implicit {
			inputs = inputs[:5] // contextdecisionmaking.py L106-113: context channels only with use_expl_context
		}
		return neurogymDecision(name, p, s, inputs, 2, minT, maxT, func(rng *rand.Rand, tb *trialBuf) {
			// Draw order as in _new_trial: ground truth, other choice,
			// context, coh_1, coh_2.
			gt := 1 + rng.IntN(2)
			other := 1 + rng.IntN(2)
			ctx := rng.IntN(2)
			if implicit {
				ctx = s.ContextModality // self.contexts = [impl_context_modality], L74
			}
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
			tb.setIn(0, fixationSpan(fix, dec, fixOff), 1)
			v1, v2 := ringChannels(c1, coh1), ringChannels(c2, coh2)
			setRings(tb, stim, v1, v2)
			tb.noise(rng, stim, std, 1, 2, 3, 4)
			if !implicit {
				tb.setIn(5+ctx, span("", 0, tl.t), 1)
			}
			tb.action(span("", 0, dec.Start), 0)
			tb.action(dec, gt)
			sc1, sc2 := signedCoh(c1, coh1), signedCoh(c2, coh2)
			rel, irr := sc1, sc2
			if ctx == 1 {
				rel, irr = sc2, sc1
			}
			tb.trial = Trial{Condition: fmt.Sprintf("ctx=%d coh=%+g other=%+g", ctx+1, rel, irr),
				Coherence: rel, Coherence2: irr, Context: ctx, Choice: gt,
				ResponseStart: dec.Start, ResponseEnd: dec.End, Periods: tb.trial.Periods,
				Vars: []Var{{"coherence_mod1", sc1}, {"coherence_mod2", sc2}}}
		}), nil
	}
	return newLowRankContext(p, s)
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
// Dubreuil (default; raposo.py): the mante.py periods (68 steps), inputs
// [visual, auditory, visual cue, auditory cue], cues 0.1 from the end of
// fixation to the end of the stimulus. Valente (raposo.py): fixation
// 100, stimulus 800, delay 100, decision 500 ms (75 steps), inputs
// [visual, auditory], noise 0.5, coh ∈ ±{1, 2, 4, 8}. Both draw separate
// coherences of the same sign for the two modalities of a bimodal trial.
// See newLowRankMultisensory.
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
	return newLowRankMultisensory(p, s)
}

// setRings sets the dim_ring = 2 encodings of two modalities on input
// channels 1…4 over the stimulus period.
func setRings(tb *trialBuf, stim Period, v1, v2 [2]float64) {
	tb.setIn(1, stim, v1[0])
	tb.setIn(2, stim, v1[1])
	tb.setIn(3, stim, v2[0])
	tb.setIn(4, stim, v2[1])
}

// fixationSpan is when the NeuroGym fixation input is on: the fixation
// period only (FixationPeriod, stock PerceptualDecisionMaking and
// ContextDecisionMaking) or until the decision.
func fixationSpan(fix, dec Period, fixationOnly bool) Period {
	if fixationOnly {
		return fix
	}
	return span("", fix.Start, dec.Start)
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
