package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rnntrain/rnntrain/internal/files"
	"github.com/rnntrain/rnntrain/sweep"
)

const sweepLong = `
Sweep trains many networks from one spec: a base run config and axes of
values for config keys, e.g. ranks 1 to 3 × 4 seeds, one run directory per
point, run as local processes or as a Slurm job array.

The spec (TOML):

	[base]                 # a run config in the config-file layout
	seed = 1
	[base.task]
	name = "context-dm"
	[base.model]
	kind = "lowrank"
	hidden = 128
	[base.train]
	steps = 500

	[axes]                 # dotted config keys ('rnntrain help config')
	"model.rank" = [1, 2, 3]
	seed = [1, 2, 3, 4]

	[sweep]                # the keys below; each is also a flag
	mode = "grid"
	executor = "local"

Every combination of the axes' values is a point (mode grid; the last axis
varies fastest), or samples distinct combinations drawn with seed (mode
random). A key that does not exist, or a value a key does not take, is an
error naming it (exit status 2), before anything runs; so is an axis whose
key has no effect in a point (encoding_gain without the poisson encoding:
every value would train the same network), two points whose values
differ only as written (a surrogate by two of its names: one network),
a base model.inputs, outputs or dt_ms, which the task sets, task
settings the point's task cannot be built from (a stimulus_ms shorter
than one step), a curriculum stage whose task has other inputs, outputs
or dt than the point's task, and a task.eval_settings of another dt_ms
or that the final task cannot be built with (for tasks that read no data
file; a dataset task's settings and stages are checked by the point's
own run, which reads the file). A model.kind axis gives each point the
base's model keys its model has (a lif base's tau_mem_ms reaches the
alif points, not the ltc ones).

The sweep directory (-out DIR):

	sweep.toml      the spec, as given
	points.csv      index, run directory and axis values of every point
	sweep.json      the digest of the points' configs, the options and the
	                Slurm jobs submitted
	sweep.sbatch    the job-array script of the last Slurm submission
	logs/           p0003.log (local) or slurm-<job>_<index>.out (slurm)
	runs/p0003-model.rank=2-seed=3/
	                a training run (see 'rnntrain help train'), plus
	                point.json (the point's config, written before launch)
	                and attempts.jsonl (start and end of each process)
	collect.csv, collect.md, collect-<metric>-<axis>.png   from -collect

Running a sweep again into the same DIR with the same spec runs only what is
not done: finished points are skipped, stopped and killed ones resume from
their checkpoint, failed and pending ones start. A spec whose points differ is
refused (exit 2) unless -force, which restarts the points whose config
changed; a run directory of another name that holds a point's config (a
sweep grown by an axis value numbers its points anew) is renamed to the
point's, not run again. -resume DIR does the same from DIR's own spec.
A sweep whose spec this build resolves to other point configs than it
ran with (a default changed) is refused by -resume without -force, and
read by -status and -collect with a note; so is one whose spec this build
refuses, whose runs they read as its axes name them.

Executors. local (default) runs 'rnntrain sweep -run-point DIR INDEX' as
child processes of this binary, -jobs at a time (default: the cores
divided by -cpus-per-task), each with GOMAXPROCS = -cpus-per-task and its
output in logs/; SIGINT or SIGTERM is passed on to the running points,
which save their checkpoints, and the sweep exits 130 or 75. slurm writes
sweep.sbatch, a job array (--array with -array-limit, --signal=B:USR1@60,
--requeue, -partition, -time, -mem, -cpus-per-task, -output) whose tasks
run the same -run-point, and submits it with -sbatch; -wait waits for it.
partition, time, mem and job_name (and their flags) take only the forms
sbatch reads, given with the flags below; anything else is refused naming
the key. The output path is quoted; a backslash or a control character in
it or in DIR is refused.
The binary and DIR must be reachable from the compute nodes. A task warned
of its time limit (SIGUSR1, -signal-s seconds before it: --signal=B:USR1@60)
saves its checkpoint, exits 75 and, with -requeue (default), requeues
itself, resuming when it runs again. A task stopped by SIGTERM (preemption,
scancel --batch --signal=TERM) saves and exits 75 without requeueing; Slurm
requeues a preempted task (--requeue), and 'rnntrain sweep -resume DIR'
submits whatever is left. A plain scancel stays cancelled.

-status DIR prints each point's state (pending, queued, running, stopped,
killed, failed, done) from its run directory, and from squeue and sacct when
the sweep was submitted to Slurm and they answer. killed is a point whose
last process ended without recording its end (SIGKILL, out of memory, a
crashed node): its exit status shows as ?, and its wall time as that of its
other attempts +?. Under the table, each failed point's line gives the
error its run printed last (as the line that reports it when it ends, and
attempts.jsonl's "error"). -collect DIR prints and writes
one table (collect.csv, collect.md) of every point's axis values and final
metrics: the final evaluation's accuracy (with its standard error) and MSE
on the split it names, the last training loss, steps, weights_step (the
step of the weights scored, for points that kept their best held-out
evaluation, train.keep_best; only when some did), wall time and, when
some point failed, error (what its run printed last); and
plots -metric against the axis -x (mean ± standard error over the other
axes) in collect-<metric>-<axis>.png.

Exit status: 0 when every point is done or was submitted, and for -status
and -collect when the status or table was printed, failed points included;
1 when a run of the sweep failed, or a run directory's files could not be
read or hold what no run writes, such as an accuracy above 1 (a note
on stderr names the file; the point's metrics are left empty), 130 or 75
after SIGINT or SIGTERM (the running points saved), 2 for a bad spec or flag.
`

