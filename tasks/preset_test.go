package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// sourceCase states what one task under one preset must generate, with
// every number copied from the source file it cites (not from this
// package): period lengths in steps, the noiseless input of each channel
// in each period for a trial, the input-noise std of each channel in each
// period, the periods whose mask is 1, and the target there.
type sourceCase struct {
	task     string
	preset   Preset
	settings Settings
	source   string
	periods  map[string]span2
	nIn      int
	mean     func(tr Trial, period string, ch int) float64
	std      func(period string, ch int) float64
	scored   []string                        // periods with mask 1 on every output; 0 elsewhere
	target   func(tr Trial, out int) float64 // target inside the scored periods; nil = not checked
}

// checkSource draws n trials of c and checks period lengths, per-period
// input statistics (the mean and std of input − c.mean over all trials and
// steps of each period, per channel, against 0 and c.std), the mask and
// the targets.
func checkSource(t *testing.T, c sourceCase, n int) {
	t.Helper()
	task := mustNew(t, c.task, c.preset, c.settings)
	b := task.Batch(rand.New(rand.NewPCG(21, uint64(c.preset))), n)
	if b.NIn != c.nIn {
		t.Fatalf("%s: %d inputs, want %d", c.source, b.NIn, c.nIn)
	}
	type acc struct{ n, s, ss float64 }
	stats := map[string][]acc{}
	for i := range b.B {
		tr := b.Trials[i]
		for _, p := range tr.Periods {
			want, ok := c.periods[p.Name]
			if !ok {
				t.Fatalf("%s: unexpected period %q", c.source, p.Name)
			}
			if l := p.End - p.Start; l < want[0] || l > want[1] {
				t.Fatalf("%s: period %s lasts %d steps, want %d…%d", c.source, p.Name, l, want[0], want[1])
			}
		}
		for s := 0; s < b.Lengths[i]; s++ {
			per := periodAt(tr, s)
			if stats[per] == nil {
				stats[per] = make([]acc, b.NIn)
			}
			for ch := range b.NIn {
				r := float64(b.Inputs[(s*b.B+i)*b.NIn+ch]) - c.mean(tr, per, ch)
				a := &stats[per][ch]
				a.n++
				a.s += r
				a.ss += r * r
			}
			scored := false
			for _, p := range c.scored {
				scored = scored || p == per
			}
			for k := range b.NOut {
				m := b.Mask[(s*b.B+i)*b.NOut+k]
				if (m == 1) != scored || (m != 0 && m != 1) {
					t.Fatalf("%s: trial %d step %d (%s) output %d: mask %v, want scored=%v", c.source, i, s, per, k, m, scored)
				}
				if scored && c.target != nil && !tr.Catch {
					if got, want := float64(b.Targets[(s*b.B+i)*b.NOut+k]), c.target(tr, k); math.Abs(got-want) > 1e-6 {
						t.Fatalf("%s: trial %d (%s) step %d output %d: target %v, want %v", c.source, i, tr.Condition, s, k, got, want)
					}
				}
			}
		}
	}
	for per, chans := range stats {
		for ch, a := range chans {
			want := c.std(per, ch)
			mean := a.s / a.n
			std := math.Sqrt(max(a.ss/a.n-mean*mean, 0))
			if want == 0 {
				if math.Abs(mean) > 1e-6 || std > 1e-6 {
					t.Errorf("%s: %s channel %d: input − source mean has mean %.3g, std %.3g; want exactly the source's noiseless input", c.source, per, ch, mean, std)
				}
				continue
			}
			// Five standard errors: σ/√n for the mean, 1/√(2n) relative
			// for the std of Gaussian noise.
			if math.Abs(mean) > 5*want/math.Sqrt(a.n) || math.Abs(std/want-1) > 5/math.Sqrt(2*a.n) {
				t.Errorf("%s: %s channel %d over %.0f samples: residual mean %.4g, std %.4g; want 0 and %.4g", c.source, per, ch, a.n, mean, std, want)
			}
		}
	}
}

// periodAt is the name of tr's period holding step s.
func periodAt(tr Trial, s int) string {
	for _, p := range tr.Periods {
		if s >= p.Start && s < p.End {
			return p.Name
		}
	}
	return ""
}

// in reports whether per is one of names.
func in(per string, names ...string) bool {
	for _, n := range names {
		if per == n {
			return true
		}
	}
	return false
}

func hiLoTarget(tr Trial, _ int) float64 { return hiLo(tr.Coherence) }

