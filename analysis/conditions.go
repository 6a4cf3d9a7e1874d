package analysis

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/dynamics"
)

// ConditionMeans returns the trial-averaged rates of each condition,
// [conditions][steps][N], freshly allocated. rates holds the recorded
// rates of every trial, [trials·T·N] row-major (Recording.Rates.Data);
// lengths [trials] the steps of each trial before its end (nil: all T);
// conditions[c] the indices of the trials of condition c. A condition's
// mean runs over the steps every one of its trials has. It panics if a
// condition is empty or a trial index is out of range.
func ConditionMeans(rates []float32, T, N int, lengths []int, conditions [][]int) [][][]float64 {
	means := make([][][]float64, len(conditions))
	for c, trials := range conditions {
		if len(trials) == 0 {
			panic(fmt.Sprintf("analysis: ConditionMeans: condition %d has no trials", c))
		}
		steps := T
		for _, i := range trials {
			if (i+1)*T*N > len(rates) || i < 0 {
				panic(fmt.Sprintf("analysis: ConditionMeans: trial %d of condition %d beyond %d rates of T = %d, N = %d", i, c, len(rates), T, N))
			}
			if lengths != nil {
				steps = min(steps, lengths[i])
			}
		}
		m := make([][]float64, steps)
		for s := range m {
			m[s] = make([]float64, N)
			for _, i := range trials {
				for u, r := range rates[(i*T+s)*N : (i*T+s+1)*N] {
					m[s][u] += float64(r)
				}
			}
			for u := range m[s] {
				m[s][u] /= float64(len(trials))
			}
		}
		means[c] = m
	}
	return means
}

// TrialAveragedPCA returns the top k principal components of the
// condition-averaged rates means ([conditions][steps][N], as
// ConditionMeans returns), taking every condition's every step as one
// sample (centred on their mean): the state space of the trial-averaged
// trajectories. It returns an error if a rate is not finite, there are
// fewer than 2 samples or the decomposition fails, and panics if the rows
// differ in length or k is not in [1, N].
func TrialAveragedPCA(means [][][]float64, k int) (dynamics.PCA, error) {
	var x []float64
	n := -1
	for _, m := range means {
		for _, row := range m {
			if n >= 0 && len(row) != n {
				panic(fmt.Sprintf("analysis: TrialAveragedPCA: rows of %d and %d units", n, len(row)))
			}
			n = len(row)
			for _, v := range row {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return dynamics.PCA{}, fmt.Errorf("analysis: PCA of non-finite condition-averaged rates")
				}
			}
			x = append(x, row...)
		}
	}
	if n < 0 {
		return dynamics.PCA{}, fmt.Errorf("analysis: PCA of no condition-averaged rates")
	}
	return dynamics.FitPCA(x, n, k)
}
