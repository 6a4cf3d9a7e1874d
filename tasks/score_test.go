package tasks

import (
	"cmp"
	"math"
	"math/rand/v2"
	"testing"
)

// handBatch is a 1-trial batch with T steps and nOut outputs, a decision
// window [rs, re), the given choice, and zero targets/mask except where
// set by the caller.
func handBatch(T, nOut, rs, re, choice int) Batch {
	return Batch{T: T, B: 1, NIn: 1, NOut: nOut,
		Inputs: make([]float32, T), Targets: make([]float32, T*nOut), Mask: make([]float32, T*nOut),
		Lengths: []int{T}, Trials: []Trial{{Choice: choice, ResponseStart: rs, ResponseEnd: re}}}
}

// actions builds [T][1][nOut] outputs whose argmax at step t is acts[t].
func actions(nOut int, acts ...int) []float32 {
	out := make([]float32, len(acts)*nOut)
	for t, a := range acts {
		out[t*nOut+a] = 1
	}
	return out
}

func TestScoreDecisionAction(t *testing.T) {
	b := handBatch(5, 3, 2, 5, 2)
	cases := []struct {
		acts []int
		resp int
		ok   bool
	}{
		{[]int{0, 0, 2, 1, 1}, 2, true},  // first non-fixate in the window is the choice
		{[]int{0, 0, 0, 1, 2}, 1, false}, // an early wrong commitment counts, later ones do not
		{[]int{1, 1, 0, 0, 2}, 2, true},  // actions before the window are ignored
		{[]int{0, 0, 0, 0, 0}, 0, false}, // fixating through the window is wrong
	}
	for _, c := range cases {
		r := ScoreDecisionAction(actions(3, c.acts...), &b)
		if r.Response[0] != c.resp || r.Correct[0] != c.ok {
			t.Errorf("actions %v: response %d correct %v, want %d %v", c.acts, r.Response[0], r.Correct[0], c.resp, c.ok)
		}
	}
	// No-go trial (choice 0): fixating is right.
	nogo := handBatch(3, 2, 1, 3, 0)
	if r := ScoreDecisionAction(actions(2, 1, 0, 0), &nogo); !r.Correct[0] {
		t.Error("no-go trial that fixates through the decision is scored wrong")
	}
	if r := ScoreDecisionAction(actions(2, 0, 0, 1), &nogo); r.Correct[0] {
		t.Error("no-go trial that goes is scored right")
	}
}

func TestScoreSignMean(t *testing.T) {
	b := handBatch(4, 1, 2, 4, 2)
	b.Trials = append(b.Trials, Trial{Catch: true, ResponseStart: 2, ResponseEnd: 4})
	b.B, b.Lengths = 2, []int{4, 4}
	b.Targets, b.Mask, b.Inputs = make([]float32, 8), make([]float32, 8), make([]float32, 8)
	// Trial 0: mean over steps 2, 3 of (0.5, −1.5) is −0.5 → choice 2.
	out := []float32{9, 9, 9, 9, 0.5, 1, -1.5, 1}
	r := ScoreSignMean(out, &b)
	if r.Response[0] != 2 || !r.Correct[0] || !r.Excluded[1] || r.Scored != 1 || r.Accuracy != 1 {
		t.Errorf("got %+v, want trial 0 response 2 correct, trial 1 excluded", r)
	}
}

func TestScoreMaskedMeanArgmax(t *testing.T) {
	b := handBatch(3, 2, 0, 3, 1)
	for s := 1; s < 3; s++ { // masked on steps 1, 2; target channel 1
		b.Mask[s*2], b.Mask[s*2+1] = 1, 1
		b.Targets[s*2+1] = 1
	}
	// Unmasked step 0 votes for channel 0 strongly; masked steps favour 1.
	out := []float32{10, 0, 0.2, 0.4, 0.3, 0.5}
	if r := ScoreMaskedMeanArgmax(out, &b); !r.Correct[0] || r.Response[0] != 1 {
		t.Errorf("got %+v, want response 1 correct", r)
	}
}

