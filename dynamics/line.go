package dynamics

// Line describes the marginal points of a Result as an approximate line
// attractor.
type Line struct {
	// Points is the number of marginal points.
	Points int `json:"points"`
	// PC1Variance is the fraction of their variance along their first
	// principal component; SlowModeCos the mean |cos| of that component
	// with each point's slow mode (the right eigenvector of the eigenvalue
	// nearest 1, Point.SlowMode).
	PC1Variance float64 `json:"pc1_variance"`
	SlowModeCos float64 `json:"slow_mode_cos"`
	// Right and Left, [inputs], are the mean over the points of
	// Point.InputCos.
	Right []float64 `json:"input_cos_right"`
	Left  []float64 `json:"input_cos_left"`
}

// InputCos returns |cos| of the right and the left eigenvector of the
// point's slow mode (Point.SlowMode) with each input's direction ∂F/∂u_k,
// [inputs] each (inputs = len(InputJacobian)/N), freshly allocated.
func (p *Point) InputCos() (right, left []float64) {
	nIn := len(p.InputJacobian) / len(p.State)
	r, l := p.Mode(p.SlowMode())
	right, left = make([]float64, nIn), make([]float64, nIn)
	for k := range nIn {
		d := p.InputDirection(k)
		right[k], left[k] = AbsCos(r, d), AbsCos(l, d)
	}
	return right, left
}

// FitLine summarises the points of class Marginal among points (each State
// [N]) as a line: the PCA of their states and the mean |cos| of their slow
// modes with its first component and with the inputs' directions
// (Point.InputCos). It returns false if there are fewer than 3 marginal
// points or their PCA fails, and panics if their states differ in length.
func FitLine(points []Point) (Line, bool) {
	var states []float64
	var marg []Point
	for _, p := range points {
		if p.Class == Marginal {
			states = append(states, p.State...)
			marg = append(marg, p)
		}
	}
	if len(marg) < 3 {
		return Line{}, false
	}
	pca, err := FitPCA(states, len(marg[0].State), 1)
	if err != nil {
		return Line{}, false
	}
	m, nIn := float64(len(marg)), len(marg[0].InputJacobian)/len(marg[0].State)
	l := Line{Points: len(marg), PC1Variance: pca.Explained[0], Right: make([]float64, nIn), Left: make([]float64, nIn)}
	for _, p := range marg {
		right, _ := p.Mode(p.SlowMode())
		l.SlowModeCos += AbsCos(right, pca.Components[0]) / m
		r, lf := p.InputCos()
		for k := range nIn {
			l.Right[k] += r[k] / m
			l.Left[k] += lf[k] / m
		}
	}
	return l, true
}