// sweepFlags are the sweep command's own flags.
type sweepFlags struct {
	out, resume, status, collect, runPoint string
	force, wait                            bool
	metric                                 sweep.Metric
	x                                      string
	opts                                   map[string]*keyFlagValue
}

func sweepCommand() *command {
	return &command{
		Saves: true,
		Name:  "sweep",
		Short: "train many networks from one spec (seeds, hyper-parameters, ranks), locally or as a Slurm job array",
		Usage: "SPEC.toml -out DIR [flags] | -resume DIR | -status DIR | -collect DIR | -run-point DIR INDEX",
		Long:  sweepLong,
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			f := &sweepFlags{opts: map[string]*keyFlagValue{}}
			fs.StringVar(&f.out, "out", "", "sweep directory (required to start a sweep)")
			fs.StringVar(&f.resume, "resume", "", "run what is not done of the sweep in this directory, from its own spec")
			fs.StringVar(&f.status, "status", "", "print the state of every point of the sweep in this directory")
			fs.StringVar(&f.collect, "collect", "", "print and write the table of the sweep in this directory, and its plot")
			fs.StringVar(&f.runPoint, "run-point", "", "run one point of the sweep in this directory (the INDEX argument, or $SLURM_ARRAY_TASK_ID): train it or resume it from its checkpoint")
			fs.BoolVar(&f.force, "force", false, "run a spec whose points differ from the ones the directory holds, restarting the points whose config changed")
			fs.BoolVar(&f.wait, "wait", false, "slurm: wait until the submitted array has left the queue, then print the status")
			fs.TextVar(&f.metric, "metric", sweep.Accuracy, "-collect: metric to plot: accuracy, mse, loss, steps, wall_s, cross_entropy (of a cross-entropy task)")
			fs.StringVar(&f.x, "x", "", "-collect: axis to plot the metric against (default: the first axis)")
			def := sweep.DefaultOptions()
			for _, k := range sweep.OptionKeys() {
				v := &keyFlagValue{key: k.Key, val: def.Get(k.Key)}
				v.bool = k.Key == "requeue"
				f.opts[k.Key] = v
				fs.Var(v, strings.ReplaceAll(k.Key, "_", "-"), k.Usage+" (spec: [sweep] "+k.Key+")")
			}
			return func(ctx context.Context, args []string) error {
				return runSweep(ctx, e, f, args)
			}
		},
	}
}

