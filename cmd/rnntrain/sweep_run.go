package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/internal/files"
	"github.com/rnntrain/rnntrain/sweep"
)

// runPoint runs one point of the sweep in dir (-run-point DIR INDEX): it
// trains the point from its point.json, or resumes it from its checkpoint,
// in this process, recording the start and end in attempts.jsonl, and
// exits with the train command's status. SIGUSR1, Slurm's warning before
// the time limit, stops the run as SIGTERM does (it saves, status 75), and
// then the array task requeues itself when the sweep asks for requeueing;
// a task stopped by SIGTERM (scancel, preemption) does not.
func runPoint(ctx context.Context, e *env, dir string, args []string) error {
	idx := os.Getenv("SLURM_ARRAY_TASK_ID")
	switch {
	case len(args) == 1:
		idx = args[0]
	case len(args) > 1 || idx == "":
		return usagef("-run-point DIR INDEX: want one INDEX (or $SLURM_ARRAY_TASK_ID), got %q", args)
	}
	i, err := strconv.Atoi(idx)
	if err != nil || i < 0 {
		return usagef("-run-point %s %s: INDEX must be a point index ≥ 0", dir, idx)
	}
	plan, rec, _, err := openSweep(dir, true)
	if err != nil {
		return err
	}
	if i >= len(plan.points) {
		return usagef("-run-point %s %d: the sweep has %d points (0 to %d)", dir, i, len(plan.points), len(plan.points)-1)
	}
	rdir := sweep.Layout{Dir: dir}.Run(plan.names[i])
	rs, err := sweep.ReadRun(rdir)
	if err != nil {
		return err
	}
	switch rs.State {
	case sweep.Done:
		fmt.Fprintf(e.stdout, "point %s: already done\n", plan.names[i])
		return nil
	case sweep.Running:
		pid, host, _ := checkpoints.Holder(rdir)
		return fmt.Errorf("point %s: process %d on %s is running it", plan.names[i], pid, host)
	}
	// A point stopped before its first checkpoint, whose config.json train
	// wrote, resumes too: train from step 0 with it, as a new run into
	// its directory would be refused.
	args = []string{"train", "-config", filepath.Join(rdir, sweep.PointFile), "-out", rdir}
	for _, p := range []string{checkpoints.LatestPath(rdir), filepath.Join(rdir, "config.json")} {
		if _, err := os.Lstat(p); err == nil {
			args = []string{"train", "-resume", rdir}
		}
	}
	host, _ := os.Hostname()
	job := ""
	if a := os.Getenv("SLURM_ARRAY_JOB_ID"); a != "" {
		job = a + "_" + os.Getenv("SLURM_ARRAY_TASK_ID")
	}
	start := time.Now()
	if err := appendAttempt(rdir, sweep.Attempt{Event: "start", Time: start.UTC().Format(time.RFC3339), Host: host, PID: os.Getpid(), Slurm: job}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "point %s: rnntrain %s\n", plan.names[i], strings.Join(args, " "))
	tctx, timeLimit := timeLimitContext(ctx)
	code, why := runWhy(tctx, args, e.stdout, e.stderr)
	end := time.Now()
	if code == 0 || code == exitTerminated || code == exitInterrupted {
		why = ""
	}
	why = sweep.ErrorLine(why)
	if err := appendAttempt(rdir, sweep.Attempt{Event: "end", Time: end.UTC().Format(time.RFC3339), Host: host, PID: os.Getpid(),
		Slurm: job, Exit: code, WallS: round(end.Sub(start).Seconds(), 3), Error: why}); err != nil {
		fmt.Fprintf(e.stderr, "rnntrain sweep: %v\n", err)
	}
	if code == exitTerminated && timeLimit.Load() && rec.Options.Requeue && job != "" {
		// The array job and task, not SLURM_JOB_ID: one task's job id is
		// the array's, and requeueing it would requeue every task.
		requeue(e, rec.Options, job)
	}
	if code != 0 {
		return exitStatus{code}
	}
	return nil
}

