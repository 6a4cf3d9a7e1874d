package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// This file holds the dynamical-systems tasks of Sussillo & Barak 2013:
// flip-flop and sine-wave.

// nmseThreshold is the normalized-MSE bound under which a continuous
// trial counts as correct (ScoreNormalizedMSE): the output explains more
// than 90 % of the target's power.
const nmseThreshold = 0.1

// flipFlopPulseProb is FlipFlopData's per-step pulse probability
// (mattgolub/fixed-point-finder examples/helper/FlipFlopData.py: p = 0.5,
// a pulse forced at t = 0).
const flipFlopPulseProb = 0.5

// newFlipFlop builds flip-flop (FixedPointFinder
// examples/helper/FlipFlopData.py): Steps steps (default 64, n_time) and
// Bits channels (default 3, n_bits). Each input channel pulses with
// probability 0.5 per step, the pulse forced at t = 0, each pulse ±1 with
// equal probability; the target of each bit is the sign of its last
// pulse, on every step. MSE loss, mask 1 everywhere; scored by
// ScoreNormalizedMSE. The time step is abstract; DtMS is a nominal
// 100 ms so that a leaky network with τ = 100 ms has α = 1, the
// discrete-time RNN of FixedPointFinder's example: the output must switch
// within one step of a pulse, which a slow leak (α = 0.1) cannot do.
func newFlipFlop(p Preset, s Settings) (Task, error) {
	const name = "flip-flop"
	s = resolve(s, Settings{DtMS: 100, Steps: 64, Bits: 3})
	T, bits := s.Steps, s.Bits
	var in, out []string
	for i := range bits {
		in = append(in, fmt.Sprintf("bit%d", i+1))
		out = append(out, fmt.Sprintf("bit%d", i+1))
	}
	sum, _ := Summary(name)
	return &generated{
		info: Info{Name: name, Preset: p, Default: true, Summary: sum, DtMS: s.DtMS, NIn: bits, NOut: bits,
			Inputs: in, Outputs: out, MinSteps: T, MaxSteps: T, Loss: MSE, Scorer: NormalizedMSE},
		cfg: Config{Task: name, Preset: p, Settings: s},
		gen: func(rng *rand.Rand, tb *trialBuf) {
			var tl timeline
			all := tl.add("trial", T)
			tb.start(&tl)
			state := make([]float64, bits)
			for t := range T {
				for i := range bits {
					if t == 0 || rng.Float64() < flipFlopPulseProb {
						v := float64(2*rng.IntN(2) - 1)
						tb.in[t*bits+i] = float32(v)
						state[i] = v
					}
					tb.value(i, span("", t, t+1), state[i])
				}
			}
			tb.trial = Trial{Condition: "flip-flop", Choice: -1, ResponseStart: all.Start, ResponseEnd: all.End, Periods: tb.trial.Periods}
		},
		score: func(out []float32, b *Batch) Result { return ScoreNormalizedMSE(out, b, nmseThreshold) },
	}, nil
}

// sineLevels is the number of input levels: 51 as recalled from Sussillo
// & Barak 2013 (Neural Computation 25(3):626–649), not checked against the
// paper.
const sineLevels = 51

// newSineWave builds sine-wave. No peer repository implements it; the
// definition follows the paper as recalled, not checked against its text:
// level j ∈ 1…51 is drawn uniformly, the input is held at j/51 + 0.25 for
// the whole trial, and the target is sin(ω_j t) with ω_j spanning 0.1…0.6
// rad per step linearly in j, ω_j = 0.1 + 0.5 (j−1)/50: the paper's unit
// of time (0.1–0.6 rad per time unit in the peers' notes, also unverified)
// taken as one step. Steps default 200 (at least three cycles of the
// slowest wave). MSE loss, mask 1 everywhere; scored by
// ScoreNormalizedMSE. Trial.Value is ω_j. DtMS is a nominal 100 ms (α = 1
// with τ = 100 ms, as for flip-flop): up to 0.6 rad per step needs a fast
// network. TestSineWaveSignals measures the generated trials against this
// definition: the levels and inputs, each target's frequency (fitted, and
// from its zero crossings), amplitude and phase.
func newSineWave(p Preset, s Settings) (Task, error) {
	const name = "sine-wave"
	s = resolve(s, Settings{DtMS: 100, Steps: 200})
	T := s.Steps
	sum, _ := Summary(name)
	return &generated{
		info: Info{Name: name, Preset: p, Default: true, Summary: sum, DtMS: s.DtMS, NIn: 1, NOut: 1,
			Inputs: []string{"level"}, Outputs: []string{"y"}, MinSteps: T, MaxSteps: T, Loss: MSE, Scorer: NormalizedMSE},
		cfg: Config{Task: name, Preset: p, Settings: s},
		gen: func(rng *rand.Rand, tb *trialBuf) {
			j := 1 + rng.IntN(sineLevels)
			omega := 0.1 + 0.5*float64(j-1)/float64(sineLevels-1)
			var tl timeline
			all := tl.add("trial", T)
			tb.start(&tl)
			tb.setIn(0, all, float64(j)/sineLevels+0.25)
			for t := range T {
				tb.value(0, span("", t, t+1), math.Sin(omega*float64(t)))
			}
			tb.trial = Trial{Condition: fmt.Sprintf("level=%d", j), Value: omega, Choice: -1,
				ResponseStart: all.Start, ResponseEnd: all.End, Periods: tb.trial.Periods}
		},
		score: func(out []float32, b *Batch) Result { return ScoreNormalizedMSE(out, b, nmseThreshold) },
	}, nil
}
