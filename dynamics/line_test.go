package dynamics_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/dynamics"
)

// linePoint returns a point at state with eigenvalues 1, 0.5, 0.2, whose
// slow mode (eigenvalue 1) has right and left eigenvector slow, the other
// modes e2 and e3, and one input moving the state along e1.
func linePoint(state, slow []float64, class dynamics.Class) dynamics.Point {
	n := len(state)
	p := dynamics.Point{State: state, Class: class, Eigenvalues: []complex128{1, 0.5, 0.2},
		Right: make([]complex128, n*n), Left: make([]complex128, n*n), InputJacobian: []float64{1, 0, 0}}
	for i := range n {
		p.Right[i*n], p.Left[i*n] = complex(slow[i], 0), complex(slow[i], 0)
	}
	p.Right[1*n+1], p.Left[1*n+1] = 1, 1
	p.Right[2*n+2], p.Left[2*n+2] = 1, 1
	return p
}

// TestFitLine: marginal points on the line c + t·d, with d their slow mode,
// have all their variance on PC 1, which is ±d (|cos| 1 with the slow
// mode), and |cos(d, e1)| = 1/3 with the input; the far stable and saddle
// points are left out.
func TestFitLine(t *testing.T) {
	d := []float64{1.0 / 3, 2.0 / 3, 2.0 / 3}
	c := []float64{0.1, -0.4, 0.7}
	var pts []dynamics.Point
	for _, s := range []float64{-1.5, -0.2, 0.4, 2} {
		pts = append(pts, linePoint([]float64{c[0] + s*d[0], c[1] + s*d[1], c[2] + s*d[2]}, d, dynamics.Marginal))
	}
	pts = append(pts, linePoint([]float64{5, -5, 0}, d, dynamics.Stable), linePoint([]float64{-3, 0, 6}, d, dynamics.Saddle))
	l, ok := dynamics.FitLine(pts)
	require.True(t, ok)
	assert.Equal(t, 4, l.Points)
	assert.InDelta(t, 1, l.PC1Variance, 1e-9)
	assert.InDelta(t, 1, l.SlowModeCos, 1e-9)
	require.Len(t, l.Right, 1)
	assert.InDelta(t, 1.0/3, l.Right[0], 1e-9)
	assert.InDelta(t, 1.0/3, l.Left[0], 1e-9)

	// Marginal points spread evenly over a plane: half the variance on PC 1.
	plane := []dynamics.Point{
		linePoint([]float64{1, 0, 0}, d, dynamics.Marginal), linePoint([]float64{-1, 0, 0}, d, dynamics.Marginal),
		linePoint([]float64{0, 1, 0}, d, dynamics.Marginal), linePoint([]float64{0, -1, 0}, d, dynamics.Marginal),
	}
	l, ok = dynamics.FitLine(plane)
	require.True(t, ok)
	assert.InDelta(t, 0.5, l.PC1Variance, 1e-9)
	assert.Less(t, l.SlowModeCos, math.Sqrt(5)/3+1e-9) // |cos(d, PC 1)| ≤ |d in the plane| = √5/3

	_, ok = dynamics.FitLine(pts[3:]) // one marginal point
	assert.False(t, ok)
}