// requeue asks Slurm to requeue the job id (this array task, which has
// saved its checkpoint and is exiting); a failure is reported, not fatal:
// 'rnntrain sweep -resume' submits what is left.
func requeue(e *env, o sweep.Options, id string) {
	out, err := exec.Command(slurmTool(o, "scontrol"), "requeue", id).CombinedOutput()
	if err != nil {
		fmt.Fprintf(e.stderr, "rnntrain sweep: scontrol requeue %s: %v %s; resume with 'rnntrain sweep -resume'\n", id, err, strings.TrimSpace(string(out)))
		return
	}
	fmt.Fprintf(e.stdout, "requeued Slurm job %s: it resumes from the checkpoint when it runs again\n", id)
}

// appendAttempt appends a to the run directory's attempts.jsonl.
func appendAttempt(run string, a sweep.Attempt) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	f, err := files.OpenRegularFile(filepath.Join(run, sweep.AttemptsFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("%w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%w", err)
	}
	return nil
}

// localJobs is the number of points the local executor runs at once.
func localJobs(o sweep.Options) int {
	if o.Jobs > 0 {
		return o.Jobs
	}
	return max(1, runtime.NumCPU()/o.CPUsPerTask)
}

// pointDone is one finished child of the local executor.
type pointDone struct {
	index int
	code  int
	sig   os.Signal // the signal that killed it, if one did
	err   error
	wall  time.Duration
	why   string // a failed point's error, from its attempts (RunState.Error)
	// attempts counts the point's attempts before this child: an error
	// recorded by an earlier one is not this child's.
	attempts int
}

