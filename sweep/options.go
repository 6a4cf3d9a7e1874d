package sweep

import (
	"encoding"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Mode says how a spec's points are chosen.
type Mode int

const (
	// Grid runs every combination of the axes' values.
	Grid Mode = iota
	// Random runs Options.Samples distinct grid points drawn with
	// Options.Seed.
	Random
)

func (m Mode) String() string {
	if m == Random {
		return "random"
	}
	return "grid"
}

// MarshalText implements encoding.TextMarshaler.
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler: grid or random.
func (m *Mode) UnmarshalText(b []byte) error {
	switch string(b) {
	case "grid":
		*m = Grid
	case "random":
		*m = Random
	default:
		return fmt.Errorf("unknown mode %q: want grid or random", b)
	}
	return nil
}

// Executor says where a sweep's points run.
type Executor int

const (
	// Local runs the points as child processes on this machine.
	Local Executor = iota
	// Slurm submits the points as one Slurm job array.
	Slurm
)

func (e Executor) String() string {
	if e == Slurm {
		return "slurm"
	}
	return "local"
}

// MarshalText implements encoding.TextMarshaler.
func (e Executor) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler: local or slurm.
func (e *Executor) UnmarshalText(b []byte) error {
	switch string(b) {
	case "local":
		*e = Local
	case "slurm":
		*e = Slurm
	default:
		return fmt.Errorf("unknown executor %q: want local or slurm", b)
	}
	return nil
}

// Options are a spec's [sweep] table: how points are chosen and how they
// run. They do not change the points' configs, so a sweep may be resumed
// with other Options.
type Options struct {
	Mode    Mode     `json:"mode"`
	Samples int      `json:"samples"`
	Seed    uint64   `json:"seed"`
	Exec    Executor `json:"executor"`
	// Jobs is the number of points the local executor runs at once; 0:
	// the machine's cores divided by CPUsPerTask, at least 1.
	Jobs int `json:"jobs"`
	// CPUsPerTask is each run's GOMAXPROCS, and Slurm's --cpus-per-task.
	CPUsPerTask int    `json:"cpus_per_task"`
	Partition   string `json:"partition"`
	Time        string `json:"time"`
	Mem         string `json:"mem"`
	// ArrayLimit is the job array's concurrency limit (--array=…%limit);
	// 0: none.
	ArrayLimit int `json:"array_limit"`
	// Output is each array task's output file, relative to the sweep
	// directory unless absolute (%A: array job id, %a: task index).
	Output  string `json:"output"`
	JobName string `json:"job_name"`
	// Requeue lets Slurm requeue a task (--requeue) and makes a task
	// warned of its time limit requeue itself after saving its checkpoint.
	Requeue bool `json:"requeue"`
	// SignalS is how many seconds before its time limit a task receives
	// SIGUSR1 (--signal=B:USR1@SignalS), on which it saves and stops.
	SignalS int `json:"signal_s"`
	// Sbatch is the sbatch command; squeue, sacct and scontrol are looked
	// for beside it.
	Sbatch string `json:"sbatch"`
}

// DefaultOptions returns the documented defaults.
func DefaultOptions() Options {
	return Options{
		Seed: 1, CPUsPerTask: 1, Output: "logs/slurm-%A_%a.out", JobName: "rnntrain-sweep",
		Requeue: true, SignalS: 60, Sbatch: "sbatch",
	}
}

// OptionKey is one key of the [sweep] table.
type OptionKey struct {
	Key   string // the [sweep] key; the flag is the key with - for _
	Usage string
	ptr   func(o *Options) any
}

// OptionKeys lists the [sweep] keys in a stable order.
func OptionKeys() []OptionKey {
	return []OptionKey{
		{"mode", "how points are chosen: grid (every combination) or random (samples grid points drawn with seed)", func(o *Options) any { return &o.Mode }},
		{"samples", "random mode: number of distinct grid points to draw", func(o *Options) any { return &o.Samples }},
		{"seed", "random mode: seed of the draw", func(o *Options) any { return &o.Seed }},
		{"executor", "where points run: local (child processes) or slurm (a job array submitted with sbatch)", func(o *Options) any { return &o.Exec }},
		{"jobs", "local: points run at once (0 = cores / cpus_per_task, at least 1)", func(o *Options) any { return &o.Jobs }},
		{"cpus_per_task", "CPUs of each run: its GOMAXPROCS, and slurm's --cpus-per-task", func(o *Options) any { return &o.CPUsPerTask }},
		{"partition", "slurm: --partition (empty: the cluster's default)", func(o *Options) any { return &o.Partition }},
		{"time", "slurm: --time limit of each task, e.g. 00:30:00 (empty: the partition's)", func(o *Options) any { return &o.Time }},
		{"mem", "slurm: --mem of each task, e.g. 2G (empty: the partition's)", func(o *Options) any { return &o.Mem }},
		{"array_limit", "slurm: at most this many array tasks run at once (--array=…%limit; 0 = no limit)", func(o *Options) any { return &o.ArrayLimit }},
		{"output", "slurm: output file of each task, relative to the sweep directory (%A array job, %a index)", func(o *Options) any { return &o.Output }},
		{"job_name", "slurm: --job-name", func(o *Options) any { return &o.JobName }},
		{"requeue", "slurm: --requeue, and a task warned of its time limit (SIGUSR1) requeues itself after saving", func(o *Options) any { return &o.Requeue }},
		{"signal_s", "slurm: SIGUSR1 this many seconds before the time limit (--signal=B:USR1@N): the run saves and stops", func(o *Options) any { return &o.SignalS }},
		{"sbatch", "slurm: the sbatch command (squeue, sacct, scontrol are looked for beside it)", func(o *Options) any { return &o.Sbatch }},
	}
}

// Set sets the [sweep] key to v: a decoded TOML value (string, int64,
// bool) or the text of a flag.
func (o *Options) Set(key string, v any) error {
	for _, k := range OptionKeys() {
		if k.Key == key {
			if err := set(k.ptr(o), v); err != nil {
				return fmt.Errorf("sweep.%s: %w", key, err)
			}
			return nil
		}
	}
	var names []string
	for _, k := range OptionKeys() {
		names = append(names, k.Key)
	}
	return fmt.Errorf("sweep: unknown key %q; the keys are %s", key, strings.Join(names, ", "))
}

// Get returns the [sweep] key's value as text.
func (o *Options) Get(key string) string {
	for _, k := range OptionKeys() {
		if k.Key == key {
			switch p := k.ptr(o).(type) {
			case *int:
				return strconv.Itoa(*p)
			case *uint64:
				return strconv.FormatUint(*p, 10)
			case *bool:
				return strconv.FormatBool(*p)
			case *string:
				return *p
			case fmt.Stringer:
				return p.String()
			}
		}
	}
	return ""
}

// set stores v in the pointer p.
func set(p any, v any) error {
	text, isText := v.(string)
	switch p := p.(type) {
	case *int:
		n, ok := v.(int64)
		if isText {
			x, err := strconv.ParseInt(text, 10, 32)
			n, ok = x, err == nil
		}
		if !ok || n < 0 || n > 1<<30 {
			return fmt.Errorf("%v: want a whole number ≥ 0", v)
		}
		*p = int(n)
	case *uint64:
		n, ok := v.(int64)
		if isText {
			x, err := strconv.ParseUint(text, 10, 64)
			*p, ok = x, err == nil
			if ok {
				return nil
			}
		}
		if !ok || n < 0 {
			return fmt.Errorf("%v: want a whole number ≥ 0", v)
		}
		*p = uint64(n)
	case *bool:
		b, ok := v.(bool)
		if isText {
			x, err := strconv.ParseBool(text)
			b, ok = x, err == nil
		}
		if !ok {
			return fmt.Errorf("%v: want true or false", v)
		}
		*p = b
	case *string:
		if !isText {
			return fmt.Errorf("%v: want a string", v)
		}
		if strings.ContainsAny(text, "\n\r\x00") {
			return fmt.Errorf("%q: a line break or NUL is not allowed", text)
		}
		*p = text
	case encoding.TextUnmarshaler:
		if !isText {
			return fmt.Errorf("%v: want a string", v)
		}
		return p.UnmarshalText([]byte(text))
	default:
		panic(fmt.Sprintf("sweep: option of type %T", p))
	}
	return nil
}

// decode sets every key of the [sweep] table, in key order.
func (o *Options) decode(t map[string]any) error {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := o.Set(k, t[k]); err != nil {
			return err
		}
	}
	return nil
}

// validate checks the settings that depend on each other.
func (o *Options) validate() error {
	switch {
	case o.Mode == Random && o.Samples < 1:
		return fmt.Errorf("sweep.samples = %d: random mode draws samples ≥ 1 points", o.Samples)
	case o.Mode == Grid && o.Samples != 0:
		return fmt.Errorf("sweep.samples = %d: only random mode draws samples (mode = \"random\")", o.Samples)
	case o.CPUsPerTask < 1:
		return fmt.Errorf("sweep.cpus_per_task = %d: want ≥ 1", o.CPUsPerTask)
	case o.Sbatch == "":
		return fmt.Errorf("sweep.sbatch: empty command")
	case o.Output == "":
		return fmt.Errorf("sweep.output: empty path")
	}
	return nil
}

// Validate checks options changed after Parse (by flags).
func (o *Options) Validate() error { return o.validate() }
