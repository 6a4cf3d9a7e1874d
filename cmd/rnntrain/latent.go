package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/internal/plots"
	"github.com/rnntrain/rnntrain/lowrank"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

// Random streams of the low-rank commands, apart from the others'.
const (
	streamLatent       train.Stream = 1<<32 + 64 + iota // latent's trials
	streamPopulations                                   // populations' mixture starts and redraws
	streamResampleEval                                  // the resampled networks' evaluation trials
)

const latentLong = `
Latent runs trials of a low-rank checkpoint's task (without noise; -trials
fresh trials, or of a dataset its held-out validation split, as
fixedpoints, named in the output) and writes its latent dynamics
(Dubreuil et al. 2022; Valente et al. 2022): the state
h(t) = Σ_r κ_r(t) m_r + Σ_s v_s(t) I_s + h⊥(t), with I_s = s_i[s]·wi[s, :],
is projected on the vectors m_r and I_s (least squares) to give κ_r(t) and
the input components v_s(t). It also simulates the reduced latent system
on its own,

	κ_{t+1} = (1−α) κ_t + α nᵀ φ(M κ_t + Iᵀ v_t + h⊥_t + b)/N
	v_{t+1} = (1−α) v_t + α u_t,   h⊥_{t+1} = (1−α) h⊥_t,

from the same inputs and h0, and reports the largest difference between its
κ and the network's (rounding only: the reduction is exact).

It writes to -out: latent.npz (float32 kappa [trials, T, R], v [trials, T,
n_in], kappa_reduced, v_reduced, inputs [trials, T, n_in]; int64 length
[trials], the steps of each trial before the padding to the longest, T)
and latent.png, .svg (κ of the network, solid, and of the reduced system,
dashed, with v above, for up to three trials). The κ ranges printed are
over the trials' steps before their ends. -json prints the summary as one
JSON object.
`

func latentCommand() *command {
	return &command{
		Name:  "latent",
		Short: "latent dynamics κ(t), v(t) of a low-rank checkpoint and its reduced system",
		Usage: "-checkpoint PATH [-trials N] [-out DIR] [-json] [-seed S] [-max-memory GiB]",
		Long:  latentLong,
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			ckpt := fs.String("checkpoint", "", "low-rank checkpoint file or run directory (required)")
			trials := fs.Int("trials", 16, "number of task trials (a dataset: at most its held-out split's)")
			out := fs.String("out", "latent", "output directory")
			asJSON := fs.Bool("json", false, "print one JSON object")
			seed := fs.Uint64("seed", 1, "seed of the trials")
			maxMem := fs.Float64("max-memory", 0, "refuse a recording and projection that would exceed this many GiB (0 = the memory available, MemAvailable in /proc/meminfo)")
			return func(ctx context.Context, args []string) error {
				if err := checkpointArgs(args, *ckpt); err != nil {
					return err
				}
				if *trials < 1 || *trials > 100000 {
					return usagef("-trials must be in [1, 100000], got %d", *trials)
				}
				if *out == "" {
					return usagef("-out: empty; want the output directory (default latent)")
				}
				if !(*maxMem >= 0) || math.IsInf(*maxMem, 0) {
					return usagef("-max-memory %g: want a size in GiB ≥ 0 (0 = the memory available)", *maxMem)
				}
				// Before the trials, which a bad -out would lose; the
				// directory itself is made once they have run.
				if err := checkOutputDir("-out", *out); err != nil {
					return err
				}
				if err := checkOutputFiles("-out", *out, "latent", []outputFile{{"latent.npz", []string{"kappa", "kappa_reduced"}}}); err != nil {
					return err
				}
				s, c, err := loadSession(*ckpt)
				if err != nil {
					return err
				}
				noteBest(e.stderr, "latent", "analyses", "-checkpoint", s, c, *ckpt)
				noteUnsplitFit(e.stderr, "latent", s, c)
				l, ok := lowRankLayer(s)
				if !ok {
					return usagef("-checkpoint %s: model %s is not low-rank; latent needs a lowrank checkpoint (rnntrain truncate makes one from a full-rank network)", *ckpt, s.cfg.Model.Kind())
				}
				// Before the trials: the coordinates need independent vectors.
				if _, err := lowrank.NewLatent(l); err != nil {
					return fmt.Errorf("-checkpoint %s: %w: the coordinates κ, v of the states on them are not unique (rank %d + %d inputs of %d units)",
						*ckpt, err, l.Config.Rank, l.Config.Inputs, l.Size())
				}
				// A dataset's held-out split, as fixedpoints and populations
				// read (the session's own task serves the training trials).
				task := tasks.HeldOut(s.task)
				maxSteps := tasks.Describe(task).MaxSteps
				if limit, where, ok := memoryLimit(*maxMem * (1 << 30)); ok {
					if need := latentBytes(s, l, *trials, maxSteps); need > limit {
						return usagef("-trials %d: recording %d trials of %d steps (one batch) and projecting their states need about %s, more than %s (%s); lower -trials",
							*trials, *trials, maxSteps, train.FormatBytes(need), where, train.FormatBytes(limit))
					}
				}
				rec := analysis.Record(s.net, task, newStream(*seed, streamLatent), nil, *trials)
				sum, err := latentDynamics(l, rec, *out)
				if err != nil {
					return err
				}
				sum.Split = tasks.SplitLabel(task)
				if *asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(sum)
				}
				steps := fmt.Sprint(sum.T)
				if sum.Shortest < sum.T {
					steps = fmt.Sprintf("%d–%d", sum.Shortest, sum.T)
				}
				fmt.Fprintf(e.stdout, "latent dynamics of %s: rank %d, %d inputs, %d %s of %s steps\n", *ckpt, sum.Rank, sum.Inputs, sum.Trials, trialsOf(sum.Split), steps)
				for r, k := range sum.KappaRange {
					fmt.Fprintf(e.stdout, "  κ_%d in [%.4g, %.4g]\n", r+1, k[0], k[1])
				}
				fmt.Fprintf(e.stdout, "reduced latent system: largest |κ − κ_network| = %.3g, |v − v_network| = %.3g\n", sum.MaxKappaDiff, sum.MaxVDiff)
				fmt.Fprintf(e.stdout, "wrote %s (latent.npz, latent.png, latent.svg)\n", *out)
				return nil
			}
		},
	}
}

