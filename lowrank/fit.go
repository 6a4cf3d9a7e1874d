package lowrank

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/enum"
	"github.com/rnntrain/rnntrain/layers"
)

// FitConfig describes a LINT fit (Valente et al., NeurIPS 2022;
// adrian-valente/lowrank_inference training_scripts/mante_fit_lowrank.py and
// fit_mante.py): a low-rank RNN of N = Units + Hidden tanh units whose first
// Units rates tanh(h) are the recorded units' activity (the identity
// readout), trained with Adam on the masked mean squared error over every
// condition at once. The zero value of a field means its documented default
// (Defaults).
type FitConfig struct {
	// Rank is R; Sweep sets it per fit.
	Rank int `json:"rank" toml:"rank"`
	// Hidden is the number of unrecorded units added to the network
	// (default 0).
	Hidden int `json:"hidden" toml:"hidden"`
	// Alpha is dt/τ (default: the data's dt over τ = 100 ms, or 0.2 when
	// the data do not give dt). Data whose dt is longer than 100 ms have
	// no default: Validate asks for Alpha.
	Alpha float64 `json:"alpha" toml:"alpha"`
	// Steps is the number of Adam updates per fit (default 1000).
	Steps int `json:"steps" toml:"steps"`
	// LR is Adam's learning rate (default 0.03).
	LR float64 `json:"lr" toml:"lr"`
	// Free is the number of initial steps of every condition left out of
	// the loss and of R², so that the network reaches the data's initial
	// state freely (LINT's context-only period; default 0).
	Free int `json:"free" toml:"free"`
	// NoiseStd is σ of the private noise during fitting (default 0, as in
	// LINT).
	NoiseStd float64 `json:"noise_std" toml:"noise_std"`
	// Init selects the initial factors (default svd: of a full-rank fit).
	Init Init `json:"init"`
	// Holdout is the number of conditions held out of the fit, chosen at
	// random from Seed, on which R² is reported as well (default 0).
	Holdout int `json:"holdout"`
	// Seed draws the initial weights, the held-out conditions and the
	// noise (default 1).
	Seed uint64 `json:"seed"`
}

// Init selects how a fit initialises the factors m and n.
type Init int

const (
	// InitSVD starts rank R from the SVD of a full-rank fit J = U S Vᵀ:
	// m = U_R S_R √N, n = V_R √N (Valente et al. 2022).
	InitSVD Init = iota
	// InitRandom draws m, n ~ N(0, 1) as the low_rank_rnns library does.
	InitRandom
)

// initNames lists the inits' names, indexed by Init.
func initNames() []string { return []string{InitSVD: "svd", InitRandom: "random"} }

// String returns "svd" or "random", or Init(i) for a value that is none
// of the constants.
func (i Init) String() string { return enum.Name(initNames(), int(i), "Init") }

// ParseInit returns the Init named s.
func ParseInit(s string) (Init, error) {
	i, err := enum.Parse(initNames(), s, "init")
	return Init(i), err
}

// MarshalText implements encoding.TextMarshaler. It returns an error for a
// value that is none of the constants.
func (i Init) MarshalText() ([]byte, error) { return enum.Text("lowrank", initNames(), int(i), "init") }

// UnmarshalText implements encoding.TextUnmarshaler.
func (i *Init) UnmarshalText(b []byte) error {
	v, err := ParseInit(string(b))
	if err != nil {
		return err
	}
	*i = v
	return nil
}

// tauMS is the membrane time constant from which the default α is derived.
const tauMS = 100

