package lowrank_test

import (
	"fmt"

	"github.com/rnntrain/rnntrain/lowrank"
)

// ExampleFactors_Truncate keeps the dominant direction of a rank-2
// connectivity between 4 units: the weaker rank-one term, of a quarter of
// the strength on orthogonal vectors, is dropped.
func ExampleFactors_Truncate() {
	f := &lowrank.Factors{Units: 4, R: 2,
		M: []float64{ // [Units, R]: m₁ = (2, 2, 2, 2), m₂ = (1, −1, 1, −1)/2
			2, 0.5,
			2, -0.5,
			2, 0.5,
			2, -0.5,
		},
		N: []float64{ // n₁ = (1, 1, 1, 1), n₂ = (1, −1, 1, −1)
			1, 1,
			1, -1,
			1, 1,
			1, -1,
		},
	}
	t, err := f.Truncate(1)
	if err != nil {
		fmt.Println(err)
		return
	}
	j := t.Matrix() // [Units, Units], J = M·Nᵀ/Units
	for i := range t.Units {
		fmt.Printf("%5.2f\n", j[i*t.Units:(i+1)*t.Units])
	}
	sv, _ := lowrank.SingularValues(f.Matrix(), f.Units)
	fmt.Printf("largest singular values of J: %.2f\n", sv[:2])
	// Output:
	// [ 0.50  0.50  0.50  0.50]
	// [ 0.50  0.50  0.50  0.50]
	// [ 0.50  0.50  0.50  0.50]
	// [ 0.50  0.50  0.50  0.50]
	// largest singular values of J: [2.00 0.50]
}
