package train

import (
	"fmt"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/checkpoints"
)

// OptimizerState is an optimizer's complete state: its kind, the number of
// updates taken, and one tensor per (slot, parameter). Slot names follow
// PyTorch's optimizer state keys (exp_avg, exp_avg_sq, exp_inf,
// momentum_buffer). Checkpoints store Steps and Kind in their metadata and
// each slot as a tensor named by Slot.Key.
type OptimizerState struct {
	Kind  OptimizerKind `json:"kind"`
	Steps int64         `json:"steps"`
	Slots []Slot        `json:"-"`
	// FPTT is the FPTT trainer's running averages and multipliers (nil
	// for BPTT runs); checkpoints store them beside the moments.
	FPTT *FPTTState `json:"fptt,omitempty"`
}

// Slot is one optimizer moment tensor of one parameter. Value has the
// parameter's shape.
type Slot struct {
	Name  string
	Param string
	Value autodiff.Tensor[float32]
}

// Key returns the slot's tensor name in a checkpoint,
// checkpoints.OptimizerTensorName(param, slot), e.g.
// "optimizer/rnn.w_rec.exp_avg".
func (s Slot) Key() string { return checkpoints.OptimizerTensorName(s.Param, s.Name) }

// slots holds an optimizer's per-parameter buffers: buf[slot][param] has the
// parameter's length. t counts updates.
type slots struct {
	names []string
	buf   [][][]float32
	t     int64
}

// ensure allocates the named slots for params on first use. It panics if the
// number of parameters changed since, which breaks the Optimizer contract.
func (s *slots) ensure(params []*autodiff.Param[float32], names ...string) {
	if s.buf != nil {
		if len(s.buf) > 0 && len(s.buf[0]) != len(params) {
			panic(fmt.Sprintf("train: optimizer got %d parameters, had %d at its first step", len(params), len(s.buf[0])))
		}
		return
	}
	s.names = append([]string(nil), names...) // a copy: the variadic slice stays on the caller's stack
	s.buf = make([][][]float32, len(names))
	for j := range names {
		s.buf[j] = make([][]float32, len(params))
		for i, p := range params {
			s.buf[j][i] = make([]float32, p.Value.Len())
		}
	}
}

func (s *slots) state(kind OptimizerKind, params []*autodiff.Param[float32]) OptimizerState {
	st := OptimizerState{Kind: kind, Steps: s.t}
	for j, name := range s.names {
		for i, p := range params {
			v := autodiff.NewTensor[float32](p.Value.Rows, p.Value.Cols)
			copy(v.Data, s.buf[j][i])
			st.Slots = append(st.Slots, Slot{Name: name, Param: p.Name, Value: v})
		}
	}
	return st
}

// setState replaces the buffers by copies of st's slots. A state with no
// steps and no slots resets the optimizer; otherwise st must hold exactly the
// slots want for every parameter, with the parameter's shape.
func (s *slots) setState(kind OptimizerKind, params []*autodiff.Param[float32], st OptimizerState, want ...string) error {
	if st.Kind != kind {
		return fmt.Errorf("optimizer state is for %v, not %v", st.Kind, kind)
	}
	if st.Steps < 0 {
		return fmt.Errorf("optimizer state has negative step count %d", st.Steps)
	}
	if st.Steps == 0 && len(st.Slots) == 0 {
		*s = slots{}
		return nil
	}
	index := make(map[string]int, len(params))
	for i, p := range params {
		index[p.Name] = i
	}
	buf := make([][][]float32, len(want))
	for j := range buf {
		buf[j] = make([][]float32, len(params))
	}
	for _, sl := range st.Slots {
		j := -1
		for k, n := range want {
			if n == sl.Name {
				j = k
			}
		}
		if j < 0 {
			return fmt.Errorf("optimizer slot %s: %v has no slot %q (want %v)", sl.Key(), kind, sl.Name, want)
		}
		i, ok := index[sl.Param]
		if !ok {
			return fmt.Errorf("optimizer slot %s: no parameter %q in the model", sl.Key(), sl.Param)
		}
		p := params[i]
		if !sl.Value.SameShape(p.Value) || len(sl.Value.Data) != p.Value.Len() {
			return fmt.Errorf("optimizer slot %s: shape %v, parameter has %v", sl.Key(), sl.Value.Shape(), p.Value.Shape())
		}
		if buf[j][i] != nil {
			return fmt.Errorf("optimizer slot %s appears twice", sl.Key())
		}
		buf[j][i] = append([]float32(nil), sl.Value.Data...)
	}
	for j, name := range want {
		for i, p := range params {
			if buf[j][i] == nil {
				return fmt.Errorf("optimizer slot %s is missing", Slot{Name: name, Param: p.Name}.Key())
			}
		}
	}
	s.names, s.buf, s.t = want, buf, st.Steps
	return nil
}
