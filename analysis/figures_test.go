package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/tasks"
)

// spikeNet is a spiking network of two units that ignores its inputs:
// unit 0 spikes at every even step, unit 1 only at step 0 and only in
// the first batch it runs. Its tally counts every step of every trial.
type spikeNet struct {
	nIn, nOut int
	calls     int
}

func (n *spikeNet) Dims() (int, int, int) { return n.nIn, 2, n.nOut }

func (n *spikeNet) Run(x []float32, T, B int, opt RunOptions) Activity {
	a := Activity{Out: make([]float32, T*B*n.nOut), Rates: make([]float32, T*B*2)}
	for t := range T {
		for b := range B {
			if t%2 == 0 {
				a.Rates[(t*B+b)*2] = 1
			}
			if t == 0 && n.calls == 0 {
				a.Rates[(t*B+b)*2+1] = 1
			}
		}
	}
	n.calls++
	tally := layers.Tally{Spikes: make([]float64, 2), DtMS: 1}
	for i, s := range a.Rates {
		tally.Spikes[i%2] += float64(s)
		tally.UnitSteps++
	}
	a.Tally = &tally
	return a
}

// TestEvaluateFiguresOverAllTrials checks that the figures of an
// evaluation in several batches of different lengths are those of all
// its trials together: unit 1, active in the first batch only, is not
// silent, and the mean rate weighs each batch by its unit-steps.
func TestEvaluateFiguresOverAllTrials(t *testing.T) {
	task, err := tasks.New("match-to-sample", tasks.LowRank, tasks.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	nIn, nOut := task.Dims()
	const n = 300 // a batch of evalBatch trials and one of 44
	rep := Evaluate(&spikeNet{nIn: nIn, nOut: nOut}, task, EvalOptions{Trials: n, Draw: rand.New(rand.NewPCG(3, 4))})

	rng := rand.New(rand.NewPCG(3, 4))
	var spikes, unitSteps float64
	var lens []int
	for done := 0; done < n; done += evalBatch {
		b := task.Batch(rng, min(evalBatch, n-done))
		lens = append(lens, b.T)
		spikes += float64(b.B * ((b.T+1)/2 + 1))
		unitSteps += float64(2 * b.T * b.B)
		if done > 0 {
			spikes -= float64(b.B)
		}
	}
	if lens[0] == lens[1] {
		t.Fatalf("both batches have %d steps; the test needs batches of different lengths", lens[0])
	}
	want := map[string]float64{"silent_units": 0, "rate_hz": 1000 * spikes / unitSteps, "activity_sparsity": 1 - spikes/unitSteps}
	for k, w := range want {
		if got, ok := rep.Figures[k]; !ok || math.Abs(got-w) > 1e-12 {
			t.Errorf("figure %s = %v (present %v), want %v", k, got, ok, w)
		}
	}
}
