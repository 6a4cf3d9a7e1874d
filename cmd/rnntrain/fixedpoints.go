package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/cmplx"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/dynamics"
	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/internal/plots"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/model"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

const fixedpointsLong = `
Fixedpoints finds the fixed and slow points of a trained rate network (rnn,
leaky, gru, lowrank) under a constant input u*, as Sussillo & Barak (2013)
and FixedPointFinder do, and linearises the dynamics around them. It runs
-trials held-out trials (fresh ones drawn from -seed's stream, or of a
dataset its held-out validation split; without noise), samples
-n-init initial states from the visited states of the layer's primary
variable (x of a leaky layer integrating the state, r integrating the rate,
h of gru and lowrank) plus Gaussian noise of std -noise, and minimises
q(s) = ½‖F(s, u*) − s‖² over all of them jointly with Adam, one batched
step per iteration, in float64, until each has q < -tol-q or changed q by
less than -tol-dq × lr in an iteration, or -max-iters; then up to -polish
Levenberg–Marquardt steps refine each point (not part of FixedPointFinder:
Adam alone crawls along slow directions; -polish 0 turns them off; the
summary's options show it as -1). Duplicates (within
-tol-unique in every coordinate) and points farther than -outlier-distance
from the initial states' centroid (in units of their mean distance to it)
are dropped. Each point's Jacobian ∂F/∂s is eigendecomposed and the point
classed by the moduli |λ|: stable (all < 1 − -tol-marginal), marginal (none
above 1 + -tol-marginal, some within it: a point of an approximate line
attractor), saddle (some above, with their count) or unstable (all above).
A point whose final q is not below -tol-q (its search stopped by -tol-dq
or -max-iters) is a slow point, not a fixed point: every output counts and
marks the two kinds apart, and -max-q drops slow points above it.

The input u* (-input):
  zero            every input 0 (default)
  PERIOD          the mean input over that task period (fixation, stimulus,
                  delay, decision, ...; the periods of eval -record) over the
                  recorded trials that have it
  context=K       the mean input over the stimulus period of the trials of
                  context K (1, 2, ...: numbered as in the figures), with
                  every channel that differs between those trials (the
                  evidence: coherences and input noise) set to 0, so the
                  fixation and context cues stay: the context input without
                  sensory input, as Mante et al. (2013) used
  v1,v2,...       one value per network input

Output in -out DIR (default: fixedpoints/ beside the checkpoint):
  fixedpoints.npz   points [P, N], q [P], fixed [P] (1 where q < -tol-q, 0
                    a slow point), class [P] (0 stable, 1 marginal,
                    2 saddle, 3 unstable), unstable [P] (unstable modes),
                    eigenvalues_real/_imag [P, N] (by decreasing |λ|),
                    eigenvectors_real/_imag and left_eigenvectors_real/_imag
                    [P, N, N] (column k for eigenvalue k), jacobians [P, N, N],
                    input_jacobians [P, N, inputs], input [inputs],
                    initial_states [n-init, N]
  fixedpoints.json  the summary -json prints: the settings (seed included),
                    the wall time, the counts (fixed_points, slow_points,
                    classes), and per point its q, fixed, class,
                    unstable modes, the slowest eigenvalues and the |cos| of
                    its slow mode's (the eigenvalue nearest 1) right and left
                    eigenvectors with each input's direction ∂F/∂u; with 3
                    or more marginal points, "line": the variance of those
                    points along their first principal component and its
                    |cos| with their slow modes
  fixedpoints.png   trials and points in the top principal components of the
                    visited states (PC2 and PC3 against PC1): stable points
                    filled, others open, slow points grey, the (up to two)
                    unstable modes of unstable points and the slow mode of
                    marginal points as short lines (none for a network of
                    one unit)
`

