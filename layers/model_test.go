package layers

import (
	"strings"
	"testing"
)

// TestAlphaFor: α defaults to dt/τ for a step of at most τ and to 0.2
// without a step; a step longer than τ has no default, and CheckAlpha
// names dt, τ and the α it would give.
func TestAlphaFor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, dt   float64
		want    float64
		wantErr string // "" = valid
	}{
		{0, 20, 0.2, ""},
		{0, 100, 1, ""},
		{0, 0, 0.2, ""},
		{0.5, 200, 0.5, ""},
		{1, 1000, 1, ""},
		{0, 200, 0, "alpha: the task's dt = 200 ms is longer than the τ = 100 ms of the default α = dt/τ = 2"},
		{2, 20, 2, "alpha = 2, need 0 < α ≤ 1"},
		{-0.1, 20, -0.1, "alpha = -0.1, need 0 < α ≤ 1"},
	}
	for _, c := range cases {
		got := AlphaFor(c.a, c.dt)
		if got != c.want {
			t.Errorf("AlphaFor(%g, %g) = %g, want %g", c.a, c.dt, got, c.want)
		}
		err := CheckAlpha(got, c.dt)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("CheckAlpha(%g, %g) = %v, want nil", got, c.dt, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("CheckAlpha(%g, %g) = %v, want an error containing %q", got, c.dt, err, c.wantErr)
		}
	}
}
