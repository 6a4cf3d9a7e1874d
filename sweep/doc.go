// Package sweep describes many training runs at once: a spec (a base run
// config and axes of values for config keys), the points it expands to, the
// directory a sweep lives in, the state of each point's run and the table
// of their results.
//
// # Overview
//
// A spec is TOML with three tables:
//
//	[base]              a run config in the config-file layout (seed,
//	                    [base.task], [base.model], [base.train])
//	[axes]              dotted config keys mapped to lists of values:
//	                    "model.rank" = [1, 2, 3], seed = [1, 2, 3, 4]
//	[sweep]             how points are chosen and run (Options)
//
// Parse reads a spec; Spec.Points expands it into points, the full grid
// (the last axis varying fastest, axes in the spec's order) or Samples
// distinct grid points drawn with Seed. The package does not know the run
// config's keys: the caller applies each point's values to the base config
// (the command line's setKey) and reports unknown keys.
//
// # Shapes & layout
//
// A sweep directory (Layout) holds the spec as given (sweep.toml), the
// points (points.csv), the sweep's own record (sweep.json), logs/ and one
// run directory per point under runs/, named by Spec.Name
// ("p0003-model.rank=2-seed=3"). A run directory is a training run's
// (config.json, checkpoint.safetensors, metrics.jsonl, eval.json) plus
// point.json, the point's config written before launch, and attempts.jsonl,
// one line per start and end of a process running the point; a start with
// no end, whose process no longer runs, is a point killed (State Killed).
//
// # Errors & panics
//
// Parse returns errors naming the table and key of every bad setting and
// never panics on any input; it bounds the number of axes, values and
// points (MaxPoints). The Slurm values take only the forms sbatch reads,
// and Script returns an error for a sweep directory it cannot write into
// the job script (CheckDir). Readers of run directories treat missing
// files as states (pending, stopped) and return errors only for
// unreadable ones.
package sweep
