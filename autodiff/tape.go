package autodiff

import (
	"fmt"

	"github.com/rnntrain/rnntrain/autodiff/surrogate"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// Var is a value recorded on a Tape. Its Value is owned by the tape (or by
// the Param or caller it aliases) and stays valid until the tape's next Reset.
// Grad is filled by Backward for variables that need a gradient; for a
// parameter it aliases Param.Grad.
type Var[T Float] struct {
	Value Tensor[T]
	Grad  Tensor[T]

	tape      *Tape[T]
	needsGrad bool
	param     *Param[T]
	// Set by Backward (Tape.setGrads): v's number of uses, the last node
	// using it (−1 for none) and v's place among that node's inputs.
	uses, user int32
	slot       int8
}

// NeedsGrad reports whether Backward computes a gradient for v.
func (v *Var[T]) NeedsGrad() bool { return v.needsGrad }

// Tape returns the tape v is recorded on.
func (v *Var[T]) Tape() *Tape[T] { return v.tape }

// maxInputs bounds the inputs of one node, so that nodes need no per-node
// allocation.
const maxInputs = 12

// node is one recorded operation. Primitive ops dispatch on op in backward;
// fused ops carry their FusedOp.
type node[T Float] struct {
	op     opcode
	out    *Var[T]
	in     [maxInputs]*Var[T]
	nIn    int
	scalar T         // an op's scalar argument (Scale's factor, a loss's 1/normaliser)
	i0, i1 int       // an op's integer arguments (axis, slice bounds)
	b0, b1 bool      // MatMul's transpose flags
	aux    Tensor[T] // an op's saved intermediate (softmax probabilities)
	sur    surrogate.Surrogate
	fused  FusedOp[T]
	set    uint16 // inputs whose gradients a GradSetter sets (bit i: input i)
}

// Tape records operations as they run (define-by-run) so that Backward can
// replay their reverse rules. All buffers it hands out come from an arena
// that Reset rewinds, so a training step that records the same sequence of
// operations every time allocates nothing once warmed up.
//
// A Tape is not safe for concurrent use.
type Tape[T Float] struct {
	nodes []node[T]
	vars  [][]Var[T] // fixed-size chunks: pointers into them stay valid
	nVars int
	arena arena[T]
	grads []Tensor[T]     // scratch for fused ops' input gradients
	set   [maxInputs]bool // scratch for GradSetter.BackwardSet
	zero  zeroJob[T]      // the gradient buffers Backward clears
}

// zeroJob clears buffers as a kernels.PartRunner of two parts: part p
// clears the p-th half of every buffer.
type zeroJob[T Float] struct{ bufs [][]T }

// RunPart clears half p (0 or 1) of every buffer.
func (z *zeroJob[T]) RunPart(p int) {
	for _, b := range z.bufs {
		h := len(b) / 2
		if p == 0 {
			clear(b[:h])
		} else {
			clear(b[h:])
		}
	}
}

// parallelZeroMin is the number of gradient values from which Backward
// clears them on two cores.
const parallelZeroMin = 1 << 18

const varChunk = 256

// NewTape returns an empty tape.
func NewTape[T Float]() *Tape[T] { return &Tape[T]{} }

// Reset forgets every recorded node and variable and rewinds the arena.
// Tensors handed out since the previous Reset must no longer be used.
func (tp *Tape[T]) Reset() {
	for i := range tp.nodes {
		tp.nodes[i] = node[T]{}
	}
	tp.nodes = tp.nodes[:0]
	tp.nVars = 0
	tp.arena.next = 0
}

// Alloc returns a rows×cols tensor from the tape's arena, valid until Reset.
// Its contents are unspecified: callers overwrite it.
func (tp *Tape[T]) Alloc(rows, cols int) Tensor[T] {
	return Tensor[T]{Rows: rows, Cols: cols, Data: tp.arena.alloc(rows * cols)}
}

// AllocZero is Alloc with the contents set to zero.
func (tp *Tape[T]) AllocZero(rows, cols int) Tensor[T] {
	t := tp.Alloc(rows, cols)
	clear(t.Data)
	return t
}

func (tp *Tape[T]) newVar(value Tensor[T], needsGrad bool) *Var[T] {
	c, i := tp.nVars/varChunk, tp.nVars%varChunk
	if c == len(tp.vars) {
		tp.vars = append(tp.vars, make([]Var[T], varChunk))
	}
	v := &tp.vars[c][i]
	tp.nVars++
	*v = Var[T]{Value: value, tape: tp, needsGrad: needsGrad}
	return v
}

// Param records p as a leaf. The variable's Value aliases p.Value and, unless
// p is frozen, its gradient accumulates into p.Grad.
func (tp *Tape[T]) Param(p *Param[T]) *Var[T] {
	v := tp.newVar(p.Value, !p.Frozen)
	v.param = p
	if !p.Frozen {
		v.Grad = p.Grad
	}
	return v
}

// Const records x as a leaf that needs no gradient. The variable aliases x,
// which the caller must not change before Backward.
func (tp *Tape[T]) Const(x Tensor[T]) *Var[T] { return tp.newVar(x, false) }

// record appends a primitive node whose output is a fresh rows×cols tensor
// from the arena and returns the output variable. The output needs a gradient
// if any input does.
func (tp *Tape[T]) record(op opcode, rows, cols int, ins ...*Var[T]) (*node[T], *Var[T]) {
	needs := false
	for _, in := range ins {
		if in.tape != tp {
			panic(fmt.Sprintf("autodiff: %v mixes variables from different tapes", op))
		}
		needs = needs || in.needsGrad
	}
	out := tp.newVar(tp.Alloc(rows, cols), needs)
	tp.nodes = append(tp.nodes, node[T]{op: op, out: out, nIn: len(ins)})
	n := &tp.nodes[len(tp.nodes)-1]
	copy(n.in[:], ins)
	return n, out
}

// Backward computes the gradient of the scalar loss with respect to every
// recorded variable that needs one, walking the tape in reverse. Gradients
// accumulate: parameters' Grad buffers are added to, not overwritten.
//
// It panics if loss is not 1×1 or belongs to another tape.
func (tp *Tape[T]) Backward(loss *Var[T]) {
	if loss.tape != tp {
		panic("autodiff: Backward on a variable from another tape")
	}
	if loss.Value.Rows != 1 || loss.Value.Cols != 1 {
		panic(fmt.Sprintf("autodiff: Backward needs a scalar loss: got shape %v, want [1 1] (a non-scalar root would need a Jacobian)", loss.Value.Shape()))
	}
	if !loss.needsGrad {
		return
	}
	// Fresh, zeroed gradient buffers for every non-parameter variable that
	// needs one (cleared together, on two cores when they are large: the
	// outputs of a whole-sequence layer hold T·B·N values). Parameters
	// accumulate into their own buffers.
	// A buffer that a GradSetter sets is not cleared (setGrads).
	tp.setGrads(loss)
	tp.zero.bufs = tp.zero.bufs[:0]
	total := 0
	for c := range tp.vars {
		chunk := tp.vars[c]
		for i := range chunk {
			if c*varChunk+i >= tp.nVars {
				break
			}
			v := &chunk[i]
			if v.needsGrad && v.param == nil {
				v.Grad = tp.Alloc(v.Value.Rows, v.Value.Cols)
				if v.uses == 1 && v.user >= 0 && tp.nodes[v.user].set&(1<<v.slot) != 0 {
					continue
				}
				tp.zero.bufs = append(tp.zero.bufs, v.Grad.Data)
				total += len(v.Grad.Data)
			}
		}
	}
	if total >= parallelZeroMin {
		kernels.DefaultPool().Run(&tp.zero, 2)
	} else {
		tp.zero.RunPart(0)
		tp.zero.RunPart(1)
	}
	clear(tp.zero.bufs) // no references kept past Backward
	loss.Grad.Data[0] += 1
	for i := len(tp.nodes) - 1; i >= 0; i-- {
		n := &tp.nodes[i]
		if !n.out.needsGrad {
			continue
		}
		if n.fused != nil {
			tp.backwardFused(n)
			continue
		}
		backward(n)
	}
}

// arena hands out slices that are reused, in order, after a rewind.
type arena[T Float] struct {
	bufs [][]T
	next int
}

func (a *arena[T]) alloc(n int) []T {
	if a.next < len(a.bufs) && cap(a.bufs[a.next]) >= n {
		b := a.bufs[a.next][:n]
		a.next++
		return b
	}
	b := make([]T, n)
	if a.next < len(a.bufs) {
		a.bufs[a.next] = b
	} else {
		a.bufs = append(a.bufs, b)
	}
	a.next++
	return b
}