// runSweep dispatches on the mode flags.
func runSweep(ctx context.Context, e *env, f *sweepFlags, args []string) error {
	modes := 0
	for _, m := range []string{f.resume, f.status, f.collect, f.runPoint} {
		if m != "" {
			modes++
		}
	}
	if modes > 1 {
		return usagef("give one of -resume, -status, -collect and -run-point")
	}
	switch {
	case f.runPoint != "":
		return runPoint(ctx, e, f.runPoint, args)
	case f.status != "":
		if len(args) > 0 {
			return usagef("-status DIR takes no arguments, got %q", args)
		}
		return sweepStatus(ctx, e, f.status)
	case f.collect != "":
		if len(args) > 0 {
			return usagef("-collect DIR takes no arguments, got %q", args)
		}
		return sweepCollect(ctx, e, f.collect, f.metric, f.x)
	case f.resume != "":
		if len(args) > 0 || f.out != "" {
			return usagef("-resume DIR takes neither a spec nor -out: it runs DIR's own spec")
		}
		return startSweep(ctx, e, f, sweep.Layout{Dir: f.resume}.Spec(), f.resume, true)
	}
	if len(args) != 1 {
		return usagef("want one SPEC.toml (and -out DIR), got %d arguments", len(args))
	}
	if f.out == "" {
		return usagef("-out DIR is required: the sweep directory")
	}
	return startSweep(ctx, e, f, args[0], f.out, false)
}

// sweepPlan is a spec resolved into the configs of its points.
type sweepPlan struct {
	spec    *sweep.Spec
	raw     []byte // the spec file as given
	points  []sweep.Point
	names   []string
	configs [][]byte // each point's run config, indented JSON
	digest  string
}

// loadSweep reads, parses and resolves the spec file path; opts, when not
// nil, replace the spec's [sweep] options (a resumed sweep's record).
// Every error names the spec; one in its settings is a usage error naming
// the key, a spec that cannot be read a failure, and so is any error in a
// sweep directory's own copy of its spec (opts not nil).
func loadSweep(path string, opts *sweep.Options, flags map[string]*keyFlagValue) (*sweepPlan, error) {
	// own makes an error in a sweep directory's own sweep.toml (opts
	// given: the sweep's record) a failure: the sweep wrote the file, so
	// what is wrong in it is damage, not a mistake in what was asked.
	own := func(err error) error {
		if u, ok := errors.AsType[usageError](err); ok && opts != nil {
			return fmt.Errorf("%w (the sweep's copy of its spec, edited or damaged since the sweep wrote it, or refused by this build's checks)", u.err)
		}
		return err
	}
	raw, err := readConfigFile("spec", path)
	if err != nil {
		return nil, own(err)
	}
	spec, err := sweep.Parse(raw)
	if err != nil {
		return nil, own(usagef("spec %s: %v", path, err))
	}
	if opts != nil {
		spec.Options = *opts
	}
	for _, k := range sweep.OptionKeys() {
		if v := flags[k.Key]; v != nil && v.set {
			if err := spec.Options.Set(k.Key, v.val); err != nil {
				return nil, usagef("-%s: %v", strings.ReplaceAll(k.Key, "_", "-"), err)
			}
		}
	}
	if err := spec.Options.Validate(); err != nil {
		return nil, usagef("spec %s: %v", path, err)
	}
	// A relative sbatch path is taken from here, where it was given: the
	// sweep's record keeps it absolute, for -status, -collect and -resume
	// run from elsewhere and for the array tasks' scontrol.
	if sb := spec.Options.Sbatch; strings.Contains(sb, "/") && !filepath.IsAbs(sb) {
		abs, err := filepath.Abs(sb)
		if err != nil {
			return nil, fmt.Errorf("sbatch %s: %w", sb, err)
		}
		spec.Options.Sbatch = abs
	}
	plan, err := resolveSweep(spec)
	if err != nil {
		return nil, own(usagef("spec %s: %v", path, err))
	}
	plan.raw = raw
	return plan, nil
}

