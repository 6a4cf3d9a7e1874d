package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

// network is what the commands need from a built network.
type network interface {
	// params returns every parameter under its stable dotted name.
	params() []*autodiff.Param[float32]
	// dims returns the input, recurrent and output sizes.
	dims() (nIn, n, nOut int)
	// run forwards x ([T][B][nIn], time-major) with private noise drawn
	// from noise (nil: none) and returns freshly allocated outputs
	// [T][B][nOut] and rates [T][B][N].
	run(x []float32, T, B int, noise *rand.Rand) (out, rates []float32)
}

// Random streams the commands draw besides the training loop's own
// (train.StreamInit … train.StreamEvalNoise), far above those.
const (
	streamPlot    train.Stream = 1<<32 + iota // example trials for plots
	streamFinal                               // the final evaluation of train
	streamEvalCmd                             // eval's trials
	streamRecord                              // eval -record's trials
	streamLog                                 // train's per-log-line accuracy batches
)

// newStream returns the random stream s of seed.
func newStream(seed uint64, s train.Stream) *rand.Rand { return train.NewRNG(seed, s) }

// session is a built task and network with the run's resolved config.
type session struct {
	cfg  runConfig
	task tasks.Task
	net  *rnnNet
	// dt is the task's time step in ms.
	dt float64
}

// newSession resolves cfg against its task and builds the task and a
// freshly initialised network.
func newSession(cfg runConfig) (*session, error) {
	task, err := resolve(&cfg)
	if err != nil {
		return nil, err
	}
	nIn, nOut := task.Dims()
	net, err := buildNetwork(cfg, nIn, nOut, newStream(cfg.Seed, train.StreamInit))
	if err != nil {
		return nil, err
	}
	return &session{cfg: cfg, task: task, net: net, dt: tasks.Describe(task).DtMS}, nil
}

// paramCount is the number of scalar parameters of the network.
func (s *session) paramCount() int {
	n := 0
	for _, p := range s.net.params() {
		n += p.Value.Len()
	}
	return n
}

// optimizerMeta is the optimizer's scalar state in a checkpoint's metadata;
// its moment tensors are stored as checkpoints.OptimizerPrefix +
// slot + "." + parameter, e.g. "optimizer.exp_avg.leaky.weight_hh".
type optimizerMeta struct {
	Kind  train.OptimizerKind `json:"kind"`
	Steps int64               `json:"steps"`
}

// checkpoint assembles the checkpoint of the session's parameters and the
// loop's state st.
func (s *session) checkpoint(st train.State) (*checkpoints.Checkpoint, error) {
	cfgJSON, err := json.Marshal(s.cfg)
	if err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	optJSON, err := json.Marshal(optimizerMeta{Kind: st.Optimizer.Kind, Steps: st.Optimizer.Steps})
	if err != nil {
		return nil, fmt.Errorf("encode optimizer state: %w", err)
	}
	c := &checkpoints.Checkpoint{
		Meta: checkpoints.Meta{
			Model:     s.cfg.Model.Kind.String(),
			Task:      s.cfg.Task.Name,
			Step:      st.Step,
			Config:    cfgJSON,
			Metrics:   st.Metrics,
			RNG:       st.RNG,
			Optimizer: optJSON,
		},
		Tensors: checkpoints.FromParams(s.net.params()),
	}
	for _, sl := range st.Optimizer.Slots {
		shape := []int{sl.Value.Rows, sl.Value.Cols}
		if sl.Value.Rows == 1 {
			shape = shape[1:]
		}
		c.Tensors = append(c.Tensors, checkpoints.NewTensor(checkpoints.OptimizerPrefix+sl.Name+"."+sl.Param, shape, sl.Value.Data))
	}
	return c, nil
}

// loopState rebuilds the training loop's state from a checkpoint written by
// checkpoint.
func loopState(c *checkpoints.Checkpoint) (train.State, error) {
	st := train.State{Step: c.Meta.Step, RNG: c.Meta.RNG, Metrics: c.Meta.Metrics}
	var om optimizerMeta
	if len(c.Meta.Optimizer) > 0 {
		if err := json.Unmarshal(c.Meta.Optimizer, &om); err != nil {
			return st, fmt.Errorf("checkpoint %s: optimizer state: %w", c.Path, err)
		}
	}
	st.Optimizer = train.OptimizerState{Kind: om.Kind, Steps: om.Steps}
	for _, t := range c.Tensors {
		rest, ok := strings.CutPrefix(t.Name, checkpoints.OptimizerPrefix)
		if !ok {
			continue
		}
		slot, param, ok := strings.Cut(rest, ".")
		if !ok || t.F32 == nil {
			return st, fmt.Errorf("checkpoint %s: optimizer tensor %q: want float32 %sSLOT.PARAM", c.Path, t.Name, checkpoints.OptimizerPrefix)
		}
		rows, cols := 1, t.Shape[len(t.Shape)-1]
		if len(t.Shape) == 2 {
			rows = t.Shape[0]
		}
		st.Optimizer.Slots = append(st.Optimizer.Slots, train.Slot{Name: slot, Param: param, Value: autodiff.FromSlice(rows, cols, t.F32)})
	}
	return st, nil
}

// openCheckpoint loads the checkpoint at path: a .safetensors file, or a
// run directory holding checkpoint.safetensors.
func openCheckpoint(path string) (*checkpoints.Checkpoint, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("checkpoint %s: no such file or directory", path)
	case err != nil:
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	case st.IsDir():
		path = checkpoints.LatestPath(path)
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("checkpoint %s: no such file (is the directory a run directory?)", path)
		}
	}
	return checkpoints.Load(path)
}

// loadSession reads a checkpoint, rebuilds its task and network from the
// config it carries and restores the parameters.
func loadSession(path string) (*session, *checkpoints.Checkpoint, error) {
	c, err := openCheckpoint(path)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := checkpointConfig(c)
	if err != nil {
		return nil, nil, err
	}
	s, err := newSession(cfg)
	if err != nil {
		// A bad config inside a file is a broken file, not a usage error.
		return nil, nil, fmt.Errorf("checkpoint %s: rebuild network: %s", c.Path, err)
	}
	if err := checkpoints.RestoreParams(c, s.net.params()); err != nil {
		return nil, nil, err
	}
	return s, c, nil
}

// checkpointConfig decodes the run config a checkpoint carries.
func checkpointConfig(c *checkpoints.Checkpoint) (runConfig, error) {
	cfg := defaultConfig()
	if len(c.Meta.Config) == 0 {
		return cfg, fmt.Errorf("checkpoint %s: no run config in its metadata (not written by rnntrain train?)", c.Path)
	}
	if err := json.Unmarshal(c.Meta.Config, &cfg); err != nil {
		return cfg, fmt.Errorf("checkpoint %s: run config: %w", c.Path, err)
	}
	return cfg, nil
}
