package tasks

import (
	"fmt"
	"math/rand/v2"
)

// This file holds the copy-memory task (Hochreiter & Schmidhuber 1997;
// the form of Arjovsky, Shah & Bengio 2016 that Kag & Saligrama 2021
// train).

// Copy-memory defaults: the number of symbols to remember and the size of
// the alphabet (Arjovsky et al. 2016).
const (
	copyLength  = 10
	copySymbols = 8
)

// newCopy builds copy-memory with delay T = Steps (default 200), L =
// CopyLength symbols to remember (default 10) and an alphabet of S =
// Symbols (default 8). A trial has T + 2L steps. Inputs are one-hot over
// S + 2 channels: 0 blank, 1…S the symbols, S+1 the recall cue. Steps
// 0…L−1 show L symbols drawn uniformly; then T−1 blanks, the cue at step
// L+T−1, and L more blanks. The target is one-hot over S + 1 outputs
// (0 blank, 1…S): blank until step T+L, then the L symbols in order.
// Cross-entropy on every step (mask 1 everywhere). Scored by
// ScoreRecall over the last L steps (ResponseStart = T+L): a trial is
// correct when every recalled symbol is the argmax output. Blanks, then
// uniform guesses, give a cross-entropy of L·ln(S)/(T+2L) (0.095 at the
// defaults) and recall all L symbols with probability S^−L ≈ 0.
func newCopy(p Preset, s Settings) (Task, error) {
	const name = "copy"
	s = resolve(s, Settings{DtMS: 100, Steps: 200})
	if s.CopyLength == 0 {
		s.CopyLength = copyLength
	}
	if s.Symbols == 0 {
		s.Symbols = copySymbols
	}
	T, L, S := s.Steps, s.CopyLength, s.Symbols
	switch {
	case T < 1 || T > maxLongSteps:
		return nil, fmt.Errorf("tasks: copy: steps = %d: want 1..%d", T, maxLongSteps)
	case L < 1 || L > 1000:
		return nil, fmt.Errorf("tasks: copy: copy_length = %d: want 1..1000", L)
	case S < 2 || S > 256:
		return nil, fmt.Errorf("tasks: copy: symbols = %d: want 2..256", S)
	}
	in := []string{"blank"}
	out := []string{"blank"}
	for k := range S {
		in = append(in, fmt.Sprintf("s%d", k+1))
		out = append(out, fmt.Sprintf("s%d", k+1))
	}
	in = append(in, "cue")
	sum, _ := Summary(name)
	return &generated{
		info: Info{Name: name, Preset: p, Default: true, Summary: sum, DtMS: s.DtMS, NIn: S + 2, NOut: S + 1,
			Inputs: in, Outputs: out, MinSteps: T + 2*L, MaxSteps: T + 2*L, Loss: CrossEntropy, Scorer: Recall},
		cfg: Config{Task: name, Preset: p, Settings: s},
		gen: func(rng *rand.Rand, tb *trialBuf) {
			var tl timeline
			tl.add("symbols", L)
			tl.add("delay", T-1)
			tl.add("cue", 1)
			recall := tl.add("recall", L)
			tb.start(&tl)
			nIn := tb.nIn
			for t := range tb.T {
				tb.in[t*nIn] = 1 // blank unless overwritten below
			}
			tb.action(span("", 0, recall.Start), 0)
			for t := range L {
				sym := 1 + rng.IntN(S)
				tb.in[t*nIn], tb.in[t*nIn+sym] = 0, 1
				tb.action(span("", recall.Start+t, recall.Start+t+1), sym)
			}
			cue := recall.Start - 1
			tb.in[cue*nIn], tb.in[cue*nIn+S+1] = 0, 1
			tb.trial = Trial{Condition: "copy", Choice: -1, ResponseStart: recall.Start, ResponseEnd: recall.End, Periods: tb.trial.Periods}
		},
		score: ScoreRecall,
	}, nil
}

// ScoreRecall judges sequence recall: a trial is correct when, at every
// step of its window [ResponseStart, ResponseEnd), the argmax output
// channel equals the argmax target channel. Response is the number of
// steps recalled correctly. It panics if outputs does not have the
// batch's size.
func ScoreRecall(outputs []float32, b *Batch) Result {
	checkOutputs("ScoreRecall", outputs, b)
	r := newResult(outputs, b)
	for i, tr := range b.Trials {
		n := 0
		for t := tr.ResponseStart; t < tr.ResponseEnd; t++ {
			if argmaxAt(outputs, b, t, i) == argmaxAt(b.Targets, b, t, i) {
				n++
			}
		}
		r.Response[i] = n
		r.Correct[i] = n == tr.ResponseEnd-tr.ResponseStart
	}
	r.finish()
	return r
}
