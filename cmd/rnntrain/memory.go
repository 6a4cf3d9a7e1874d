package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/rnntrain/rnntrain/dynamics"
	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/lowrank"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

// finalTrials is the size of train's final evaluation (at least).
const finalTrials = 1000

// footprint returns the sizes that decide the memory of a run of cfg on
// task (see train.Footprint), without building the network: the
// parameter count is a quadratic in N, fitted to networks of the model
// built at three small sizes (exact for every model, whose counts are
// a·N² + b·N + c); when those cannot be built (a mask file fixes N) it is
// taken as N² + N·(inputs + outputs + 2) + outputs.
func footprint(cfg runConfig, task tasks.Task) train.Footprint {
	nIn, nOut := task.Dims()
	f := netFootprint(cfg.Model, nIn, nOut)
	f.Steps, f.Batch = tasks.Describe(task).MaxSteps, cfg.Train.BatchSize
	f.EvalTrials, f.Window = max(cfg.Train.EvalTrials, finalTrials), cfg.Train.TBPTT
	return f
}

// netFootprint returns the network's part of a footprint (sizes,
// parameters, matrices and state variables) for the network m with nIn
// inputs and nOut outputs; see footprint.
func netFootprint(m rnn.Config, nIn, nOut int) train.Footprint {
	n := m.Hidden
	f := train.Footprint{Hidden: n, Inputs: nIn, Outputs: nOut, Matrices: 1, StateVars: 1}
	nf := float64(n)
	a, b, c := 1.0, float64(nIn+nOut+2), float64(nOut)
	if counts, vars, ok := probeParams(m, nIn, nOut); ok {
		const k = probeSize
		a = float64(counts[2]-2*counts[1]+counts[0]) / 2
		b = float64(counts[1]-counts[0]) - a*(2*k+1)
		c = float64(counts[0]) - a*k*k - b*k
		f.Matrices, f.StateVars = max(int(math.Round(a)), 1), max(vars, 1)
	}
	f.Params = int(min(a*nf*nf+b*nf+c, math.MaxInt64/8))
	return f
}

// probeSize is the smallest of the three network sizes probeParams builds.
const probeSize = 16

// probeParams builds the network of cfg with probeSize, probeSize+1 and
// probeSize+2 units and returns their parameter counts and the number of
// state variables; false if a network cannot be built at those sizes.
func probeParams(cfg rnn.Config, nIn, nOut int) (counts [3]int, vars int, ok bool) {
	raw, err := json.Marshal(cfg)
	if err != nil {
		return counts, 0, false
	}
	for i := range counts {
		var m rnn.Config
		if json.Unmarshal(raw, &m) != nil {
			return counts, 0, false
		}
		m.Hidden, m.Inputs, m.Outputs = probeSize+i, nIn, nOut
		net, err := rnn.New[float32](m, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			return counts, 0, false
		}
		for _, p := range net.Params() {
			counts[i] += p.Value.Len()
		}
		vars = len(net.StateVars())
	}
	return counts, vars, true
}

// checkMemory refuses, with a usage error naming the estimate and the
// flags that size it, a run of cfg on task that needs more memory than
// limit bytes, or (limit 0) than the system has available.
func checkMemory(cfg runConfig, task tasks.Task, limit float64) error {
	var what string
	if limit <= 0 {
		avail, ok := train.AvailableMemory()
		if !ok {
			return nil
		}
		limit, what = avail, "the memory available (MemAvailable in /proc/meminfo)"
	} else {
		what = "the -max-memory limit"
	}
	m := footprint(cfg, task).Estimate()
	if m.Total() <= limit {
		return nil
	}
	return usagef("the run needs about %s, more than %s (%s): lower -hidden (%d), -batch (%d) or -eval-trials (%d), "+
		"shorten the trials (%d steps of %g ms), set -tbptt, or raise -max-memory (GiB) if the estimate is wrong",
		m, what, train.FormatBytes(limit), cfg.Model.Hidden, cfg.Train.BatchSize, cfg.Train.EvalTrials,
		tasks.Describe(task).MaxSteps, tasks.Describe(task).DtMS)
}

// recordBytes estimates the memory of an eval -record of trials trials of
// steps steps through s's network, which runs them in one batch: the
// forward pass over the batch (train.Memory's Eval and Data) and the
// recorded arrays (inputs, outputs, targets, mask, rates, pre and every
// state variable, float32), each held time-major and trial-major.
func recordBytes(s *session, trials, steps int) float64 {
	nIn, n, nOut := s.net.Dims()
	f := netFootprint(s.cfg.Model, nIn, nOut)
	f.Steps, f.EvalTrials = steps, trials
	m := f.Estimate()
	values := nIn + 3*nOut + 2*n
	for _, v := range s.net.net.StateVars() {
		values += v.Size
	}
	const word = 4 // float32
	return m.Eval + m.Data + 2*word*float64(trials)*float64(steps)*float64(values)
}

// checkRecordMemory refuses, with a usage error naming what (the flag or
// file that sets the number of trials), a recording of trials trials of
// steps steps that needs more memory than limit bytes, or (limit 0) than
// the system has available.
func checkRecordMemory(s *session, trials, steps int, what string, limit float64) error {
	where := "the memory available"
	if limit <= 0 {
		avail, ok := train.AvailableMemory()
		if !ok {
			return nil
		}
		limit = avail
	} else {
		where = "the limit"
	}
	if need := recordBytes(s, trials, steps); need > limit {
		return usagef("%s: recording %d trials of %d steps (one batch) needs about %s, more than %s (%s); record fewer trials",
			what, trials, steps, train.FormatBytes(need), where, train.FormatBytes(limit))
	}
	return nil
}

