package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/checkpoints"
)

// NewCheckpoint builds a checkpoint of the model's parameters and the run
// state st. meta supplies what only the caller knows (Model, Task and the
// full resolved Config JSON); Step, Metrics, RNG and Optimizer are filled
// from st. The optimizer's moment tensors are stored under Slot.Key with
// the parameter's checkpoint shape (checkpoints.Shape).
func NewCheckpoint(meta checkpoints.Meta, m Model, st State) (*checkpoints.Checkpoint, error) {
	params := m.Params()
	meta.Step, meta.Stage = st.Step, st.Stage
	meta.Metrics = checkpoints.Metrics{}
	for k, v := range st.Metrics {
		meta.Metrics[k] = v
	}
	meta.RNG = map[string][]byte{}
	for k, v := range st.RNG {
		meta.RNG[k] = append([]byte(nil), v...)
	}
	opt, err := json.Marshal(st.Optimizer)
	if err != nil {
		return nil, fmt.Errorf("train: checkpoint: optimizer state: %w", err)
	}
	meta.Optimizer = opt
	c := &checkpoints.Checkpoint{Meta: meta, Tensors: checkpoints.FromParams(params)}
	byName := make(map[string]*autodiff.Param[float32], len(params))
	for _, p := range params {
		byName[p.Name] = p
	}
	for _, s := range st.Optimizer.Slots {
		p, ok := byName[s.Param]
		if !ok {
			return nil, fmt.Errorf("train: checkpoint: optimizer slot %s has no parameter in the model", s.Key())
		}
		c.Tensors = append(c.Tensors, checkpoints.NewTensor(s.Key(), checkpoints.Shape(p), s.Value.Data))
	}
	if st.Optimizer.FPTT != nil {
		if c.Tensors, err = appendFPTTTensors(c.Tensors, byName, st.Optimizer.FPTT); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// RestoreState loads a checkpoint into m and returns the State to pass to
// Resume: it copies the parameters (checkpoints.RestoreParams: every
// parameter must be present with its name, shape and dtype, and the error
// lists every problem), then reads the optimizer state (kind and step count
// from the metadata, one moment tensor per slot and parameter), the random
// streams and the curriculum stage, and for FPTT runs W̄, λ and the class
// prior. On any error m is left unchanged.
// Resume checks the optimizer kind against its config.
func RestoreState(c *checkpoints.Checkpoint, m Model) (State, error) {
	where := "checkpoint"
	if c.Path != "" {
		where = "checkpoint " + c.Path
	}
	params := m.Params()
	st := State{Step: c.Meta.Step, Stage: c.Meta.Stage, RNG: c.Meta.RNG, Metrics: map[string]float64(c.Meta.Metrics)}
	if len(c.Meta.Optimizer) == 0 {
		return State{}, fmt.Errorf("train: %s has no optimizer state; it cannot be resumed", where)
	}
	if err := json.Unmarshal(c.Meta.Optimizer, &st.Optimizer); err != nil {
		return State{}, fmt.Errorf("train: %s: optimizer state: %w", where, err)
	}
	if st.Optimizer.Steps < 0 {
		return State{}, fmt.Errorf("train: %s: optimizer state has negative step count %d", where, st.Optimizer.Steps)
	}
	slots, err := slotNames(st.Optimizer.Kind, c, params)
	if err != nil {
		return State{}, fmt.Errorf("train: %s: %w", where, err)
	}
	if st.Optimizer.Steps == 0 && !anyTensor(c, slots, params) {
		// Saved before the first update (a run stopped at step 0): the
		// optimizer has no moments yet and starts afresh, as setState
		// does with a state of no steps and no slots.
		slots = nil
	}
	// Parameters first (their mismatches are the informative ones), with
	// the old values kept so that a bad optimizer section changes nothing.
	old := make([][]float32, len(params))
	for i, p := range params {
		old[i] = append([]float32(nil), p.Value.Data...)
	}
	if err := checkpoints.RestoreParams(c, params); err != nil {
		return State{}, fmt.Errorf("train: %w", err)
	}
	rollback := func() {
		for i, p := range params {
			copy(p.Value.Data, old[i])
		}
	}
	for _, name := range slots {
		for _, p := range params {
			s := Slot{Name: name, Param: p.Name, Value: autodiff.NewTensor[float32](p.Value.Rows, p.Value.Cols)}
			if err := checkpoints.CopyTensor(c, s.Key(), checkpoints.Shape(p), s.Value.Data); err != nil {
				rollback()
				return State{}, fmt.Errorf("train: optimizer state: %w", err)
			}
			st.Optimizer.Slots = append(st.Optimizer.Slots, s)
		}
	}
	if st.Optimizer.FPTT != nil {
		if err := readFPTTTensors(c, params, st.Optimizer.FPTT); err != nil {
			rollback()
			return State{}, fmt.Errorf("train: %w", err)
		}
	}
	if err := checkExtraTensors(c, m, st, where); err != nil {
		rollback()
		return State{}, err
	}
	return st, nil
}

// checkExtraTensors refuses a checkpoint holding tensors that the state
// restored from it would not write: optimizer state of another optimizer
// or of parameters the model lacks, which resuming would silently drop.
func checkExtraTensors(c *checkpoints.Checkpoint, m Model, st State, where string) error {
	again, err := NewCheckpoint(checkpoints.Meta{}, m, st)
	if err != nil {
		return fmt.Errorf("train: %s: %w", where, err)
	}
	want := make(map[string]bool, len(again.Tensors))
	for _, t := range again.Tensors {
		want[t.Name] = true
	}
	var extra []string
	for _, t := range c.Tensors {
		if !want[t.Name] {
			extra = append(extra, t.Name)
		}
	}
	if len(extra) > 0 {
		return fmt.Errorf("train: %s holds tensors that neither the model's parameters nor the %s optimizer's state account for: %s; it was written by another model or optimizer and cannot be resumed bit for bit",
			where, st.Optimizer.Kind, strings.Join(extra, ", "))
	}
	return nil
}

// slotNames returns the optimizer slots present in c for an optimizer of
// kind: Adam and AdamW keep exp_avg and exp_avg_sq, Adamax exp_avg and
// exp_inf, SGD momentum_buffer when it uses momentum (present in c) and
// nothing otherwise.
func slotNames(kind OptimizerKind, c *checkpoints.Checkpoint, params []*autodiff.Param[float32]) ([]string, error) {
	switch kind {
	case OptAdam, OptAdamW:
		return []string{"exp_avg", "exp_avg_sq"}, nil
	case OptAdamax:
		return []string{"exp_avg", "exp_inf"}, nil
	case OptSGD:
		for _, p := range params {
			if _, ok := c.Tensor(checkpoints.OptimizerTensorName(p.Name, "momentum_buffer")); ok {
				return []string{"momentum_buffer"}, nil
			}
		}
		return nil, nil
	}
	return nil, errors.New("optimizer state: unknown optimizer kind")
}

// anyTensor reports whether c holds the optimizer tensor of any of slots
// for any of params.
func anyTensor(c *checkpoints.Checkpoint, slots []string, params []*autodiff.Param[float32]) bool {
	for _, name := range slots {
		for _, p := range params {
			if _, ok := c.Tensor(checkpoints.OptimizerTensorName(p.Name, name)); ok {
				return true
			}
		}
	}
	return false
}

// Checkpointer is an Observer that saves the run into Dir through
// checkpoints.SaveRun (Dir/checkpoint.safetensors is the latest, earlier ones
// under Dir/checkpoints, Keep of them kept): every Every updates (0: only at
// the end) and when the run ends without error, including on interruption.
// With KeepBest it also keeps the checkpoint of the best held-out
// evaluation in Dir/best.safetensors (Best; one an earlier process kept
// there counts when its step is not past the step this process resumed
// from, the one before its first update, and is refused, whatever its
// step, when of another task or seed than Meta's: ResumeBest).
// It never saves after divergence, nor a state holding a NaN or infinity
// (CheckFinite), so the last good checkpoint stays untouched. Meta is the template NewCheckpoint completes (Model, Task,
// Config).
type Checkpointer struct {
	Dir   string
	Every int // save every so many updates; 0 saves only at the end
	Keep  int // step files kept (checkpoints.SaveRun); ≤ 0 keeps all
	Model Model
	Meta  checkpoints.Meta
	// Saved, if set, is called with the path of every step file written.
	Saved func(path string, step int)
	// KeepBest keeps Dir/best.safetensors (Config.KeepBest is the run
	// config's key for it; the Checkpointer does not read the config).
	KeepBest bool

	last int // step of the last save
	best *Best
}

// OnStep implements Observer.
func (c *Checkpointer) OnStep(s Step) error {
	if c.KeepBest && c.best == nil {
		// At the process's first update: the run resumed from the step
		// before it.
		b, err := ResumeBest(c.Dir, s.Step-1, c.Model, c.Meta)
		if err != nil {
			return err
		}
		c.best = b
	}
	if c.KeepBest && s.Eval != nil {
		if err := c.keepBest(s); err != nil {
			return err
		}
	}
	if c.Every <= 0 || s.Step%c.Every != 0 {
		return nil
	}
	return c.save(s.State())
}

// keepBest keeps the checkpoint of s when its evaluation is the best yet.
func (c *Checkpointer) keepBest(s Step) error {
	if !c.best.Improves(s.Eval) {
		return nil
	}
	cp, err := NewCheckpoint(c.Meta, c.Model, s.State())
	if err != nil {
		return err
	}
	if err := CheckFinite(cp); err != nil {
		return err
	}
	return c.best.Keep(cp, s.Eval)
}

// OnEnd implements Observer.
func (c *Checkpointer) OnEnd(sum Summary) error {
	if sum.Steps == 0 || sum.Steps == c.last {
		return nil
	}
	return c.save(sum.State)
}

func (c *Checkpointer) save(st State) error {
	cp, err := NewCheckpoint(c.Meta, c.Model, st)
	if err != nil {
		return err
	}
	if err := CheckFinite(cp); err != nil {
		return err
	}
	path, err := checkpoints.SaveRun(c.Dir, cp, c.Keep)
	if err != nil {
		return fmt.Errorf("train: save checkpoint at step %d: %w", st.Step, err)
	}
	c.last = st.Step
	if c.Saved != nil {
		c.Saved(path, st.Step)
	}
	return nil
}