func fixedpointsCommand() *command {
	return &command{
		Name:  "fixedpoints",
		Short: "fixed and slow points of a trained network, their stability and modes",
		Usage: "-checkpoint PATH [-input zero|PERIOD|context=K|v1,v2,...] [-n-init K] [-noise S] [-tol-q Q] [-tol-dq D] [-tol-unique U] [-max-iters I] [-lr LR] [-json] [-out DIR]",
		Long:  fixedpointsLong,
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			ckpt := fs.String("checkpoint", "", "checkpoint file or run directory (required)")
			input := fs.String("input", "zero", "constant input u*: zero, a task period, context=K, or one value per input (v1,v2,...)")
			nInit := fs.Int("n-init", 1024, "number of initial states")
			noise := fs.Float64("noise", 0, "std of the Gaussian noise added to the sampled initial states (default 0: the visited states themselves)")
			trials := fs.Int("trials", 64, "held-out trials whose visited states the initial states are drawn from")
			seed := fs.Uint64("seed", 1, "seed of the trials and the initial states")
			tolQ := fs.Float64("tol-q", 1e-12, "accept a point once q < this")
			tolDQ := fs.Float64("tol-dq", 1e-20, "accept a point once q changed by less than this × lr in an iteration")
			tolUnique := fs.Float64("tol-unique", 1e-3, "merge points closer than this in every coordinate")
			maxIters := fs.Int("max-iters", 5000, "maximum number of Adam iterations")
			polish := fs.Int("polish", 50, "Levenberg–Marquardt steps refining each point after Adam (0 = none, as FixedPointFinder)")
			lr := fs.Float64("lr", 1, "initial Adam learning rate (adapted: ×0.95 when the mean q rises)")
			outlier := fs.Float64("outlier-distance", 10, "drop points farther from the initial states' centroid than this × their mean distance to it (finite; 1e300 keeps every point)")
			maxQ := fs.Float64("max-q", 0, "drop points with q above this (0 = keep every point)")
			tolMarginal := fs.Float64("tol-marginal", 0.01, "band around |λ| = 1 of a marginal mode")
			asJSON := fs.Bool("json", false, "print the JSON summary")
			out := fs.String("out", "", "output directory (default: fixedpoints/ beside the checkpoint)")
			maxMem := fs.Float64("max-memory", 0, "refuse a search whose recording and points would exceed this many GiB (0 = the memory available, MemAvailable in /proc/meminfo)")
			return func(ctx context.Context, args []string) error {
				if err := checkpointArgs(args, *ckpt); err != nil {
					return err
				}
				if !(*maxMem >= 0) || math.IsInf(*maxMem, 0) {
					return usagef("-max-memory %g: want a size in GiB ≥ 0 (0 = the memory available)", *maxMem)
				}
				if math.IsInf(*outlier, 1) {
					// The library's "keep every point", but fixedpoints.json
					// records the options and JSON has no number for it.
					return usagef("-outlier-distance %g: want a finite value (a large one such as 1e300 keeps every point)", *outlier)
				}
				if err := checkFlagRange(fs, map[string][3]float64{
					"-tol-q": {*tolQ, 0, math.MaxFloat64}, "-tol-dq": {*tolDQ, 0, math.MaxFloat64},
					"-tol-unique": {*tolUnique, 0, math.MaxFloat64}, "-lr": {*lr, 1e-12, 1e6},
					"-outlier-distance": {*outlier, 1e-12, math.MaxFloat64}, "-max-q": {*maxQ, 0, math.MaxFloat64},
					"-tol-marginal": {*tolMarginal, 0, 1}, "-noise": {*noise, 0, 1e6},
					"-n-init": {float64(*nInit), 1, 100_000}, "-trials": {float64(*trials), 1, 100_000},
					"-max-iters": {float64(*maxIters), 1, 10_000_000}, "-polish": {float64(*polish), 0, 100_000},
				}); err != nil {
					return err
				}
				// dynamics.Options takes 0 for "the default": refuse a 0 that
				// would run as one.
				def := dynamics.Options{}.WithDefaults()
				for _, z := range []struct {
					flag   string
					v, def float64
				}{{"-tol-q", *tolQ, def.TolQ}, {"-tol-dq", *tolDQ, def.TolDQ}, {"-tol-unique", *tolUnique, def.TolUnique}, {"-tol-marginal", *tolMarginal, def.TolMarginal}} {
					if z.v == 0 {
						return usagef("%s: 0 would run as the default, %g: give a positive value", z.flag, z.def)
					}
				}
				opt := dynamics.Options{TolQ: *tolQ, TolDQ: *tolDQ, TolUnique: *tolUnique, MaxIters: *maxIters, LR: *lr,
					OutlierDistance: *outlier, MaxQ: *maxQ, TolMarginal: *tolMarginal, Polish: *polish}
				if *polish == 0 {
					opt.Polish = -1 // the library's "off"
				}
				s, c, err := loadSession(*ckpt)
				if err != nil {
					return err
				}
				noteBest(e.stderr, "fixedpoints", "analyses", "-checkpoint", s, c, *ckpt)
				noteUnsplitFit(e.stderr, "fixedpoints", s, c)
				nIn, n, _ := s.net.Dims()
				spec, err := parseInputSpec(*input, nIn)
				if err != nil {
					return usagef("-input: %v", err)
				}
				net64, err := float64Copy(s.net.net)
				if err != nil {
					return err
				}
				if _, ok := net64.Recurrent().(layers.StepMap[float64]); !ok {
					return usagef("-checkpoint %s: model %s has no one-step map; fixedpoints needs a rate model (rnn, leaky, gru, lowrank)", c.Path, s.cfg.Model.Kind())
				}
				task := tasks.HeldOut(s.task)
				limit, where, known := memoryLimit(*maxMem * (1 << 30))
				base, perPoint := fixedpointsMemory(s, *trials, tasks.Describe(task).MaxSteps, *nInit)
				if known {
					if base+perPoint > limit {
						return usagef("-trials %d, -n-init %d: recording %d trials of %d steps, optimising %d states of N = %d units and linearising one point need about %s, more than %s (%s); lower -trials or -n-init",
							*trials, *nInit, *trials, tasks.Describe(task).MaxSteps, *nInit, n, train.FormatBytes(base+perPoint), where, train.FormatBytes(limit))
					}
					// Bound the points kept by what the memory left holds.
					if fit := (limit - base) / perPoint; fit < float64(*nInit) {
						opt.MaxPoints = int(fit)
					}
				}
				// Before the search, which a bad -out would lose; the
				// directory itself is made once there is something to write,
				// so that a refused search leaves none behind.
				dir := *out
				if dir == "" {
					dir = filepath.Join(filepath.Dir(c.Path), "fixedpoints")
				}
				if err := checkOutputDir("-out", dir); err != nil {
					return err
				}
				if err := checkOutputFiles("-out", dir, "fixedpoints", []outputFile{
					{"fixedpoints.npz", []string{"points", "q"}}, {"fixedpoints.json", []string{"run", "classes"}},
				}); err != nil {
					return err
				}
				rec := analysis.Record(s.net, task, newStream(*seed, streamFixedPoints), nil, *trials)
				if err := checkVisited(rec, net64); err != nil {
					return fmt.Errorf("checkpoint %s: %w; fixedpoints needs the finite states of a stable run", c.Path, err)
				}
				u, err := inputOf(spec, rec)
				if err != nil {
					return err
				}
				traj := visited(rec)
				init := dynamics.Sample(traj, n, *nInit, *noise, newStream(*seed, streamFixedPoints+1<<8))
				start := time.Now()
				res, err := dynamics.Find(net64.Recurrent(), init, u, opt)
				if pe, ok := errors.AsType[*dynamics.PointsError](err); ok {
					return usagef("-n-init %d: %d distinct points of N = %d units were found; linearising them needs about %s (%s each), more than %s (%s) leaves beside the recording; "+
						"lower -n-init, raise -tol-unique, drop slow points with -max-q, or raise -max-memory (GiB) if the estimate is wrong",
						*nInit, pe.Points, n, train.FormatBytes(float64(pe.Points)*perPoint), train.FormatBytes(perPoint), where, train.FormatBytes(limit))
				}
				if err != nil {
					return err
				}
				wall := time.Since(start).Seconds()
				sum := summarise(res, outputsAt(net64, res), opt, fixedPointsRun{Checkpoint: c.Path, Model: s.cfg.Model.Kind(), Task: s.task.Name(),
					Input: specString(spec), InputNames: tasks.Describe(s.task).Inputs, Seed: *seed, NInit: *nInit, Noise: *noise,
					Trials: rec.Trials, Split: tasks.SplitLabel(task), Seconds: wall})
				b, err := json.MarshalIndent(sum, "", "  ")
				if err != nil {
					return err
				}
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return fmt.Errorf("-out %s: %w", dir, err)
				}
				if err := writeFileAtomic(filepath.Join(dir, "fixedpoints.json"), append(b, '\n')); err != nil {
					return err
				}
				if err := writeFixedPointsNPZ(filepath.Join(dir, "fixedpoints.npz"), res, init, n); err != nil {
					return err
				}
				files := "fixedpoints.{npz,json,png}"
				if n < 2 {
					// PCA has no second component to draw against the first.
					fmt.Fprintf(e.stderr, "rnntrain fixedpoints: note: no fixedpoints.png: the states of a network of %d unit have no plane to draw\n", n)
					files = "fixedpoints.{npz,json}"
				} else if err := plotFixedPoints(filepath.Join(dir, "fixedpoints.png"), rec, traj, res, sum.Run, opt.TolMarginal); err != nil {
					return err
				}
				if *asJSON {
					_, err := e.stdout.Write(append(b, '\n'))
					return err
				}
				printFixedPoints(e.stdout, sum, filepath.Join(dir, files))
				return nil
			}
		},
	}
}

