package sweep_test

import (
	"fmt"
	"log"

	"github.com/rnntrain/rnntrain/sweep"
)

// A spec of ranks × seeds expands into one named point per combination.
func ExampleSpec_Points() {
	spec, err := sweep.Parse([]byte(`
[base.model]
kind = "lowrank"
[axes]
"model.rank" = [1, 2]
seed = [1, 2, 3]
[sweep]
array_limit = 2
`))
	if err != nil {
		log.Fatal(err)
	}
	pts, err := spec.Points()
	if err != nil {
		log.Fatal(err)
	}
	var all []int
	for _, p := range pts {
		fmt.Println(spec.Name(p))
		all = append(all, p.Index)
	}
	fmt.Println("--array=" + sweep.ArraySpec(all, spec.Options.ArrayLimit))
	// Output:
	// p0000-model.rank=1-seed=1
	// p0001-model.rank=1-seed=2
	// p0002-model.rank=1-seed=3
	// p0003-model.rank=2-seed=1
	// p0004-model.rank=2-seed=2
	// p0005-model.rank=2-seed=3
	// --array=0-5%2
}