// resolveSweep expands spec into points and builds each point's run
// config: the defaults, then [base] through the strict config decoder
// (for a point whose model.kind differs from the base's, the base's model
// keys that model has), then the point's axis values through setKey
// (model.kind first), then the run config's validation.
func resolveSweep(spec *sweep.Spec) (*sweepPlan, error) {
	if err := finiteValues("base", spec.Base); err != nil {
		return nil, err
	}
	base, err := json.Marshal(spec.Base)
	if err != nil {
		return nil, fmt.Errorf("base: %w", err)
	}
	// A zero that an override of the task's settings cannot apply, in the
	// base or as an axis value.
	if err := checkOverrides(spec.Base); err != nil {
		return nil, fmt.Errorf("base: %v", err)
	}
	for _, a := range spec.Axes {
		k, ok := strings.CutPrefix(a.Key, "task.eval_settings.")
		if !ok {
			continue
		}
		for _, v := range a.Values {
			var x any
			if json.Unmarshal([]byte(v.JSON()), &x) != nil {
				continue // setKey reports it
			}
			if err := checkOverrides(map[string]any{"task": map[string]any{"eval_settings": map[string]any{k: x}}}); err != nil {
				return nil, fmt.Errorf("axes: %q = %s: %v", a.Key, v.JSON(), err)
			}
		}
	}
	pts, err := spec.Points()
	if err != nil {
		return nil, err
	}
	plan := &sweepPlan{spec: spec, points: pts}
	order := make([]int, len(spec.Axes))
	for j := range order {
		order[j] = j
	}
	for j, a := range spec.Axes {
		if a.Key == "model.kind" {
			order[0], order[j] = j, order[0]
		}
	}
	baseZeros := map[string]bool{}
	zeroSettings(baseZeros, "", spec.Base)
	baseSource := newConfigSource("", spec.Base, nil)
	h := sha256.New()
	same := map[string]string{} // a point's resolved config → its name
	for _, p := range pts {
		cfg := defaultConfig()
		pointBase := base
		for j, a := range spec.Axes {
			// A point of another model keeps the base's model keys
			// that model has.
			var kind string
			if a.Key == "model.kind" && json.Unmarshal([]byte(p.Values[j].JSON()), &kind) == nil {
				if b, ok := configWithKind(spec.Base, kind, true); ok {
					pointBase = b
				}
			}
		}
		if err := decodeConfig(pointBase, &cfg); err != nil {
			return nil, fmt.Errorf("base: %v", err)
		}
		zeros := maps.Clone(baseZeros)
		// The axes' keys and the base's task keys must act in the point:
		// an encoding_gain axis over a net without the poisson encoding
		// trains the same network at every value. (A base key may act in
		// some points only, as encoding_gain beside an encoding axis.)
		given := map[string]bool{}
		for _, k := range taskKeys() {
			if _, ok := baseZeros[k]; ok {
				given[k] = true
			}
		}
		for _, j := range order {
			key, v := spec.Axes[j].Key, p.Values[j]
			if err := setKey(&cfg, key, v.JSON()); err != nil {
				return nil, fmt.Errorf("axes: %q = %s: %v", key, v.JSON(), err)
			}
			x, err := strconv.ParseFloat(v.JSON(), 64)
			zeros[key] = err == nil && x == 0
			given[key] = true
		}
		applyTaskActivation(&cfg, given["model.activation"] || baseSource.gave("model.activation"))
		applyOptimizerDecay(&cfg, given["train.optimizer.weight_decay"] || baseSource.gave("train.optimizer.weight_decay"))
		_, named := given["task.name"] // by an axis
		cfg.Task.nameDefault = !named && !baseSource.gave("task.name")
		name := spec.Name(p)
		if err := cfg.validate(); err != nil {
			return nil, fmt.Errorf("point %s: %v", name, attributeSpec(err, spec, p, baseSource))
		}
		if err := checkTask(&cfg); err != nil {
			return nil, fmt.Errorf("point %s: %v", name, attributeSpec(err, spec, p, baseSource))
		}
		// A task the point's training would refuse (settings its task
		// cannot be built from, a curriculum stage of another task's
		// sizes or dt) is refused here, before anything runs; a dataset
		// task, which reads a data file, is left to the point
		// (checkTaskBuild).
		if err := checkTaskBuild(&cfg); err != nil {
			return nil, fmt.Errorf("point %s: %v", name, attributeSpec(err, spec, p, baseSource))
		}
		if err := checkZeros(&cfg, zeros); err != nil {
			return nil, fmt.Errorf("point %s: %v", name, attributeSpec(err, spec, p, baseSource))
		}
		if err := checkUnused(&cfg, given); err != nil {
			return nil, fmt.Errorf("point %s: %v", name, attributeSpec(err, spec, p, baseSource))
		}
		if err := checkCurriculumEval(&cfg); err != nil {
			return nil, fmt.Errorf("point %s: %v", name, attributeSpec(err, spec, p, baseSource))
		}
		b, err := json.MarshalIndent(cfg, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("point %s: %w", name, err)
		}
		b = append(b, '\n')
		// Axis values that differ as text may set one value (a surrogate
		// by two of its names): the two points would train one network.
		if other, ok := same[string(b)]; ok {
			return nil, fmt.Errorf("point %s trains the same network as point %s: their axis values differ only in how they are written; keep one of them", name, other)
		}
		same[string(b)] = name
		plan.names = append(plan.names, name)
		plan.configs = append(plan.configs, b)
		fmt.Fprintf(h, "%s\n%s", name, b)
	}
	plan.digest = hex.EncodeToString(h.Sum(nil))
	return plan, nil
}