// checkFlagRange returns a usage error naming the first flag (in name
// order) whose value is not in [lo, hi], and its value as given in fs. A
// range up to math.MaxFloat64 is named as any finite value ≥ lo.
func checkFlagRange(fs *flag.FlagSet, flags map[string][3]float64) error {
	names := make([]string, 0, len(flags))
	for k := range flags {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		f := flags[name]
		if f[0] >= f[1] && f[0] <= f[2] {
			continue
		}
		got := fmt.Sprint(f[0])
		if fl := fs.Lookup(strings.TrimPrefix(name, "-")); fl != nil {
			got = fl.Value.String()
		}
		if f[2] == math.MaxFloat64 {
			return usagef("%s must be a finite number ≥ %g, got %s", name, f[1], got)
		}
		return usagef("%s must be in [%g, %g], got %s", name, f[1], f[2], got)
	}
	return nil
}

// float64Copy returns a float64 network with net's configuration and
// parameter values, every parameter frozen (the analysis moves states, not
// weights).
func float64Copy(net *rnn.Network[float32]) (*rnn.Network[float64], error) {
	n64, err := rnn.New[float64](net.Config(), newStream(0, streamFixedPoints))
	if err != nil {
		return nil, fmt.Errorf("float64 copy of the network: %w", err)
	}
	src, dst := net.Params(), n64.Params()
	if len(src) != len(dst) {
		return nil, fmt.Errorf("float64 copy of the network: %d parameters, want %d", len(dst), len(src))
	}
	for i, p := range dst {
		if p.Name != src[i].Name || p.Value.Len() != src[i].Value.Len() {
			return nil, fmt.Errorf("float64 copy of the network: parameter %s %v, want %s %v", p.Name, p.Value.Shape(), src[i].Name, src[i].Value.Shape())
		}
		for k, v := range src[i].Value.Data {
			p.Value.Data[k] = float64(v)
		}
		p.Frozen = true
	}
	return n64, nil
}

