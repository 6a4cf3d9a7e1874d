// Sequence plumbing shared by the fused GRU and low-rank ops: per-call state
// reuse, shape checks, initial-state broadcasting and noise.

package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// seqCacheSize bounds how many recorded sequence ops a layer remembers for
// reuse; it is the number of calls of one layer that can be live on tapes at
// once without allocating.
const seqCacheSize = 8

// SeqCache hands out the per-call state O of a fused sequence op (GRU,
// low-rank) without allocating in steady state.
//
// The key is the first element of the first buffer the call takes from the
// tape's arena. The arena hands a buffer out again only after Tape.Reset, and
// Reset invalidates everything recorded before it, so a cached state whose
// key comes back belongs to a dead recording and may be overwritten. A miss
// allocates a fresh state and evicts the oldest entry, which is always safe:
// a live state stays referenced by its tape node. The cache holds at most
// seqCacheSize states (and through them old arena buffers) alive.
//
// SeqCache is safe for concurrent use, so one layer may run on several tapes
// in different goroutines.
type SeqCache[T autodiff.Float, O any] struct {
	mu   sync.Mutex
	keys [seqCacheSize]*T
	ops  [seqCacheSize]*O
	next int
}

// Get returns the state to use for a call whose first arena buffer starts at
// key. The returned state holds whatever an earlier call left in it.
func (c *SeqCache[T, O]) Get(key *T) *O {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, k := range c.keys {
		if k == key {
			return c.ops[i]
		}
	}
	o := new(O)
	c.keys[c.next], c.ops[c.next] = key, o
	c.next = (c.next + 1) % seqCacheSize
	return o
}

// CheckSequence panics, naming the layer, unless x is [steps·batch, inputs],
// h0 is [batch, n] or [1, n], steps and batch are positive, an
// inactivation mask has one entry per unit, PenaltyShare is finite and
// non-negative and Lengths, when not nil, has one non-negative entry per
// trial.
func CheckSequence[T autodiff.Float](layer string, x, h0 *autodiff.Var[T], steps, batch, inputs, n int, opt SeqOptions) {
	if steps <= 0 || batch <= 0 {
		panic(fmt.Sprintf("layers: %s.Sequence needs steps and batch > 0, got steps=%d batch=%d", layer, steps, batch))
	}
	if x.Value.Rows != steps*batch || x.Value.Cols != inputs {
		panic(fmt.Sprintf("layers: %s.Sequence input shape %v, want [%d %d] (steps·batch = %d·%d, inputs)", layer, x.Value.Shape(), steps*batch, inputs, steps, batch))
	}
	if (h0.Value.Rows != batch && h0.Value.Rows != 1) || h0.Value.Cols != n {
		panic(fmt.Sprintf("layers: %s.Sequence initial state shape %v, want [%d %d] or [1 %d]", layer, h0.Value.Shape(), batch, n, n))
	}
	if m := opt.Inactivation; m != nil && len(m.Units) != n {
		panic(fmt.Sprintf("layers: %s.Sequence inactivation mask has %d units, want %d", layer, len(m.Units), n))
	}
	if v := opt.PenaltyShare; !(v >= 0) || math.IsInf(v, 0) {
		panic(fmt.Sprintf("layers: %s.Sequence penalty share %g, want finite and ≥ 0", layer, v))
	}
	if l := opt.Lengths; l != nil {
		if len(l) != batch {
			panic(fmt.Sprintf("layers: %s.Sequence got %d trial lengths for a batch of %d", layer, len(l), batch))
		}
		for b, v := range l {
			if v < 0 {
				panic(fmt.Sprintf("layers: %s.Sequence trial %d has negative length %d", layer, b, v))
			}
		}
	}
}

// BroadcastRowsTo copies src ([rows, n] or [1, n]) into dst [rows, n].
func BroadcastRowsTo[T autodiff.Float](dst, src autodiff.Tensor[T]) {
	if src.Rows == dst.Rows {
		copy(dst.Data, src.Data)
		return
	}
	for i := 0; i < dst.Rows; i++ {
		copy(dst.Data[i*dst.Cols:(i+1)*dst.Cols], src.Data)
	}
}

// AccReduceRows adds g [rows, n] into dst, which is [rows, n] or [1, n]
// (then summing over rows). dst.Data nil means no gradient is wanted.
func AccReduceRows[T autodiff.Float](dst, g autodiff.Tensor[T]) {
	if dst.Data == nil {
		return
	}
	if dst.Rows == g.Rows {
		for k, v := range g.Data {
			dst.Data[k] += v
		}
		return
	}
	for i := 0; i < g.Rows; i++ {
		for j, v := range g.Data[i*g.Cols : (i+1)*g.Cols] {
			dst.Data[j] += v
		}
	}
}

// AddNoise adds std·ξ, ξ ~ N(0, 1) drawn from rng in row-major order, to
// every element of dst.
func AddNoise[T autodiff.Float](dst []T, std float64, rng *rand.Rand) {
	for k := range dst {
		dst[k] += T(std * rng.NormFloat64())
	}
}

// Perturbed returns the inactivation in force at step t, or nil.
func Perturbed(m *Inactivation, t int) *Inactivation {
	if m.Active(t) {
		return m
	}
	return nil
}

// minSplitWork is the smallest steps·batch·N of a sequence whose batch is
// split between two goroutines: below it, handing a half over costs more than
// it saves.
const minSplitWork = 1 << 14

// SplitBatch reports whether a sequence of steps·batch rows of n units
// should run its batch halves on two goroutines.
func SplitBatch(steps, batch, n int, noisy bool) bool {
	return !noisy && batch >= 2 && runtime.GOMAXPROCS(0) > 1 && steps*batch*n >= minSplitWork
}

// HalfRows returns the batch rows [lo, hi) of part (0 or 1) of a batch split
// in two, or the whole batch when parts is 1.
func HalfRows(batch, parts, part int) (lo, hi int) {
	if parts == 1 {
		return 0, batch
	}
	mid := (batch + 1) / 2
	if part == 0 {
		return 0, mid
	}
	return mid, batch
}

// RunSplit runs a fused sequence op over the whole batch: job.RunPart(0)
// alone on the calling goroutine when parts is 1, else the op's two batch
// halves, RunPart(0) and RunPart(1) (its time loop is independent between
// batch rows), on the caller and a worker of the kernels' default pool, the
// one that also runs the parallel GEMM parts.
func RunSplit(parts int, job kernels.PartRunner) {
	if parts == 1 {
		job.RunPart(0)
		return
	}
	kernels.DefaultPool().Run(job, 2)
}
