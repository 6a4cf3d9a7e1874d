package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSineWaveSignals measures the signals sine-wave generates against
// the definition in newSineWave's doc comment: level j ∈ 1…51 drawn
// uniformly, the input held at j/51 + 0.25 on every step, the target
// sin(ω_j t) (amplitude 1, phase 0) with ω_j = 0.1 + 0.5 (j−1)/50 rad per
// step, scored on every step, at least three cycles of the slowest wave in
// the default 200 steps, and Trial.Value = ω_j.
//
// The frequency of each target is measured twice, independently of ω_j:
// by fitting the recurrence y_{t+1} + y_{t−1} = 2 cos(ω) y_t, which every
// sampled sinusoid obeys exactly (least squares over the trial, so the
// float32 rounding of the targets is what limits it, to about 1e-6 rad),
// and by counting zero crossings, which over T−1 steps number
// ⌊ω (T−1)/π⌋. Amplitude and phase come from a least-squares fit of
// a·sin(ωt) + b·cos(ωt) at the measured ω.
func TestSineWaveSignals(t *testing.T) {
	t.Parallel()
	task, err := NewDefault("sine-wave")
	if err != nil {
		t.Fatal(err)
	}
	const perLevel = 100
	b := task.Batch(rand.New(rand.NewPCG(1, 1)), sineLevels*perLevel)
	if b.T != 200 || b.NIn != 1 || b.NOut != 1 {
		t.Fatalf("batch of %d steps, %d inputs and %d outputs, want 200, 1 and 1", b.T, b.NIn, b.NOut)
	}
	if cycles := 0.1 * float64(b.T) / (2 * math.Pi); cycles < 3 {
		t.Errorf("the slowest wave makes %.2f cycles in %d steps, want at least 3", cycles, b.T)
	}
	count := make([]int, sineLevels+1)
	measured := make([]float64, sineLevels+1) // ω measured at each level
	y := make([]float64, b.T)
	for i := range b.B {
		tr := b.Trials[i]
		u := float64(b.Inputs[i])
		j := int(math.Round((u - 0.25) * sineLevels))
		if j < 1 || j > sineLevels || math.Abs(u-(float64(j)/sineLevels+0.25)) > 1e-6 {
			t.Fatalf("trial %d: input %v is not j/51 + 0.25 for a level j in 1…51", i, u)
		}
		count[j]++
		want := 0.1 + 0.5*float64(j-1)/float64(sineLevels-1)
		if tr.Condition != fmt.Sprintf("level=%d", j) || math.Abs(tr.Value-want) > 1e-12 {
			t.Errorf("trial %d (level %d): condition %q, value %v; want level=%d and ω = %v", i, j, tr.Condition, tr.Value, j, want)
		}
		for s := range b.T {
			if in := b.Inputs[s*b.B+i]; float64(in) != u {
				t.Fatalf("trial %d: input %v at step %d, %v at step 0; want it held", i, in, s, u)
			}
			if m := b.Mask[s*b.B+i]; m != 1 {
				t.Fatalf("trial %d: mask %v at step %d, want 1 on every step", i, m, s)
			}
			y[s] = float64(b.Targets[s*b.B+i])
		}
		var num, den float64
		for s := 1; s < b.T-1; s++ {
			num += y[s] * (y[s+1] + y[s-1])
			den += 2 * y[s] * y[s]
		}
		omega := math.Acos(num / den)
		if math.Abs(omega-want) > 1e-5 {
			t.Errorf("trial %d (level %d): measured ω = %.7f rad/step, want %.7f", i, j, omega, want)
		}
		crossings := 0
		for s := 2; s < b.T; s++ { // y_0 = sin 0 = 0: count from step 1 on
			if (y[s] < 0) != (y[s-1] < 0) {
				crossings++
			}
		}
		if wantN := int(math.Floor(want * float64(b.T-1) / math.Pi)); crossings != wantN {
			t.Errorf("trial %d (level %d): %d zero crossings, want %d for ω = %v over %d steps", i, j, crossings, wantN, want, b.T)
		}
		amp, phase := fitSine(y, omega)
		if math.Abs(amp-1) > 1e-5 || math.Abs(phase) > 1e-5 {
			t.Errorf("trial %d (level %d): amplitude %.7f and phase %.7f, want 1 and 0", i, j, amp, phase)
		}
		measured[j] = omega
	}
	// Every level is drawn, uniformly: each count within 5 standard
	// deviations of perLevel.
	sd := math.Sqrt(perLevel * (1 - 1.0/sineLevels))
	for j := 1; j <= sineLevels; j++ {
		if math.Abs(float64(count[j]-perLevel)) > 5*sd {
			t.Errorf("level %d drawn %d times in %d trials, want about %d", j, count[j], b.B, perLevel)
		}
	}
	// The measured frequencies span 0.1…0.6 rad/step in equal steps.
	if math.Abs(measured[1]-0.1) > 1e-5 || math.Abs(measured[sineLevels]-0.6) > 1e-5 {
		t.Errorf("measured ω spans %.6f…%.6f rad/step, want 0.1…0.6", measured[1], measured[sineLevels])
	}
	for j := 2; j <= sineLevels; j++ {
		if d := measured[j] - measured[j-1]; math.Abs(d-0.01) > 2e-5 {
			t.Errorf("measured ω of levels %d and %d differ by %.6f rad/step, want 0.01", j-1, j, d)
		}
	}
}

// fitSine fits a·sin(ωt) + b·cos(ωt) to y by least squares and returns
// the amplitude √(a² + b²) and the phase atan2(b, a) of a sin(ωt + φ).
func fitSine(y []float64, omega float64) (amp, phase float64) {
	var ss, sc, cc, ys, yc float64
	for t, v := range y {
		s, c := math.Sincos(omega * float64(t))
		ss += s * s
		sc += s * c
		cc += c * c
		ys += v * s
		yc += v * c
	}
	det := ss*cc - sc*sc
	a := (ys*cc - yc*sc) / det
	b := (yc*ss - ys*sc) / det
	return math.Hypot(a, b), math.Atan2(b, a)
}
