package sweep

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ArraySpec is the --array value of the point indices (sorted, distinct,
// ≥ 0): runs of consecutive indices as ranges, then %limit when limit > 0
// ("0-3,7,9-11%4").
func ArraySpec(indices []int, limit int) string {
	ix := slices.Clone(indices)
	slices.Sort(ix)
	ix = slices.Compact(ix)
	var parts []string
	for i := 0; i < len(ix); {
		j := i
		for j+1 < len(ix) && ix[j+1] == ix[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, strconv.Itoa(ix[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", ix[i], ix[j]))
		}
		i = j + 1
	}
	s := strings.Join(parts, ",")
	if limit > 0 {
		s += "%" + strconv.Itoa(limit)
	}
	return s
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// sbatchQuote quotes s for an #SBATCH line: sbatch reads the value between
// double quotes as one word, taking a character after a backslash as
// itself (so # and spaces need no escape inside the quotes).
func sbatchQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// CheckDir returns an error if the sweep directory dir cannot be written
// into a Slurm script: a backslash in it (which sbatch reads in --output as
// turning the %A and %a patterns off) or a control character such as a
// line break. Spaces, quotes, $, # and % are quoted or escaped.
func CheckDir(dir string) error {
	if !validPath(dir) {
		return fmt.Errorf("sweep directory %q: the slurm executor wants %s", dir, pathForm)
	}
	return nil
}

// Script is the sbatch script that runs the points indices of the sweep in
// dir (absolute) as one job array: each task runs
// "binary sweep -run-point dir $SLURM_ARRAY_TASK_ID", which trains the
// point or resumes it from its checkpoint. The task receives SIGUSR1
// o.SignalS seconds before its time limit (--signal=B:USR1@N; the script
// execs the binary, so the batch shell's signal reaches it), saves and
// exits 75, and with o.Requeue requeues itself; SIGTERM (scancel,
// preemption) saves and exits 75 without requeueing.
//
// The output path is quoted for sbatch, with any % of dir doubled so that
// sbatch's patterns (%A, %a) apply to o.Output alone; dir and binary are
// quoted for the shell. Script returns an error if o is not valid
// (Options.Validate) or dir cannot be written into the script (CheckDir).
func Script(o Options, dir, binary string, indices []int) (string, error) {
	if err := o.validate(); err != nil {
		return "", err
	}
	if err := CheckDir(dir); err != nil {
		return "", err
	}
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	line("#!/bin/bash")
	line("# Written by rnntrain sweep; resubmitted by: rnntrain sweep -resume %s", shellQuote(dir))
	line("#SBATCH --job-name=%s", o.JobName)
	line("#SBATCH --array=%s", ArraySpec(indices, o.ArrayLimit))
	out := o.Output
	if !filepath.IsAbs(out) {
		out = filepath.Join(strings.ReplaceAll(dir, "%", "%%"), out)
	}
	line("#SBATCH --output=%s", sbatchQuote(out))
	line("#SBATCH --open-mode=append")
	line("#SBATCH --cpus-per-task=%d", o.CPUsPerTask)
	if o.Partition != "" {
		line("#SBATCH --partition=%s", o.Partition)
	}
	if o.Time != "" {
		line("#SBATCH --time=%s", o.Time)
	}
	if o.Mem != "" {
		line("#SBATCH --mem=%s", o.Mem)
	}
	if o.SignalS > 0 {
		line("#SBATCH --signal=B:USR1@%d", o.SignalS)
	}
	if o.Requeue {
		line("#SBATCH --requeue")
	} else {
		line("#SBATCH --no-requeue")
	}
	line("export GOMAXPROCS=%d", o.CPUsPerTask)
	line("exec %s sweep -run-point %s \"$SLURM_ARRAY_TASK_ID\"", shellQuote(binary), shellQuote(dir))
	return b.String(), nil
}

// ParseSqueue reads the lines "JOBID STATE" of
// squeue -h -o '%i %T' for array jobs ("123_4 RUNNING",
// "123_[5-9%2] PENDING") and returns the state of each listed task index:
// Running for RUNNING, COMPLETING, CONFIGURING; Queued for PENDING,
// REQUEUED, SUSPENDED and the like. Finished tasks, indices from MaxPoints
// on (no sweep has them) and lines it cannot read are skipped.
func ParseSqueue(out string) map[int]State {
	m := map[int]State{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		_, task, ok := strings.Cut(f[0], "_")
		if !ok {
			continue
		}
		var st State
		switch f[1] {
		case "RUNNING", "COMPLETING", "CONFIGURING":
			st = Running
		case "PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "SUSPENDED", "RESIZING":
			st = Queued
		default:
			continue // finished: the run directory knows better
		}
		task = strings.TrimSuffix(strings.TrimPrefix(task, "["), "]")
		task, _, _ = strings.Cut(task, "%")
		for _, part := range strings.Split(task, ",") {
			lo, hi, isRange := strings.Cut(part, "-")
			a, err1 := strconv.Atoi(lo)
			z := a
			var err2 error
			if isRange {
				z, err2 = strconv.Atoi(hi)
			}
			if err1 != nil || err2 != nil || a < 0 || z < a || a >= MaxPoints {
				continue
			}
			z = min(z, MaxPoints-1) // a sweep has no task beyond
			for i := a; i <= z; i++ {
				m[i] = st
			}
		}
	}
	return m
}
