package train

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/checkpoints"
)

// DefaultMaxParam is Config.MaxParam's default: a parameter larger than
// this in magnitude after an update means the run has exploded (trained
// recurrent weights are of order 1/√N … 10).
const DefaultMaxParam = 1e6

// checkUpdate looks, after update step, for a parameter that is NaN,
// infinite or larger in magnitude than Config.MaxParam (when positive),
// and for a NaN or infinity in the optimizer's moments, and returns a
// *DivergenceError naming the first one, or nil. It reads every value
// once and allocates nothing.
func (l *loop) checkUpdate(step int) error {
	for _, p := range l.params {
		if i, v, bad := firstBad(p.Value.Data, l.cfg.MaxParam); bad {
			return &DivergenceError{Step: step, Param: p.Name, Index: [2]int{i / p.Value.Cols, i % p.Value.Cols},
				Value: v, Updated: true, Limit: l.cfg.MaxParam}
		}
	}
	m, ok := l.opt.(interface{ moments() *slots })
	if !ok {
		return nil
	}
	s := m.moments()
	for j, name := range s.names {
		for i, p := range l.params {
			if i >= len(s.buf[j]) {
				break
			}
			if k, v, bad := firstBad(s.buf[j][i], 0); bad {
				return &DivergenceError{Step: step, Param: p.Name, Slot: name, Index: [2]int{k / p.Value.Cols, k % p.Value.Cols},
					Value: v, Updated: true}
			}
		}
	}
	return nil
}

// firstBad returns the index and value of the first element of x that is
// NaN, infinite or, when limit > 0, larger than limit in magnitude.
func firstBad(x []float32, limit float64) (int, float64, bool) {
	lim := float32(math.MaxFloat32)
	if limit > 0 && limit < math.MaxFloat32 {
		lim = float32(limit)
	}
	for i, v := range x {
		if !(v <= lim && v >= -lim) { // false for NaN and ±Inf too
			return i, float64(v), true
		}
	}
	return 0, 0, false
}

func (a *Adam) moments() *slots   { return &a.s }
func (a *AdamW) moments() *slots  { return &a.s }
func (a *Adamax) moments() *slots { return &a.s }
func (o *SGD) moments() *slots    { return &o.s }

// CheckFinite returns an error naming the first tensor of c that holds a
// NaN or an infinity, or nil. A run's latest checkpoint is its last good
// state: Checkpointer (and the train command) never save one that fails
// this check, so that a diverged run cannot replace it.
func CheckFinite(c *checkpoints.Checkpoint) error {
	for _, t := range c.Tensors {
		if idx, v, ok := t.FirstNonFinite(); ok {
			return fmt.Errorf("train: checkpoint at step %d: tensor %s has %v at %v; a non-finite state is never saved as the run's latest", c.Meta.Step, t.Name, v, idx)
		}
	}
	return nil
}
