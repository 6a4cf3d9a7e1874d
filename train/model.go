package train

import "github.com/rnntrain/rnntrain/model"

// Model is what the loop trains: a model.Network in float32
// (*rnn.Network[float32] implements it, and model.WeightGroups; tests use
// small doubles). The loop uses Result.Out, Result.Rates (firing-rate
// penalty) and Result.Final (carried into the next truncated-BPTT window).
// A model with a Dims() (inputs, outputs int) method is checked against
// the task's.
type Model = model.Network[float32]