// visited returns the primary state of every recorded step before a
// trial's end, [rows·N].
func visited(r *analysis.Recording) []float64 {
	s := r.States[0]
	var out []float64
	for i := range r.Trials {
		steps := r.T
		if i < len(r.Lengths) {
			steps = r.Lengths[i]
		}
		for t := range steps {
			for _, v := range s.Data[(i*r.T+t)*s.Size : (i*r.T+t+1)*s.Size] {
				out = append(out, float64(v))
			}
		}
	}
	return out
}

// checkVisited returns an error naming the first state of r's primary
// variable, before a trial's end, that is not finite (the dynamics of
// weights too large overflow float32), with net's parameter of largest
// magnitude; nil when every visited state is finite.
func checkVisited(r *analysis.Recording, net *rnn.Network[float64]) error {
	s := r.States[0]
	i, v, ok := firstNonFinite(r, s.Data, s.Size)
	if !ok {
		return nil
	}
	name, largest := largestParam(net.Params())
	return fmt.Errorf("the network's state %s is %v at %s of the %d recorded trials: its dynamics overflow (the largest weight, in %s, has |w| = %.3g)",
		s.Name, v, cell(i, []int{r.Trials, r.T, s.Size}), r.Trials, name, largest)
}

// fixedPointsRun is the settings part of the summary.
type fixedPointsRun struct {
	Checkpoint string   `json:"checkpoint"`
	Model      string   `json:"model"`
	Task       string   `json:"task"`
	Input      string   `json:"input"`
	InputNames []string `json:"input_names"`
	Seed       uint64   `json:"seed"`
	NInit      int      `json:"n_init"`
	Noise      float64  `json:"noise"`
	// Trials is the number of trials recorded for the initial states, of
	// Split: "fresh trials" of a generated task, a dataset's held-out
	// split (its training trials without one).
	Trials  int              `json:"trials"`
	Split   string           `json:"split"`
	Options dynamics.Options `json:"options"`
	Seconds float64          `json:"seconds"`
}