// attributeSpec names each setting of err, an error of point p's config,
// as spec gave its value: by its axis and p's value there ("axes:
// \"train.lr\" = 0.1"), by its key under [base] (base: the keys of
// [base]) or, when neither gave it, by its key alone; never by a flag, as
// settingError does for a run's command line: a sweep takes no run flags.
// It returns err.
func attributeSpec(err error, spec *sweep.Spec, p sweep.Point, base configSource) error {
	eachSettingError(err, func(se *settingError) {
		if len(se.keys) > 0 {
			// Values at fault together: each named where the spec
			// gave it.
			names := make([]string, len(se.keys))
			for i, k := range se.keys {
				names[i] = specKeyName(k, spec, p, base)
			}
			se.specName = strings.Join(names, " and ")
			return
		}
		se.specName = specKeyName(se.key, spec, p, base)
	})
	return err
}

// specKeyName names key as the spec gave it for point p: by the axis that
// set it and its value in p, "base: KEY" when base (the spec's [base])
// did, or by the key itself.
func specKeyName(key string, spec *sweep.Spec, p sweep.Point, base configSource) string {
	for j, a := range spec.Axes {
		if (configSource{keys: map[string]bool{a.Key: true}}).gave(key) {
			name := fmt.Sprintf("axes: %q = %s", a.Key, p.Values[j].JSON())
			if key != a.Key {
				name += ": " + key
			}
			return name
		}
	}
	if base.gave(key) {
		return "base: " + key
	}
	return key
}

// readRecord reads DIR/sweep.json (at most maxConfigBytes); ok is false
// when there is none.
func readRecord(l sweep.Layout) (rec sweep.Record, ok bool, err error) {
	b, err := files.ReadRegular(l.Record(), int64(maxConfigBytes))
	if errors.Is(err, fs.ErrNotExist) {
		return rec, false, nil
	}
	if err != nil {
		return rec, false, fmt.Errorf("%w", err)
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return rec, false, fmt.Errorf("%s: %w", l.Record(), err)
	}
	return rec, true, nil
}