// latentSummary is what latent prints.
type latentSummary struct {
	Rank   int `json:"rank"`
	Inputs int `json:"inputs"`
	Trials int `json:"trials"`
	// Split names the trials: "fresh trials" of a generated task, a
	// dataset's held-out split (its training trials without one).
	Split string `json:"split"`
	// T is the steps of the recording (its longest trial's), Shortest
	// the shortest trial's; the others are padded to T.
	T        int `json:"steps"`
	Shortest int `json:"shortest_steps"`
	// KappaRange is [min, max] of each κ_r over the trials' steps before
	// their ends.
	KappaRange [][2]float64 `json:"kappa_range"`
	// MaxKappaDiff and MaxVDiff compare the reduced system with the
	// projections of the network's states.
	MaxKappaDiff float64 `json:"max_kappa_diff"`
	MaxVDiff     float64 `json:"max_v_diff"`
	Out          string  `json:"out"`
}

// latentBytes estimates the memory of latent on trials trials of steps
// steps through s's network, whose layer is l: the recording (recordBytes)
// and, per trial and step, the states in float64 (N), the projections and
// the reduced system's κ and v in float64 and their float32 copies for the
// file (about 4·(R + inputs) float64s).
func latentBytes(s *session, l *lowrank.Layer[float32], trials, steps int) float64 {
	const word = 8
	rows := float64(trials) * float64(steps)
	return recordBytes(s, trials, steps) + word*rows*float64(l.Size()+4*(l.Config.Rank+l.Config.Inputs))
}

// latentDynamics projects the recorded states on the latent vectors,
// simulates the reduced system on the recorded inputs and writes
// latent.npz and latent.png to out.
func latentDynamics(l *lowrank.Layer[float32], rec *analysis.Recording, out string) (*latentSummary, error) {
	if len(rec.States) == 0 || rec.States[0].Size != l.Size() {
		return nil, fmt.Errorf("latent: the recording holds no state h of %d units", l.Size())
	}
	z, err := lowrank.NewLatent(l)
	if err != nil {
		return nil, err
	}
	n, T, r, in := rec.Trials, rec.T, z.R, z.NIn
	// The recording is trial-major; the network and the reduced system run
	// time-major.
	h := make([]float64, len(rec.States[0].Data))
	for i, v := range rec.States[0].Data {
		h[i] = float64(v)
	}
	kappa, v, err := z.ProjectStates(h)
	if err != nil {
		return nil, err
	}
	u := make([]float64, T*n*in)
	for b := range n {
		for t := range T {
			for k := range in {
				u[(t*n+b)*in+k] = float64(rec.Inputs[(b*T+t)*in+k])
			}
		}
	}
	h0 := make([]float64, z.Units)
	for j, x := range l.H0.Value.Data {
		h0[j] = float64(x)
	}
	red, err := z.Simulate(u, T, n, h0)
	if err != nil {
		return nil, err
	}
	// length returns the steps of trial b before its padding.
	length := func(b int) int {
		if b < len(rec.Lengths) && rec.Lengths[b] > 0 {
			return min(rec.Lengths[b], T)
		}
		return T
	}
	sum := &latentSummary{Rank: r, Inputs: in, Trials: n, T: T, Shortest: T, KappaRange: make([][2]float64, r), Out: out}
	lengths := make([]int64, n)
	for b := range n {
		lengths[b] = int64(length(b))
		sum.Shortest = min(sum.Shortest, length(b))
	}
	for q := range r {
		sum.KappaRange[q] = [2]float64{math.Inf(1), math.Inf(-1)}
	}
	kt, vt := make([]float32, n*T*r), make([]float32, n*T*in) // trial-major copies for the file
	kr, vr := make([]float32, n*T*r), make([]float32, n*T*in)
	for b := range n {
		for t := range T {
			row := b*T + t // trial-major (the recording's order)
			tm := t*n + b  // time-major (the reduced system's)
			for q := range r {
				k := kappa[row*r+q]
				if t < length(b) {
					sum.KappaRange[q] = [2]float64{min(sum.KappaRange[q][0], k), max(sum.KappaRange[q][1], k)}
				}
				sum.MaxKappaDiff = max(sum.MaxKappaDiff, math.Abs(red.Kappa[tm*r+q]-k))
				kt[row*r+q], kr[row*r+q] = float32(k), float32(red.Kappa[tm*r+q])
			}
			for k := range in {
				sum.MaxVDiff = max(sum.MaxVDiff, math.Abs(red.V[tm*in+k]-v[row*in+k]))
				vt[row*in+k], vr[row*in+k] = float32(v[row*in+k]), float32(red.V[tm*in+k])
			}
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("-out %s: %w", out, err)
	}
	arrays := map[string]any{
		"kappa": nestRows(kt, n, T, r), "v": nestRows(vt, n, T, in),
		"kappa_reduced": nestRows(kr, n, T, r), "v_reduced": nestRows(vr, n, T, in),
		"inputs": nestRows(rec.Inputs, n, T, in), "length": lengths,
	}
	if err := writeArrays(filepath.Join(out, "latent.npz"), arrays); err != nil {
		return nil, err
	}
	tr := plots.Trials{Title: "latent dynamics: κ of the network (solid) and of the reduced system (dashed)", OutputLabel: "κ"}
	for q := range r {
		tr.OutputNames = append(tr.OutputNames, fmt.Sprintf("κ%d", q+1))
	}
	for k := range in {
		tr.InputNames = append(tr.InputNames, fmt.Sprintf("v%d", k+1))
	}
	for _, b := range unique(0, n/2, n-1) {
		t := plots.Trial{Title: fmt.Sprintf("trial %d", b)}
		for s := range length(b) {
			row := b*T + s
			t.Inputs = append(t.Inputs, f64s(vt[row*in:(row+1)*in]))
			t.Outputs = append(t.Outputs, f64s(kt[row*r:(row+1)*r]))
			t.Targets = append(t.Targets, f64s(kr[row*r:(row+1)*r]))
			t.Scored = append(t.Scored, true)
		}
		tr.Trials = append(tr.Trials, t)
	}
	if err := (&figureSet{dir: out}).add("latent", func(p string) error { return plots.WriteTrials(p, tr) }); err != nil {
		return nil, err
	}
	return sum, nil
}