// frequencies parses the "f1=… f2=…" condition of parametric-wm.
func frequencies(tr Trial) (f1, f2 float64) {
	if _, err := fmt.Sscanf(tr.Condition, "f1=%g f2=%g", &f1, &f2); err != nil {
		panic(err)
	}
	return f1, f2
}

// TestPresetDubreuil pins the Dubreuil preset to
// adrian-valente/populations_paper_code @ 1bb6256 src/low_rank_rnns/.
func TestPresetDubreuil(t *testing.T) {
	t.Parallel()
	const dt = 20.0 // deltaT = 20. (rdm.py L9 and the other files)
	noise := func(std float64, chans ...int) func(string, int) float64 {
		return func(_ string, ch int) float64 {
			for _, c := range chans {
				if c == ch {
					return std
				}
			}
			return 0
		}
	}
	for _, c := range []sourceCase{{
		// rdm.py L10-15: fixation 100, stimulus 800, delay 100, decision
		// 20 ms; SCALE 0.1; std 0.1; L54 coh·SCALE during the stimulus;
		// L55-56 target hi/lo and mask from response_begin. Coherence 0
		// is allowed (L84) and asks for lo = −1.
		task: "perceptual-dm", preset: Dubreuil, source: "Dubreuil rdm.py",
		settings: Settings{Coherences: []float64{-4, -2, -1, 0, 1, 2, 4}},
		periods:  map[string]span2{"fixation": fixed(100 / dt), "stimulus": fixed(800 / dt), "delay": fixed(100 / dt), "decision": fixed(1)},
		nIn:      1,
		mean: func(tr Trial, per string, _ int) float64 {
			if per == "stimulus" {
				return 0.1 * tr.Coherence
			}
			return 0
		},
		std: noise(0.1, 0), scored: []string{"decision"}, target: hiLoTarget,
	}, {
		// mante.py L13-22: 100/350/800/100/20 ms; SCALE = SCALE_CTX = std
		// = 0.1; L82-93: modality inputs in the stimulus, the context cue
		// from the end of fixation to response_begin.
		task: "context-dm", preset: Dubreuil, source: "Dubreuil mante.py",
		periods: map[string]span2{"fixation": fixed(5), "context": fixed(17), "stimulus": fixed(40), "delay": fixed(5), "decision": fixed(1)},
		nIn:     4,
		mean:    manteMean(0.1, 0.1),
		std:     noise(0.1, 0, 1), scored: []string{"decision"}, target: hiLoTarget,
	}, {
		// mante.py with train_mante_main.py L14's SCALE_CTX = 0.5.
		task: "context-dm", preset: Dubreuil, source: "Dubreuil mante.py, SCALE_CTX 0.5",
		settings: Settings{ContextScale: ptr(0.5)},
		periods:  map[string]span2{"fixation": fixed(5), "context": fixed(17), "stimulus": fixed(40), "delay": fixed(5), "decision": fixed(1)},
		nIn:      4,
		mean:     manteMean(0.1, 0.5),
		std:      noise(0.1, 0, 1), scored: []string{"decision"}, target: hiLoTarget,
	}, {
		// raposo.py L11-18: the mante.py periods and scales; L70-83: each
		// shown modality its own coherence of the choice's sign in the
		// stimulus, its cue from the end of fixation to stim_end.
		task: "multisensory", preset: Dubreuil, source: "Dubreuil raposo.py",
		periods: map[string]span2{"fixation": fixed(5), "context": fixed(17), "stimulus": fixed(40), "delay": fixed(5), "decision": fixed(1)},
		nIn:     4,
		mean:    raposoMean(0.1, 0.1),
		std:     noise(0.1, 0, 1), scored: []string{"decision"},
		target: func(tr Trial, _ int) float64 { return float64(3 - 2*tr.Choice) },
	}, {
		// dms.py L13-22: fixation 100, stimuli 500, delay U(500, 3000),
		// decision 1000 ms, std 0.03; L97-102: A = (1, 0), B = (0, 1),
		// target +1 for A-A and B-B.
		task: "match-to-sample", preset: Dubreuil, source: "Dubreuil dms.py",
		periods: map[string]span2{"fixation": fixed(5), "stimulus1": fixed(25), "delay": {25, 149}, "stimulus2": fixed(25), "decision": fixed(50)},
		nIn:     2,
		mean:    dmsMean,
		std:     noise(0.03, 0, 1), scored: []string{"decision"},
		target: func(tr Trial, _ int) float64 {
			if tr.Condition == "A-A" || tr.Condition == "B-B" {
				return 1
			}
			return -1
		},
	}, {
		// The shaping stage of dms_fig1.py L71: delay_duration_max = 700.
		task: "match-to-sample", preset: Dubreuil, source: "Dubreuil dms.py, delay max 700",
		settings: Settings{DelayMaxMS: ptr(700)},
		periods:  map[string]span2{"fixation": fixed(5), "stimulus1": fixed(25), "delay": {25, 35}, "stimulus2": fixed(25), "decision": fixed(50)},
		nIn:      2, mean: dmsMean, std: noise(0.03, 0, 1), scored: []string{"decision"},
	}, {
		// romo.py L7-12: 100/100/500…1000/100/100 ms, std 0.01 (L45);
		// L69-72: (f − 22)/24 in the stimuli, target (f1 − f2)/24.
		task: "parametric-wm", preset: Dubreuil, source: "Dubreuil romo.py",
		periods: map[string]span2{"fixation": fixed(5), "stimulus1": fixed(5), "delay": {25, 50}, "stimulus2": fixed(5), "decision": fixed(5)},
		nIn:     1, mean: romoMean, std: noise(0.01, 0), scored: []string{"decision"},
		target: func(tr Trial, _ int) float64 { f1, f2 := frequencies(tr); return (f1 - f2) / 24 },
	}} {
		t.Run(c.source, func(t *testing.T) { checkSource(t, c, 1500) })
	}
}

