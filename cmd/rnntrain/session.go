package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/tasks"
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

// Random streams of a run, each seeded from the run's seed and a stream
// number, so that adding a stream never shifts another.
const (
	streamInit  = 1 // weight initialisation
	streamTrain = 2 // training trials and noise
	streamEval  = 3 // held-out evaluation trials during training
	streamPlot  = 4 // example trials for plots
)

// newStream returns the random stream number k of a run seeded with seed.
func newStream(seed uint64, k uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, k)) }

// session is a built task and network with the run's config.
type session struct {
	cfg  runConfig
	task tasks.Task
	net  network
	// dt is the task's time step in ms, 0 when unknown.
	dt float64
}

// newSession builds the task and a freshly initialised network for cfg.
func newSession(cfg runConfig) (*session, error) {
	task, dt, err := buildTask(cfg)
	if err != nil {
		return nil, err
	}
	nIn, nOut := task.Dims()
	net, err := buildNetwork(cfg, nIn, nOut, dt, newStream(cfg.Seed, streamInit))
	if err != nil {
		return nil, err
	}
	return &session{cfg: cfg, task: task, net: net, dt: dt}, nil
}

// paramCount is the number of scalar parameters of the network.
func (s *session) paramCount() int {
	n := 0
	for _, p := range s.net.params() {
		n += p.Value.Len()
	}
	return n
}

// checkpoint assembles the checkpoint of the session at step, with the
// given metrics and extra state (optimizer tensors, random streams).
func (s *session) checkpoint(step int, metrics map[string]float64) (*checkpoints.Checkpoint, error) {
	cfgJSON, err := json.Marshal(s.cfg)
	if err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	c := &checkpoints.Checkpoint{
		Meta: checkpoints.Meta{
			Model:   s.cfg.Model.Kind.String(),
			Task:    s.cfg.Task.Name,
			Step:    step,
			Config:  cfgJSON,
			Metrics: metrics,
		},
		Tensors: checkpoints.FromParams(s.net.params()),
	}
	return c, nil
}

// loadSession reads the checkpoint at path (a .safetensors file, or a run
// directory holding checkpoint.safetensors), rebuilds its task and network
// from the config it carries and restores the parameters.
func loadSession(path string) (*session, *checkpoints.Checkpoint, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = checkpoints.LatestPath(path)
	} else if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("checkpoint %s: no such file or directory", path)
	}
	c, err := checkpoints.Load(path)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := checkpointConfig(c)
	if err != nil {
		return nil, nil, err
	}
	s, err := newSession(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint %s: rebuild network: %w", path, err)
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
