package main

import (
	"context"
	"errors"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/tasks"
)

// This file binds the commands to the tasks, rnn and train packages.

// errPending is returned while a library piece is not yet available.
var errPending = errors.New("not available in this build yet")

// buildTask returns the task cfg names with its preset, and its time step
// in ms (0 when the task has none). Unknown names are usage errors listing
// the valid names.
func buildTask(cfg runConfig) (tasks.Task, float64, error) {
	return nil, 0, errPending
}

// buildNetwork builds a network of cfg.Model for nIn inputs and nOut
// outputs, initialised from rng.
func buildNetwork(cfg runConfig, nIn, nOut int, dt float64, rng *rand.Rand) (network, error) {
	return nil, errPending
}

// stepReport is the state after one optimizer step.
type stepReport struct {
	Step     int
	Loss     float64
	Accuracy float64 // the task's scorer on the training batch
	LR       float64
}

// trainer runs optimizer steps on a session.
type trainer interface {
	// run takes steps from the current step up to last, calling observe
	// after each; it returns when observe asks to stop, when ctx is
	// cancelled (returning nil), or on divergence (an error naming the
	// step).
	run(ctx context.Context, last int, observe func(stepReport) (stop bool, err error)) error
	// step is the number of optimizer steps taken so far.
	step() int
	// state adds the optimizer state and the training random streams to
	// a checkpoint of the session's parameters.
	state(c *checkpoints.Checkpoint) error
	// restore sets the step, optimizer state and random streams from a
	// checkpoint (whose parameters are already restored).
	restore(c *checkpoints.Checkpoint) error
}

func newTrainer(s *session) (trainer, error) { return nil, errPending }