// Defaults returns c with its zero fields set to their defaults for data d
// (d may be nil). The default Alpha of data whose dt is longer than τ is
// dt/τ > 1, which Validate refuses.
func (c FitConfig) Defaults(d *Data) FitConfig {
	if c.Alpha == 0 {
		c.Alpha = 0.2
		if d != nil && d.DtMS > 0 {
			c.Alpha = d.DtMS / tauMS
		}
	}
	if c.Steps == 0 {
		c.Steps = 1000
	}
	if c.LR == 0 {
		c.LR = 0.03
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return c
}

// Validate reports the first invalid field of c (after Defaults) for data
// d, named by its config key.
func (c FitConfig) Validate(d *Data) error {
	if c.Alpha == 0 && d.DtMS > tauMS {
		// A time constant of 100 ms, shorter than a step, is not a
		// discretisation; another τ is the user's choice to make.
		return fmt.Errorf("alpha: the data's dt = %g ms is longer than the τ = %d ms of the default α = dt/τ = %.3g, which must be at most 1; give alpha in (0, 1] (1: τ = dt)", d.DtMS, tauMS, d.DtMS/tauMS)
	}
	given := c.Alpha
	c = c.Defaults(d)
	n := d.Units + c.Hidden
	switch {
	case c.Hidden < 0:
		return fmt.Errorf("hidden: must be ≥ 0, got %d", c.Hidden)
	case c.Rank < 1 || c.Rank > n:
		return fmt.Errorf("rank: must be in [1, units+hidden = %d], got %d", n, c.Rank)
	case !(c.Alpha > 0 && c.Alpha <= 1):
		return fmt.Errorf("alpha: must be in (0, 1], got %g", c.Alpha)
	case float32(c.Alpha) == 0 && given == 0:
		return fmt.Errorf("alpha: the data's dt = %g ms gives the default α = dt/τ = %g, which is 0 in float32, in which networks compute (a network that never moves); give alpha of at least 1.4e-45", d.DtMS, c.Alpha)
	case float32(c.Alpha) == 0:
		return fmt.Errorf("alpha: %g is 0 in float32, in which networks compute (a network that never moves); want at least 1.4e-45", c.Alpha)
	case c.Steps < 1:
		return fmt.Errorf("steps: must be ≥ 1, got %d", c.Steps)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("lr: must be positive and finite, got %g", c.LR)
	case c.Free < 0 || c.Free >= d.T:
		return fmt.Errorf("free: must be in [0, T = %d), got %d", d.T, c.Free)
	case !(c.NoiseStd >= 0) || math.IsInf(c.NoiseStd, 0):
		return fmt.Errorf("noise_std: must be ≥ 0 and finite, got %g", c.NoiseStd)
	case c.Init < InitSVD || c.Init > InitRandom:
		return fmt.Errorf("init: unknown value %d", int(c.Init))
	case c.Holdout < 0 || c.Holdout >= d.Conditions:
		return fmt.Errorf("holdout: must be in [0, conditions = %d), got %d", d.Conditions, c.Holdout)
	}
	return nil
}

// Fit is one fitted network and how well it reproduces the data.
type Fit struct {
	Rank int `json:"rank"`
	// Net is the fitted network: Inputs = NIn, Hidden = Units + Hidden,
	// Outputs 0, Rates tanh; its rates' first Units columns are the
	// recorded units. Its parameters are named "lowrank.*".
	Net *Layer[float32] `json:"-"`
	// Loss is the masked MSE on the fitted conditions after the last
	// update.
	Loss float64 `json:"loss"`
	// R2 is the coefficient of determination on the fitted conditions
	// (see R2), R2Unit per recorded unit.
	R2     float64   `json:"r2"`
	R2Unit []float64 `json:"r2_unit"`
	// R2Held is R² on the held-out conditions (NaN without any; JSON null).
	R2Held *float64 `json:"r2_heldout,omitempty"`
	Steps  int      `json:"steps"`
	// Elapsed is the fit's wall time.
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Split returns the fitted and held-out conditions of d for c.Holdout
// (drawn from c.Seed; held is nil when Holdout is 0).
func Split(d *Data, c FitConfig) (fit, held *Data) {
	h, rest := holdout(d, c)
	if h == nil {
		return d, nil
	}
	return d.Subset(rest), d.Subset(h)
}

// HeldOut returns the indices of the conditions of d that Split holds out
// for c, in ascending order (nil when c.Holdout is 0).
func HeldOut(d *Data, c FitConfig) []int {
	h, _ := holdout(d, c)
	return h
}

// holdout returns the indices of the held-out and of the fitted
// conditions of d for c, each in ascending order, from one permutation
// drawn from c.Seed (both nil when c.Holdout is 0).
func holdout(d *Data, c FitConfig) (held, rest []int) {
	c = c.Defaults(d)
	if c.Holdout == 0 {
		return nil, nil
	}
	perm := rand.New(rand.NewPCG(c.Seed, streamHoldout)).Perm(d.Conditions)
	held, rest = perm[:c.Holdout:c.Holdout], perm[c.Holdout:]
	slices.Sort(held)
	slices.Sort(rest)
	return held, rest
}

// Random streams of a fit's seed.
const (
	streamHoldout uint64 = 0x6c696e74 + iota
	streamInit
	streamNoise
)

// NewNet returns a fitting network for data with nIn inputs and n units
// (units + hidden) of rank r, its weights drawn from rng as the library
// draws them, with m, n, wi and h0 trained.
func NewNet(nIn, n, r int, alpha, noise float64, rng *rand.Rand) (*Layer[float32], error) {
	l, err := NewLayer[float32]("lowrank", LayerConfig{
		Inputs: nIn, Hidden: n, Rank: r, Alpha: alpha, NoiseStd: noise,
		Activation: layers.Tanh, Rates: RatesTanh,
	}, rng)
	if err != nil {
		return nil, err
	}
	l.SetTrained(ParamM | ParamN | ParamWI | ParamH0)
	return l, nil
}

// FitRank fits a rank-c.Rank network to fit (the conditions to train on)
// and reports R² on fit and, when held is not nil, on held. init, if not
// nil, gives the starting factors m and n ([N, R] each, row-major) and
// replaces the random ones. It returns an error if c is invalid, the fit
// diverges or ctx is cancelled.
func FitRank(ctx context.Context, fit, held *Data, c FitConfig, init *Factors) (*Fit, error) {
	// fit is what is left after the held-out conditions: c.Holdout counts
	// conditions of the data before the split.
	vc := c
	vc.Holdout = 0
	if err := vc.Validate(fit); err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	c = c.Defaults(fit)
	start := time.Now()
	n := fit.Units + c.Hidden
	net, err := NewNet(fit.NIn, n, c.Rank, c.Alpha, c.NoiseStd, rand.New(rand.NewPCG(c.Seed, streamInit+uint64(c.Rank))))
	if err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	if init != nil {
		if init.Units != n || init.R != c.Rank {
			return nil, fmt.Errorf("fit: initial factors of %d units and rank %d for a network of %d units and rank %d", init.Units, init.R, n, c.Rank)
		}
		net.SetFactors(init.Tensors())
	}
	var noise *rand.Rand
	if c.NoiseStd > 0 {
		noise = rand.New(rand.NewPCG(c.Seed, streamNoise))
	}
	b := newBatch(fit, c.Free)
	tp := autodiff.NewTape[float32]()
	var opt adam
	params := net.Params()
	for step := range c.Steps {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("fit rank %d interrupted at update %d: %w", c.Rank, step, err)
		}
		for _, p := range params {
			p.ZeroGrad()
		}
		tp.Reset()
		out := forward(tp, net, b, fit.Units, noise)
		l := autodiff.MaskedMSE(out, b.target, b.mask)
		loss := float64(l.Value.Data[0])
		if (math.IsNaN(loss) || math.IsInf(loss, 0)) && step == 0 {
			// No update has run: the data, not the learning rate, are
			// beyond what float32 holds in the loss or the dynamics.
			return nil, fmt.Errorf("fit rank %d: the loss of the initial network is %v, before any update: the data overflow float32, in which fits compute (|activity| up to %.3g, |inputs| up to %.3g); scale the activity into (−1, 1) and the inputs to a few units",
				c.Rank, loss, maxAbs(fit.Activity), maxAbs(fit.Inputs))
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return nil, fmt.Errorf("fit rank %d diverged at update %d: loss %v (lower -lr)", c.Rank, step+1, loss)
		}
		tp.Backward(l)
		if g := gradNorm(params); math.IsNaN(g) || math.IsInf(g, 0) {
			return nil, fmt.Errorf("fit rank %d diverged at update %d: gradient norm %v (lower -lr)", c.Rank, step+1, g)
		}
		opt.update(params, c.LR)
	}
	f := &Fit{Rank: c.Rank, Net: net, Steps: c.Steps}
	pred := Predict(net, fit)
	f.R2, f.R2Unit = R2(pred, fit, c.Free)
	f.Loss = maskedMSE(pred, fit, c.Free)
	if held != nil {
		r, _ := R2(Predict(net, held), held, c.Free)
		f.R2Held = &r
	}
	f.Elapsed = time.Since(start)
	return f, nil
}

// batch is a Data set laid out time-major for the network.
type batch struct {
	T, B         int
	x            autodiff.Tensor[float32] // [T·B, NIn]
	target, mask autodiff.Tensor[float32] // [T·B, Units]
}

// newBatch lays out d time-major, with the mask zeroed on the first free
// steps.
func newBatch(d *Data, free int) batch {
	T, B := d.T, d.Conditions
	b := batch{T: T, B: B,
		x:      autodiff.NewTensor[float32](T*B, d.NIn),
		target: autodiff.NewTensor[float32](T*B, d.Units),
		mask:   autodiff.NewTensor[float32](T*B, d.Units),
	}
	for c := range B {
		for t := range T {
			row := t*B + c
			copy(b.x.Data[row*d.NIn:(row+1)*d.NIn], d.Inputs[(c*T+t)*d.NIn:(c*T+t+1)*d.NIn])
			if d.Activity == nil {
				continue // Predict: inputs only
			}
			copy(b.target.Data[row*d.Units:(row+1)*d.Units], d.Activity[(c*T+t)*d.Units:(c*T+t+1)*d.Units])
			if t >= free {
				copy(b.mask.Data[row*d.Units:(row+1)*d.Units], d.Mask[(c*T+t)*d.Units:(c*T+t+1)*d.Units])
			}
		}
	}
	return b
}

// forward records net over b on tp from its own h0 and returns the rates of
// the recorded units, [T·B, units].
func forward(tp *autodiff.Tape[float32], net *Layer[float32], b batch, units int, noise *rand.Rand) *autodiff.Var[float32] {
	rates, _ := net.Run(tp, tp.Const(b.x), net.InitialState(tp), b.T, b.B, layers.SeqOptions{Noise: noise})
	if units == net.Size() {
		return rates
	}
	return autodiff.Slice(rates, 0, units)
}

// Predict runs net without noise on the inputs of d (only d's sizes and
// Inputs are used) from its own initial
// state and returns the recorded units' rates, condition-major
// [conditions, T, units] like d.Activity (freshly allocated). It panics if
// net does not have d's inputs or fewer units than d.
func Predict(net *Layer[float32], d *Data) []float32 {
	if net.Config.Inputs != d.NIn || net.Size() < d.Units {
		panic(fmt.Sprintf("lowrank: Predict: network of %d inputs and %d units for data of %d inputs and %d units", net.Config.Inputs, net.Size(), d.NIn, d.Units))
	}
	b := newBatch(&Data{Conditions: d.Conditions, T: d.T, Units: d.Units, NIn: d.NIn, Inputs: d.Inputs}, 0)
	tp := autodiff.NewTape[float32]()
	out := forward(tp, net, b, d.Units, nil).Value
	pred := make([]float32, d.Conditions*d.T*d.Units)
	for c := range d.Conditions {
		for t := range d.T {
			row := t*d.Conditions + c
			copy(pred[(c*d.T+t)*d.Units:(c*d.T+t+1)*d.Units], out.Data[row*d.Units:(row+1)*d.Units])
		}
	}
	return pred
}

// R2 returns the coefficient of determination of pred ([conditions, T,
// units], like d.Activity) against d's activity over the masked entries of
// steps ≥ free: overall, 1 − Σ_i SSE_i / Σ_i SST_i with SST_i the masked
// sum of squares of unit i around its own masked mean (so units weigh by
// their variance), and per unit, 1 − SSE_i/SST_i (NaN for a unit without
// variance). Computed in float64. It panics if pred has the wrong length.
func R2(pred []float32, d *Data, free int) (overall float64, perUnit []float64) {
	if len(pred) != len(d.Activity) {
		panic(fmt.Sprintf("lowrank: R2: %d predictions for %d recorded values", len(pred), len(d.Activity)))
	}
	u := d.Units
	w, mean := make([]float64, u), make([]float64, u)
	each := func(f func(i int, k int)) {
		for c := range d.Conditions {
			for t := free; t < d.T; t++ {
				base := (c*d.T + t) * u
				for i := range u {
					f(i, base+i)
				}
			}
		}
	}
	each(func(i, k int) {
		m := float64(d.Mask[k])
		w[i] += m
		mean[i] += m * float64(d.Activity[k])
	})
	for i := range u {
		if w[i] > 0 {
			mean[i] /= w[i]
		}
	}
	sse, sst := make([]float64, u), make([]float64, u)
	each(func(i, k int) {
		m, x := float64(d.Mask[k]), float64(d.Activity[k])
		e, s := x-float64(pred[k]), x-mean[i]
		sse[i] += m * e * e
		sst[i] += m * s * s
	})
	var tse, tst float64
	perUnit = make([]float64, u)
	for i := range u {
		tse += sse[i]
		tst += sst[i]
		perUnit[i] = math.NaN()
		if sst[i] > 0 {
			perUnit[i] = 1 - sse[i]/sst[i]
		}
	}
	if tst == 0 {
		return math.NaN(), perUnit
	}
	return 1 - tse/tst, perUnit
}

// maskedMSE is Σ m (pred − x)² / Σ m over steps ≥ free.
func maskedMSE(pred []float32, d *Data, free int) float64 {
	var s, w float64
	for c := range d.Conditions {
		for k := (c*d.T + free) * d.Units; k < (c+1)*d.T*d.Units; k++ {
			e := float64(pred[k] - d.Activity[k])
			s += float64(d.Mask[k]) * e * e
			w += float64(d.Mask[k])
		}
	}
	if w == 0 {
		return 0
	}
	return s / w
}

// Sweep fits each rank of ranks to d (minus c.Holdout held-out
// conditions) and returns the fits in that order. With c.Init = InitSVD it
// first fits a full-rank network (rank N, random start) and starts every
// rank from the SVD of its connectivity; the full-rank fit is returned as
// full (nil with InitRandom). progress, if not nil, is called after each
// fit, the full-rank one first (with isFull true).
func Sweep(ctx context.Context, d *Data, c FitConfig, ranks []int, progress func(f *Fit, isFull bool)) (fits []*Fit, full *Fit, err error) {
	if len(ranks) == 0 {
		return nil, nil, errors.New("fit: no rank to fit")
	}
	for _, r := range ranks {
		c.Rank = r
		if err := c.Validate(d); err != nil {
			return nil, nil, fmt.Errorf("fit: %w", err)
		}
	}
	fitD, held := Split(d, c)
	n := d.Units + c.Hidden
	if c.Init == InitSVD {
		fc := c
		fc.Rank, fc.Init = n, InitRandom
		if full, err = FitRank(ctx, fitD, held, fc, nil); err != nil {
			return nil, nil, err
		}
		if progress != nil {
			progress(full, true)
		}
	}
	for _, r := range ranks {
		c.Rank = r
		var init *Factors
		if full != nil {
			f := FactorsOf(full.Net)
			init, err = f.Truncate(r)
			if err != nil {
				return nil, nil, err
			}
		}
		f, err := FitRank(ctx, fitD, held, c, init)
		if err != nil {
			return nil, nil, err
		}
		if progress != nil {
			progress(f, false)
		}
		fits = append(fits, f)
	}
	return fits, full, nil
}

// maxAbs returns the largest |x| of x, 0 for none.
func maxAbs(x []float32) float64 {
	var m float64
	for _, v := range x {
		m = max(m, math.Abs(float64(v)))
	}
	return m
}
