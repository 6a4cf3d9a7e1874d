package lowrank_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/lowrank"
)

// Example fits ranks 1 and 2 to the activity of a rank-1 network driven by
// input pulses: R² is already close to 1 at rank 1.
func Example() {
	const units, conds, T = 16, 6, 30
	teacher, err := lowrank.NewNet(1, units, 1, 0.2, 0, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		panic(err)
	}
	for i := range teacher.N.Value.Data {
		teacher.N.Value.Data[i] = 2 * teacher.M.Value.Data[i]
	}
	d := &lowrank.Data{Conditions: conds, T: T, Units: units, NIn: 1, Inputs: make([]float32, conds*T)}
	for c := range conds {
		for t := 2; t < 6; t++ {
			d.Inputs[c*T+t] = float32(c-conds/2) / 3
		}
	}
	d.Activity = lowrank.Predict(teacher, d)
	d.Mask = make([]float32, len(d.Activity))
	for i := range d.Mask {
		d.Mask[i] = 1
	}
	fits, _, err := lowrank.Sweep(context.Background(), d, lowrank.FitConfig{Steps: 600}, []int{1, 2}, nil)
	if err != nil {
		panic(err)
	}
	for _, f := range fits {
		fmt.Printf("rank %d: R² > 0.95: %v\n", f.Rank, f.R2 > 0.95)
	}
	// Output:
	// rank 1: R² > 0.95: true
	// rank 2: R² > 0.95: true
}
