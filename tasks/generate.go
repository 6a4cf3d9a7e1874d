package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// generated is every synthetic task: its description, its resolved
// configuration, a trial generator and a scorer.
type generated struct {
	info  Info
	cfg   Config
	gen   func(rng *rand.Rand, tb *trialBuf)
	score func(outputs []float32, b *Batch) Result
}

var (
	_ Task           = (*generated)(nil)
	_ Describer      = (*generated)(nil)
	_ Configurable   = (*generated)(nil)
	_ LossNormalizer = (*generated)(nil)
)

func (g *generated) Name() string          { return g.info.Name }
func (g *generated) Dims() (nIn, nOut int) { return g.info.NIn, g.info.NOut }
func (g *generated) Loss() Loss            { return g.info.Loss }
func (g *generated) Info() Info            { return g.info }

// Config returns the resolved configuration (every default filled in).
func (g *generated) Config() Config {
	c := g.cfg
	c.Settings = c.Settings.clone()
	return c
}

// LossNorm is the resolved Settings.LossNorm: NormAll for the PsychRNN
// preset, NormMask otherwise unless set.
func (g *generated) LossNorm() Normalization {
	if n := g.cfg.Settings.LossNorm; n != NormDefault {
		return n
	}
	return NormMask
}

// Score applies the task's own scorer; it panics if outputs does not
// have the batch's [T][B][NOut] size.
func (g *generated) Score(outputs []float32, b *Batch) Result { return g.score(outputs, b) }

// Batch draws b trials from rng, in order, and packs them time-major,
// padded to the longest trial. It allocates the batch. It panics if
// b < 1.
func (g *generated) Batch(rng *rand.Rand, b int) Batch {
	if b < 1 {
		panic(fmt.Sprintf("tasks: %s Batch: batch size %d < 1", g.info.Name, b))
	}
	bufs := make([]trialBuf, b)
	for i := range bufs {
		bufs[i] = trialBuf{nIn: g.info.NIn, nOut: g.info.NOut}
		g.gen(rng, &bufs[i])
	}
	return pack(bufs)
}

// pack copies per-trial buffers into one padded time-major batch.
func pack(bufs []trialBuf) Batch {
	b := len(bufs)
	nIn, nOut := bufs[0].nIn, bufs[0].nOut
	T := 0
	for i := range bufs {
		T = max(T, bufs[i].T)
	}
	out := Batch{
		T: T, B: b, NIn: nIn, NOut: nOut,
		Inputs:  make([]float32, T*b*nIn),
		Targets: make([]float32, T*b*nOut),
		Mask:    make([]float32, T*b*nOut),
		Lengths: make([]int, b),
		Trials:  make([]Trial, b),
	}
	for i := range bufs {
		tb := &bufs[i]
		out.Lengths[i] = tb.T
		out.Trials[i] = tb.trial
		for t := 0; t < tb.T; t++ {
			copy(out.Inputs[(t*b+i)*nIn:(t*b+i+1)*nIn], tb.in[t*nIn:(t+1)*nIn])
			copy(out.Targets[(t*b+i)*nOut:(t*b+i+1)*nOut], tb.tgt[t*nOut:(t+1)*nOut])
			copy(out.Mask[(t*b+i)*nOut:(t*b+i+1)*nOut], tb.mask[t*nOut:(t+1)*nOut])
		}
	}
	return out
}

// trialBuf holds one trial while it is generated: [T][nIn] inputs and
// [T][nOut] targets and mask, row-major.
type trialBuf struct {
	nIn, nOut int
	T         int
	in        []float32
	tgt       []float32
	mask      []float32
	trial     Trial
}

// start sizes the buffers for the timeline's length and records its
// periods in the trial.
func (tb *trialBuf) start(tl *timeline) {
	tb.T = tl.t
	tb.in = make([]float32, tb.T*tb.nIn)
	tb.tgt = make([]float32, tb.T*tb.nOut)
	tb.mask = make([]float32, tb.T*tb.nOut)
	tb.trial.Periods = tl.periods
}

// setIn sets input channel ch to v over steps p.
func (tb *trialBuf) setIn(ch int, p Period, v float64) {
	for t := p.Start; t < p.End; t++ {
		tb.in[t*tb.nIn+ch] = float32(v)
	}
}

// addIn adds v to input channel ch over steps p.
func (tb *trialBuf) addIn(ch int, p Period, v float64) {
	for t := p.Start; t < p.End; t++ {
		tb.in[t*tb.nIn+ch] += float32(v)
	}
}

