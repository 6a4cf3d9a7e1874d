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
	n.fused.Backward(n.out.Grad, tp.grads)
}