// fixedPointsSummary is fixedpoints.json.
type fixedPointsSummary struct {
	Run       fixedPointsRun `json:"run"`
	Input     []float64      `json:"input_vector"`
	Iters     int            `json:"iters"`
	Converged int            `json:"converged"`
	FinalLR   float64        `json:"final_lr"`
	Dropped   map[string]int `json:"dropped"`
	Classes   map[string]int `json:"classes"`
	// FixedPoints counts the points of q < tol_q, SlowPoints the others:
	// slow points, where the search stopped (by tol_dq or max_iters)
	// before q fell below tol_q.
	FixedPoints int              `json:"fixed_points"`
	SlowPoints  int              `json:"slow_points"`
	Points      []fixedPointJSON `json:"points"`
	Line        *dynamics.Line   `json:"line,omitempty"`
}

// fixedPointJSON is one point of the summary.
type fixedPointJSON struct {
	Q float64 `json:"q"`
	// Fixed is q < tol_q: a fixed point; false marks a slow point.
	Fixed    bool           `json:"fixed"`
	Class    dynamics.Class `json:"class"`
	Unstable int            `json:"unstable_modes"`
	Marginal int            `json:"marginal_modes"`
	// Slowest are the (up to) three eigenvalues of largest modulus, as
	// [re, im].
	Slowest [][2]float64 `json:"slowest_eigenvalues"`
	// Slow is the eigenvalue nearest 1 (Point.SlowMode), [re, im]; Right
	// and Left are |cos| of its right and left eigenvectors with each
	// input's direction ∂F/∂u_k.
	Slow  [2]float64 `json:"slow_eigenvalue"`
	Right []float64  `json:"input_cos_right"`
	Left  []float64  `json:"input_cos_left"`
	// Output is the network's readout one step from the point under u*.
	Output []float64 `json:"output"`
}

// outputsAt returns the network's output [P][outputs] one step from each
// point under u* (the readout of F(s*) = s*).
func outputsAt(net *rnn.Network[float64], res *dynamics.Result) [][]float64 {
	p := len(res.Points)
	if p == 0 {
		return nil
	}
	n, in := len(res.Points[0].State), len(res.Input)
	init, x := autodiff.NewTensor[float64](p, n), autodiff.NewTensor[float64](p, in)
	for i, pt := range res.Points {
		copy(init.Data[i*n:(i+1)*n], pt.State)
		copy(x.Data[i*in:(i+1)*in], res.Input)
	}
	tp := autodiff.NewTape[float64]()
	out := net.Forward(tp, x, 1, p, model.Options[float64]{Init: []autodiff.Tensor[float64]{init}}).Out.Value
	rows := make([][]float64, p)
	for i := range rows {
		rows[i] = slices.Clone(out.Data[i*out.Cols : (i+1)*out.Cols])
	}
	return rows
}

func summarise(res *dynamics.Result, outputs [][]float64, opt dynamics.Options, run fixedPointsRun) fixedPointsSummary {
	run.Options = opt
	s := fixedPointsSummary{Run: run, Input: res.Input, Iters: res.Iters, Converged: res.Converged, FinalLR: res.LR,
		Dropped: map[string]int{"non_finite": res.NonFinite, "too_slow": res.TooSlow, "duplicates": res.Duplicates, "outliers": res.Outliers},
		Classes: map[string]int{}, Points: []fixedPointJSON{}}
	for i, p := range res.Points {
		s.Classes[p.Class.String()]++
		j := fixedPointJSON{Q: p.Q, Fixed: p.Fixed, Class: p.Class, Unstable: p.Unstable, Marginal: p.Marginal, Output: outputs[i]}
		if j.Fixed {
			s.FixedPoints++
		} else {
			s.SlowPoints++
		}
		for _, l := range p.Eigenvalues[:min(3, len(p.Eigenvalues))] {
			j.Slowest = append(j.Slowest, [2]float64{real(l), imag(l)})
		}
		slow := p.SlowMode()
		j.Slow = [2]float64{real(p.Eigenvalues[slow]), imag(p.Eigenvalues[slow])}
		j.Right, j.Left = p.InputCos()
		s.Points = append(s.Points, j)
	}
	if l, ok := dynamics.FitLine(res.Points); ok {
		s.Line = &l
	}
	return s
}

