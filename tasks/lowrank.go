package tasks

import (
	"fmt"
	"math/rand/v2"
)

// This file holds the low-rank library presets of perceptual-dm,
// context-dm, multisensory, match-to-sample and parametric-wm: Dubreuil
// (adrian-valente/populations_paper_code @ 1bb6256, files under
// src/low_rank_rnns/) and Valente (adrian-valente/lowrank_inference @
// 14bef71, files under low_rank_rnns/). Every default below names the
// file and line it is copied from. Durations are floored to whole steps
// as the scripts do (floor(duration / deltaT)). Every lowrank trial has a
// scalar output z with target ±1 (graded for parametric-wm) and mask 1 in
// its response window, and input noise N(0, std²) on its sensory
// channels at every step (std · torch.randn over the whole trial).

// lowRankDefaults returns preset p's defaults of task name (p is Dubreuil
// or Valente).
func lowRankDefaults(name string, p Preset) Settings {
	d := Settings{DtMS: 20} // deltaT = 20. in every file (rdm.py L9, mante.py L12, raposo.py L10, romo.py L6, dms.py L10 / L11)
	v := p == Valente
	switch name {
	case "perceptual-dm":
		// rdm.py L10-13 (both): fixation 100, stimulus 800; Dubreuil
		// delay 100, decision 20; Valente delay 300, decision 300.
		d.FixationMS, d.StimulusMS = ptr(100), ptr(800)
		d.DelayMS, d.DecisionMS = ptr(100), ptr(20)
		// Dubreuil rdm.py L14 SCALE = 1e-1, L15 std_default = 1e-1, L45
		// coherences [-4, -2, -1, 1, 2, 4].
		d.InputScale, d.Noise, d.Coherences = ptr(0.1), ptr(0.1), []float64{-4, -2, -1, 1, 2, 4}
		if v {
			d.DelayMS, d.DecisionMS = ptr(300), ptr(300)
			// Valente rdm.py L14 SCALE = 3.2 and L53 coh * SCALE / 100;
			// L42 std=3e-2; L44 coherences ±{1, 2, 4, 8, 16}.
			d.InputScale, d.Noise = ptr(0.032), ptr(0.03)
			d.Coherences = []float64{-16, -8, -4, -2, -1, 1, 2, 4, 8, 16}
		}
	case "context-dm":
		// mante.py L13-17 (identical in both): fixation 100,
		// ctx_only_pre 350, stimulus 800, delay 100, decision 20; L20-22
		// SCALE = SCALE_CTX = std_default = 1e-1; L64 coherences.
		d.FixationMS, d.ContextMS, d.StimulusMS, d.DelayMS, d.DecisionMS = ptr(100), ptr(350), ptr(800), ptr(100), ptr(20)
		d.InputScale, d.ContextScale, d.Noise = ptr(0.1), ptr(0.1), ptr(0.1)
		d.Coherences = []float64{-4, -2, -1, 1, 2, 4}
	case "multisensory":
		if v {
			// Valente raposo.py L11-14: fixation 100, stimulus 800,
			// delay 100, decision 500 (no context period, no cue
			// inputs); L15 SCALE = 1e-1; L17 std_default = 5e-1; L46
			// coherences ±{1, 2, 4, 8}.
			d.FixationMS, d.StimulusMS, d.DelayMS, d.DecisionMS = ptr(100), ptr(800), ptr(100), ptr(500)
			d.InputScale, d.Noise = ptr(0.1), ptr(0.5)
			d.Coherences = []float64{-8, -4, -2, -1, 1, 2, 4, 8}
			break
		}
		// Dubreuil raposo.py L11-15: the mante.py periods; L16-18 SCALE =
		// SCALE_CTX = std_default = 1e-1; L49 coherences; L76, L83: cues
		// from the end of fixation to the end of the stimulus.
		d.FixationMS, d.ContextMS, d.StimulusMS, d.DelayMS, d.DecisionMS = ptr(100), ptr(350), ptr(800), ptr(100), ptr(20)
		d.InputScale, d.ContextScale, d.Noise = ptr(0.1), ptr(0.1), ptr(0.1)
		d.Coherences = []float64{-4, -2, -1, 1, 2, 4}
		d.CueSpan = CueStimulus
	case "match-to-sample":
		// dms.py (identical in both; Dubreuil lines, Valente's one
		// further): L13 std_default = 3e-2; L15 fixation 100; L16-17
		// stimulus 1 500; L18-19 delay U(500, 3000); L20-21 stimulus 2
		// 500; L22 decision 1000.
		d.Noise, d.FixationMS, d.StimulusMS, d.DecisionMS = ptr(0.03), ptr(100), ptr(500), ptr(1000)
		d.DelayMinMS, d.DelayMaxMS = ptr(500), ptr(3000)
	case "parametric-wm":
		// romo.py L7-12: fixation 100, stimulus 1 100, delay 500 to
		// 1000 (Dubreuil) or 2000 (Valente, L10), stimulus 2 100,
		// decision 100; generate_data's std=1e-2 (L45 / L44).
		d.FixationMS, d.StimulusMS, d.DecisionMS = ptr(100), ptr(100), ptr(100)
		d.DelayMinMS, d.DelayMaxMS, d.Noise = ptr(500), ptr(1000), ptr(0.01)
		if v {
			d.DelayMaxMS = ptr(2000)
		}
	}
	return d
}