// TestPresetValente pins the Valente preset to
// adrian-valente/lowrank_inference @ 14bef71 low_rank_rnns/.
func TestPresetValente(t *testing.T) {
	t.Parallel()
	only := func(std float64, n int) func(string, int) float64 {
		return func(_ string, ch int) float64 {
			if ch < n {
				return std
			}
			return 0
		}
	}
	for _, c := range []sourceCase{{
		// rdm.py L10-14: fixation 100, stimulus 800, delay 300, decision
		// 300 ms; L53 coh·3.2/100; L42 std 3e-2; L44 coherences ±{1, 2,
		// 4, 8, 16} (here with 0 added, as a psychometric set).
		task: "perceptual-dm", preset: Valente, source: "Valente rdm.py",
		settings: Settings{Coherences: []float64{-16, -8, -4, -2, -1, 0, 1, 2, 4, 8, 16}},
		periods:  map[string]span2{"fixation": fixed(5), "stimulus": fixed(40), "delay": fixed(15), "decision": fixed(15)},
		nIn:      1,
		mean: func(tr Trial, per string, _ int) float64 {
			if per == "stimulus" {
				return 0.032 * tr.Coherence
			}
			return 0
		},
		std: only(0.03, 1), scored: []string{"decision"}, target: hiLoTarget,
	}, {
		// mante.py L13-22, the same constants as Dubreuil's.
		task: "context-dm", preset: Valente, source: "Valente mante.py",
		periods: map[string]span2{"fixation": fixed(5), "context": fixed(17), "stimulus": fixed(40), "delay": fixed(5), "decision": fixed(1)},
		nIn:     4, mean: manteMean(0.1, 0.1), std: only(0.1, 2), scored: []string{"decision"}, target: hiLoTarget,
	}, {
		// raposo.py L11-17: fixation 100, stimulus 800, delay 100,
		// decision 500 ms; SCALE 0.1; std 0.5 on both inputs; no cues.
		task: "multisensory", preset: Valente, source: "Valente raposo.py",
		periods: map[string]span2{"fixation": fixed(5), "stimulus": fixed(40), "delay": fixed(5), "decision": fixed(25)},
		nIn:     2, mean: raposoMean(0.1, 0), std: only(0.5, 2), scored: []string{"decision"},
		target: func(tr Trial, _ int) float64 { return float64(3 - 2*tr.Choice) },
	}, {
		// dms.py L14-23: the same constants as Dubreuil's.
		task: "match-to-sample", preset: Valente, source: "Valente dms.py",
		periods: map[string]span2{"fixation": fixed(5), "stimulus1": fixed(25), "delay": {25, 149}, "stimulus2": fixed(25), "decision": fixed(50)},
		nIn:     2, mean: dmsMean, std: only(0.03, 2), scored: []string{"decision"},
	}, {
		// romo.py L10: delay_duration_max = 2000.
		task: "parametric-wm", preset: Valente, source: "Valente romo.py",
		periods: map[string]span2{"fixation": fixed(5), "stimulus1": fixed(5), "delay": {25, 100}, "stimulus2": fixed(5), "decision": fixed(5)},
		nIn:     1, mean: romoMean, std: only(0.01, 1), scored: []string{"decision"},
		target: func(tr Trial, _ int) float64 { f1, f2 := frequencies(tr); return (f1 - f2) / 24 },
	}} {
		t.Run(c.source, func(t *testing.T) { checkSource(t, c, 1500) })
	}
}