// writeFixedPointsNPZ writes fixedpoints.npz.
func writeFixedPointsNPZ(path string, res *dynamics.Result, init []float64, n int) error {
	p, nIn := len(res.Points), len(res.Input)
	names := []string{"points", "q", "fixed", "class", "unstable", "eigenvalues_real", "eigenvalues_imag", "eigenvectors_real", "eigenvectors_imag",
		"left_eigenvectors_real", "left_eigenvectors_imag", "jacobians", "input_jacobians", "input", "initial_states"}
	arr := func(shape ...int) npy.Array {
		size := 1
		for _, d := range shape {
			size *= d
		}
		return npy.Array{Shape: shape, F64: make([]float64, 0, size)}
	}
	a := []npy.Array{arr(p, n), arr(p), arr(p), arr(p), arr(p), arr(p, n), arr(p, n), arr(p, n, n), arr(p, n, n), arr(p, n, n), arr(p, n, n),
		arr(p, n, n), arr(p, n, nIn), arr(nIn), arr(len(init)/n, n)}
	for _, pt := range res.Points {
		a[0].F64 = append(a[0].F64, pt.State...)
		a[1].F64 = append(a[1].F64, pt.Q)
		fixed := 0.0
		if pt.Fixed {
			fixed = 1
		}
		a[2].F64 = append(a[2].F64, fixed)
		a[3].F64 = append(a[3].F64, float64(pt.Class))
		a[4].F64 = append(a[4].F64, float64(pt.Unstable))
		for _, l := range pt.Eigenvalues {
			a[5].F64 = append(a[5].F64, real(l))
			a[6].F64 = append(a[6].F64, imag(l))
		}
		for k, v := range pt.Right {
			a[7].F64 = append(a[7].F64, real(v))
			a[8].F64 = append(a[8].F64, imag(v))
			a[9].F64 = append(a[9].F64, real(pt.Left[k]))
			a[10].F64 = append(a[10].F64, imag(pt.Left[k]))
		}
		a[11].F64 = append(a[11].F64, pt.Jacobian...)
		a[12].F64 = append(a[12].F64, pt.InputJacobian...)
	}
	a[13].F64 = append(a[13].F64, res.Input...)
	a[14].F64 = append(a[14].F64, init...)
	return npy.WriteArchive(path, names, a)
}

// plotFixedPoints draws up to 6 of the recorded trials (their first 80
// steps) and the points in the top principal components of the visited
// states: PC2 and PC3 against PC1.
func plotFixedPoints(path string, rec *analysis.Recording, traj []float64, res *dynamics.Result, run fixedPointsRun, tolMarginal float64) error {
	n := rec.N
	pca, err := dynamics.FitPCA(traj, n, min(3, n))
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	slow := 0
	for _, p := range res.Points {
		if !p.Fixed {
			slow++
		}
	}
	ss := plots.StateSpace{Title: fmt.Sprintf("%s %s, input %s: %d points (%d fixed, %d slow)", run.Model, run.Task, run.Input, len(res.Points), len(res.Points)-slow, slow),
		Pairs: [][2]int{{0, 1}}}
	for k, f := range pca.Explained {
		ss.Axes = append(ss.Axes, fmt.Sprintf("PC%d (%.0f %%)", k+1, 100*f))
	}
	if len(ss.Axes) < 2 {
		return fmt.Errorf("plot %s: a state space of one dimension", path)
	}
	if len(ss.Axes) > 2 {
		ss.Pairs = append(ss.Pairs, [2]int{0, 2})
	}
	contexts := false
	for _, tr := range rec.Drawn {
		contexts = contexts || tr.Context != 0
	}
	s := rec.States[0]
	for i := range min(rec.Trials, 6) {
		steps := rec.T
		if i < len(rec.Lengths) {
			steps = rec.Lengths[i]
		}
		var path [][]float64
		for t := range min(steps, 80) {
			path = append(path, pca.Project(layers.Float64s(s.Data[(i*rec.T+t)*n:(i*rec.T+t+1)*n])))
		}
		ss.Trajectories = append(ss.Trajectories, path)
		if contexts {
			ss.Groups = append(ss.Groups, rec.Drawn[i].Context)
		}
	}
	if contexts {
		ss.GroupNames = []string{"context 1", "context 2", "context 3", "context 4"}
	}
	for _, p := range res.Points {
		pt := plots.StatePoint{Coords: pca.Project(p.State), Stable: p.Class == dynamics.Stable, Slow: !p.Fixed}
		// Unstable points: their (up to two) unstable modes; marginal
		// ones: the slow mode, the direction of the line they lie on.
		var modes []int
		for k, l := range p.Eigenvalues[:min(2, len(p.Eigenvalues))] {
			if cmplx.Abs(l) > 1+tolMarginal {
				modes = append(modes, k)
			}
		}
		if p.Class == dynamics.Marginal {
			modes = []int{p.SlowMode()}
		}
		for _, k := range modes {
			right, _ := p.Mode(k)
			pt.Modes = append(pt.Modes, pca.ProjectDirection(right))
		}
		ss.Points = append(ss.Points, pt)
	}
	return plots.WriteStateSpace(path, ss)
}

