package train

import (
	"errors"
	"fmt"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/checkpoints"
)

// FPTT slot names: a checkpoint stores W̄ and λ of parameter P as the
// tensors optimizer/P.fptt_mean and optimizer/P.fptt_lambda, and the class prior as
// fpttPriorTensor.
const (
	slotFPTTMean    = "fptt_mean"
	slotFPTTLambda  = "fptt_lambda"
	fpttPriorTensor = checkpoints.OptimizerPrefix + "fptt.class_prior"
)

// FPTTState is the FPTT trainer's part of a run's state: W̄ and λ of every
// parameter as Slots named fptt_mean and fptt_lambda, and, once the
// progressive cross-entropy loss has run, sFPTT's class prior: Prior is
// [Classes][Windows][Classes], stored in checkpoints as the tensor
// optimizer/fptt.class_prior of shape [Classes·Windows, Classes]. Classes and
// Windows travel in the optimizer metadata; Slots and Prior as tensors.
type FPTTState struct {
	Classes int       `json:"classes,omitempty"`
	Windows int       `json:"windows,omitempty"`
	Slots   []Slot    `json:"-"`
	Prior   []float32 `json:"-"`
}

// state returns a deep copy of f's state, the tensors named after params.
func (f *fpttRun) state(params []*autodiff.Param[float32]) *FPTTState {
	st := &FPTTState{Classes: f.prior.classes, Windows: f.prior.windows, Prior: append([]float32(nil), f.prior.p...)}
	for j, buf := range [][][]float32{f.dyn.Mean, f.dyn.Lambda} {
		name := []string{slotFPTTMean, slotFPTTLambda}[j]
		for i, p := range params {
			v := autodiff.NewTensor[float32](p.Value.Rows, p.Value.Cols)
			copy(v.Data, buf[i])
			st.Slots = append(st.Slots, Slot{Name: name, Param: p.Name, Value: v})
		}
	}
	return st
}

// setState replaces f's state by a copy of st, which must hold both slots
// for every parameter with its shape, and a prior of the size it states.
func (f *fpttRun) setState(params []*autodiff.Param[float32], st *FPTTState) error {
	index := make(map[string]int, len(params))
	for i, p := range params {
		index[p.Name] = i
	}
	d := Dynamic{Mean: make([][]float32, len(params)), Lambda: make([][]float32, len(params))}
	for _, sl := range st.Slots {
		var dst [][]float32
		switch sl.Name {
		case slotFPTTMean:
			dst = d.Mean
		case slotFPTTLambda:
			dst = d.Lambda
		default:
			return fmt.Errorf("fptt slot %s: unknown slot %q (want %s, %s)", sl.Key(), sl.Name, slotFPTTMean, slotFPTTLambda)
		}
		i, ok := index[sl.Param]
		if !ok {
			return fmt.Errorf("fptt slot %s: no parameter %q in the model", sl.Key(), sl.Param)
		}
		if p := params[i]; !sl.Value.SameShape(p.Value) || len(sl.Value.Data) != p.Value.Len() {
			return fmt.Errorf("fptt slot %s: shape %v, parameter has %v", sl.Key(), sl.Value.Shape(), p.Value.Shape())
		}
		if dst[i] != nil {
			return fmt.Errorf("fptt slot %s appears twice", sl.Key())
		}
		dst[i] = append([]float32(nil), sl.Value.Data...)
	}
	for i, p := range params {
		if d.Mean[i] == nil || d.Lambda[i] == nil {
			return fmt.Errorf("fptt state of parameter %s is missing", p.Name)
		}
	}
	var prior classPrior
	if st.Classes != 0 || st.Windows != 0 || len(st.Prior) != 0 {
		n, ok := priorLen(st.Classes, st.Windows)
		if !ok || n != len(st.Prior) {
			return fmt.Errorf("fptt class prior: %d values for %d classes and %d windows", len(st.Prior), st.Classes, st.Windows)
		}
		prior = classPrior{classes: st.Classes, windows: st.Windows, p: append([]float32(nil), st.Prior...), filled: make([]bool, st.Classes)}
	}
	f.dyn, f.prior = d, prior
	return nil
}

// priorLen returns Classes·Windows·Classes, and false when a count is not
// positive or the product is implausibly large.
func priorLen(classes, windows int) (int, bool) {
	if classes < 1 || windows < 1 || classes > 1<<16 || windows > 1<<24 {
		return 0, false
	}
	n := classes * classes * windows
	return n, n <= 1<<30
}

// restoreFPTT installs the FPTT part of a resumed state; a run and its
// checkpoint must agree on the trainer.
func (l *loop) restoreFPTT(st *FPTTState) error {
	switch {
	case l.fptt == nil && st != nil:
		return errors.New("the state was trained with trainer fptt, the config's trainer is bptt")
	case l.fptt != nil && st == nil:
		return errors.New("the config's trainer is fptt, but the state has no FPTT running average and multipliers (trained with bptt?)")
	case st == nil:
		return nil
	}
	return l.fptt.setState(l.params, st)
}

// appendFPTTTensors appends st's slots (parameter shapes) and prior to ts.
func appendFPTTTensors(ts []checkpoints.Tensor, byName map[string]*autodiff.Param[float32], st *FPTTState) ([]checkpoints.Tensor, error) {
	for _, s := range st.Slots {
		p, ok := byName[s.Param]
		if !ok {
			return nil, fmt.Errorf("train: checkpoint: fptt slot %s has no parameter in the model", s.Key())
		}
		ts = append(ts, checkpoints.NewTensor(s.Key(), checkpoints.Shape(p), s.Value.Data))
	}
	if len(st.Prior) > 0 {
		ts = append(ts, checkpoints.NewTensor(fpttPriorTensor, []int{st.Classes * st.Windows, st.Classes}, st.Prior))
	}
	return ts, nil
}

// readFPTTTensors fills st's slots and prior from c.
func readFPTTTensors(c *checkpoints.Checkpoint, params []*autodiff.Param[float32], st *FPTTState) error {
	st.Slots = nil
	for _, name := range []string{slotFPTTMean, slotFPTTLambda} {
		for _, p := range params {
			s := Slot{Name: name, Param: p.Name, Value: autodiff.NewTensor[float32](p.Value.Rows, p.Value.Cols)}
			if err := checkpoints.CopyTensor(c, s.Key(), checkpoints.Shape(p), s.Value.Data); err != nil {
				return fmt.Errorf("fptt state: %w", err)
			}
			st.Slots = append(st.Slots, s)
		}
	}
	st.Prior = nil
	if st.Classes == 0 && st.Windows == 0 {
		return nil
	}
	n, ok := priorLen(st.Classes, st.Windows)
	t, found := c.Tensor(fpttPriorTensor)
	if !ok || !found || t.Len() != n {
		return fmt.Errorf("fptt state: class prior for %d classes and %d windows: tensor %s missing or of the wrong size", st.Classes, st.Windows, fpttPriorTensor)
	}
	st.Prior = make([]float32, n)
	return checkpoints.CopyTensor(c, fpttPriorTensor, []int{st.Classes * st.Windows, st.Classes}, st.Prior)
}