// TestPresetNeuroGym pins the NeuroGym preset and its stock options to
// neurogym/neurogym @ 8136bc7 neurogym/envs/native/.
func TestPresetNeuroGym(t *testing.T) {
	t.Parallel()
	// σ/√dt with sigma = 1.0, dt = 100 (perceptualdecisionmaking.py L45,
	// L63) on the stimulus channels during the stimulus only (L101).
	stimNoise := func(per string, ch int) float64 {
		if per == "stimulus" && ch >= 1 && ch <= 4 {
			return 0.1
		}
		return 0
	}
	// ring returns cos(θ_k − θ_gt)·coh/200 + 0.5 for θ = (0, π) (L99)
	// with the direction in the sign of coh (choice 1 = θ 0).
	ring := func(coh float64, k int) float64 { return 0.5 + coh/200*float64(1-2*k) }
	pdm := func(fixOnly bool) func(Trial, string, int) float64 {
		return func(tr Trial, per string, ch int) float64 {
			switch {
			case ch == 0:
				if per == "fixation" || (!fixOnly && per != "decision") {
					return 1
				}
				return 0
			case per == "stimulus":
				return ring(tr.Coherence, ch-1)
			}
			return 0
		}
	}
	for _, c := range []sourceCase{{
		// PerceptualDecisionMaking L58: 100/2000/0/100 ms at dt 100.
		// Our default keeps the fixation input on until the decision.
		task: "perceptual-dm", preset: NeuroGym, source: "PerceptualDecisionMaking",
		periods: map[string]span2{"fixation": fixed(1), "stimulus": fixed(20), "delay": fixed(0), "decision": fixed(1)},
		nIn:     3, mean: pdm(false), std: stimNoise, scored: []string{"fixation", "stimulus", "delay", "decision"},
	}, {
		// L98: add_ob(1, period="fixation", where="fixation"), stock.
		task: "perceptual-dm", preset: NeuroGym, source: "PerceptualDecisionMaking stock fixation",
		settings: Settings{FixationCue: FixationPeriod},
		periods:  map[string]span2{"fixation": fixed(1), "stimulus": fixed(20), "delay": fixed(0), "decision": fixed(1)},
		nIn:      3, mean: pdm(true), std: stimNoise, scored: []string{"fixation", "stimulus", "delay", "decision"},
	}, {
		// ContextDecisionMaking stock: use_expl_context=False (L50), no
		// context inputs, modality impl_context_modality = 1 relevant,
		// fixation in the fixation period only (L157); timing L83-88.
		task: "context-dm", preset: NeuroGym, source: "ContextDecisionMaking stock",
		settings: Settings{FixationCue: FixationPeriod, ImplicitContext: true, ContextModality: 1},
		periods:  map[string]span2{"fixation": fixed(3), "stimulus": fixed(7), "delay": {3, 29}, "decision": fixed(1)},
		nIn:      5,
		mean: func(tr Trial, per string, ch int) float64 {
			switch {
			case ch == 0:
				if per == "fixation" {
					return 1
				}
				return 0
			case per != "stimulus":
				return 0
			}
			if tr.Context != 1 {
				panic("implicit context: relevant modality is not 1")
			}
			mod2, mod1 := tr.Coherence, tr.Coherence2 // relevant = modality 2
			if ch <= 2 {
				return ring(mod1, ch-1)
			}
			return ring(mod2, ch-3)
		},
		std: stimNoise, scored: []string{"fixation", "stimulus", "delay", "decision"},
	}} {
		t.Run(c.source, func(t *testing.T) { checkSource(t, c, 1500) })
	}
}

