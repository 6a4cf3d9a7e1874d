package analysis_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/analysis"
)

// synthetic returns recorded rates [trials][T][3] of three units: unit 0
// follows the context, unit 1 the choice, unit 2 neither; plus the
// trials' variables (the choice a coin flip independent of the context).
func synthetic(trials, T int, rng *rand.Rand) ([]float32, []analysis.Variable) {
	ctx, choice := make([]float64, trials), make([]float64, trials)
	rates := make([]float32, trials*T*3)
	for tr := range trials {
		ctx[tr], choice[tr] = float64(rng.IntN(2)), float64(1+rng.IntN(2))
		for t := range T {
			r := rates[(tr*T+t)*3:]
			r[0] = float32(0.5 + 0.4*ctx[tr] + 0.1*rng.NormFloat64())
			r[1] = float32(1 - 0.3*choice[tr] + 0.1*rng.NormFloat64())
			r[2] = float32(0.2 + 0.1*rng.NormFloat64())
		}
	}
	return rates, []analysis.Variable{{Name: "choice", Values: choice}, {Name: "context", Values: ctx}}
}

// Regress finds which units carry which task variable.
func ExampleRegress() {
	const trials, T = 200, 10
	rates, vars := synthetic(trials, T, rand.New(rand.NewPCG(1, 2)))
	sel, err := analysis.Regress(rates, trials, T, 3, nil, vars)
	if err != nil {
		panic(err)
	}
	for _, v := range sel.Variables {
		units, _ := sel.Selective(v, 0)
		fmt.Printf("%s-selective units: %v\n", v, units)
	}
	// Output:
	// choice-selective units: [1]
	// context-selective units: [0]
}

func TestRegress(t *testing.T) {
	t.Parallel()
	const trials, T = 300, 8
	rates, vars := synthetic(trials, T, rand.New(rand.NewPCG(3, 4)))
	// Trial lengths: the mean runs over each trial's own steps; a NaN
	// variable leaves its trial out; a constant variable is dropped.
	lengths := make([]int, trials)
	for i := range lengths {
		lengths[i] = 4 + i%5
	}
	vars[1].Values[7] = math.NaN()
	vars = append(vars, analysis.Variable{Name: "flat", Values: make([]float64, trials)})
	sel, err := analysis.Regress(rates, trials, T, 3, lengths, vars)
	require.NoError(t, err)
	require.Equal(t, []string{"choice", "context"}, sel.Variables)
	require.Equal(t, trials-1, sel.Trials)
	// β is rate per s.d.: the context (s.d. ≈ 0.5) moves unit 0 by 0.4.
	require.InDelta(t, 0.2, sel.Units[0].Beta[1], 0.02)
	require.InDelta(t, -0.15, sel.Units[1].Beta[0], 0.02)
	require.Greater(t, sel.Units[0].R2, 0.9)
	require.Less(t, math.Abs(sel.Units[2].T[0]), float64(analysis.SelectivityThreshold))
	require.Equal(t, map[string][]int{"choice-selective": {1}, "context-selective": {0}}, sel.Populations())
	top, err := sel.Selective("context", 1)
	require.NoError(t, err)
	require.Equal(t, []int{0}, top)
	_, err = sel.Selective("coherence", 0)
	require.ErrorContains(t, err, `no variable "coherence"`)
	// Too few trials, or nothing that varies, is an error.
	_, err = analysis.Regress(rates[:3*T*3], 3, T, 3, nil, []analysis.Variable{{Name: "choice", Values: vars[0].Values[:3]}, {Name: "context", Values: vars[1].Values[:3]}})
	require.Error(t, err)
	_, err = analysis.Regress(rates, trials, T, 3, nil, vars[2:])
	require.ErrorContains(t, err, "no task variable varies")
	require.Panics(t, func() { _, _ = analysis.Regress(rates[:5], trials, T, 3, nil, nil) })
	// A non-finite rate (a diverged network's recording) is an error
	// naming where it is, not NaN coefficients.
	rates[(5*T+7)*3+1] = float32(math.Inf(-1))
	_, err = analysis.Regress(rates, trials, T, 3, nil, vars)
	require.ErrorContains(t, err, "rates: the non-finite value -Inf at [5, 7, 1]")
	// Past a trial's own length (trial 5 has 4 steps) it is not part of
	// the mean.
	_, err = analysis.Regress(rates, trials, T, 3, lengths, vars)
	require.NoError(t, err)
}
