package checkpoints

import (
	"fmt"
	"math"
	"strings"

	"github.com/rnntrain/rnntrain/autodiff"
)

// Shape returns the shape under which p is stored: [Cols] for a vector
// (p.Vector: a bias, stored 1-D as torch stores biases) and [Rows, Cols]
// otherwise, also for a matrix of one row. Optimizer state tensors of p use
// the same shape.
func Shape[T autodiff.Float](p *autodiff.Param[T]) []int {
	if p.Vector {
		return []int{p.Value.Cols}
	}
	return []int{p.Value.Rows, p.Value.Cols}
}

// FromParams returns one tensor per parameter, named p.Name, with shape
// Shape(p), dtype F32 for float32 parameters and F64 for float64 ones, and a
// copy of p.Value's data (row-major, as autodiff stores it). Frozen
// parameters are included.
func FromParams[T autodiff.Float](params []*autodiff.Param[T]) []Tensor {
	out := make([]Tensor, len(params))
	for i, p := range params {
		out[i] = NewTensor(p.Name, Shape(p), p.Value.Data)
	}
	return out
}

// RestoreParams copies the checkpoint's tensors into the values of params,
// matched by name. It first checks everything: every parameter has a tensor
// of its name, shape (Shape(p)) and dtype; no parameter name repeats; and
// every tensor not under OptimizerPrefix belongs to a parameter. If any
// check fails it returns a *MismatchError listing every problem and changes
// nothing; otherwise it copies all values. Gradients are not touched.
func RestoreParams[T autodiff.Float](c *Checkpoint, params []*autodiff.Param[T]) error {
	byName := make(map[string]*Tensor, len(c.Tensors))
	for i := range c.Tensors {
		byName[c.Tensors[i].Name] = &c.Tensors[i]
	}
	want := dtypeOf[T]()
	var problems []string
	seen := make(map[string]bool, len(params))
	for _, p := range params {
		if seen[p.Name] {
			problems = append(problems, fmt.Sprintf("parameter %s: the model has two parameters of this name", p.Name))
			continue
		}
		seen[p.Name] = true
		t, ok := byName[p.Name]
		if !ok {
			problems = append(problems, fmt.Sprintf("parameter %s: missing from the checkpoint (model expects shape %v)", p.Name, Shape(p)))
			continue
		}
		if s := Shape(p); !c.fits(t.Shape, s) {
			problems = append(problems, fmt.Sprintf("parameter %s: checkpoint has shape %v, model expects %v", p.Name, t.Shape, s))
		}
		if t.DType() != want {
			problems = append(problems, fmt.Sprintf("parameter %s: checkpoint has dtype %v, model expects %v", p.Name, t.DType(), want))
		}
	}
	for _, t := range c.Tensors {
		if !seen[t.Name] && !strings.HasPrefix(t.Name, OptimizerPrefix) {
			problems = append(problems, fmt.Sprintf("tensor %s (shape %v): not a parameter of the model", t.Name, t.Shape))
		}
	}
	if len(problems) > 0 {
		return &MismatchError{Checkpoint: c.name(), Problems: problems}
	}
	for _, p := range params {
		copyInto(p.Value.Data, byName[p.Name])
	}
	return nil
}

// CopyTensor copies the tensor named name into dst after checking that it
// exists and has the given shape and dst's dtype; it is the counterpart of
// NewTensor for state such as optimizer moments. On a mismatch it returns a
// *MismatchError and leaves dst unchanged. It panics if len(dst) differs
// from the product of shape.
func CopyTensor[T autodiff.Float](c *Checkpoint, name string, shape []int, dst []T) error {
	if n, ok := numElements(shape); !ok || n != len(dst) {
		panic(fmt.Sprintf("checkpoints: CopyTensor %s shape %v needs %d elements, dst has %d", name, shape, n, len(dst)))
	}
	t, ok := c.Tensor(name)
	var problem string
	switch {
	case !ok:
		problem = fmt.Sprintf("tensor %s: missing from the checkpoint (expected shape %v)", name, shape)
	case !c.fits(t.Shape, shape):
		problem = fmt.Sprintf("tensor %s: checkpoint has shape %v, expected %v", name, t.Shape, shape)
	case t.DType() != dtypeOf[T]():
		problem = fmt.Sprintf("tensor %s: checkpoint has dtype %v, expected %v", name, t.DType(), dtypeOf[T]())
	default:
		copyInto(dst, t)
		return nil
	}
	return &MismatchError{Checkpoint: c.name(), Problems: []string{problem}}
}

// copyInto copies t's elements into dst, whose element type matches t's
// dtype and whose length matches t's.
func copyInto[T autodiff.Float](dst []T, t *Tensor) {
	if t.F32 != nil {
		for i, v := range t.F32 {
			dst[i] = T(v)
		}
		return
	}
	for i, v := range t.F64 {
		dst[i] = T(v)
	}
}

// MismatchError lists every way a checkpoint fails to fit a model.
type MismatchError struct {
	Checkpoint string   // "checkpoint <path>", or "checkpoint" for one built in memory
	Problems   []string // one line each, parameters in model order, then extra tensors
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("%s does not fit the model:\n\t%s", e.Checkpoint, strings.Join(e.Problems, "\n\t"))
}

// CheckFinite returns an error naming c's file, the first parameter tensor
// (optimizer state aside) that holds a NaN or an infinity, and the index of
// its first such entry; nil when every parameter is finite. A run that
// diverges keeps its last finite checkpoint, so such a file comes from
// elsewhere or was edited.
func (c *Checkpoint) CheckFinite() error {
	for _, t := range c.Tensors {
		if strings.HasPrefix(t.Name, OptimizerPrefix) {
			continue
		}
		if idx, v, ok := t.FirstNonFinite(); ok {
			return fmt.Errorf("checkpoint %s: parameter %s has %v at %v", c.Path, t.Name, v, idx)
		}
	}
	return nil
}

// FirstNonFinite returns the index, by t's shape, and the value of t's
// first NaN or infinity; ok is false when every entry is finite.
func (t *Tensor) FirstNonFinite() (idx []int, v float64, ok bool) {
	k := -1
	for i, x := range t.F32 {
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			k, v = i, f
			break
		}
	}
	for i, f := range t.F64 {
		if k < 0 && (math.IsNaN(f) || math.IsInf(f, 0)) {
			k, v = i, f
			break
		}
	}
	if k < 0 {
		return nil, 0, false
	}
	idx = make([]int, len(t.Shape))
	for d := len(t.Shape) - 1; d >= 0; d-- {
		if t.Shape[d] > 0 {
			idx[d], k = k%t.Shape[d], k/t.Shape[d]
		}
	}
	return idx, v, true
}