// inputText renders u* as "[0 0 0.1 0]": each value in the fewest digits
// that give it back in float32, the precision the network runs in (a mean
// of float32 inputs would otherwise print as 0.10000000149011612).
func inputText(u []float64) string {
	parts := make([]string, len(u))
	for i, v := range u {
		parts[i] = strconv.FormatFloat(v, 'g', -1, 32)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// printFixedPoints prints the summary s and that it wrote files.
func printFixedPoints(w io.Writer, s fixedPointsSummary, files string) {
	fmt.Fprintf(w, "%s (%s on %s), input %s = %s\n", s.Run.Checkpoint, s.Run.Model, s.Run.Task, s.Run.Input, inputText(s.Input))
	polish := "no polish"
	if s.Run.Options.Polish > 0 {
		polish = fmt.Sprintf("up to %d polish steps", s.Run.Options.Polish)
	}
	fmt.Fprintf(w, "%d initial states from %d %s (seed %d, noise %g), search %.2f s: %d Adam iterations (%d states met -tol-q or -tol-dq), %s; dropped %d duplicates, %d outliers, %d non-finite, %d with q above -max-q\n",
		s.Run.NInit, s.Run.Trials, trialsOf(s.Run.Split), s.Run.Seed, s.Run.Noise, s.Run.Seconds, s.Iters, s.Converged, polish, s.Dropped["duplicates"], s.Dropped["outliers"], s.Dropped["non_finite"], s.Dropped["too_slow"])
	fmt.Fprintf(w, "%d points: %d fixed (q < -tol-q %g), %d slow; %d stable, %d marginal, %d saddle, %d unstable\n", len(s.Points),
		s.FixedPoints, s.Run.Options.TolQ, s.SlowPoints, s.Classes["stable"], s.Classes["marginal"], s.Classes["saddle"], s.Classes["unstable"])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tq\tpoint\tclass\tunstable\t|λ1|\t|λ2|")
	for i, p := range s.Points {
		if i == 50 {
			fmt.Fprintf(tw, "…\t%d more in fixedpoints.json\n", len(s.Points)-50)
			break
		}
		mods := [2]float64{}
		for k := range min(2, len(p.Slowest)) {
			mods[k] = math.Hypot(p.Slowest[k][0], p.Slowest[k][1])
		}
		kind := "fixed"
		if !p.Fixed {
			kind = "slow"
		}
		fmt.Fprintf(tw, "%d\t%.2e\t%s\t%v\t%d\t%.4f\t%.4f\n", i, p.Q, kind, p.Class, p.Unstable, mods[0], mods[1])
	}
	tw.Flush()
	if l := s.Line; l != nil {
		fmt.Fprintf(w, "line: %d marginal points, %.1f %% of their variance on PC1, |cos(PC1, slow mode)| = %.2f\n", l.Points, 100*l.PC1Variance, l.SlowModeCos)
		fmt.Fprintf(w, "      mean |cos| of the slow mode with each input (right eigenvector %.2f, left %.2f)\n", l.Right, l.Left)
	}
	fmt.Fprintf(w, "wrote %s\n", files)
}