// fitMemory estimates the memory of fitting the ranks rs of c to d (see
// lowrank.Sweep): the largest network fitted (rank N, the full-rank fit,
// with -init svd), trained on every condition at once, as train.Footprint
// counts a run of one batch; and, with -init svd, the SVD of its N×N
// connectivity in float64 (J, its copy, U, V, the factors and the
// decomposition's work space: about 8 matrices).
func fitMemory(d *lowrank.Data, c lowrank.FitConfig, rs []int) (m train.Memory, svd float64) {
	n := d.Units + c.Hidden
	r := slices.Max(rs)
	if c.Init == lowrank.InitSVD {
		r = n
	}
	f := train.Footprint{Hidden: n, Inputs: d.NIn, Outputs: d.Units, Matrices: 1, StateVars: 1,
		Steps: d.T, Batch: d.Conditions, EvalTrials: d.Conditions}
	nf := float64(n)
	f.Params = int(min(2*nf*float64(r)+nf*float64(d.NIn+2), math.MaxInt64/8)) // m, n, wi, h0 and slack
	if c.Init == lowrank.InitSVD {
		const word, matrices = 8, 8
		svd = word * matrices * nf * nf
	}
	return f.Estimate(), svd
}

// checkFitMemory refuses, with a usage error naming the sizes and the
// flags that set them, a fit of the ranks rs of c to d that needs more
// memory than limit bytes, or (limit 0) than the system has available.
func checkFitMemory(d *lowrank.Data, c lowrank.FitConfig, rs []int, limit float64) error {
	limit, what, ok := memoryLimit(limit)
	if !ok {
		return nil
	}
	m, svd := fitMemory(d, c, rs)
	if m.Total()+svd <= limit {
		return nil
	}
	full := ""
	if c.Init == lowrank.InitSVD {
		full = fmt.Sprintf(" (-init svd: a full-rank fit first, whose SVD needs %s)", train.FormatBytes(svd))
	}
	return usagef("fitting N = %d units (%d recorded, -hidden %d) to %d conditions of %d steps needs about %s%s, more than %s (%s): "+
		"lower -hidden or -ranks, use -init random, fit fewer units or conditions, or raise -max-memory (GiB) if the estimate is wrong",
		d.Units+c.Hidden, d.Units, c.Hidden, d.Conditions, d.T, train.FormatBytes(m.Total()+svd), full, what, train.FormatBytes(limit))
}

// memoryLimit returns the memory a command may use: limit bytes (a
// -max-memory) if positive, else the memory available; what names it for
// messages. ok is false when limit is 0 and the system does not tell.
func memoryLimit(limit float64) (bytes float64, what string, ok bool) {
	if limit > 0 {
		return limit, "the -max-memory limit", true
	}
	avail, ok := train.AvailableMemory()
	return avail, "the memory available (MemAvailable in /proc/meminfo)", ok
}

// fixedpointsMemory returns the memory of fixedpoints on s's network with
// trials recorded trials of steps steps and nInit initial states: base,
// what it needs whatever it finds (the recording its initial states are
// drawn from; the joint optimisation of the nInit states, in float64:
// states, Adam's moments and the tape of one batched step, as
// train.Footprint counts a step, doubled for the collector's headroom;
// one point's Levenberg–Marquardt work space: an N×N Jacobian, its
// factorisation and the step), and perPoint, what each point it
// linearises adds (the dynamics.Point and its arrays in fixedpoints.npz,
// about as large).
func fixedpointsMemory(s *session, trials, steps, nInit int) (base, perPoint float64) {
	nIn, n, nOut := s.net.Dims()
	f := netFootprint(s.cfg.Model, nIn, nOut)
	const word, lmMatrices, headroom = 8, 3, 2
	tape := float64(4*max(f.Matrices, 1) + 3*max(f.StateVars, 1) + 1)
	nf := float64(n)
	base = recordBytes(s, trials, steps) + headroom*word*float64(nInit)*nf*(3+tape) + word*lmMatrices*nf*nf
	return base, 2 * dynamics.PointBytes(n, nIn)
}

// checkArchiveMemory refuses an .npz archive whose arrays among names
// declare more values than limit bytes hold (0: the memory available),
// before any is read: a compressed member may inflate to a thousand times
// its size. An archive that cannot be opened is left to the reader, which
// names what is wrong with it. See checkArchiveFits.
func checkArchiveMemory(path string, limit, extra float64, names ...string) error {
	f, err := npy.OpenArchive(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	return checkArchiveFits(f, limit, extra, names)
}

// checkArchiveFits is checkArchiveMemory on an open archive. Each value
// costs its own bytes, 4 more when it is converted to float32 (a float64
// or bool array), 8 for an integer array (read as float64), and extra more
// (a reader that converts every value again). An array whose header cannot
// be read is left to the reader.
func checkArchiveFits(f *npy.Archive, limit, extra float64, names []string) error {
	limit, what, ok := memoryLimit(limit)
	if !ok {
		return nil
	}
	var need float64
	var arrays []string
	for _, name := range names {
		if !f.Has(name) {
			continue
		}
		h, err := f.HeaderNumeric(name)
		if err != nil {
			return nil
		}
		n, _ := h.Len() // HeaderNumeric refuses a shape whose size overflows
		per := 4 + extra
		switch h.Descr[1:] {
		case "f4":
		case "f8":
			per += 8
		case "b1":
			per++
		default: // an integer dtype
			per += 4
		}
		need += per * float64(n)
		arrays = append(arrays, fmt.Sprintf("%s %v", name, h.Shape))
	}
	if need > limit {
		return fmt.Errorf("the arrays %s need about %s in memory, more than %s (%s)",
			strings.Join(arrays, ", "), train.FormatBytes(need), what, train.FormatBytes(limit))
	}
	return nil
}
