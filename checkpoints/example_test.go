package checkpoints_test

import (
	"encoding/json"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/checkpoints"
)

// Save a model's parameters with its run state, load the file, and restore
// the parameters and the random stream into a fresh model.
func Example() {
	dir, err := os.MkdirTemp("", "run")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// A tiny GRU-shaped model: 2 inputs, 3 units.
	newModel := func() []*autodiff.Param[float32] {
		return []*autodiff.Param[float32]{
			autodiff.NewParam[float32]("gru.weight_ih_l0", 9, 2),
			autodiff.NewParam[float32]("gru.weight_hh_l0", 9, 3),
			autodiff.NewVector[float32]("gru.bias_ih_l0", 9),
			autodiff.NewVector[float32]("gru.bias_hh_l0", 9),
		}
	}
	rng := rand.NewPCG(1, 1)
	model := newModel()
	for _, p := range model {
		for i := range p.Value.Data {
			p.Value.Data[i] = float32(rng.Uint64()%100) / 100
		}
	}

	c := &checkpoints.Checkpoint{
		Meta: checkpoints.Meta{
			Model:   "gru",
			Task:    "flip-flop",
			Step:    500,
			Config:  json.RawMessage(`{"hidden":3}`),
			Metrics: checkpoints.Metrics{"loss": 0.0125},
			Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		},
		Tensors: checkpoints.FromParams(model),
	}
	if err := c.Meta.SetRNG("train", rng); err != nil {
		log.Fatal(err)
	}
	path, err := checkpoints.SaveRun(dir, c, 3)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("saved", path[len(dir)+1:])

	loaded, err := checkpoints.Load(checkpoints.LatestPath(dir))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("format", loaded.Meta.FormatVersion, "step", loaded.Meta.Step, "task", loaded.Meta.Task, "loss", loaded.Meta.Metrics["loss"])
	for _, t := range loaded.Tensors {
		fmt.Println(t.Name, t.DType(), t.Shape)
	}

	fresh := newModel()
	if err := checkpoints.RestoreParams(loaded, fresh); err != nil {
		log.Fatal(err)
	}
	fmt.Println("restored weight_hh[0][:3]:", fresh[1].Value.Data[:3], "matches:", fresh[1].Value.Data[2] == model[1].Value.Data[2])
	var resumed rand.PCG
	if err := loaded.Meta.RestoreRNG("train", &resumed); err != nil {
		log.Fatal(err)
	}
	fmt.Println("random stream continues:", resumed.Uint64() == rng.Uint64())

	// A model of another size is refused with every problem listed.
	small := newModel()[:2]
	small[1] = autodiff.NewParam[float32]("gru.weight_hh_l0", 6, 2)
	err = checkpoints.RestoreParams(loaded, small)
	fmt.Println(strings.ReplaceAll(err.Error(), dir, "run"))
	// Output:
	// saved checkpoints/step-000000500.safetensors
	// format 3 step 500 task flip-flop loss 0.0125
	// gru.bias_hh_l0 F32 [9]
	// gru.bias_ih_l0 F32 [9]
	// gru.weight_hh_l0 F32 [9 3]
	// gru.weight_ih_l0 F32 [9 2]
	// restored weight_hh[0][:3]: [0.98 0.3 0.79] matches: true
	// random stream continues: true
	// checkpoint run/checkpoint.safetensors does not fit the model:
	// 	parameter gru.weight_hh_l0: checkpoint has shape [9 3], model expects [6 2]
	// 	tensor gru.bias_hh_l0 (shape [9]): not a parameter of the model
	// 	tensor gru.bias_ih_l0 (shape [9]): not a parameter of the model
}