// runLocal runs the points todo as child processes ('rnntrain sweep
// -run-point DIR INDEX'), -jobs at a time, each with its output in
// logs/pNNNN.log. A stop signal is passed on to the running children, which
// save their checkpoints; no further point starts.
func runLocal(ctx context.Context, e *env, plan *sweepPlan, dir string, todo []int) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("the path of this binary: %w", err)
	}
	l := sweep.Layout{Dir: dir}
	o := plan.spec.Options
	jobs := min(localJobs(o), len(todo))
	fmt.Fprintf(e.stdout, "running %d points, %d at a time, GOMAXPROCS %d each; logs in %s\n", len(todo), jobs, o.CPUsPerTask, l.Logs())
	queue := make(chan int)
	done := make(chan pointDone)
	var wg sync.WaitGroup
	for range jobs {
		wg.Go(func() {
			for i := range queue {
				before, _ := sweep.ReadRun(l.Run(plan.names[i]))
				d := runChild(ctx, exe, dir, l.Log(i), i, o.CPUsPerTask)
				d.attempts = before.Attempts
				done <- d
			}
		})
	}
	go func() {
		defer close(queue)
		for _, i := range todo {
			select {
			case queue <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()
	failed, stopped := 0, 0
	for d := range done {
		if d.code > 0 && d.code != exitTerminated && d.code != exitInterrupted {
			if rs, err := sweep.ReadRun(l.Run(plan.names[d.index])); err == nil && rs.Attempts > d.attempts {
				d.why = rs.Error
			}
		}
		report(e, plan, d, &failed, &stopped)
	}
	if ctx.Err() != nil {
		// The running children saved their checkpoints; points not
		// started stay pending.
		fmt.Fprintf(e.stdout, "sweep %s %s: %d points stopped after saving; continue with: rnntrain sweep -resume %s\n", dir, stoppedBy(ctx), stopped, dir)
		return interruptedError{context.Cause(ctx)}
	}
	fmt.Fprintf(e.stdout, "sweep %s: %d points run, %d failed, %d stopped; table: rnntrain sweep -collect %s\n", dir, len(todo), failed, stopped, dir)
	if failed > 0 {
		return fmt.Errorf("%d of %d points failed: see their logs in %s", failed, len(todo), l.Logs())
	}
	if stopped > 0 {
		return fmt.Errorf("%d of %d points stopped before finishing: run 'rnntrain sweep -resume %s'", stopped, len(todo), dir)
	}
	return nil
}

// report prints one line for a finished child.
func report(e *env, plan *sweepPlan, d pointDone, failed, stopped *int) {
	name := plan.names[d.index]
	switch {
	case d.code == -1:
		return
	case d.sig != nil:
		*failed++
		fmt.Fprintf(e.stdout, "  %s: killed by %s (%.1f s): it did not save; it resumes from its last checkpoint\n", name, signalName(d.sig), d.wall.Seconds())
	case d.err != nil:
		*failed++
		fmt.Fprintf(e.stdout, "  %s: %v\n", name, d.err)
	case d.code == 0:
		fmt.Fprintf(e.stdout, "  %s: done (%.1f s)\n", name, d.wall.Seconds())
	case d.code == exitTerminated || d.code == exitInterrupted:
		*stopped++
		fmt.Fprintf(e.stdout, "  %s: stopped, checkpoint saved (exit %d, %.1f s)\n", name, d.code, d.wall.Seconds())
	default:
		*failed++
		why := ""
		if d.why != "" {
			why = ": " + d.why
		}
		fmt.Fprintf(e.stdout, "  %s: failed (exit %d, %.1f s)%s\n", name, d.code, d.wall.Seconds(), why)
	}
}

// runChild runs one point as a child process with its output appended to
// log. When ctx is cancelled by a stop signal the child receives the same
// signal and is waited for (it saves its checkpoint); a point whose turn
// comes after the stop is not started (code -1).
func runChild(ctx context.Context, exe, dir, log string, i, threads int) pointDone {
	if ctx.Err() != nil {
		return pointDone{index: i, code: -1}
	}
	f, err := files.OpenRegularFile(log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return pointDone{index: i, err: fmt.Errorf("log: %w", err)}
	}
	defer f.Close()
	cmd := exec.CommandContext(ctx, exe, "sweep", "-run-point", dir, strconv.Itoa(i))
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(threads))
	cmd.Cancel = func() error { return cmd.Process.Signal(forwardSignal(ctx)) }
	start := time.Now()
	err = cmd.Run()
	d := pointDone{index: i, wall: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		d.code = ee.ExitCode()
	case ee != nil && killedBy(ee) != nil:
		d.sig = killedBy(ee)
	case err != nil:
		d.err = err
	}
	return d
}

// forwardSignal is the signal to pass on to children after ctx was
// cancelled: the one received (SIGINT, SIGTERM or SIGHUP), else SIGTERM.
func forwardSignal(ctx context.Context) os.Signal {
	if s, ok := errors.AsType[signalled](context.Cause(ctx)); ok {
		return s.sig
	}
	return syscall.SIGTERM
}

// slurmTool is the path of a Slurm command (squeue, sacct, scontrol):
// beside the sbatch command when that is a path, else on $PATH.
func slurmTool(o sweep.Options, name string) string {
	if strings.Contains(o.Sbatch, "/") {
		return filepath.Join(filepath.Dir(o.Sbatch), name)
	}
	return name
}

// submitSlurm writes sweep.sbatch for the points todo and submits it.
func submitSlurm(ctx context.Context, e *env, plan *sweepPlan, rec sweep.Record, dir string, todo []int, wait bool) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("%w", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("the path of this binary: %w", err)
	}
	l := sweep.Layout{Dir: dir}
	o := plan.spec.Options
	script, err := sweep.Script(o, abs, exe, todo)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(l.Script(), []byte(script)); err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, o.Sbatch, "--parsable", l.Script()).CombinedOutput()
	if _, ok := errors.AsType[*exec.ExitError](err); err != nil && !ok {
		return fmt.Errorf("sbatch: %v: give the path of Slurm's sbatch with -sbatch (or [sweep] sbatch); the job script is %s", err, l.Script())
	}
	if err != nil {
		hint := ""
		if strings.Contains(string(out), "Invalid job array specification") {
			// Most often an index beyond the cluster's MaxArraySize.
			hint = fmt.Sprintf(" (the array's highest index is %d; a cluster takes indices below its MaxArraySize, 1001 unless 'scontrol show config' says otherwise: split the sweep)", slices.Max(todo))
		}
		return fmt.Errorf("%s --parsable %s: %v: %s%s", o.Sbatch, l.Script(), err, oneLine(string(out)), hint)
	}
	id, _, _ := strings.Cut(strings.TrimSpace(lastLine(string(out))), ";")
	if _, err := strconv.Atoi(id); err != nil {
		return fmt.Errorf("%s printed %q, not a job id", o.Sbatch, strings.TrimSpace(string(out)))
	}
	rec.SlurmJobs = append(rec.SlurmJobs, id)
	if err := writeJSONFile(l.Record(), rec); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "submitted Slurm array job %s: %d tasks (--array=%s), script %s\nfollow it with: rnntrain sweep -status %s\n",
		id, len(todo), sweep.ArraySpec(todo, o.ArrayLimit), l.Script(), dir)
	if !wait {
		return nil
	}
	// squeue fails for a job the controller no longer knows (it left the
	// queue); another failure is asked again, a busy controller's, up to
	// maxSqueueFailures times in a row, and one of a squeue that does
	// not run ends the wait at once: the array runs without it.
	squeue, failures := slurmTool(o, "squeue"), 0
	for {
		q, err := exec.CommandContext(ctx, squeue, "-h", "-j", id, "-o", "%i %T").Output()
		if err == nil && strings.TrimSpace(string(q)) == "" {
			break
		}
		if err != nil && ctx.Err() == nil {
			if strings.Contains(toolError(err), "Invalid job id") {
				break
			}
			_, ran := errors.AsType[*exec.ExitError](err)
			if failures++; !ran || failures >= maxSqueueFailures {
				return fmt.Errorf("-wait: %s: %s; the array job %s was submitted and runs without the wait: follow it with 'rnntrain sweep -status %s'", squeue, toolError(err), id, dir)
			}
		} else {
			failures = 0
		}
		select {
		case <-ctx.Done():
			fmt.Fprintf(e.stdout, "stopped waiting (%s); the array job %s keeps running\n", stoppedBy(ctx), id)
			return interruptedError{context.Cause(ctx)}
		case <-time.After(2 * time.Second):
		}
	}
	return sweepStatus(ctx, e, dir)
}