// staleNotes says, of a sweep in dir whose spec no longer gives the
// points it ran (openSweep's stale), which points' runs were trained from
// another config than plan now gives, and which run directories no point
// of plan names, left out of -status and -collect.
func staleNotes(plan *sweepPlan, dir string) []string {
	l := sweep.Layout{Dir: dir}
	var notes []string
	names := map[string]bool{}
	for i, name := range plan.names {
		names[name] = true
		if plan.configs == nil { // a spec this build refuses: no configs to compare
			continue
		}
		b, err := files.ReadRegular(filepath.Join(l.Run(name), sweep.PointFile), int64(len(plan.configs[i])))
		if err == nil && !bytes.Equal(b, plan.configs[i]) {
			notes = append(notes, fmt.Sprintf("point %d: runs/%s was trained from another config than the spec now gives", plan.points[i].Index, name))
		}
	}
	if ents, err := os.ReadDir(filepath.Join(dir, "runs")); err == nil {
		for _, e := range ents {
			if e.IsDir() && !names[e.Name()] {
				notes = append(notes, fmt.Sprintf("runs/%s: no point of the spec names it (left out)", e.Name()))
			}
		}
	}
	return notes
}

// pointsOnly is the plan of the spec at path without the points' configs
// (nil, as the digest): its points and their names, for -status and
// -collect of a sweep whose configs this build does not resolve.
func pointsOnly(path string, o sweep.Options) (*sweepPlan, error) {
	raw, err := readConfigFile("spec", path)
	if err != nil {
		return nil, err
	}
	spec, err := sweep.Parse(raw)
	if err != nil {
		return nil, err
	}
	spec.Options = o
	pts, err := spec.Points()
	if err != nil {
		return nil, err
	}
	plan := &sweepPlan{spec: spec, raw: raw, points: pts}
	for _, p := range pts {
		plan.names = append(plan.names, spec.Name(p))
	}
	return plan, nil
}

// openSweep loads the sweep in dir from its spec and record, for -status,
// -collect and -run-point. A spec that no longer gives the points the
// sweep was run with (this build resolves its points' configs otherwise:
// a default changed) is an error for -run-point (run), and for -status and
// -collect, which read the run directories the points name, a note
// (stale) said beside their output.
func openSweep(dir string, run bool) (plan *sweepPlan, rec sweep.Record, stale string, err error) {
	l := sweep.Layout{Dir: dir}
	rec, ok, err := readRecord(l)
	if err != nil {
		return nil, rec, "", err
	}
	if !ok {
		return nil, rec, "", fmt.Errorf("%s is not a sweep directory (no sweep.json): start one with 'rnntrain sweep SPEC.toml -out %s'", dir, dir)
	}
	plan, err = loadSweep(l.Spec(), &rec.Options, nil)
	if err != nil && !run {
		// The points' names and axis values come from the spec's axes
		// alone: -status and -collect read the run directories they name
		// even when this build refuses to resolve the points' configs.
		if p, perr := pointsOnly(l.Spec(), rec.Options); perr == nil {
			return p, rec, fmt.Sprintf("sweep %s: %v; its points are read from the run directories the spec's axes name", dir, err), nil
		}
	}
	if err != nil {
		return nil, rec, "", err
	}
	if plan.digest != rec.Digest {
		stale = fmt.Sprintf("sweep %s: its spec no longer gives the points' configs it was run with (sweep.toml was edited, or this build resolves a key's default otherwise): 'rnntrain sweep -resume %s -force' restarts the points whose config changed", dir, dir)
		if run {
			return nil, rec, "", errors.New(stale)
		}
	}
	return plan, rec, stale, nil
}