// TestPresetNeuroGymMemory pins the other NeuroGym environments to
// neurogym/neurogym @ 8136bc7 neurogym/envs/native/: their periods at dt
// 100 (80 for ReadySetGo), the noiseless inputs of every channel in
// every period, the input noise σ/√dt = 0.1 where the source adds it
// and nowhere else, and mask 1 on every step.
func TestPresetNeuroGymMemory(t *testing.T) {
	t.Parallel()
	all := func(names ...string) []string { return names }
	// fixUntil is the fixation input of the envs that add it on the whole
	// trial and set it to 0 in one period (add_ob(1, where="fixation")
	// then set_ob(0, period)).
	fixUntil := func(off, per string) float64 {
		if per == off {
			return 0
		}
		return 1
	}
	noiseIn := func(std float64, pers []string, chans ...int) func(string, int) float64 {
		return func(per string, ch int) float64 {
			if in(per, pers...) && slices.Contains(chans, ch) {
				return std
			}
			return 0
		}
	}
	// ring returns cos(θ_k − θ_c)·coh/200 + 0.5 for θ = (0, π), the
	// direction in coh's sign (choice 1 = θ 0).
	ring := func(coh float64, k int) float64 { return 0.5 + coh/200*float64(1-2*k) }
	for _, c := range []sourceCase{{
		// multisensory.py L33 cohs [5, 15, 50], L35 sigma/√dt, L42
		// timing 300/750/100; L76-77 coh·p and coh·(1 − p), p = rng.rand()
		// (L72); L85-89 fixation and the rings in the stimulus, L91
		// everything 0 in the decision; L90 add_randn over every channel
		// in the stimulus.
		task: "multisensory", preset: NeuroGym, source: "MultiSensoryIntegration",
		periods: map[string]span2{"fixation": fixed(3), "stimulus": fixed(7), "decision": fixed(1)},
		nIn:     5,
		mean: func(tr Trial, per string, ch int) float64 {
			switch {
			case ch == 0:
				return fixUntil("decision", per)
			case per != "stimulus":
				return 0
			case ch <= 2:
				return ring(tr.Coherence*tr.Value, ch-1)
			}
			return ring(tr.Coherence*(1-tr.Value), ch-3)
		},
		std:    noiseIn(0.1, all("stimulus"), 0, 1, 2, 3, 4),
		scored: all("fixation", "stimulus", "decision"),
	}, {
		// delaymatchsample.py L27 sigma/√dt, L34-40 timing
		// 300/500/1000/500/900; L70 test = sample on a match, L73-74
		// cos(θ − θ_s)·0.5 + 0.5 with θ ∈ {0, π}; L79-80 fixation on but
		// in the decision; L83 noise on the stimulus channels in sample
		// and test.
		task: "match-to-sample", preset: NeuroGym, source: "DelayMatchSample",
		periods: map[string]span2{"fixation": fixed(3), "sample": fixed(5), "delay": fixed(10), "test": fixed(5), "decision": fixed(9)},
		nIn:     3,
		mean: func(tr Trial, per string, ch int) float64 {
			sample, test := tr.Vars[0].Value, tr.Vars[1].Value
			if (sample == test) != (tr.Choice == 1) {
				panic("DelayMatchSample: match is not choice 1")
			}
			switch {
			case ch == 0:
				return fixUntil("decision", per)
			case per == "sample" && float64(ch-1) == sample, per == "test" && float64(ch-1) == test:
				return 1
			}
			return 0
		},
		std:    noiseIn(0.1, all("sample", "test"), 1, 2),
		scored: all("fixation", "sample", "delay", "test", "decision"),
	}, {
		// delaycomparison.py L27 vpairs, L31 sigma/√dt, L38-44 timing
		// 500/500/1000/500/100; L76-78 the pair in either order; L86-89
		// fixation on but in the decision, (1 + (f − 10)/24)/2 in each
		// stimulus; L90 noise on both channels in the stimuli.
		task: "parametric-wm", preset: NeuroGym, source: "DelayComparison",
		periods: map[string]span2{"fixation": fixed(5), "stimulus1": fixed(5), "delay": fixed(10), "stimulus2": fixed(5), "decision": fixed(1)},
		nIn:     2,
		mean: func(tr Trial, per string, ch int) float64 {
			f1, f2 := tr.Vars[0].Value, tr.Vars[1].Value
			if math.Abs(f1-f2) != 8 || (f1 > f2) != (tr.Choice == 1) {
				panic("DelayComparison: not a vpair, or choice 1 is not f1 > f2")
			}
			switch {
			case ch == 0:
				return fixUntil("decision", per)
			case per == "stimulus1":
				return (1 + (f1-10)/24) / 2
			case per == "stimulus2":
				return (1 + (f2-10)/24) / 2
			}
			return 0
		},
		std:    noiseIn(0.1, all("stimulus1", "stimulus2"), 0, 1),
		scored: all("fixation", "stimulus1", "delay", "stimulus2", "decision"),
	}, {
		// gonogo.py L35 timing 0/500/500/500; L60-62 fixation on but in
		// the decision, cue gt + 1 (1 = nogo, 2 = go) in the stimulus; no
		// noise.
		task: "go-nogo", preset: NeuroGym, source: "GoNogo",
		periods: map[string]span2{"fixation": fixed(0), "stimulus": fixed(5), "delay": fixed(5), "decision": fixed(5)},
		nIn:     3,
		mean: func(tr Trial, per string, ch int) float64 {
			switch {
			case ch == 0:
				return fixUntil("decision", per)
			case per == "stimulus" && ch == 1+tr.Choice:
				return 1
			}
			return 0
		},
		std:    noiseIn(0, nil),
		scored: all("stimulus", "delay", "decision"),
	}, {
		// antireach.py L39 timing 500/500/0/500, L47 θ_k = 2πk/32; L71
		// the stimulus at θ_gt + π when anti; L77 fixation in the
		// fixation, stimulus and delay; L78-79 cos(θ − θ_stim) in the
		// stimulus; no noise. The pro/anti rule inputs are ours.
		task: "anti-saccade", preset: NeuroGym, source: "AntiReach",
		periods: map[string]span2{"fixation": fixed(5), "stimulus": fixed(5), "delay": fixed(0), "decision": fixed(5)},
		nIn:     35,
		mean: func(tr Trial, per string, ch int) float64 {
			stim, gt := int(tr.Vars[0].Value), int(tr.Vars[1].Value)
			if tr.Choice != 1+gt || stim != (gt+16*tr.Context)%32 {
				panic("AntiReach: the stimulus is not the target (pro) or opposite it (anti)")
			}
			switch {
			case ch == 0:
				return fixUntil("decision", per)
			case ch == 33+tr.Context:
				return 1
			case ch > 32 || per != "stimulus":
				return 0
			}
			return math.Cos(2 * math.Pi * float64(ch-1-stim) / 32)
		},
		std:    noiseIn(0, nil),
		scored: all("fixation", "stimulus", "delay", "decision"),
	}, {
		// readysetgo.py L33 dt 80, L44-49 timing fixation 100, ready 83,
		// measure U(800, 1500), set 83, each floored to 80 ms; L74-77
		// ready after fixation, measure after fixation too, set after
		// measure, production 2 × measure; L79-82 fixation on but in the
		// production, ready and set cues in their periods; no noise.
		task: "ready-set-go", preset: NeuroGym, source: "ReadySetGo",
		periods: map[string]span2{"fixation": fixed(1), "ready": fixed(1), "measure": {10, 18}, "set": fixed(1), "production": {20, 36}},
		nIn:     3,
		mean: func(tr Trial, per string, ch int) float64 {
			var meas, prod int
			for _, p := range tr.Periods {
				switch p.Name {
				case "measure":
					meas = p.End - p.Start
				case "production":
					prod = p.End - p.Start
				}
			}
			if prod != 2*meas || tr.Value != float64(meas)*80 {
				panic("ReadySetGo: production is not twice the measure, or t_p is not the measure")
			}
			switch ch {
			case 0:
				return fixUntil("production", per)
			case 1:
				return b2f(per == "ready")
			}
			return b2f(per == "set")
		},
		std:    noiseIn(0, nil),
		scored: all("fixation", "ready", "measure", "set", "production"),
	}} {
		t.Run(c.source, func(t *testing.T) { checkSource(t, c, 1500) })
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// TestPresetPsychRNN pins the PsychRNN preset to murraylab/PsychRNN @
// aff98e1 psychrnn/tasks/, with the documentation's dt 10, T 2000.
func TestPresetPsychRNN(t *testing.T) {
	t.Parallel()
	// √(2·0.01·√10·√dt·stim_noise²) with dt 10, stim_noise 0.1
	// (delayed_discrim.py L109, L147) on both channels at every step.
	std := math.Sqrt(2 * 0.01 * math.Sqrt(10) * math.Sqrt(10) * 0.1 * 0.1)
	noise := func(string, int) float64 { return std }
	scaleP := func(f float64) float64 { return 0.4 + 0.8*(f-10)/24 } // _scale_p: 0.4 + 0.8(f − 10)/(34 − 10)
	for _, c := range []sourceCase{{
		// perceptual_discrimination.py: channel `direction` 1 + coh, the
		// other 1, during the stimulus; mask from the stimulus' end.
		task: "perceptual-dm", preset: PsychRNN, source: "PsychRNN PerceptualDiscrimination",
		periods: map[string]span2{"fixation": {1, 100}, "stimulus": {24, 76}, "response": {25, 176}},
		nIn:     2,
		mean: func(tr Trial, per string, ch int) float64 {
			if per != "stimulus" {
				return 0
			}
			if ch == tr.Choice-1 {
				return 1 + math.Abs(tr.Coherence)
			}
			return 1
		},
		std: noise, scored: []string{"response"},
	}, {
		// delayed_discrim.py L168-179: _scale_p and its mirror in the
		// stimuli; hi 1.0 / lo 0.2 with mask 1 in the decision only.
		task: "parametric-wm", preset: PsychRNN, source: "PsychRNN DelayedDiscrimination",
		periods: map[string]span2{"fixation": {0, 25}, "stimulus1": {0, 50}, "delay": {0, 50}, "stimulus2": {0, 50}, "decision": {0, 25}, "end": {0, 200}},
		nIn:     2,
		mean: func(tr Trial, per string, ch int) float64 {
			f1, f2 := frequencies(tr)
			f := map[string]float64{"stimulus1": f1, "stimulus2": f2}[per]
			switch {
			case f == 0:
				return 0
			case ch == 0:
				return scaleP(f)
			}
			return 0.4 + 0.8*(34-f)/24
		},
		std: noise, scored: []string{"decision"},
		target: func(tr Trial, k int) float64 {
			if k == tr.Choice-1 {
				return 1
			}
			return 0.2
		},
	}} {
		t.Run(c.source, func(t *testing.T) { checkSource(t, c, 1500) })
	}
	// PsychRNN's loss is the mean over every element (loss_functions.py
	// L68) and it counts trials without a decision step as correct.
	task := mustNew(t, "parametric-wm", PsychRNN, Settings{})
	if n := task.(LossNormalizer).LossNorm(); n != NormAll {
		t.Errorf("psychrnn loss normalisation %v, want all", n)
	}
	b := task.Batch(rand.New(rand.NewPCG(3, 3)), 4000)
	empty := 0
	for _, tr := range b.Trials {
		if tr.ResponseEnd == tr.ResponseStart {
			empty++
		}
	}
	// A decision of U(0, 250) ms holds no step of 10 ms with probability
	// (10/250)·½ = 2 %: 80 of 4000, binomial std 8.9.
	if empty < 80-4*9 || empty > 80+4*9 {
		t.Errorf("%d of 4000 trials without a decision step, want about 80 (2.0 %%)", empty)
	}
	zero := make([]float32, b.T*b.B*b.NOut)
	r := task.Score(zero, &b)
	if r.Scored != b.B {
		t.Errorf("scored %d of %d trials; PsychRNN scores the empty ones too", r.Scored, b.B)
	}
}

// manteMean is mante.py's noiseless input: modality m carries its
// coherence × scale during the stimulus, the context cue cue from the end
// of fixation to the response.
func manteMean(scale, cue float64) func(Trial, string, int) float64 {
	return func(tr Trial, per string, ch int) float64 {
		c1, c2 := tr.Coherence, tr.Coherence2
		if tr.Context == 1 {
			c1, c2 = c2, c1
		}
		switch {
		case ch < 2 && per == "stimulus":
			return scale * []float64{c1, c2}[ch]
		case ch >= 2 && ch-2 == tr.Context && in(per, "context", "stimulus", "delay"):
			return cue
		}
		return 0
	}
}

// raposoMean is raposo.py's noiseless input: each shown modality's
// coherence × scale during the stimulus and, with cue > 0, its cue from
// the end of fixation to the end of the stimulus.
func raposoMean(scale, cue float64) func(Trial, string, int) float64 {
	return func(tr Trial, per string, ch int) float64 {
		var coh [2]float64
		shown := [2]bool{tr.Context != 1, tr.Context != 0}
		switch tr.Context {
		case 0:
			coh[0] = tr.Coherence
		case 1:
			coh[1] = tr.Coherence
		case 2:
			coh = [2]float64{tr.Coherence, tr.Coherence2}
		}
		switch {
		case ch < 2 && per == "stimulus":
			return scale * coh[ch]
		case ch >= 2 && shown[ch-2] && in(per, "context", "stimulus"):
			return cue
		}
		return 0
	}
}

func dmsMean(tr Trial, per string, ch int) float64 {
	first, second := int(tr.Condition[0]-'A'), int(tr.Condition[2]-'A')
	switch {
	case per == "stimulus1" && ch == first, per == "stimulus2" && ch == second:
		return 1
	}
	return 0
}

func romoMean(tr Trial, per string, _ int) float64 {
	f1, f2 := frequencies(tr)
	switch per {
	case "stimulus1":
		return (f1 - 22) / 24
	case "stimulus2":
		return (f2 - 22) / 24
	}
	return 0
}

// TestPresetScorerOutOfRange checks the text forms of values that are none
// of the constants: String names the type and value, MarshalText fails.
func TestPresetScorerOutOfRange(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v       interface{ MarshalText() ([]byte, error) }
		str     string
		want    string
		wantErr string
	}{
		{Preset(-1), Preset(-1).String(), "Preset(-1)", "tasks: invalid preset -1"},
		{Preset(len(presetNames())), Preset(len(presetNames())).String(), "Preset(8)", "tasks: invalid preset 8"},
		{Scorer(len(scorerNames())), Scorer(len(scorerNames())).String(), "Scorer(7)", "tasks: invalid scorer 7"},
	} {
		if c.str != c.want {
			t.Errorf("String = %q, want %q", c.str, c.want)
		}
		if b, err := c.v.MarshalText(); err == nil || err.Error() != c.wantErr || b != nil {
			t.Errorf("%s.MarshalText = %q, %v, want nil, %q", c.want, b, err, c.wantErr)
		}
	}
}

// TestOptionalPresetText checks the text form of OptionalPreset: "" is
// unset both ways, every other form is ParsePreset's ("default" is set, to
// the task's default preset; "lowrank" to Dubreuil), an unknown name is
// ParsePreset's error and a set value out of range does not marshal.
func TestOptionalPresetText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		text string
		want OptionalPreset
		back string
	}{
		{"", OptionalPreset{}, ""},
		{"default", OptionalPreset{Preset: Default, Set: true}, "default"},
		{"neurogym", OptionalPreset{Preset: NeuroGym, Set: true}, "neurogym"},
		{"lowrank", OptionalPreset{Preset: Dubreuil, Set: true}, "dubreuil"},
	} {
		var got OptionalPreset
		if err := got.UnmarshalText([]byte(c.text)); err != nil || got != c.want {
			t.Errorf("UnmarshalText(%q): got %+v, %v; want %+v, nil", c.text, got, err, c.want)
		}
		if b, err := got.MarshalText(); err != nil || string(b) != c.back {
			t.Errorf("MarshalText(%+v): got %q, %v; want %q, nil", got, b, err, c.back)
		}
	}
	got := OptionalPreset{Preset: Valente, Set: true}
	_, want := ParsePreset("yang")
	if err := got.UnmarshalText([]byte("yang")); err == nil || err.Error() != want.Error() || got != (OptionalPreset{Preset: Valente, Set: true}) {
		t.Errorf(`UnmarshalText("yang"): got %+v, %v; want the value unchanged and %v`, got, err, want)
	}
	if b, err := (OptionalPreset{Preset: Preset(99), Set: true}).MarshalText(); err == nil {
		t.Errorf("MarshalText of preset 99: got %q, nil; want an error", b)
	}
	if s := (OptionalPreset{}).String(); s != "" {
		t.Errorf("String of an unset preset: got %q, want \"\"", s)
	}
}

// FuzzOptionalPresetText feeds OptionalPreset.UnmarshalText arbitrary
// text: what it accepts is "" (unset) or a preset ParsePreset accepts, and
// marshals back to a text that parses to the same value.
func FuzzOptionalPresetText(f *testing.F) {
	for _, s := range append(presetNames(), "", "lowrank", "yang", "Neurogym", " dubreuil") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var p OptionalPreset
		if err := p.UnmarshalText([]byte(s)); err != nil {
			if _, perr := ParsePreset(s); s == "" || perr == nil {
				t.Fatalf("UnmarshalText(%q) = %v, but ParsePreset accepts it or it is empty", s, err)
			}
			return
		}
		if p.Set != (s != "") {
			t.Fatalf("UnmarshalText(%q): Set = %v", s, p.Set)
		}
		b, err := p.MarshalText()
		if err != nil {
			t.Fatalf("MarshalText(%+v): %v", p, err)
		}
		var back OptionalPreset
		if err := back.UnmarshalText(b); err != nil || back != p {
			t.Fatalf("round trip of %q: %q gives %+v, %v; want %+v", s, b, back, err, p)
		}
	})
}