// maxSqueueFailures is how many failures of squeue in a row, 2 s apart,
// end sweep -wait.
const maxSqueueFailures = 30

// oneLine is the lines of s, trimmed, joined by "; ".
func oneLine(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// statusRow is a point's row of -status.
type statusRow struct {
	sweep.Row
	run   sweep.RunState
	slurm string // sacct's state of its last task, if known
	err   error  // reading the run directory failed (also a note)
}

// sweepStates reads the state of every point: its run directory, and
// squeue and sacct when the sweep was submitted to Slurm. notes say what
// could not be asked.
func sweepStates(ctx context.Context, plan *sweepPlan, rec sweep.Record, dir string) ([]statusRow, []string) {
	var notes []string
	queued := map[int]sweep.State{}
	acct := map[int]string{}
	if len(rec.SlurmJobs) > 0 {
		ids := strings.Join(rec.SlurmJobs, ",")
		o := rec.Options
		if out, err := exec.CommandContext(ctx, slurmTool(o, "squeue"), "-h", "-j", ids, "-o", "%i %T").Output(); err == nil {
			queued = sweep.ParseSqueue(string(out))
		} else {
			notes = append(notes, fmt.Sprintf("squeue: %v (states from the run directories only)", toolError(err)))
		}
		if out, err := exec.CommandContext(ctx, slurmTool(o, "sacct"), "-n", "-P", "-X", "-j", ids, "-o", "JobID,State").Output(); err == nil {
			for _, line := range strings.Split(string(out), "\n") {
				id, state, ok := strings.Cut(strings.TrimSpace(line), "|")
				_, task, isTask := strings.Cut(id, "_")
				if n, err := strconv.Atoi(task); ok && isTask && err == nil {
					acct[n] = state
				}
			}
		} else {
			notes = append(notes, fmt.Sprintf("sacct: %v (no Slurm accounting states)", toolError(err)))
		}
	}
	l := sweep.Layout{Dir: dir}
	rows := make([]statusRow, len(plan.points))
	for i, p := range plan.points {
		rs, err := sweep.ReadRun(l.Run(plan.names[i]))
		if err != nil {
			notes = append(notes, err.Error())
		}
		if rs.Damaged > 0 {
			// Say so of the lines left out, which may have been a start or an end.
			notes = append(notes, badLines(filepath.Join(l.Run(plan.names[i]), sweep.AttemptsFile), rs.Damaged, rs.FirstDamaged, "an attempt record", "attempt records", "the state, attempts and wall time shown"))
		}
		if q, ok := queued[p.Index]; ok && rs.State != sweep.Done {
			rs.State = q
		}
		row := sweep.Row{Point: p, Name: plan.names[i], State: rs.State}
		if rs.State == sweep.Failed {
			row.Error = rs.Error
		}
		rows[i] = statusRow{Row: row, run: rs, slurm: acct[p.Index], err: err}
	}
	return rows, notes
}

// printNotes writes the notes of sweepStates and -collect to w, the
// standard error: what could not be read or asked, beside the table
// printed on the standard output.
func printNotes(w io.Writer, notes []string) {
	for _, n := range notes {
		fmt.Fprintf(w, "rnntrain sweep: note: %s\n", strings.TrimPrefix(n, "sweep: "))
	}
}

// toolError is an external command's error with the first line of its
// stderr.
func toolError(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return strings.TrimSpace(strings.SplitN(string(ee.Stderr), "\n", 2)[0])
	}
	return err.Error()
}

