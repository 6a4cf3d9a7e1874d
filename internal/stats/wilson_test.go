package stats

import (
	"fmt"
	"math"
	"testing"
)

// TestWilson checks the interval against Newcombe (1998), Stat. Med. 17:857,
// Table I (method 3, to four decimals), and its ends at p = 0 and 1.
func TestWilson(t *testing.T) {
	for _, c := range []struct {
		k, n   int
		lo, hi float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
		{29, 29, 0.8830, 1},
	} {
		lo, hi := Wilson(float64(c.k)/float64(c.n), c.n, Z95)
		if math.Abs(lo-c.lo) > 5e-5 || math.Abs(hi-c.hi) > 5e-5 {
			t.Errorf("%d/%d: [%.4f, %.4f], want [%.4f, %.4f]", c.k, c.n, lo, hi, c.lo, c.hi)
		}
	}
	if lo, hi := Wilson(0, 0, Z95); lo != 0 || hi != 1 {
		t.Errorf("no trials: [%v, %v], want [0, 1]", lo, hi)
	}
	defer func() {
		if recover() == nil {
			t.Error("a proportion above 1 did not panic")
		}
	}()
	Wilson(1.5, 10, Z95)
}

func ExampleWilson() {
	lo, hi := Wilson(1, 1000, Z95) // 1000 correct of 1000
	fmt.Printf("[%.4f, %.4f]\n", lo, hi)
	// Output: [0.9962, 1.0000]
}
