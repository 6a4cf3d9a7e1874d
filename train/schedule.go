package train

import (
	"fmt"
	"math"
)

// ScheduleKind selects the shape of the learning-rate schedule.
type ScheduleKind int

const (
	// Constant keeps the base learning rate.
	Constant ScheduleKind = iota
	// StepDecay multiplies the rate by Gamma every StepSize steps
	// (torch.optim.lr_scheduler.StepLR): lr·γ^⌊t/StepSize⌋.
	StepDecay
	// Cosine anneals from the base rate to MinLR over the run
	// (torch.optim.lr_scheduler.CosineAnnealingLR with T_max = the
	// steps after warm-up): MinLR + (lr − MinLR)(1 + cos(π t/T))/2.
	Cosine
)

// scheduleNames lists the schedules' names, indexed by kind.
func scheduleNames() []string {
	return []string{Constant: "constant", StepDecay: "step", Cosine: "cosine"}
}

func (k ScheduleKind) String() string { return enumName(scheduleNames(), int(k), "ScheduleKind") }

// ParseScheduleKind returns the schedule named s (constant, step, cosine).
func ParseScheduleKind(s string) (ScheduleKind, error) {
	i, err := enumParse(scheduleNames(), s, "learning-rate schedule")
	return ScheduleKind(i), err
}

// MarshalText implements encoding.TextMarshaler.
func (k ScheduleKind) MarshalText() ([]byte, error) {
	return enumText(scheduleNames(), int(k), "schedule kind")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *ScheduleKind) UnmarshalText(b []byte) error {
	v, err := ParseScheduleKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Schedule is a learning-rate schedule: an optional linear warm-up followed
// by a constant, step-decay or cosine shape. The zero value is a constant
// rate.
//
// Warm-up: during the first Warmup updates (t = 0 … Warmup−1) the rate is
// lr·(t+1)/Warmup, reaching lr at update Warmup−1. The shape then runs on
// the remaining updates, with its own clock t − Warmup, so that a cosine
// still ends at MinLR after the last update.
type Schedule struct {
	Kind     ScheduleKind `json:"kind"`
	Warmup   int          `json:"warmup_steps"`
	StepSize int          `json:"step_size"` // StepDecay: steps between decays
	Gamma    float64      `json:"gamma"`     // StepDecay: factor per decay; 0 means PyTorch's 0.1
	MinLR    float64      `json:"min_lr"`    // Cosine: final rate (PyTorch's eta_min, default 0)
}

// Validate reports the first invalid field, named by its JSON path.
func (s Schedule) Validate() error {
	switch {
	case s.Kind < 0 || int(s.Kind) >= len(scheduleNames()):
		return fmt.Errorf("schedule.kind: invalid value %d", int(s.Kind))
	case s.Warmup < 0:
		return fmt.Errorf("schedule.warmup_steps: %d is negative", s.Warmup)
	case s.Kind == StepDecay && s.StepSize <= 0:
		return fmt.Errorf("schedule.step_size: must be positive for the step schedule, got %d", s.StepSize)
	case s.Gamma < 0:
		return fmt.Errorf("schedule.gamma: %g is negative", s.Gamma)
	case s.MinLR < 0:
		return fmt.Errorf("schedule.min_lr: %g is negative", s.MinLR)
	}
	return nil
}

// LR returns the learning rate of update t (0-based) of a run of total
// updates with base rate lr. It depends on t only, so a resumed run
// continues the same sequence.
func (s Schedule) LR(lr float64, t, total int) float64 {
	if t < s.Warmup {
		return lr * float64(t+1) / float64(s.Warmup)
	}
	t -= s.Warmup
	span := total - s.Warmup
	switch s.Kind {
	case StepDecay:
		g := s.Gamma
		if g == 0 {
			g = 0.1
		}
		return lr * math.Pow(g, float64(t/s.StepSize))
	case Cosine:
		if span <= 0 {
			return lr
		}
		frac := min(float64(t)/float64(span), 1)
		return s.MinLR + (lr-s.MinLR)*(1+math.Cos(math.Pi*frac))/2
	}
	return lr
}