// prepareSweep writes the sweep directory for plan: the spec, the points,
// the record and each point's run directory with point.json. A directory
// holding another sweep is refused unless force, which removes the run
// directories whose point.json differs from the new one; without force,
// such a point.json (edited or damaged) is an error naming it.
func prepareSweep(e *env, plan *sweepPlan, dir string, force, resuming bool) (sweep.Record, error) {
	l := sweep.Layout{Dir: dir}
	rec, exists, err := readRecord(l)
	if err != nil {
		return rec, err
	}
	if !exists && !resuming {
		if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 && !force {
			return rec, usagef("-out %s holds files but no sweep; choose an empty or new directory (or -force)", dir)
		}
	}
	if exists && rec.Digest != plan.digest && !force && resuming {
		return rec, usagef("-resume %s: its spec no longer gives the points' configs it was run with (sweep.toml was edited, or this build resolves a key's default otherwise); give -force to restart the points whose config changed", dir)
	}
	if same, err := os.ReadFile(l.Spec()); err == nil && bytes.Equal(same, plan.raw) && exists && rec.Digest != plan.digest && !force {
		return rec, usagef("-out %s holds a sweep of this spec whose points' configs this build resolves otherwise (a key's default changed); give -force to restart the points whose config changed", dir)
	}
	if exists && rec.Digest != plan.digest && !force {
		return rec, usagef("-out %s holds a sweep of another spec (%d points; this one has %d, or their configs differ); choose another -out, or give -force to restart the points whose config changed", dir, rec.Points, len(plan.points))
	}
	for _, d := range []string{l.Logs(), filepath.Join(dir, "runs")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return rec, fmt.Errorf("%w", err)
		}
	}
	if !resuming {
		if err := writeFileAtomic(l.Spec(), plan.raw); err != nil {
			return rec, err
		}
	}
	// A point of the new spec may have been run under another name: a
	// sweep grown by an axis value renumbers its points. Its run is taken
	// over, not trained again.
	var moved map[string]string
	if force {
		moved = formerRuns(l, plan)
	}
	var pts bytes.Buffer
	pts.WriteString("index,run")
	for _, a := range plan.spec.Axes {
		pts.WriteString("," + csvField(a.Key))
	}
	pts.WriteString("\n")
	for i, p := range plan.points {
		fmt.Fprintf(&pts, "%d,%s", p.Index, csvField("runs/"+plan.names[i]))
		for _, v := range p.Values {
			pts.WriteString("," + csvField(v.String()))
		}
		pts.WriteString("\n")
		run := l.Run(plan.names[i])
		if from, ok := moved[string(plan.configs[i])]; ok {
			if _, err := os.Lstat(run); errors.Is(err, fs.ErrNotExist) {
				if err := os.Rename(l.Run(from), run); err != nil {
					return rec, fmt.Errorf("%w", err)
				}
				fmt.Fprintf(e.stdout, "point %s: runs/%s holds its config: renamed, not run again (-force)\n", plan.names[i], from)
			}
		}
		// A point file longer than the new config differs from it: read
		// one byte more than the config at most.
		old, err := files.ReadRegular(filepath.Join(run, sweep.PointFile), int64(len(plan.configs[i])))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			old, err = []byte{}, nil // unreadable or too long: changed
		}
		if err == nil && !bytes.Equal(old, plan.configs[i]) {
			// Only -force restarts a point: without it the spec gives
			// the points the directory was run with, and a point file
			// that differs was edited or damaged since. Its run, maybe
			// finished, is not removed for it.
			if !force {
				return rec, fmt.Errorf("point %s: %s does not hold the point's config, which the spec gives (edited or damaged since the sweep wrote it); restore it, or give -force to restart the point, removing its run directory",
					plan.names[i], filepath.Join(run, sweep.PointFile))
			}
			fmt.Fprintf(e.stdout, "point %s: config changed (-force): removing its run directory\n", plan.names[i])
			if err := os.RemoveAll(run); err != nil {
				return rec, fmt.Errorf("%w", err)
			}
		}
		if err := os.MkdirAll(run, 0o755); err != nil {
			return rec, fmt.Errorf("%w", err)
		}
		if !bytes.Equal(old, plan.configs[i]) {
			if err := writeFileAtomic(filepath.Join(run, sweep.PointFile), plan.configs[i]); err != nil {
				return rec, err
			}
		}
	}
	if ents, err := os.ReadDir(filepath.Join(dir, "runs")); err == nil {
		names := map[string]bool{}
		for _, n := range plan.names {
			names[n] = true
		}
		for _, ent := range ents {
			if !names[ent.Name()] {
				fmt.Fprintf(e.stdout, "runs/%s is not a point of this spec (left as it is)\n", ent.Name())
			}
		}
	}
	if err := writeFileAtomic(l.Points(), pts.Bytes()); err != nil {
		return rec, err
	}
	rec.Digest, rec.Points, rec.Options = plan.digest, len(plan.points), plan.spec.Options
	return rec, writeJSONFile(l.Record(), rec)
}

