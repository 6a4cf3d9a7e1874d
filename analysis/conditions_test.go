package analysis_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/analysis"
)

// TestConditionMeans: 3 trials of T = 3 steps, N = 2 units, the second
// ending after 2 steps; condition 0 = trials {0, 1} averages over their 2
// common steps, condition 1 = trial {2} is that trial.
func TestConditionMeans(t *testing.T) {
	const T, N = 3, 2
	rates := make([]float32, 3*T*N)
	for i := range 3 {
		for s := range T {
			for u := range N {
				rates[(i*T+s)*N+u] = float32(100*i + 10*s + u)
			}
		}
	}
	m := analysis.ConditionMeans(rates, T, N, []int{3, 2, 3}, [][]int{{0, 1}, {2}})
	require.Len(t, m, 2)
	assert.Equal(t, [][]float64{{50, 51}, {60, 61}}, m[0])
	assert.Equal(t, [][]float64{{200, 201}, {210, 211}, {220, 221}}, m[1])
	assert.Panics(t, func() { analysis.ConditionMeans(rates, T, N, nil, [][]int{{3}}) })
	assert.Panics(t, func() { analysis.ConditionMeans(rates, T, N, nil, [][]int{{}}) })
}

// TestTrialAveragedPCA: trajectories on the line c + s·d have all their
// variance on PC 1, which is ±d, and project onto it at s − mean(s); a
// non-finite rate is an error.
func TestTrialAveragedPCA(t *testing.T) {
	d := []float64{2.0 / 7, 3.0 / 7, 6.0 / 7}
	c := []float64{0.5, -1, 0.25}
	at := func(s float64) []float64 { return []float64{c[0] + s*d[0], c[1] + s*d[1], c[2] + s*d[2]} }
	means := [][][]float64{{at(-1), at(0), at(1)}, {at(2), at(3)}}
	p, err := analysis.TrialAveragedPCA(means, 2)
	require.NoError(t, err)
	require.Len(t, p.Components, 2)
	assert.InDelta(t, 1, p.Explained[0], 1e-9)
	assert.InDelta(t, 0, p.Explained[1], 1e-9)
	dot := 0.0
	for j := range d {
		dot += d[j] * p.Components[0][j]
	}
	assert.InDelta(t, 1, math.Abs(dot), 1e-9)
	assert.InDelta(t, (3-1)*dot, p.Project(at(3))[0], 1e-9) // mean s = 1

	means[1][0][2] = math.NaN()
	_, err = analysis.TrialAveragedPCA(means, 2)
	assert.Error(t, err)
}