func TestScoreNormalizedMSE(t *testing.T) {
	b := handBatch(2, 1, 0, 2, -1)
	b.Targets = []float32{1, -1}
	b.Mask = []float32{1, 1}
	// Target power 2; threshold 0.1 → squared error must be < 0.2.
	if r := ScoreNormalizedMSE([]float32{0.8, -0.8}, &b, 0.1); !r.Correct[0] { // 0.08
		t.Error("squared error 0.08 < 0.2 scored wrong")
	}
	if r := ScoreNormalizedMSE([]float32{0.6, -0.6}, &b, 0.1); r.Correct[0] { // 0.32
		t.Error("squared error 0.32 >= 0.2 scored right")
	}
	if got := MaskedMSE([]float32{0.6, -0.6}, &b); math.Abs(got-0.16) > 1e-6 {
		t.Errorf("MaskedMSE = %v, want 0.16", got)
	}
}

func TestScoreProductionTime(t *testing.T) {
	// measure ends at step 3, production [4, 14) at dt 80; t_p = 400 ms,
	// margin 0.2 → tolerance 0.2·400 + 25 = 105 ms.
	b := handBatch(14, 2, 4, 14, 1)
	b.Trials[0].Value = 400
	b.Trials[0].Periods = []Period{{"measure", 1, 3}}
	for _, c := range []struct {
		step int
		ok   bool
	}{{8, true}, {7, true}, {9, true}, {6, false}, {10, false}} { // t_prod = (step−3)·80
		acts := make([]int, 14)
		acts[c.step] = 1
		if r := ScoreProductionTime(actions(2, acts...), &b, 80, 0.2); r.Correct[0] != c.ok {
			t.Errorf("go at step %d (t_prod %d ms): correct %v, want %v", c.step, (c.step-3)*80, r.Correct[0], c.ok)
		}
	}
}

func TestScorePanicsOnSize(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for wrong output size")
		}
	}()
	b := handBatch(2, 2, 0, 2, 1)
	ScoreDecisionAction(make([]float32, 3), &b)
}

func TestPsychometric(t *testing.T) {
	task := mustNew(t, "context-dm", NeuroGym, Settings{})
	var p Psychometric
	rng := rand.New(rand.NewPCG(1, 1))
	for range 3 {
		b := task.Batch(rng, 400)
		p.Add(&b, task.Score(idealOutputs(task, &b), &b))
	}
	pts := p.Points()
	// 2 contexts × 6 signed coherences.
	if len(pts) != 12 {
		t.Fatalf("%d points, want 12", len(pts))
	}
	n := 0
	for i, pt := range pts {
		n += pt.N
		if pt.Accuracy != 1 {
			t.Errorf("point %+v: ideal accuracy %v", pt, pt.Accuracy)
		}
		if want := (1 + sign(pt.Coherence)) / 2; pt.PChoice1 != want {
			t.Errorf("point %+v: P(choice 1) = %v, want %v", pt, pt.PChoice1, want)
		}
		if i > 0 && pts[i-1].Context == pt.Context && pts[i-1].Coherence >= pt.Coherence {
			t.Errorf("points not sorted by coherence: %v then %v", pts[i-1], pt)
		}
	}
	if n != 1200 {
		t.Errorf("points count %d trials, want 1200", n)
	}
}

func TestConditions(t *testing.T) {
	task := mustNew(t, "go-nogo", NeuroGym, Settings{})
	b := task.Batch(rand.New(rand.NewPCG(2, 2)), 200)
	// Always fixating: no-go trials right, go trials wrong.
	var c Conditions
	c.Add(&b, task.Score(constantOutputs(&b, []float32{1, 0}), &b))
	rows := c.Rows()
	if len(rows) != 2 || rows[0].Condition != "go" || rows[1].Condition != "nogo" {
		t.Fatalf("rows %+v, want go and nogo", rows)
	}
	if rows[0].Accuracy != 0 || rows[1].Accuracy != 1 || rows[0].N+rows[1].N != 200 {
		t.Errorf("rows %+v, want go 0, nogo 1 over 200 trials", rows)
	}
}