// formerRuns maps the point file of each run directory of l that is no
// point of plan, and whose run no process holds, to the directory's name,
// for prepareSweep to rename the run of a point the spec now gives
// another name. A point file that cannot be read is left out.
func formerRuns(l sweep.Layout, plan *sweepPlan) map[string]string {
	ents, err := os.ReadDir(filepath.Join(l.Dir, "runs"))
	if err != nil {
		return nil
	}
	names := map[string]bool{}
	for _, n := range plan.names {
		names[n] = true
	}
	runs := map[string]string{}
	for _, ent := range ents {
		if names[ent.Name()] || !ent.IsDir() {
			continue
		}
		b, err := files.ReadRegular(filepath.Join(l.Run(ent.Name()), sweep.PointFile), int64(maxConfigBytes))
		if err != nil {
			continue
		}
		if rs, err := sweep.ReadRun(l.Run(ent.Name())); err != nil || rs.State == sweep.Running {
			continue
		}
		if _, ok := runs[string(b)]; !ok {
			runs[string(b)] = ent.Name()
		}
	}
	return runs
}

// csvField quotes s for a CSV field when it needs it.
func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// startSweep prepares the sweep directory and runs the points that are
// not done with the chosen executor.
func startSweep(ctx context.Context, e *env, f *sweepFlags, specPath, dir string, resuming bool) error {
	var opts *sweep.Options
	if resuming {
		rec, ok, err := readRecord(sweep.Layout{Dir: dir})
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("-resume %s: not a sweep directory (no sweep.json)", dir)
		}
		opts = &rec.Options
	}
	plan, err := loadSweep(specPath, opts, f.opts)
	if err != nil {
		return err
	}
	if plan.spec.Options.Exec == sweep.Slurm {
		// The job script names the directory: refuse one it cannot
		// name before anything is written.
		abs, err := filepath.Abs(dir)
		if err == nil {
			err = sweep.CheckDir(abs)
		}
		if err != nil {
			flag := "-out"
			if resuming {
				flag = "-resume"
			}
			return usagef("%s %s: %v", flag, dir, err)
		}
	}
	rec, err := prepareSweep(e, plan, dir, f.force, resuming)
	if err != nil {
		return err
	}
	rows, notes := sweepStates(ctx, plan, rec, dir)
	var todo []int
	counts := map[sweep.State]int{}
	for _, r := range rows {
		counts[r.State]++
		switch r.State {
		case sweep.Pending, sweep.Stopped, sweep.Killed, sweep.Failed:
			todo = append(todo, r.Point.Index)
		}
	}
	printNotes(e.stderr, notes)
	fmt.Fprintf(e.stdout, "sweep %s: %d points (%s); %s; %d to run with the %s executor\n",
		dir, len(plan.points), describeAxes(plan.spec), countLine(counts), len(todo), plan.spec.Options.Exec)
	if len(todo) == 0 {
		return nil
	}
	if plan.spec.Options.Exec == sweep.Slurm {
		return submitSlurm(ctx, e, plan, rec, dir, todo, f.wait)
	}
	return runLocal(ctx, e, plan, dir, todo)
}

// describeAxes is "model.rank × seed (3 × 4, grid)".
func describeAxes(s *sweep.Spec) string {
	if len(s.Axes) == 0 {
		return "no axes"
	}
	var keys, ns []string
	for _, a := range s.Axes {
		keys = append(keys, a.Key)
		ns = append(ns, fmt.Sprint(len(a.Values)))
	}
	mode := "grid"
	if s.Options.Mode == sweep.Random {
		mode = fmt.Sprintf("%d random draws, seed %d", s.Options.Samples, s.Options.Seed)
	}
	return fmt.Sprintf("%s: %s, %s", strings.Join(keys, " × "), strings.Join(ns, " × "), mode)
}

// countLine is "10 done, 2 pending" in the order of sweep.States.
func countLine(counts map[sweep.State]int) string {
	var parts []string
	for _, s := range sweep.States() {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	return strings.Join(parts, ", ")
}

// exitStatus makes a command exit with code without another message.
type exitStatus struct{ code int }

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }
