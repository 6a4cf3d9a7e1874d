package autodiff

// Param is a trainable parameter: a value, the gradient buffer that Backward
// accumulates into, and a stable dotted name ("rnn.w_rec") under which
// checkpoints store it. The Param owns both buffers; optimizers update Value
// in place and callers clear Grad with ZeroGrad between steps.
type Param[T Float] struct {
	Name  string
	Value Tensor[T]
	Grad  Tensor[T]
	// Frozen parameters take part in the computation but get no gradient
	// and are skipped by optimizers.
	Frozen bool
	// Vector marks a one-dimensional parameter held as one row: a bias, a
	// threshold, an initial state. Checkpoints store a vector as [Cols], as
	// torch stores biases; every other parameter keeps [Rows, Cols], also
	// a matrix with one row such as the readout weight of one output.
	Vector bool
}

// NewParam returns a zeroed rows×cols parameter named name.
func NewParam[T Float](name string, rows, cols int) *Param[T] {
	return &Param[T]{Name: name, Value: NewTensor[T](rows, cols), Grad: NewTensor[T](rows, cols)}
}

// NewVector returns a zeroed 1×n vector parameter (Vector set) named name.
func NewVector[T Float](name string, n int) *Param[T] {
	p := NewParam[T](name, 1, n)
	p.Vector = true
	return p
}

// ZeroGrad clears the gradient buffer.
func (p *Param[T]) ZeroGrad() { p.Grad.Zero() }