// sweepStatus prints -status DIR; a run whose files cannot be read is a
// note naming the file, and exit status 1.
func sweepStatus(ctx context.Context, e *env, dir string) error {
	plan, rec, stale, err := openSweep(dir, false)
	if err != nil {
		return err
	}
	rows, notes := sweepStates(ctx, plan, rec, dir)
	if stale != "" {
		notes = append(append(notes, stale), staleNotes(plan, dir)...)
	}
	counts := map[sweep.State]int{}
	w := e.stdout
	fmt.Fprintf(w, "%-5s %-40s %-8s %8s %5s %8s  %s\n", "point", "run", "state", "attempts", "exit", "wall_s", "slurm")
	killed := 0
	for _, r := range rows {
		counts[r.State]++
		exit, wall := strconv.Itoa(r.run.Exit), fmt.Sprintf("%.1f", r.run.WallS)
		if r.run.Exit == sweep.ExitUnknown {
			exit = "?"
		}
		if r.run.Killed > 0 {
			killed++
			wall += "+?"
		}
		fmt.Fprintf(w, "%-5d %-40s %-8s %8d %5s %8s  %s\n", r.Point.Index, r.Name, r.State, r.run.Attempts, exit, wall,
			strings.TrimSpace(r.run.Slurm+" "+r.slurm))
	}
	for _, r := range rows {
		if r.Error != "" {
			fmt.Fprintf(w, "point %d failed: %s\n", r.Point.Index, r.Error)
		}
	}
	printNotes(e.stderr, notes)
	if killed > 0 {
		fmt.Fprintf(w, "?: %d points have attempts killed before they recorded their end (SIGKILL, out of memory, a crashed node): exit status and wall time unknown; a killed point resumes from its last checkpoint\n", killed)
	}
	if len(rec.SlurmJobs) > 0 {
		fmt.Fprintf(w, "Slurm array jobs: %s\n", strings.Join(rec.SlurmJobs, ", "))
	}
	fmt.Fprintf(w, "%d points: %s\n", len(rows), countLine(counts))
	for _, r := range rows {
		if r.err != nil {
			return exitStatus{1} // the note names the file
		}
	}
	return nil
}
