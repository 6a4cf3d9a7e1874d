package sweep

import (
	"encoding"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rnntrain/rnntrain/internal/enum"
	"github.com/rnntrain/rnntrain/internal/spell"
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

// modeNames lists the modes' text forms, indexed by Mode.
func modeNames() []string { return []string{Grid: "grid", Random: "random"} }

// String returns the mode's text form, or Mode(i) for a value that is none
// of the constants.
func (m Mode) String() string { return enum.Name(modeNames(), int(m), "Mode") }

// MarshalText implements encoding.TextMarshaler. It returns an error for a
// value that is none of the constants.
func (m Mode) MarshalText() ([]byte, error) { return enum.Text("sweep", modeNames(), int(m), "mode") }

// UnmarshalText implements encoding.TextUnmarshaler: grid or random.
func (m *Mode) UnmarshalText(b []byte) error {
	switch string(b) {
	case "grid":
		*m = Grid
	case "random":
		*m = Random
	default:
		return fmt.Errorf("unknown mode %q: want grid or random%s", b, enum.Hint(string(b), []string{"grid", "random"}))
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

// executorNames lists the executors' text forms, indexed by Executor.
func executorNames() []string { return []string{Local: "local", Slurm: "slurm"} }

// String returns the executor's text form, or Executor(i) for a value that
// is none of the constants.
func (e Executor) String() string { return enum.Name(executorNames(), int(e), "Executor") }

// MarshalText implements encoding.TextMarshaler. It returns an error for a
// value that is none of the constants.
func (e Executor) MarshalText() ([]byte, error) {
	return enum.Text("sweep", executorNames(), int(e), "executor")
}

// UnmarshalText implements encoding.TextUnmarshaler: local or slurm.
func (e *Executor) UnmarshalText(b []byte) error {
	switch string(b) {
	case "local":
		*e = Local
	case "slurm":
		*e = Slurm
	default:
		return fmt.Errorf("unknown executor %q: want local or slurm%s", b, enum.Hint(string(b), []string{"local", "slurm"}))
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
		{"cpus_per_task", "CPUs of each run (1 to 1024): its GOMAXPROCS, and slurm's --cpus-per-task", func(o *Options) any { return &o.CPUsPerTask }},
		{"partition", "slurm: --partition: " + partitionForm + " (empty: the cluster's default)", func(o *Options) any { return &o.Partition }},
		{"time", "slurm: --time limit of each task: " + timeForms + ", e.g. 00:30:00 (0: none; empty: the partition's)", func(o *Options) any { return &o.Time }},
		{"mem", "slurm: --mem of each task: " + memForms + ", e.g. 2G (0: all of a node's; empty: the partition's)", func(o *Options) any { return &o.Mem }},
		{"array_limit", "slurm: at most this many array tasks run at once (--array=…%limit; 0 = no limit)", func(o *Options) any { return &o.ArrayLimit }},
		{"output", "slurm: output file of each task, relative to the sweep directory (%A array job, %a index): " + pathForm, func(o *Options) any { return &o.Output }},
		{"job_name", "slurm: --job-name: " + jobNameForm, func(o *Options) any { return &o.JobName }},
		{"requeue", "slurm: --requeue, and a task warned of its time limit (SIGUSR1) requeues itself after saving", func(o *Options) any { return &o.Requeue }},
		{"signal_s", "slurm: SIGUSR1 this many seconds (0 to 65535) before the time limit (--signal=B:USR1@N): the run saves and stops", func(o *Options) any { return &o.SignalS }},
		{"sbatch", "slurm: the sbatch command (squeue, sacct, scontrol are looked for beside it; a path relative to the current directory is recorded absolute)", func(o *Options) any { return &o.Sbatch }},
	}
}

// Set sets the [sweep] key to v: a decoded TOML value (string, int64,
// bool) or the text of a flag.
func (o *Options) Set(key string, v any) error {
	for _, k := range OptionKeys() {
		if k.Key == key {
			err := set(k.ptr(o), v)
			if err == nil {
				err = o.checkSlurm(key)
			}
			if err != nil {
				return fmt.Errorf("sweep.%s: %w", key, err)
			}
			return nil
		}
	}
	var names []string
	for _, k := range OptionKeys() {
		names = append(names, k.Key)
	}
	hint := spell.Hint(key, names, strconv.Quote)
	if hint != "" {
		hint = "; " + hint
	}
	return fmt.Errorf("sweep: unknown key %q%s; the keys are %s", key, hint, strings.Join(names, ", "))
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

// maxOption bounds a [sweep] key of whole numbers (jobs, samples, ...):
// far above any a sweep needs, and within an int32.
const maxOption = 1 << 30

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
		if !ok || n < 0 || n > maxOption {
			return fmt.Errorf("%v: want a whole number from 0 to %d", v, maxOption)
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

// validate checks the settings that depend on each other, and the Slurm
// values (which a resumed sweep's record holds without Set having seen
// them).
func (o *Options) validate() error {
	for _, k := range []string{"partition", "time", "mem", "job_name", "output", "cpus_per_task", "signal_s"} {
		if err := o.checkSlurm(k); err != nil {
			return fmt.Errorf("sweep.%s: %w", k, err)
		}
	}
	switch {
	case o.Mode < 0 || int(o.Mode) >= len(modeNames()):
		return fmt.Errorf("sweep.mode = %d: want grid or random", int(o.Mode))
	case o.Exec < 0 || int(o.Exec) >= len(executorNames()):
		return fmt.Errorf("sweep.executor = %d: want local or slurm", int(o.Exec))
	case o.Mode == Random && o.Samples < 1:
		return fmt.Errorf("sweep.samples = %d: random mode draws samples ≥ 1 points", o.Samples)
	case o.Mode == Grid && o.Samples != 0:
		return fmt.Errorf("sweep.samples = %d: only random mode draws samples (mode = \"random\")", o.Samples)
	case o.Sbatch == "":
		return fmt.Errorf("sweep.sbatch: empty command")
	}
	return nil
}

// Validate checks options changed after Parse (by flags).
func (o *Options) Validate() error { return o.validate() }

// The forms of the Slurm values, as the errors and the usage give them.
const (
	timeForms   = "minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS, at most 365 days"
	memForms    = "a whole number of megabytes, or with a K, M, G or T suffix, at most 1024T"
	jobNameForm = "1 to 128 of the characters A-Z a-z 0-9 . _ -"
	// partitionForm: Slurm's partition names, one or a list sbatch tries
	// in turn.
	partitionForm = "a partition name of 1 to 128 of A-Z a-z 0-9 . _ -, or a comma-separated list of them of at most 1024 characters"
	// pathForm: the script quotes a path for sbatch (spaces, quotes, $
	// and # are fine), but sbatch reads a backslash in --output as
	// turning its %A and %a off, and a line break would end the line.
	pathForm = "a path without backslashes or control characters"
)

// Bounds of the Slurm values: far above any cluster's, low enough that no
// value overflows or reaches sbatch as nonsense.
const (
	// maxCPUsPerTask bounds cpus_per_task, each run's GOMAXPROCS: above
	// any node's cores, below the Go runtime's 10 000 threads, at which a
	// run dies.
	maxCPUsPerTask = 1024
	// maxSignalS bounds signal_s: sbatch refuses a --signal time beyond
	// 65535 s ("Invalid --signal specification").
	maxSignalS   = 0xffff
	maxTimeS     = 365 * 24 * 3600
	maxMemKiB    = 1 << 40 // 1024T
	maxJobNameLn = 128
	// maxPartitionLn bounds a partition list, each of its names being
	// at most maxJobNameLn.
	maxPartitionLn = 1024
)

// checkSlurm checks the Slurm value of key (partition, time, mem,
// job_name, output, cpus_per_task, signal_s; other keys pass): each goes
// into the sbatch script, so only the forms sbatch reads are taken, and
// cpus_per_task is each run's GOMAXPROCS too. Empty partition, time and
// mem leave them to the cluster.
func (o *Options) checkSlurm(key string) error {
	switch key {
	case "signal_s":
		if o.SignalS > maxSignalS {
			return fmt.Errorf("%d: want a whole number of seconds from 0 to %d, sbatch's limit", o.SignalS, maxSignalS)
		}
	case "cpus_per_task":
		if o.CPUsPerTask < 1 || o.CPUsPerTask > maxCPUsPerTask {
			return fmt.Errorf("%d: want a whole number from 1 to %d", o.CPUsPerTask, maxCPUsPerTask)
		}
	case "partition":
		if len(o.Partition) > maxPartitionLn {
			return fmt.Errorf("%d characters: want %s", len(o.Partition), partitionForm)
		}
		if o.Partition != "" && !validPartition(o.Partition) {
			return fmt.Errorf("%s: want %s (e.g. debug, gpu,cpu)", quoteShort(o.Partition), partitionForm)
		}
	case "output":
		if o.Output == "" {
			return fmt.Errorf("empty path")
		}
		if !validPath(o.Output) {
			return fmt.Errorf("%s: want %s", quoteShort(o.Output), pathForm)
		}
	case "time":
		if o.Time != "" && !validTime(o.Time) {
			return fmt.Errorf("%s: want %s (e.g. 90, 1:30:00, 2-00:00:00)", quoteShort(o.Time), timeForms)
		}
	case "mem":
		if o.Mem != "" && !validMem(o.Mem) {
			return fmt.Errorf("%s: want %s (e.g. 500M, 2G)", quoteShort(o.Mem), memForms)
		}
	case "job_name":
		if !validJobName(o.JobName) {
			return fmt.Errorf("%s: want %s", quoteShort(o.JobName), jobNameForm)
		}
	}
	return nil
}

// quoteShort quotes s for an error message, at most its first 40 bytes
// (on a rune boundary) followed by its length when it is longer.
func quoteShort(s string) string {
	const keep = 40
	if len(s) <= keep {
		return strconv.Quote(s)
	}
	cut := keep
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(s[:cut]), len(s))
}

// validTime reports whether s is a Slurm time limit of at most maxTimeS:
// minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS, the first field
// of any size, the others below 60 (hours after days below 24).
func validTime(s string) bool {
	days, rest, hasDays := strings.Cut(s, "-")
	if !hasDays {
		rest, days = s, "0"
	}
	d, ok := decimal(days)
	f := strings.Split(rest, ":")
	if !ok || len(f) > 3 {
		return false
	}
	n := make([]int64, len(f))
	for i, x := range f {
		if n[i], ok = decimal(x); !ok || (i > 0 && n[i] > 59) {
			return false
		}
	}
	var secs int64
	switch {
	case hasDays: // D-HH[:MM[:SS]]
		if n[0] > 23 {
			return false
		}
		secs = d*86400 + n[0]*3600
		if len(n) > 1 {
			secs += n[1] * 60
		}
		if len(n) > 2 {
			secs += n[2]
		}
	case len(n) == 1: // minutes
		secs = n[0] * 60
	case len(n) == 2: // MM:SS
		secs = n[0]*60 + n[1]
	default: // HH:MM:SS
		secs = n[0]*3600 + n[1]*60 + n[2]
	}
	return secs <= maxTimeS
}

// validMem reports whether s is a Slurm memory size of at most maxMemKiB:
// a whole number of megabytes, or with a K, M, G or T suffix (either
// case).
func validMem(s string) bool {
	unit := int64(1 << 10) // megabytes, sbatch's default
	if i := len(s) - 1; i > 0 {
		switch s[i] {
		case 'K', 'k':
			unit, s = 1, s[:i]
		case 'M', 'm':
			unit, s = 1<<10, s[:i]
		case 'G', 'g':
			unit, s = 1<<20, s[:i]
		case 'T', 't':
			unit, s = 1<<30, s[:i]
		}
	}
	n, ok := decimal(s)
	return ok && n <= maxMemKiB/unit
}

// validPartition reports whether s is one or more comma-separated names,
// each 1 to maxJobNameLn of A-Z a-z 0-9 . _ -, and at most maxPartitionLn
// in all.
func validPartition(s string) bool {
	if len(s) > maxPartitionLn {
		return false
	}
	for name := range strings.SplitSeq(s, ",") {
		if !validJobName(name) {
			return false
		}
	}
	return true
}

// validJobName reports whether s is 1 to maxJobNameLn of A-Z a-z 0-9 . _ -.
func validJobName(s string) bool { return len(s) <= maxJobNameLn && validName(s) }

// validName reports whether s is one or more of A-Z a-z 0-9 . _ -.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validPath reports whether the path s can go into the sbatch script:
// neither a backslash nor a control character (below 0x20, or DEL) in it.
func validPath(s string) bool {
	for _, c := range []byte(s) {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// decimal parses s, 1 to 12 ASCII digits (no sign, no space), so that
// it cannot overflow.
func decimal(s string) (int64, bool) {
	if s == "" || len(s) > 12 {
		return 0, false
	}
	var n int64
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