// lowRankSettings resolves s against p's defaults for task name and checks
// the settings that depend on the preset.
func lowRankSettings(name string, p Preset, s Settings) (Settings, error) {
	s = resolve(s, lowRankDefaults(name, p))
	for _, d := range s.durations()[:7] {
		if v := *d.v; v != nil && *v/s.DtMS > maxLongSteps {
			return s, settingsErrorf(name, p, "%s = %v is more than %d steps of dt_ms = %v", d.key, *v, maxLongSteps, s.DtMS)
		}
	}
	if s.DelayMinMS != nil && s.DelayMaxMS != nil && ms(s.DelayMaxMS) < ms(s.DelayMinMS) {
		return s, settingsErrorf(name, p, "delay_max_ms = %v < delay_min_ms = %v", ms(s.DelayMaxMS), ms(s.DelayMinMS))
	}
	for _, d := range []struct {
		key string
		v   *float64
	}{{"stimulus_ms", s.StimulusMS}, {"decision_ms", s.DecisionMS}} {
		if d.v != nil && steps(*d.v, s.DtMS) < 1 {
			return s, settingsErrorf(name, p, "%s = %v is shorter than one step of dt_ms = %v", d.key, *d.v, s.DtMS)
		}
	}
	return s, checkCohs(name, p, s.Coherences, true)
}

// lowRankPeriods lays out the fixed-length periods of a lowrank decision
// trial: fixation, the context-only period when ctx, stimulus, delay,
// decision.
func lowRankPeriods(s Settings, ctx bool) (tl timeline, fix, stim, dec Period) {
	dt := s.DtMS
	fix = tl.add("fixation", steps(ms(s.FixationMS), dt))
	if ctx {
		tl.add("context", steps(ms(s.ContextMS), dt))
	}
	stim = tl.add("stimulus", steps(ms(s.StimulusMS), dt))
	tl.add("delay", steps(ms(s.DelayMS), dt))
	dec = tl.add("decision", steps(ms(s.DecisionMS), dt))
	return tl, fix, stim, dec
}

// lowRankTrial starts a decision trial on tb with noise on the sensory
// channels 0…nSensory−1 at every step, and draws whether it is a catch
// trial (np.random.rand() > fraction_catch_trials keeps a trial; a catch
// trial has target 0 and mask 1 in the decision window, rdm.py L51-56).
func lowRankTrial(rng *rand.Rand, tb *trialBuf, s Settings, ctx bool, nSensory int) (fix, stim, dec Period, tr Trial) {
	tl, fix, stim, dec := lowRankPeriods(s, ctx)
	tb.start(&tl)
	chans := make([]int, nSensory)
	for i := range chans {
		chans[i] = i
	}
	tb.noise(rng, span("", 0, tl.t), noiseOf(s), chans...)
	tr = Trial{ResponseStart: dec.Start, ResponseEnd: dec.End, Periods: tb.trial.Periods}
	if draw := rng.Float64(); s.CatchFraction != nil && draw < *s.CatchFraction {
		tr.Catch, tr.Condition = true, "catch"
		tb.value(0, dec, 0)
		tb.trial = tr
	}
	return fix, stim, dec, tr
}

// hiLo is the scripts' decision target: hi = 1 if coh > 0 else lo = −1
// (rdm.py L55, mante.py L90), so coherence 0 asks for −1.
func hiLo(coh float64) float64 {
	if coh > 0 {
		return 1
	}
	return -1
}

// newLowRankPerceptual builds perceptual-dm (rdm.py): one input, coh·scale
// during the stimulus, target hiLo(coh) from the decision onset. Its
// length is fixation + stimulus + delay + decision (Dubreuil 51 steps,
// Valente 75).
func newLowRankPerceptual(p Preset, s Settings) (Task, error) {
	const name = "perceptual-dm"
	s, err := lowRankSettings(name, p, s)
	if err != nil {
		return nil, err
	}
	tl, _, _, _ := lowRankPeriods(s, false)
	scale := ms(s.InputScale)
	return lowRankDecision(name, p, s, []string{"stimulus"}, tl.t, tl.t, func(rng *rand.Rand, tb *trialBuf) {
		_, stim, dec, tr := lowRankTrial(rng, tb, s, false, 1)
		if tr.Catch {
			return
		}
		coh := pick(rng, s.Coherences)
		tb.addIn(0, stim, coh*scale)
		tb.value(0, dec, hiLo(coh))
		tr.Coherence, tr.Choice, tr.Condition = coh, choiceOfSign(hiLo(coh)), fmt.Sprintf("coh=%+g", coh)
		tb.trial = tr
	}), nil
}

// newLowRankContext builds context-dm (mante.py): inputs [modality 1,
// modality 2, context 1, context 2]; each modality carries its own coh·
// scale (drawn in that order, then the context) during the stimulus; the
// context cue is context_scale from the end of fixation to the decision
// (L89, L92); the target is hiLo(relevant coh).
func newLowRankContext(p Preset, s Settings) (Task, error) {
	const name = "context-dm"
	s, err := lowRankSettings(name, p, s)
	if err != nil {
		return nil, err
	}
	tl, _, _, _ := lowRankPeriods(s, true)
	scale, cue := ms(s.InputScale), ms(s.ContextScale)
	inputs := []string{"modality 1", "modality 2", "context 1", "context 2"}
	return lowRankDecision(name, p, s, inputs, tl.t, tl.t, func(rng *rand.Rand, tb *trialBuf) {
		fix, stim, dec, tr := lowRankTrial(rng, tb, s, true, 2)
		if tr.Catch {
			return
		}
		c1, c2 := pick(rng, s.Coherences), pick(rng, s.Coherences)
		ctx := rng.IntN(2)
		tb.addIn(0, stim, c1*scale)
		tb.addIn(1, stim, c2*scale)
		tb.setIn(2+ctx, span("", fix.End, dec.Start), cue)
		rel, irr := c1, c2
		if ctx == 1 {
			rel, irr = c2, c1
		}
		tb.value(0, dec, hiLo(rel))
		tr.Coherence, tr.Coherence2, tr.Context, tr.Choice = rel, irr, ctx, choiceOfSign(hiLo(rel))
		tr.Vars = []Var{{"coherence_mod1", c1}, {"coherence_mod2", c2}}
		tr.Condition = fmt.Sprintf("ctx=%d coh=%+g other=%+g", ctx+1, rel, irr)
		tb.trial = tr
	}), nil
}

// newLowRankMultisensory builds multisensory (raposo.py). Each trial
// draws the choice ±1, then which modalities show (Context 0 = visual
// only, 1 = auditory only, 2 = both; randint(-1, 1) at L67 with 1 visual,
// −1 auditory, 0 both), then for each shown modality its own coherence of
// the choice's sign (L71-82: separate draws from the positive or negative
// coherences, coherence 0 counting as positive), coh·scale during the
// stimulus. Dubreuil's four inputs add a cue of context_scale on each
// shown modality's channel over the cue span; Valente's two inputs have
// none. Trial.Coherence is the visual coherence (the auditory one when
// only it shows), Coherence2 the auditory coherence on bimodal trials.
func newLowRankMultisensory(p Preset, s Settings) (Task, error) {
	const name = "multisensory"
	s, err := lowRankSettings(name, p, s)
	if err != nil {
		return nil, err
	}
	cues := p == Dubreuil
	inputs := []string{"visual", "auditory"}
	if cues {
		inputs = append(inputs, "visual-cue", "auditory-cue")
	}
	tl, _, _, _ := lowRankPeriods(s, cues)
	var pos, neg []float64
	for _, c := range s.Coherences {
		if c >= 0 {
			pos = append(pos, c)
		} else {
			neg = append(neg, c)
		}
	}
	scale := ms(s.InputScale)
	return lowRankDecision(name, p, s, inputs, tl.t, tl.t, func(rng *rand.Rand, tb *trialBuf) {
		fix, stim, dec, tr := lowRankTrial(rng, tb, s, cues, 2)
		if tr.Catch {
			return
		}
		choice := []float64{-1, 1}[rng.IntN(2)]
		if len(pos) == 0 {
			choice = -1
		} else if len(neg) == 0 {
			choice = 1
		}
		ctx := rng.IntN(3)
		var coh [2]float64
		for m := range 2 {
			if ctx != m && ctx != 2 {
				continue
			}
			set := neg
			if choice > 0 {
				set = pos
			}
			coh[m] = pick(rng, set)
			tb.addIn(m, stim, coh[m]*scale)
			if cues {
				end := stim.End
				if s.CueSpan == CueResponse {
					end = dec.Start
				}
				tb.setIn(2+m, span("", fix.End, end), ms(s.ContextScale))
			}
		}
		tb.value(0, dec, choice)
		tr.Coherence, tr.Context, tr.Choice = coh[0], ctx, choiceOfSign(choice)
		switch ctx {
		case 1:
			tr.Coherence = coh[1]
		case 2:
			tr.Coherence2 = coh[1]
		}
		tr.Condition = fmt.Sprintf("ctx=%d coh=%+g", ctx+1, tr.Coherence)
		tr.Vars = []Var{{"coherence_mod1", coh[0]}, {"coherence_mod2", coh[1]}}
		tb.trial = tr
	}), nil
}

// newLowRankMatch builds match-to-sample (dms.py L54-102): inputs [A, B];
// the trial type is drawn from A-A, A-B, B-A, B-B, then the delay
// U(delay_min, delay_max) ms floored to whole steps (L84-85; the uniform
// excludes delay_max, so 25…149 steps by default); A shows as (1, 0) and B as (0, 1) during
// each stimulus; the target is +1 (match) or −1 in the decision period
// that follows stimulus 2. The scripts pad every trial to the longest
// delay with noise and mask 0; here a trial ends with its decision.
func newLowRankMatch(p Preset, s Settings) (Task, error) {
	const name = "match-to-sample"
	s, err := lowRankSettings(name, p, s)
	if err != nil {
		return nil, err
	}
	dt := s.DtMS
	fixN, stimN, decN := steps(ms(s.FixationMS), dt), steps(ms(s.StimulusMS), dt), steps(ms(s.DecisionMS), dt)
	lo, hi := ms(s.DelayMinMS), ms(s.DelayMaxMS)
	minD, maxD := steps(lo, dt), uniformMaxSteps(lo, hi, dt)
	base := fixN + 2*stimN + decN
	t := lowRankDecision(name, p, s, []string{"A", "B"}, base+minD, base+maxD, func(rng *rand.Rand, tb *trialBuf) {
		typ := rng.IntN(4) // AA, AB, BA, BB as in dms.py's types list
		first, second := typ/2, typ%2
		delayMS := lo + (hi-lo)*rng.Float64()
		var tl timeline
		tl.add("fixation", fixN)
		s1 := tl.add("stimulus1", stimN)
		tl.add("delay", min(steps(delayMS, dt), maxD))
		s2 := tl.add("stimulus2", stimN)
		dec := tl.add("decision", decN)
		tb.start(&tl)
		tb.noise(rng, span("", 0, tl.t), noiseOf(s), 0, 1)
		tb.addIn(first, s1, 1)
		tb.addIn(second, s2, 1)
		target := -1.0
		if first == second {
			target = 1
		}
		tb.value(0, dec, target)
		tb.trial = Trial{Condition: dmsCondition(first, second), Context: first, Choice: choiceOfSign(target),
			ResponseStart: dec.Start, ResponseEnd: dec.End, Periods: tb.trial.Periods,
			Vars: []Var{{"sample", float64(first)}, {"test", float64(second)}}}
	})
	// dms.py trains FullRankRNN and LowRankRNN, whose rates are
	// r = tanh(h + b) (modules.py L270-276); a leaky ReLU network of the
	// run's defaults stays at chance on these trials (accuracy
	// 0.475–0.54 after 1000 steps), a tanh one reaches 1.
	t.(*generated).info.Activation = "tanh"
	return t, nil
}

// uniformMaxSteps is the largest floor(x/dt) for x drawn from
// np.random.uniform(lo, hi), whose interval [lo, hi) excludes hi: one
// step less than steps(hi, dt) when hi is a whole number of steps (dms.py
// U(500, 3000) at dt 20: 149, not 150), steps(lo, dt) when hi = lo.
func uniformMaxSteps(lo, hi, dt float64) int {
	n := steps(hi, dt)
	if hi > lo && hi/dt-float64(n) < 1e-9 {
		n--
	}
	return max(n, steps(lo, dt))
}

// newLowRankRomo builds parametric-wm (romo.py L45-72): one input, (f −
// f_mid)/f_span with f_mid = 22, f_span = 24 during each stimulus, the
// pairs of romoPairs, a delay of randint(floor(min/dt), floor(max/dt))
// steps (inclusive), and the graded target (f1 − f2)/f_span in the
// decision period, scored by its sign (choice 1 when f1 > f2).
func newLowRankRomo(p Preset, s Settings) (Task, error) {
	const name = "parametric-wm"
	s, err := lowRankSettings(name, p, s)
	if err != nil {
		return nil, err
	}
	dt := s.DtMS
	pairs := romoPairs()
	const fmid, fspan = 22, 24 // romo.py L18-21: (fmax + fmin)/2, fmax − fmin over the pairs
	fixN, stimN, decN := steps(ms(s.FixationMS), dt), steps(ms(s.StimulusMS), dt), steps(ms(s.DecisionMS), dt)
	minD, maxD := steps(ms(s.DelayMinMS), dt), steps(ms(s.DelayMaxMS), dt)
	base := fixN + 2*stimN + decN
	return lowRankDecision(name, p, s, []string{"frequency"}, base+minD, base+maxD, func(rng *rand.Rand, tb *trialBuf) {
		fp := pick(rng, pairs)
		f1, f2 := fp[0], fp[1]
		delay := minD + rng.IntN(maxD-minD+1) // random.randint is inclusive
		var tl timeline
		tl.add("fixation", fixN)
		s1 := tl.add("stimulus1", stimN)
		tl.add("delay", delay)
		s2 := tl.add("stimulus2", stimN)
		dec := tl.add("decision", decN)
		tb.start(&tl)
		tb.noise(rng, span("", 0, tl.t), noiseOf(s), 0)
		tb.addIn(0, s1, (f1-fmid)/fspan)
		tb.addIn(0, s2, (f2-fmid)/fspan)
		tb.value(0, dec, (f1-f2)/fspan)
		tb.trial = Trial{Condition: fmt.Sprintf("f1=%g f2=%g", f1, f2), Coherence: f1 - f2, Choice: choiceOfSign(f1 - f2),
			ResponseStart: dec.Start, ResponseEnd: dec.End, Periods: tb.trial.Periods,
			Vars: []Var{{"f1", f1}, {"f2", f2}}}
	}), nil
}

// lowRankDecision assembles a low-rank-preset task: scalar output, MSE,
// sign-of-mean scorer.
func lowRankDecision(name string, p Preset, s Settings, inputs []string, minT, maxT int, gen func(*rand.Rand, *trialBuf)) Task {
	sum, _ := Summary(name)
	def, _ := DefaultPreset(name)
	return &generated{
		info: Info{Name: name, Preset: p, Default: def == p, Summary: sum, DtMS: s.DtMS,
			NIn: len(inputs), NOut: 1, Inputs: inputs, Outputs: []string{"z"},
			MinSteps: minT, MaxSteps: maxT, Loss: MSE, Scorer: SignMean, Chance: 0.5},
		cfg:   Config{Task: name, Preset: p, Settings: s},
		gen:   gen,
		score: ScoreSignMean,
	}
}