// noise adds N(0, std²) draws to channels chans over steps p, step-major
// then channel order. std = 0 draws nothing.
func (tb *trialBuf) noise(rng *rand.Rand, p Period, std float64, chans ...int) {
	if std == 0 {
		return
	}
	for t := p.Start; t < p.End; t++ {
		for _, ch := range chans {
			tb.in[t*tb.nIn+ch] += float32(std * rng.NormFloat64())
		}
	}
}

// action sets a one-hot target on action a over steps p, with mask 1 on
// every output channel (NeuroGym Dataset targets, trained with
// cross-entropy on every step).
func (tb *trialBuf) action(p Period, a int) {
	for t := p.Start; t < p.End; t++ {
		row := tb.tgt[t*tb.nOut : (t+1)*tb.nOut]
		clear(row)
		row[a] = 1
		m := tb.mask[t*tb.nOut : (t+1)*tb.nOut]
		for i := range m {
			m[i] = 1
		}
	}
}

// value sets output channel ch's target to v with mask 1 over steps p.
func (tb *trialBuf) value(ch int, p Period, v float64) {
	for t := p.Start; t < p.End; t++ {
		tb.tgt[t*tb.nOut+ch] = float32(v)
		tb.mask[t*tb.nOut+ch] = 1
	}
}

// timeline lays out consecutive periods.
type timeline struct {
	periods []Period
	t       int
}

// add appends a period of n steps and returns it.
func (tl *timeline) add(name string, n int) Period {
	p := Period{Name: name, Start: tl.t, End: tl.t + n}
	tl.periods = append(tl.periods, p)
	tl.t += n
	return p
}

// span returns the period covering steps [from, to) without adding it.
func span(name string, from, to int) Period { return Period{Name: name, Start: from, End: to} }

// steps converts a duration in ms to whole steps, flooring as NeuroGym
// (`(t // self.dt) * self.dt`, core.py) and the low-rank scripts
// (`floor(duration / deltaT)`) do. A tiny epsilon keeps 2000/100 = 20
// exact despite floating point.
func steps(ms, dt float64) int { return int(math.Floor(ms/dt + 1e-9)) }

// truncExp draws from NeuroGym's TruncExp(mean, min, max): an
// exponential with the given mean, redrawn until it falls in [min, max)
// (neurogym/utils/ngym_random.py).
func truncExp(rng *rand.Rand, mean, lo, hi float64) float64 {
	for {
		x := rng.ExpFloat64() * mean
		if x >= lo && x < hi {
			return x
		}
	}
}

// pick returns a uniformly drawn element of v.
func pick[T any](rng *rand.Rand, v []T) T { return v[rng.IntN(len(v))] }

// sign returns +1, -1 or 0.
func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// choiceOfSign maps a positive value to choice 1 and a negative one to
// choice 2 (the lowrank preset's convention for Trial.Choice).
func choiceOfSign(x float64) int {
	if x > 0 {
		return 1
	}
	return 2
}

// resolve fills the zero fields of s from the preset's defaults d.
func resolve(s, d Settings) Settings {
	if s.DtMS == 0 {
		s.DtMS = d.DtMS
	}
	if s.Noise == nil && d.Noise != nil {
		s.Noise = ptr(*d.Noise)
	}
	if len(s.Coherences) == 0 {
		s.Coherences = append([]float64(nil), d.Coherences...)
	}
	if s.Steps == 0 {
		s.Steps = d.Steps
	}
	if s.Bits == 0 {
		s.Bits = d.Bits
	}
	sd, dd := s.durations(), d.durations()
	for i := range sd {
		if *sd[i].v == nil && *dd[i].v != nil {
			*sd[i].v = ptr(**dd[i].v)
		}
	}
	if s.CueSpan == CueDefault {
		s.CueSpan = d.CueSpan
	}
	if s.FixationCue == FixationDefault {
		s.FixationCue = d.FixationCue
	}
	return s
}

// ms returns the resolved value of a duration or scale setting; it panics
// if resolve left it unset (a missing preset default).
func ms(v *float64) float64 {
	if v == nil {
		panic("tasks: unresolved duration setting")
	}
	return *v
}

// noiseOf is the resolved noise level (0 when unset).
func noiseOf(s Settings) float64 {
	if s.Noise == nil {
		return 0
	}
	return *s.Noise
}

// ringChannels returns the NeuroGym ring encoding with dim_ring = 2 for a
// stimulus of coherence coh (%) toward choice c ∈ {1, 2}: channel k gets
// cos(θ_k − θ_c)·coh/200 + 0.5 with θ = (0, π), i.e. 0.5 ± coh/200.
func ringChannels(c int, coh float64) [2]float64 {
	var v [2]float64
	for k := range 2 {
		v[k] = math.Cos(math.Pi*float64(k)-math.Pi*float64(c-1))*coh/200 + 0.5
	}
	return v
}
