package train

import (
	"fmt"
	"math/rand/v2"
	"sort"
)

// Stream names one of a run's random streams. Each is a PCG generator
// seeded with (Config.Seed, a constant per stream), so the streams are
// independent and each is reproducible on its own: changing the batch size
// does not change the noise, evaluating more often does not change
// training.
type Stream uint64

const (
	// StreamInit draws the initial weights (pass it to rnn.New).
	StreamInit Stream = iota + 1
	// StreamBatch draws the training trials.
	StreamBatch
	// StreamNoise draws the private recurrent noise during training.
	StreamNoise
	// StreamEval draws the held-out trials (stage i uses
	// StreamEval + i·streamStride).
	StreamEval
	// StreamEvalNoise draws the noise during evaluation; it restarts at
	// every evaluation.
	StreamEvalNoise
)

// streamStride separates the per-stage eval streams from the others.
const streamStride Stream = 1 << 16

// streamSeed spreads stream numbers over 64 bits (the golden-ratio
// multiplier of splitmix64) so that PCG's second seed word differs in
// many bits between streams.
func streamSeed(s Stream) uint64 { return uint64(s) * 0x9e3779b97f4a7c15 }

// NewSource returns the PCG source of stream s of seed.
func NewSource(seed uint64, s Stream) *rand.PCG { return rand.NewPCG(seed, streamSeed(s)) }

// NewRNG returns a generator on stream s of seed.
func NewRNG(seed uint64, s Stream) *rand.Rand { return rand.New(NewSource(seed, s)) }

// State is everything besides the parameters that a resumed run needs to
// continue bit for bit: the update count, the curriculum stage, the
// optimizer's state, and the training random streams (PCG states in their
// MarshalBinary form, keyed "batch" and "noise"). Metrics records the last
// update's numbers for the checkpoint's metadata; resuming ignores it.
type State struct {
	Step      int                `json:"step"`
	Stage     int                `json:"stage"`
	Optimizer OptimizerState     `json:"optimizer"`
	RNG       map[string][]byte  `json:"rng,omitempty"`
	Metrics   map[string]float64 `json:"metrics,omitempty"`
}

// RNG state keys.
const (
	rngBatch = "batch"
	rngNoise = "noise"
)

func (l *loop) state() State {
	st := State{Step: l.step, Stage: l.stage, Optimizer: l.opt.State(l.params), RNG: map[string][]byte{}}
	if l.fptt != nil {
		st.Optimizer.FPTT = l.fptt.state(l.params)
	}
	for k, src := range map[string]*rand.PCG{rngBatch: l.batchSrc, rngNoise: l.noiseSrc} {
		b, err := src.MarshalBinary()
		if err != nil {
			panic("train: PCG.MarshalBinary: " + err.Error()) // documented never to fail
		}
		st.RNG[k] = b
	}
	if l.step > 0 {
		st.Metrics = map[string]float64{"loss": l.last.Loss, "task_loss": l.last.TaskLoss, "lr": l.last.LR, "grad_norm": l.last.GradNorm}
		if l.lastEval != nil {
			st.Metrics["accuracy"] = l.lastEval.Accuracy
			st.Metrics["mse"] = l.lastEval.MSE
			st.Metrics["eval_step"] = float64(l.lastEval.Step)
		}
	}
	return st
}

// restore installs st; the zero State (Step 0, no RNG) keeps the fresh
// streams and optimizer.
func (l *loop) restore(st State) error {
	if st.Step < 0 || st.Step > l.cfg.Steps {
		return fmt.Errorf("train: resume: state is at step %d, the run has %d steps", st.Step, l.cfg.Steps)
	}
	if st.Stage < 0 || st.Stage >= len(l.stages) {
		return fmt.Errorf("train: resume: state is at curriculum stage %d, the run has %d stages", st.Stage, len(l.stages))
	}
	if st.Step == 0 && len(st.RNG) == 0 && st.Optimizer.Steps == 0 && len(st.Optimizer.Slots) == 0 {
		return nil
	}
	if st.Optimizer.Kind != l.cfg.Optimizer.Kind {
		return fmt.Errorf("train: resume: the checkpoint's optimizer is %v, the config's is %v", st.Optimizer.Kind, l.cfg.Optimizer.Kind)
	}
	if err := l.opt.SetState(l.params, st.Optimizer); err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	if err := l.restoreFPTT(st.Optimizer.FPTT); err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	keys := make([]string, 0, len(st.RNG))
	for k := range st.RNG {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range []string{rngBatch, rngNoise} {
		b, ok := st.RNG[k]
		if !ok {
			return fmt.Errorf("train: resume: random stream %q missing from the state (has %v)", k, keys)
		}
		src := l.batchSrc
		if k == rngNoise {
			src = l.noiseSrc
		}
		if err := src.UnmarshalBinary(b); err != nil {
			return fmt.Errorf("train: resume: random stream %q: %w", k, err)
		}
	}
	l.step, l.stage = st.Step, st.Stage
	return nil
}