func TestCompareConditions(t *testing.T) {
	sorted := []string{"coh=-0.2", "coh=-0.05", "coh=+0.05", "coh=+0.1", "coh=0.10", "coh=+0.2", "ctx=1 coh=+1", "ctx=2 coh=-1",
		"digit=2", "digit=10", "f1=10 f2=4", "f1=10 f2=34", "trial=9", "trial=10", "trial=100"}
	for i := range sorted {
		for j := range sorted {
			if got, want := CompareConditions(sorted[i], sorted[j]), cmp.Compare(i, j); got != want {
				t.Errorf("CompareConditions(%q, %q) = %d, want %d", sorted[i], sorted[j], got, want)
			}
		}
	}
}

// FuzzCompareConditions checks that CompareConditions is an order: equal
// only on equal strings, antisymmetric, and transitive on the triples the
// fuzzer finds. Seeds are labels the tasks write.
func FuzzCompareConditions(f *testing.F) {
	for _, s := range [][3]string{
		{"coh=-0.2", "coh=+0.05", "coh=0.05"},
		{"ctx=1 coh=+1 other=-4", "ctx=0 coh=-4 other=+1", "catch"},
		{"f1=10 f2=34", "f1=10 f2=4", "trial=9"},
		{"digit=10", "digit=2", "-1-2"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		ab, ba := CompareConditions(a, b), CompareConditions(b, a)
		if ab != -ba || (ab == 0) != (a == b) {
			t.Fatalf("CompareConditions(%q, %q) = %d, reversed %d", a, b, ab, ba)
		}
		if ab < 0 && CompareConditions(b, c) < 0 && CompareConditions(a, c) >= 0 {
			t.Fatalf("not transitive: %q < %q < %q but not %q < %q", a, b, c, a, c)
		}
	})
}

// TestMaskedCrossEntropy checks the cross-entropy against values worked
// out by hand (the rows of train's TestLossValues), with outputs far
// beyond exp's range and with an empty mask.
func TestMaskedCrossEntropy(t *testing.T) {
	// T = 2 steps of one trial, 2 outputs: row 0 softmax (1/4, 3/4),
	// target class 1, weight 1; row 1 softmax (½, ½), target class 0,
	// weight ½ (the mean of its mask).
	b := Batch{T: 2, B: 1, NOut: 2, Targets: []float32{0, 1, 1, 0}, Mask: []float32{1, 1, 0, 1}}
	got := MaskedCrossEntropy([]float32{0, float32(math.Log(3)), 1, 1}, &b)
	if want := (-math.Log(0.75) + 0.5*math.Log(2)) / 1.5; math.Abs(got-want) > 1e-7 {
		t.Errorf("cross-entropy = %v, want %v", got, want)
	}
	// Logits 10⁴ apart: the right class costs nothing, the wrong one 10⁴.
	if got := MaskedCrossEntropy([]float32{-5000, 5000, 1, 1}, &b); math.Abs(got-(0.5*math.Log(2))/1.5) > 1e-9 {
		t.Errorf("right class by 10⁴: got %v", got)
	}
	if got := MaskedCrossEntropy([]float32{5000, -5000, 1, 1}, &b); math.Abs(got-(1e4+0.5*math.Log(2))/1.5) > 1e-6 {
		t.Errorf("wrong class by 10⁴: got %v, want %v", got, (1e4+0.5*math.Log(2))/1.5)
	}
	b.Mask = make([]float32, 4)
	if got := MaskedCrossEntropy([]float32{0, 1, 2, 3}, &b); got != 0 {
		t.Errorf("empty mask: got %v, want 0", got)
	}
}
