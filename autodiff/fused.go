package autodiff

import "fmt"

// A FusedOp is a computation recorded on the tape as a single node, with a
// hand-written forward and backward. The caller runs the forward itself,
// writing the result into a tensor (usually from Tape.Alloc), and records it
// with Tape.Fused; the tape later calls Backward once, in reverse order.
// Recurrent layers use it to run a whole sequence as one node.
//
// A FusedOp keeps whatever it needs for the backward pass (inputs' values,
// stored activations). Buffers it takes from Tape.Alloc stay valid until the
// tape's Reset.
//
// Every fused op keeps its unfused composition of primitive ops as a
// reference; gradcheck.CheckFused compares the two and checks the fused op
// against finite differences. See the Tape.Fused example.
type FusedOp[T Float] interface {
	// Name identifies the op in panic messages.
	Name() string
	// Backward accumulates into grads[i] the gradient of the loss with
	// respect to input i, given the gradient outGrad with respect to the
	// op's output. grads[i].Data is nil when input i needs no gradient.
	// Backward must not modify outGrad.
	Backward(outGrad Tensor[T], grads []Tensor[T])
}

// A GradSetter is a FusedOp that can set an input's gradient instead of
// adding to it. When the op is the only consumer of a non-parameter input i
// for which SetsGrad(i) holds, Tape.Backward leaves that input's gradient
// buffer uncleared and calls BackwardSet with set[i] true, and the op must
// write every entry of grads[i], whose prior contents are unspecified; the
// other gradients accumulate as in Backward. For the [T·B×N] activity that
// a whole-sequence layer hands its readout this saves one pass clearing
// the buffer and one reading it back.
type GradSetter[T Float] interface {
	FusedOp[T]
	// SetsGrad reports whether BackwardSet can set input i's gradient.
	SetsGrad(i int) bool
	// BackwardSet is Backward, with grads[i] overwritten where set[i].
	BackwardSet(outGrad Tensor[T], grads []Tensor[T], set []bool)
}

// Fused records op as one node with the given output value and inputs, and
// returns the output variable. out is owned by the tape from now on.
//
// It panics if there are more than 12 inputs or an input belongs to another
// tape.
func (tp *Tape[T]) Fused(op FusedOp[T], out Tensor[T], inputs ...*Var[T]) *Var[T] {
	if len(inputs) > maxInputs {
		panic(fmt.Sprintf("autodiff: fused op %s has %d inputs, at most %d are supported", op.Name(), len(inputs), maxInputs))
	}
	needs := false
	for _, in := range inputs {
		if in.tape != tp {
			panic(fmt.Sprintf("autodiff: fused op %s mixes variables from different tapes", op.Name()))
		}
		needs = needs || in.needsGrad
	}
	v := tp.newVar(out, needs)
	tp.nodes = append(tp.nodes, node[T]{op: opFused, out: v, nIn: len(inputs), fused: op})
	copy(tp.nodes[len(tp.nodes)-1].in[:], inputs)
	return v
}

func (tp *Tape[T]) backwardFused(n *node[T]) {
	tp.grads = tp.grads[:0]
	for _, in := range n.in[:n.nIn] {
		if in.needsGrad {
			tp.grads = append(tp.grads, in.Grad)
		} else {
			tp.grads = append(tp.grads, Tensor[T]{Rows: in.Value.Rows, Cols: in.Value.Cols})
		}
	}
	if n.set == 0 {
		n.fused.Backward(n.out.Grad, tp.grads)
		return
	}
	set := tp.set[:n.nIn]
	for i := range set {
		set[i] = n.set&(1<<i) != 0
	}
	n.fused.(GradSetter[T]).BackwardSet(n.out.Grad, tp.grads, set)
}

// setGrads marks in node.set, for every non-parameter variable that needs
// a gradient and whose only use is as input i of a fused GradSetter with
// SetsGrad(i), that the node sets the variable's gradient (the loss counts
// as used once more, by its seed). It leaves every variable's uses, user
// and slot as Backward reads them.
func (tp *Tape[T]) setGrads(loss *Var[T]) {
	for c := range tp.vars {
		chunk := tp.vars[c]
		for i := range chunk {
			if c*varChunk+i >= tp.nVars {
				break
			}
			chunk[i].uses, chunk[i].user = 0, -1
		}
	}
	for i := range tp.nodes {
		tp.nodes[i].set = 0
	}
	loss.uses = 1
	for i := range tp.nodes {
		n := &tp.nodes[i]
		if !n.out.needsGrad {
			continue
		}
		for k, in := range n.in[:n.nIn] {
			if in.needsGrad && in.param == nil {
				in.uses++
				in.user, in.slot = int32(i), int8(k)
			}
		}
	}
	for i := range tp.nodes {
		n := &tp.nodes[i]
		if n.fused == nil {
			continue
		}
		gs, ok := n.fused.(GradSetter[T])
		if !ok {
			continue
		}
		for k, in := range n.in[:n.nIn] {
			if in.needsGrad && in.param == nil && in.uses == 1 && in.user == int32(i) && int(in.slot) == k && gs.SetsGrad(k) {
				n.set |= 1 << k
			}
		}
	}
}
