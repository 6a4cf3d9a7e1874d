package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/internal/files"
	"github.com/rnntrain/rnntrain/internal/plots"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

const trainLong = `
Train trains a recurrent network on a task and writes the run into a
directory (-out; default runs/<timestamp>):

	config.json              the fully resolved run config
	checkpoint.safetensors   the latest checkpoint (safetensors; see docs)
	checkpoints/             earlier checkpoints (the last -keep)
	best.safetensors         with -keep-best: the checkpoint of the best
	                         held-out evaluation (highest accuracy, then
	                         lowest loss), whose weights the final
	                         evaluation and figures then use
	metrics.jsonl            one JSON object per logged step: step, seed
	                         (the run's), loss (training batch),
	                         train_accuracy (a fresh batch of training
	                         trials), lr, grad_norm (the L2 norm of the
	                         step's gradients before clipping), elapsed_s
	                         (seconds of training, continued by -resume),
	                         steps_per_s (of this process), and at
	                         evaluations validation_accuracy (left
	                         out when no trial was scored, all catch
	                         trials), validation_loss (the task's
	                         loss: MSE or cross-entropy) and
	                         validation_mse; figures (a
	                         spiking net's rate_hz, or rate_per_step on a
	                         task without dt, silent_units and
	                         activity_sparsity; the egru's
	                         rate_per_step (events per unit-step),
	                         silent_units, activity_sparsity,
	                         backward_sparsity, effective_macs and,
	                         with activity_reg,
	                         activity_penalty) on the train_accuracy batch;
	                         stage, a curriculum's stage (from 0, which is
	                         left out), also on the step lines
	eval.json                the final evaluation, on the validation split
	                         of a dataset (every trial) or on 1000 fresh
	                         trials of a generated task; its "split" says
	                         which
	plots/curves.*           loss (training batches, held-out trials, a
	                         zero output's: the task's MSE or
	                         cross-entropy) and accuracy (training batches,
	                         held-out trials, target, chance) against step
	plots/trials.*           example trials: inputs, targets, outputs
	plots/raster.*           spiking models and egru: rasters of the
	                         spikes (egru: the events o_t, where y_t ≠ 0)
	                         of example trials, of at most -raster-units
	                         units (key plot_raster_units, default 200;
	                         0 = all), evenly spaced from unit 0
	plots/psychometric.*     P(choice 1) against signed coherence, per
	                         context (tasks with signed evidence:
	                         perceptual-dm, context-dm, multisensory,
	                         parametric-wm)
	plots/psychometric-contexts.*
	                         context-dm, multisensory: P(choice 1) against
	                         each modality's evidence in each context
	plots/stimuli.*          parametric-wm: percentage correct per f1, f2
	plots/timing.*           ready-set-go: produced against target interval
	                         (once some trial produces a response)
	plots/units.*            the four units whose trial-averaged rates vary
	                         most, one line per condition
	plots/pca.*              condition-averaged trajectories on their first
	                         two principal components

Each figure is written in every format of -plot-format (key plot_formats;
default png,svg; pdf too). 'rnntrain plot RUN' draws them again. A figure
that cannot be written (a full disk) is a warning, not a failure: the run
ends with status 0 and its eval.json, and the summary lists only the
figures written.

With no flags it trains a leaky RNN (N = 64, ReLU, α = 0.2, σ = 0.05) on
context-dm with its default preset for 1000 steps of 32 trials, evaluating
on 512 fresh trials every 50 steps.

Held out means held out. A dataset (npz, mnist-*) is divided once, by
split_seed, into train, validation and test splits: training draws only
training trials and evaluates on the validation split (validation_fraction
of the training trials, default 0.1; 0 evaluates on the training trials and
says so); the test split (MNIST's 10 000 test images, an npz file's
test_fraction, default 0) is reached only by 'rnntrain eval -split test'.
A generated task draws its evaluation trials fresh from a random stream of
the seed that training never draws from.

Settings come from the defaults, then from -config FILE (TOML or JSON, the
layout of config.json, sections task, model and train; keys left out keep
their defaults), then from the flags actually given, which override the
file. A bad value is reported with where it came from: "config FILE: KEY:
..." for the file's, "-FLAG (KEY in a config file): ..." for a flag's. With
-model KIND the file's model keys are read as keys of KIND: those KIND has
apply, any other is an error naming the file and the key; in a JSON file, a
key holding the default of the file's own model gives way to KIND's default
(a run's config.json writes out every default). A config is JSON inside,
which holds only UTF-8 text: a config file or a setting's flag value that is
not valid UTF-8 (a path of other bytes) is refused, naming it, rather than
stored changed.

-out takes a new or empty directory: one that holds a run is refused (continue
it with -resume), and so is one that holds any other file (your own, a
sweep's, a run stopped before its first checkpoint: -resume DIR continues
that one from step 0), naming one of them.

-resume DIR continues the run in DIR from its latest checkpoint with its
config.json, again overridden by the flags given (for example a larger
-steps). Flags that would break the run's bitwise continuation are refused
unless -force; only train.steps, train.target_accuracy, train.eval_every,
train.eval_trials, train.log_every, train.checkpoint_every, train.keep,
train.keep_best, plot_formats and plot_raster_units may change freely
(train.steps not under the cosine schedule, which it stretches). config.json
must agree with the config stored in the checkpoint resumed in every other
key: one edited or damaged since the checkpoint was written is refused,
naming both files and the keys, unless -force, which resumes with
config.json's settings (a checkpoint of format 1 or without a stored config
is not compared). A run whose config.json is missing resumes with the config
stored in its latest checkpoint, which is written back to config.json first
(stderr says so): it is the config a resume would hold config.json to. A
resume whose config -force changed saves the checkpoint it resumes again as
the run's latest, with the config it accepted (the step file keeps the one
it was trained with), so the next resume needs no -force even if this one
stops before its first checkpoint. A run stopped before its first checkpoint
resumes from step 0. -resume A -out B continues A's run in B instead (B must
not hold a run; A is not changed, but for a missing config.json written
back): B starts with A's checkpoint and the lines of A's metrics.jsonl up to
it, and with -keep-best A's best.safetensors. A branch refused (A already at
-steps, a run starting at step 0 whose -init-from source is unreadable or
does not fit, or with -keep-best A's best.safetensors unreadable, of another
network, or of another task or seed than the run's) creates no B.

A connectivity mask file (rec_mask, rec_fixed, in_mask, in_fixed), an npz
task's data file (-data, task.settings.path, and the path of
task.eval_settings or a curriculum stage) and the four MNIST files of an
mnist_dir (not the copy shipped with the GoMNIST module) are read again
whenever a run is loaded; their SHA-256 sums are in each checkpoint, and
resume (unless -force), eval and every analysis refuse a file changed since,
naming its key and path (checkpoints written before data files were summed
are not compared on them). A run moved together with its npz data files
resumes, as eval and the analyses open it: when a data file
(task.settings.path, task.eval_settings.path or
train.curriculum[i].settings.path) no longer exists, the file of that name
in the run directory or the one holding it is taken if its SHA-256 is the
one the checkpoint recorded under that key (stderr says so, and the resumed
run records the new path); otherwise, or when the checkpoint records no
SHA-256 for the key, the error names the checkpoint, the key and the
missing file.

Training stops at -steps, at -target-accuracy on held-out trials, or on
SIGINT (Ctrl-C), SIGTERM, SIGHUP, SIGUSR1 or SIGPIPE (the reader of the
output went away, seen at the next line written to it: train 2>&1 | head;
the step lines go to standard error, so with standard output alone piped a
reader gone during training is seen only at the final summary, when the run
is complete and exits 0), which save a checkpoint and
exit with status 130 (SIGINT) or 75 (the others: a batch system's time
limit or preemption; SIGUSR1 is the warning a Slurm job asks for before its
time limit, "#SBATCH --signal=B:USR1@60" for a script that runs "exec
rnntrain train ...", --signal=USR1@60 for one that runs it with srun); the
run can then be resumed, bit for bit as if it had not stopped on the same
build and kernel class (assembly and -tags noasm builds give other bits;
docs/determinism.md). A second signal while the checkpoint
is written does not stop the write. eval.json is written last, after the
plots: a run stopped before it resumes to evaluate and draw again. A signal
during the final evaluation or the figures, after the last step's checkpoint
is saved, stops them with the same status and leaves no eval.json.

One process at a time writes a run directory: train holds DIR/.rnntrain.lock
(its pid and host) while it runs and refuses a directory that another live
process holds; a lock left by a killed process is taken over, and the
temporary files of writes it interrupted are removed (a figure's
.plot-HOST-PID-* by the next figure written into its directory, once
process PID of this host no longer runs).

Models (-model; u_t: input at step t, ξ_t ~ N(0, I) drawn fresh at every
step, α = -alpha, σ = -noise, φ = -activation; unless a model reads out
itself the readout sees the rates after each update,
y_t = W_out r_{t+1} + b_out, as in PsychRNN; 'rnntrain help config' lists
every model's options with their defaults):

%MODELS%
Exit status: 0 when training finished (steps done or target reached), 130
after SIGINT and 75 after SIGTERM, SIGHUP, SIGUSR1 or SIGPIPE (a checkpoint was
saved: resume with -resume), 2 for a bad flag or config, 1 for other
failures (a missing or broken file, a run directory in use, divergence).
`

func trainCommand() *command {
	return &command{
		Saves: true,
		Name:  "train",
		Short: "train a network on a task; writes checkpoints, metrics and plots",
		Usage: "[flags]",
		Long:  strings.Replace(trainLong, "%MODELS%", modelEquations(), 1),
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			cfg := defaultConfig()
			vals := bindTrainFlags(fs, &cfg)
			out := fs.String("out", "", "run directory (default runs/<timestamp>; with -resume, the resumed directory)")
			configFile := fs.String("config", "", "TOML or JSON config file; flags given override it")
			resume := fs.String("resume", "", "continue the run in this directory from its latest checkpoint")
			force := fs.Bool("force", false, "with -resume: accept settings that break bitwise continuation, given by flags or by a config.json that differs from the checkpoint's config")
			quiet := fs.Bool("quiet", false, "print only errors and the final summary: no run header, progress bar or per-step lines")
			maxMem := fs.Float64("max-memory", 0, "refuse a run whose estimated memory exceeds this many GiB (0 = the memory available, MemAvailable in /proc/meminfo)")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected arguments %q (train takes only flags)", args)
				}
				// SIGUSR1, a batch system's warning before the time
				// limit, stops the run as SIGTERM does.
				ctx, _ = timeLimitContext(ctx)
				if !(*maxMem >= 0) || math.IsInf(*maxMem, 0) {
					return usagef("-max-memory %g: want a size in GiB ≥ 0 (0 = the memory available)", *maxMem)
				}
				if *force && *resume == "" {
					return usagef("-force has no effect without -resume")
				}
				opts := trainOptions{out: *out, resume: *resume, maxMemory: *maxMem * (1 << 30), quiet: *quiet}
				fs.Visit(func(f *flag.Flag) { opts.stepsGiven = opts.stepsGiven || f.Name == "steps" })
				base := *configFile
				if *resume != "" {
					if base != "" {
						return usagef("-config and -resume: give one (a resumed run uses its own config.json)")
					}
					base = filepath.Join(*resume, "config.json")
					if _, err := os.Stat(base); err != nil {
						if hint := checkpointFileHint(*resume); hint != "" {
							return fmt.Errorf("-resume %s: no run to resume: %s", *resume, hint)
						}
						if !errors.Is(err, os.ErrNotExist) {
							return fmt.Errorf("-resume %s: no run to resume: %w", *resume, err)
						}
						if err := restoreConfig(e, *resume); err != nil {
							return err
						}
					}
					if opts.out == "" {
						opts.out = *resume
					}
					// config.json against the checkpoint's config first:
					// an edit is refused as an edit, naming the keys, even
					// one that no network could be built from.
					rp, err := loadResumePoint(*resume)
					if err != nil {
						return err
					}
					if err := checkResumable(rp); err != nil {
						return err
					}
					saved, err := resumeConfig(base, rp, *force)
					if err != nil {
						return err
					}
					opts.point, opts.saved, opts.force = rp, &saved, *force
				}
				src, err := applyConfig(fs, &cfg, vals, base)
				if err != nil {
					return err
				}
				if err := cfg.validate(); err != nil {
					return src.attribute(err)
				}
				if *resume != "" {
					saved := *opts.saved
					if err := relocateResumeData(e.stderr, *resume, opts.point, &saved, &cfg); err != nil {
						return err
					}
					if err := checkResume(saved, cfg, *force); err != nil {
						return err
					}
				}
				// A setting found bad only once the task or the network is
				// built names the file too.
				return src.attribute(runTrain(ctx, e, cfg, opts))
			}
		},
	}
}

type trainOptions struct {
	out    string
	resume string
	// maxMemory bounds the run's estimated memory in bytes; 0: the memory
	// available.
	maxMemory float64
	// quiet leaves out the header and the progress display (-quiet).
	quiet bool
	// point is the checkpoint resumed, read before the run's lock was
	// taken.
	point resumePoint
	// saved is the resumed run's config.json, compared with the config
	// stored in the checkpoint resumed unless force (-force).
	saved *runConfig
	force bool
	// stepsGiven says that -steps was on the command line, for messages
	// that name where the run's train.steps came from.
	stepsGiven bool
}

func runTrain(ctx context.Context, e *env, cfg runConfig, opts trainOptions) error {
	s, err := newSessionWithin(cfg, opts.maxMemory)
	if err != nil {
		return err
	}
	if err := checkTrainable(s); err != nil {
		return err
	}
	if err := checkCurriculumEval(&s.cfg); err != nil {
		return err
	}
	if err := checkEvalDt(&s.cfg, s.cfg.Model.DtMS); err != nil {
		return err
	}
	// The final evaluation's task is built before anything is written:
	// settings it cannot be built from are refused as the run's are.
	evalTask, err := s.evalTask()
	if err != nil {
		return err
	}
	dir := opts.out
	if dir == "" {
		dir = defaultRunDir(time.Now())
	}
	var st train.State
	rp := opts.point
	inPlace := opts.resume != "" && samePath(dir, opts.resume)
	// rebase saves the checkpoint resumed again, in dir and with this run's
	// config, before training: a branch (-resume A -out B) then holds its
	// starting point at once, and a resume that changed the config with
	// -force stores the config it accepted, so that the next resume takes
	// it without -force even if this one stops before its first
	// checkpoint.
	rebase := false
	var initNote string
	// best, with keep_best, is the run's best held-out evaluation so far;
	// bestSrc the best checkpoint a branch copies from its source.
	var best *train.Best
	var bestSrc *checkpoints.Checkpoint
	// prepare reads and checks the checkpoint resumed, if any, and a run
	// that starts at step 0 from its -init-from source. A new run or a
	// branch does so before its directory is created, so that one refused
	// (a source of another activation or size, a run already at -steps)
	// or failing on its source leaves nothing behind; a resume in place
	// after it takes the run's lock, so that no other process saves a
	// checkpoint meanwhile.
	prepare := func() error {
		if opts.resume != "" {
			if rp.replaced(opts.resume) {
				// Another process saved a checkpoint since this one read
				// the latest: compare again with the one now the latest.
				if rp, err = loadResumePoint(opts.resume); err != nil {
					return err
				}
				if rp.ckpt != nil && opts.saved != nil {
					if err := checkStoredConfig(*opts.saved, filepath.Join(opts.resume, "config.json"), rp.ckpt, opts.force); err != nil {
						return err
					}
				}
			}
			if c := rp.ckpt; c != nil {
				changed := changedFiles(c.Meta.Files, s.files, s.cfg)
				if changed != "" && !opts.force {
					return fmt.Errorf("resume: checkpoint %s: the run is rebuilt from files that changed since it was written: %s; restore them, or give -force to continue on the changed files", c.Path, changed)
				}
				if st, err = train.RestoreState(c, s.net.net); err != nil {
					return fmt.Errorf("resume: %w", err)
				}
				if opts.force {
					// -force may have changed the time constants or the
					// step: the decays a spiking net does not train follow
					// the config, not the checkpoint.
					if d, ok := s.net.net.Recurrent().(interface{ SetFixedDecays() }); ok {
						d.SetFixedDecays()
					}
				}
				// A run stopped after its last checkpoint but before its final
				// evaluation resumes to write eval.json and the plots; one that
				// finished, or went beyond -steps, needs a larger -steps.
				if st.Step > s.cfg.Train.Steps || st.Step == s.cfg.Train.Steps && evaluatedAt(opts.resume) == st.Step {
					of := fmt.Sprintf("-steps %d", s.cfg.Train.Steps)
					if !opts.stepsGiven {
						of = fmt.Sprintf("its %d steps (train.steps in %s)", s.cfg.Train.Steps, filepath.Join(opts.resume, "config.json"))
					}
					return usagef("-resume %s: the run is already at step %d of %s; give a larger -steps to continue", opts.resume, st.Step, of)
				}
				// With -force over changed mask or data files, the latest checkpoint
				// then holds their new sums too.
				rebase = !inPlace || storedConfigDiffers(c, s.cfg) || changed != ""
			}
		}
		if st.Step == 0 {
			if initNote, err = initFromTruncation(s, e.stderr); err != nil {
				return err
			}
		}
		if s.cfg.Train.KeepBest {
			if best, bestSrc, err = startBest(opts.resume, inPlace, st.Step, s); err != nil {
				return err
			}
		}
		return nil
	}
	if !inPlace {
		if err := prepare(); err != nil {
			return err
		}
	}
	lock, err := lockRunDir(dir, opts.resume)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	if inPlace {
		if err := prepare(); err != nil {
			return err
		}
	}
	if !opts.quiet { // part of the header, which -quiet leaves out
		fmt.Fprint(e.stdout, initNote)
	}
	if err := os.MkdirAll(filepath.Join(dir, "plots"), 0o755); err != nil {
		return fmt.Errorf("create run directory: %w", err)
	}
	r := &trainRun{s: s, dir: dir, start: time.Now(), startStep: st.Step, step: st.Step, saved: -1, best: best}
	if best != nil {
		if err := copyBest(best, bestSrc, dir); err != nil {
			return err
		}
	}
	if rp.ckpt != nil {
		r.elapsedBefore = rp.ckpt.Meta.ElapsedS
		if inPlace {
			r.saved = st.Step
		}
	}
	if err := r.startLog(rp.ckpt); err != nil {
		return err
	}
	// metrics.jsonl before any checkpoint: a branch stopped after copying
	// its history holds no checkpoint yet and can be branched again,
	// while one stopped after its first checkpoint has its history.
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if opts.resume != "" {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
		from := filepath.Join(opts.resume, "metrics.jsonl")
		if r.curves, err = resumeMetrics(from, filepath.Join(dir, "metrics.jsonl"), st.Step, inPlace, r.s.task.Loss() == tasks.MSE); err != nil {
			return fmt.Errorf("resume: %w", err)
		}
	}
	if rebase && !inPlace {
		// The branch's checkpoint before its config.json: a branch
		// stopped between the two is not mistaken for a run with no
		// checkpoint (which starts again from step 0).
		if err := r.save(st); err != nil {
			return err
		}
	}
	if err := writeJSONFile(filepath.Join(dir, "config.json"), s.cfg); err != nil {
		return err
	}
	if rebase && inPlace {
		// After config.json, which then agrees with the checkpoint's
		// config whenever the checkpoint holds the new one. The step file
		// keeps the config the state was trained with.
		if err := r.saveLatest(st); err != nil {
			return err
		}
	}
	if !opts.quiet {
		printHeader(e.stdout, s, dir, st.Step)
		if opts.resume != "" && rp.ckpt == nil {
			fmt.Fprintf(e.stdout, "  resume  %s has no checkpoint yet (the run stopped before its first): training from step 0\n", opts.resume)
		}
	}
	if best != nil && best.Step >= 0 {
		if m, ok := missedBest(opts.resume, best, st.Step); ok {
			loss := lossName(s.task)
			fmt.Fprintf(e.stderr, "rnntrain train: warning: %s, of step %d (validation accuracy %.4f, %s %.4g), is not the best evaluation of %s up to step %d: step %d's (%.4f, %s %.4g), made without -keep-best, scored higher and its weights were not kept; the run compares its own evaluations with step %d's\n",
				checkpoints.BestPath(dir), best.Step, best.Accuracy, loss, best.Loss, filepath.Join(opts.resume, "metrics.jsonl"), st.Step, m.Step, m.Accuracy, loss, m.Loss, best.Step)
		}
	}

	mf, err := files.OpenRegularFile(filepath.Join(dir, "metrics.jsonl"), flags, 0o644)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	defer mf.Close()
	r.metrics = json.NewEncoder(mf)
	r.prog = newProgress(e.stderr, st.Step, s.cfg.Train.Steps, len(s.stages), opts.quiet)

	sum, trainErr := train.Resume(ctx, s.cfg.Train, s.net.net, s.stages, st, r)
	r.prog.finish()
	interrupted := errors.Is(trainErr, train.ErrInterrupted)
	if trainErr != nil && !interrupted {
		// Divergence or a failure: the last good checkpoint stays.
		return fmt.Errorf("%w%s; %s", trainErr, divergenceHint(trainErr, s.cfg), r.lastGood())
	}
	if err := r.save(sum.State); err != nil {
		return err
	}
	if interrupted {
		fmt.Fprintf(stopOutput(ctx, e.stdout, e.stderr), "%s at step %d; checkpoint saved to %s\nresume with: rnntrain train -resume %s\n",
			stoppedBy(ctx), sum.Steps, checkpoints.LatestPath(dir), dir)
		return interruptedError{context.Cause(ctx)}
	}
	// With keep_best the final evaluation and the figures are of the best
	// held-out evaluation's weights; the latest checkpoint keeps the last
	// step's, which a resume continues from.
	weights, err := r.bestWeights(sum.Steps)
	if err != nil {
		return err
	}
	// A stop signal stops the final evaluation and the figures too: the
	// checkpoint of the last step is saved, and without eval.json a
	// resume evaluates and draws again.
	rep, err := finalReport(ctx, s, evalTask, sum.Steps)
	if weights != sum.Steps {
		rep.WeightsStep = weights
	}
	// figures is what the summary says of the figures: plots/ when every
	// one was drawn, else only those that were.
	figures := ", plots/"
	if err == nil {
		drawn, err := r.plots(ctx, evalTask, rep)
		if err != nil && ctx.Err() == nil {
			// The checkpoint and metrics are written; a figure is not
			// worth failing the run for.
			fmt.Fprintf(e.stderr, "rnntrain train: warning: %v\n", err)
			figures = figuresDrawn(drawn, s.cfg.PlotFormats, dir)
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintf(stopOutput(ctx, e.stdout, e.stderr), "%s at step %d, before the final evaluation was written; checkpoint saved to %s\nresume with: rnntrain train -resume %s\n",
			stoppedBy(ctx), sum.Steps, checkpoints.LatestPath(dir), dir)
		return interruptedError{context.Cause(ctx)}
	}
	// eval.json last: a run that has it (of its step) is complete, and
	// one stopped before resumes to evaluate and draw again.
	if err := writeJSONFile(filepath.Join(dir, "eval.json"), rep); err != nil {
		return err
	}
	sep := "\n" // after the header and the step lines; -quiet prints neither
	if opts.quiet {
		sep = ""
	}
	fmt.Fprintf(e.stdout, "%sstopped at step %d: %s, %.1f s\n", sep, sum.Steps, stopReason(sum, s.cfg), time.Since(r.start).Seconds())
	switch {
	case sum.Eval == nil:
	case sum.Eval.Trials == 0:
		fmt.Fprintf(e.stdout, "last evaluation during training: accuracy undefined, no trial scored (every one excluded by the task's scorer, as catch trials are)\n")
	default:
		fmt.Fprintf(e.stdout, "last evaluation during training: accuracy %.4f on %d %s\n", sum.Eval.Accuracy, sum.Eval.Trials, trialsOf(sum.Eval.Split))
	}
	if weights != sum.Steps {
		held := "held-out "
		if rep.Split == tasks.Train.String() {
			held = ""
		}
		fmt.Fprintf(e.stdout, "best %sevaluation: accuracy %.4f (%s %.4g) at step %d, kept in %s\n",
			held, r.best.Accuracy, lossName(s.task), r.best.Loss, r.best.Step, checkpoints.BestPath(dir))
		fmt.Fprint(e.stdout, chosenOn(rep.Split, evalTask, checkpoints.BestPath(dir)))
	}
	if s.cfg.Train.KeepBest && (r.best == nil || r.best.Step < 0) {
		fmt.Fprintf(e.stdout, "-keep-best: no evaluation scored a trial, so none was kept; the final evaluation scores the last step's weights\n")
	}
	fmt.Fprintf(e.stdout, "final evaluation: ")
	if len(rep.Conditions) > maxTableRows {
		fmt.Fprintln(e.stdout, reportLine(rep))
		fmt.Fprintf(e.stdout, "(%d conditions: see eval.json or 'rnntrain eval -checkpoint %s')\n", len(rep.Conditions), dir)
	} else {
		printReport(e.stdout, rep)
	}
	fmt.Fprint(e.stdout, chanceHint(rep, tasks.Describe(evalTask)))
	kept := ""
	if r.best != nil && r.best.Step >= 0 {
		kept = " best.safetensors,"
	}
	fmt.Fprintf(e.stdout, "\nwrote %s: config.json, checkpoint.safetensors,%s checkpoints/, metrics.jsonl, eval.json%s\n", dir, kept, figures)
	return nil
}

// figuresDrawn says, for the summary of the run in dir whose figures
// failed, which were written (drawn, in formats) before the failure.
func figuresDrawn(drawn []string, formats plots.Formats, dir string) string {
	again := fmt.Sprintf("see the warning; 'rnntrain plot %s' draws them again", dir)
	if len(drawn) == 0 {
		return "; no figures (they failed, " + again + ")"
	}
	var paths []string
	for _, name := range drawn {
		paths = append(paths, formats.Paths(filepath.Join("plots", name))...)
	}
	return ", " + strings.Join(paths, ", ") + " only (the other figures failed, " + again + ")"
}

// chosenOn says, for a run whose final evaluation scores the kept best
// weights on split (a dataset's: "validation", or "train" when it holds
// no trials out for validation), that those trials chose the weights, and
// how to score them on trials never used: 'eval -split test' of the best
// checkpoint best when the data have a test split, a run holding one out
// when not. It says nothing of fresh trials, which never chose them.
func chosenOn(split string, evalTask tasks.Task, best string) string {
	var chose string
	switch split {
	case tasks.Validation.String():
		chose = "its weights were chosen on the validation split scored below"
	case tasks.Train.String():
		chose = "its weights were chosen on the training trials scored below, which training drew from too: validation_fraction is 0"
	default:
		return ""
	}
	if _, err := tasks.Part(evalTask, tasks.Test); err != nil {
		return fmt.Sprintf("(%s; the data hold out no test split to score them on trials never used: a run with -test-fraction holds one out)\n", chose)
	}
	return fmt.Sprintf("(%s; 'rnntrain eval -checkpoint %s -split test' scores them on trials never used)\n", chose, best)
}

// evaluatedAt returns the step of the final evaluation in the run
// directory dir (its eval.json), or -1 if it has none that reads: an
// eval.json of an earlier step is left by a run resumed with a larger
// -steps and stopped before its own final evaluation.
func evaluatedAt(dir string) int {
	data, err := files.ReadRegular(filepath.Join(dir, "eval.json"), maxEvalBytes)
	if err != nil {
		return -1
	}
	var rep struct {
		Step *int `json:"step"`
	}
	if json.Unmarshal(data, &rep) != nil || rep.Step == nil {
		return -1
	}
	return *rep.Step
}

// maxEvalBytes bounds the eval.json evaluatedAt reads: a report of many
// thousands of conditions.
const maxEvalBytes = 64 << 20

// maxTableRows bounds the per-condition table train prints at the end.
const maxTableRows = 16

// defaultRunDir returns runs/<timestamp>, with a numeric suffix when a run
// started in the same second already took the name.
func defaultRunDir(now time.Time) string {
	base := filepath.Join("runs", now.Format("20060102-150405"))
	dir := base
	for i := 2; ; i++ {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return dir
		}
		dir = fmt.Sprintf("%s-%d", base, i)
	}
}

// stopReason says in words why training ended.
func stopReason(sum train.Summary, cfg runConfig) string {
	switch sum.Reason {
	case train.TargetReached:
		return fmt.Sprintf("validation accuracy reached the target %g", cfg.Train.TargetAccuracy)
	case train.Completed:
		return "all steps done"
	}
	return sum.Reason.String()
}

// divergenceHint is what a run of c that stopped with err adds to the
// error when its model has a known remedy: an ltc network trained by BPTT
// whose gradient overflows (adding and copy at the defaults reach NaN
// within 100 steps) trains stably with FPTT, the trainer of the LTC-SN
// paper (Yin et al. 2023, sFPTT), the only setting measured stable there.
func divergenceHint(err error, c runConfig) string {
	var d *train.DivergenceError
	if !errors.As(err, &d) || c.Model.Kind() != "ltc" || c.Train.Trainer != train.BPTT {
		return ""
	}
	return "; an ltc network is trained stably by -trainer fptt, the LTC-SN paper's own trainer (sFPTT)"
}

// chanceHint is what train says after a final evaluation at chance on
// info's task, accuracy within a tenth of the way from chance to 1 (below
// 0.55 on a two-choice task, 0.1 on a continuous one): that the network
// did not learn (below chance when the accuracy is more than two standard
// errors under it), the settings that decide whether it does and, for a task
// whose defaults are known not to train it, what does (taskNote). It is
// "" for another accuracy and for a dataset, whose chance is not known.
func chanceHint(rep analysis.Report, info tasks.Info) string {
	if info.Preset == tasks.Dataset || rep.Trials == 0 || rep.Accuracy >= info.Chance+(1-info.Chance)/10 {
		return ""
	}
	where := "at"
	if rep.Accuracy+2*rep.StdErr < info.Chance { // e.g. a net that never leaves fixation
		where = "below"
	}
	h := fmt.Sprintf("accuracy %.4f is %s chance (%.3g): the network did not learn %s. What decides whether it does: -steps, -lr (lower it when the loss jumps), -activation (tanh bounds the rates), -noise, -hidden, -keep-best; 'rnntrain help train' has them all.",
		rep.Accuracy, where, info.Chance, info.Name)
	h = "\n" + wrapLine("hint: ", h, "      ", false)
	if n := taskNote(info.Name); n != "" {
		h += wrapLine("hint: ", n, "      ", false)
	}
	return h
}

// stepsRange is a task's trial length in steps: "68", or "130–304" when
// its trials differ in length.
func stepsRange(info tasks.Info) string {
	if info.MinSteps == info.MaxSteps {
		return fmt.Sprint(info.MaxSteps)
	}
	return fmt.Sprintf("%d–%d", info.MinSteps, info.MaxSteps)
}

// printHeader prints what the run is: seed, model, task and sizes.
func printHeader(w io.Writer, s *session, dir string, step int) {
	c := s.cfg
	nIn, n, nOut := s.net.Dims()
	info := tasks.Describe(s.task)
	fmt.Fprintf(w, "rnntrain train: seed %d\n", c.Seed)
	steps := stepsRange(info)
	dt := fmt.Sprintf("dt %g ms", info.DtMS)
	if info.DtMS == 0 {
		dt = "no dt" // a dataset's steps have no duration
	}
	fmt.Fprintf(w, "  task   %s (preset %s): %s, %s, %s, %s steps per trial, chance %.2f\n",
		c.Task.Name, c.Task.Preset, count(nIn, "input"), count(nOut, "output"), dt, steps, info.Chance)
	fmt.Fprintf(w, "  model  %s: N = %d, σ = %g, %s; %d parameters\n",
		c.Model.Kind(), n, c.Model.NoiseStd, headerSummary(&c), s.paramCount())
	if c.Task.activationOwn {
		fmt.Fprintf(w, "  model  activation %s: the task's own for a network that sets none ('rnntrain tasks %s')\n", info.Activation, c.Task.Name)
	}
	stop := "no early stop"
	if c.Train.TargetAccuracy > 0 {
		stop = fmt.Sprintf("stop at validation accuracy %g", c.Train.TargetAccuracy)
	}
	held := tasks.HeldOut(s.task)
	evalN := c.Train.EvalTrials
	if f, ok := held.(tasks.Finite); ok {
		evalN = min(evalN, f.Len())
	}
	when := fmt.Sprintf("every %d steps", c.Train.EvalEvery)
	switch {
	case c.Train.EvalEvery <= 0 || c.Train.EvalEvery >= c.Train.Steps:
		when = "at the end"
	case c.Train.EvalEvery == 1:
		when = "after every step"
	}
	which := "held-out " + trialsOf(tasks.SplitLabel(held))
	if tasks.SplitLabel(held) == tasks.Train.String() {
		which = "training trials (validation_fraction 0: none held out)"
	}
	keep := ""
	if c.Train.KeepBest {
		keep = ", keeping the best in best.safetensors, whose weights the final evaluation scores"
	}
	opt := c.Train.Optimizer.Kind.String()
	if wd := c.Train.Optimizer.WeightDecay; wd != 0 {
		opt += fmt.Sprintf(" (weight decay %g)", wd)
	}
	fmt.Fprintf(w, "  train  %s lr %g, batch %d, up to %d steps; %s; evaluate on %d %s %s%s\n",
		opt, c.Train.LR, c.Train.BatchSize, c.Train.Steps, stop, evalN, which, when, keep)
	if f := c.Train.FPTT; c.Train.Trainer == train.FPTT {
		fmt.Fprintf(w, "  fptt   %s, k %d, α %g, β %g, ρ %g, reg %g, %s loss, reset every %s\n",
			fpttWindows(f.Parts, info.MinSteps, info.MaxSteps), f.K, f.Alpha, f.Beta, f.Rho, f.Reg, f.Loss, resetText(f.ResetEvery))
	} else if c.Train.TBPTT > 0 {
		whole := ""
		if info.MaxSteps > 0 && c.Train.TBPTT >= info.MaxSteps {
			whole = fmt.Sprintf(": no trial is longer (at most %s), so every trial runs as one window, full BPTT", count(info.MaxSteps, "step"))
		}
		fmt.Fprintf(w, "  tbptt  windows of %d steps%s\n", c.Train.TBPTT, whole)
	}
	if len(s.stages) > 1 {
		var lens []string
		for _, t := range s.stages {
			lens = append(lens, stepsRange(tasks.Describe(t)))
		}
		fmt.Fprintf(w, "  curriculum  %d stages of %s steps per trial; advance at validation accuracy %g\n",
			len(s.stages), strings.Join(lens, ", "), c.Train.AdvanceThreshold)
	}
	if step > 0 {
		fmt.Fprintf(w, "  resume from step %d\n", step)
	}
	fmt.Fprintf(w, "  out    %s\n", dir)
}

// headerSummary is the run header's summary of c's network: its settings
// and its model's (modelSummary), without the sizes, σ and dt that the
// header prints elsewhere, and without the settings the rest of c leaves
// without effect (dependentSettings: the Poisson gain without the Poisson
// encoding, tau_mem_ms beside beta, ...).
func headerSummary(c *runConfig) string {
	m := c.Model
	m.Inputs, m.Hidden, m.Outputs, m.NoiseStd, m.DtMS = 0, 0, 0, 0, 0
	idle := map[string]bool{}
	for _, d := range dependentSettings() {
		if k, ok := strings.CutPrefix(d.key, "model."); ok && !d.on(c) {
			idle[k] = true
		}
	}
	return modelSummaryWithout(m, idle)
}

// fpttWindows says how FPTT with parts parts cuts a batch of trials of
// minT to maxT steps into windows, as the trainer does: a batch padded to
// T steps (its longest trial) has windows of ⌊T/parts⌋ steps, at least
// one, and the remainder in one more window.
func fpttWindows(parts, minT, maxT int) string {
	f := train.FPTTConfig{Parts: parts}
	// of describes a batch of T steps; exact: parts windows of one length.
	of := func(T int) (s string, exact bool) {
		w := f.WindowSteps(T)
		n := (T + w - 1) / w
		if n == parts && n*w == T {
			return fmt.Sprintf("%d parts (windows of %s)", parts, count(w, "step")), true
		}
		s = fmt.Sprintf("%d windows of %s", n, count(w, "step"))
		if last := T - (n-1)*w; last != w {
			s += fmt.Sprintf(", the last of %d", last)
		}
		return s, false
	}
	if minT != maxT {
		lo, _ := of(minT)
		hi, _ := of(maxT)
		return fmt.Sprintf("windows of ⌊T/%d⌋ steps for a batch of T steps (its longest trial, %d–%d): from %s to %s", parts, minT, maxT, lo, hi)
	}
	s, exact := of(maxT)
	switch {
	case exact:
	case parts > maxT:
		s += fmt.Sprintf(" (parts %d is more than the %d steps of a trial: one window a step)", parts, maxT)
	default:
		s += fmt.Sprintf(" (parts %d: windows of ⌊%d/%d⌋ = %s)", parts, maxT, parts, count(f.WindowSteps(maxT), "step"))
	}
	return s
}

// resetText describes FPTTConfig.ResetEvery.
func resetText(n int) string {
	switch {
	case n < 0:
		return "never"
	case n == 0:
		return "epoch"
	}
	return fmt.Sprintf("%d updates", n)
}

// trainRun is the train command's observer of the loop: it writes
// metrics.jsonl, drives the progress display, saves periodic checkpoints
// and collects the training curves.
type trainRun struct {
	s         *session
	dir       string
	start     time.Time
	startStep int
	// elapsedBefore is the time, in seconds, the run had trained before
	// start: the elapsed_s of the checkpoint resumed (0 for a new run, or
	// a checkpoint that does not record it).
	elapsedBefore float64
	step          int
	stage         int // the curriculum stage of the last step
	metrics       *json.Encoder
	prog          progress
	evalAcc       *float64
	// logSrc is the source of logRNG, the stream of the train_accuracy
	// batches, saved in the checkpoint under rngLog.
	logSrc *rand.PCG
	logRNG *rand.Rand
	curves plots.Curves
	// saved is the step of the run's latest checkpoint in dir, -1 before
	// the first.
	saved int
	// best keeps the best held-out evaluation's checkpoint (keep_best);
	// nil without.
	best *train.Best
}

// startBest returns the best held-out evaluation of a run of session s
// starting at step: none for a new run; for a resume, the one the run in
// resume kept up to step (a best file of another task or seed, or that
// does not fit s's network, is refused: train.ResumeBest), and for a
// branch (not inPlace) also that file, which the branch copies into its
// own directory (copyBest). It only reads, so that a branch it refuses
// leaves no directory behind.
func startBest(resume string, inPlace bool, step int, s *session) (*train.Best, *checkpoints.Checkpoint, error) {
	if resume == "" {
		return train.NewBest(""), nil, nil
	}
	meta, err := s.meta()
	if err != nil {
		return nil, nil, err
	}
	b, err := train.ResumeBest(resume, step, s.net.net, meta)
	if err != nil {
		return nil, nil, fmt.Errorf("resume: %w", err)
	}
	if inPlace || b.Step < 0 {
		return b, nil, nil
	}
	c, err := checkpoints.Load(checkpoints.BestPath(resume))
	if err != nil {
		return nil, nil, fmt.Errorf("resume: %w", err)
	}
	return b, c, nil
}

// missedBest returns the best of the held-out evaluations in the
// metrics.jsonl of the run in dir, after b's step and up to step upto,
// that beat b (train.Best.Improves), and whether there is one: a process
// resumed without keep_best made them and kept no weights, so b is not
// the best of the run's evaluations. A file that cannot be read, and
// lines that are not metrics records, count as no evaluation.
func missedBest(dir string, b *train.Best, upto int) (train.Eval, bool) {
	data, err := files.ReadRegular(filepath.Join(dir, "metrics.jsonl"), maxMetricsBytes)
	if err != nil {
		return train.Eval{}, false
	}
	return missedBestIn(data, b, upto)
}

// missedBestIn is missedBest on the contents of a metrics.jsonl.
func missedBestIn(data []byte, b *train.Best, upto int) (train.Eval, bool) {
	missed := *b
	var best train.Eval
	for line := range bytes.Lines(data) {
		var m metricsLine
		if json.Unmarshal(line, &m) != nil || m.EvalAccuracy == nil || m.Step <= b.Step || m.Step > upto {
			continue
		}
		// A line written before validation_loss was logged has its
		// validation_mse, the loss of an MSE task (as ResumeBest reads a
		// best file of then).
		e := train.Eval{Step: m.Step, Stage: m.Stage, Accuracy: *m.EvalAccuracy, Loss: math.Inf(1)}
		if l := cmp.Or(m.EvalLoss, m.EvalMSE); l != nil {
			e.Loss = *l
		}
		if missed.Improves(&e) {
			missed.Step, missed.Stage, missed.Accuracy, missed.Loss = e.Step, e.Stage, e.Accuracy, e.Loss
			best = e
		}
	}
	return best, missed.Step != b.Step
}

// copyBest makes b the best of the run in dir, saving there the best
// checkpoint c of the run a branch starts from, if any (startBest).
func copyBest(b *train.Best, c *checkpoints.Checkpoint, dir string) error {
	b.Dir = dir
	if c == nil {
		return nil
	}
	return checkpoints.Save(checkpoints.BestPath(dir), c)
}

// keepBest keeps the checkpoint of st when its held-out evaluation is the
// best of the run so far.
func (r *trainRun) keepBest(st train.Step) error {
	if r.best == nil || !r.best.Improves(st.Eval) {
		return nil
	}
	c, err := r.checkpoint(st.State())
	if err != nil {
		return err
	}
	return r.best.Keep(c, st.Eval)
}

// bestWeights loads, with keep_best, the weights of the run's best
// held-out evaluation into the network when they are not those of the
// last step, last, and returns the step of the weights the network holds.
func (r *trainRun) bestWeights(last int) (int, error) {
	if r.best == nil || r.best.Step < 0 || r.best.Step == last {
		return last, nil
	}
	c, err := checkpoints.Load(checkpoints.BestPath(r.dir))
	if err != nil {
		return 0, err
	}
	if err := checkpoints.RestoreParams(c, r.s.net.params()); err != nil {
		return 0, fmt.Errorf("best checkpoint %s: %w", c.Path, err)
	}
	return r.best.Step, nil
}

// OnStep implements train.Observer.
func (r *trainRun) OnStep(st train.Step) error {
	c := r.s.cfg.Train
	r.step, r.stage = st.Step, st.Stage
	if err := r.log(st); err != nil {
		return err
	}
	if err := r.keepBest(st); err != nil {
		return err
	}
	if c.CheckpointEvery > 0 && st.Step%c.CheckpointEvery == 0 {
		return r.save(st.State())
	}
	return nil
}

// log writes the metrics line of st when it is due: every -log-every
// steps (0: never between evaluations), at held-out evaluations and at the
// last step.
func (r *trainRun) log(st train.Step) error {
	c := r.s.cfg.Train
	if st.Eval == nil && (c.LogEvery <= 0 || st.Step%c.LogEvery != 0) && st.Step != c.Steps {
		return nil
	}
	el := time.Since(r.start).Seconds()
	m := metricsLine{Step: st.Step, Seed: r.s.cfg.Seed, Loss: st.Loss, LR: st.LR, GradNorm: st.GradNorm, ElapsedS: round(r.elapsedBefore+el, 3), Stage: st.Stage}
	if el > 0 {
		m.StepsPerS = round(float64(st.Step-r.startStep)/el, 2)
	}
	if st.Eval != nil {
		acc, mse, loss := st.Eval.Accuracy, st.Eval.MSE, st.Eval.Loss
		m.EvalAccuracy, m.EvalMSE, m.EvalLoss = &acc, &mse, &loss
		if math.IsNaN(acc) {
			m.EvalAccuracy = nil // no trial scored: left out of metrics.jsonl
		}
		r.evalAcc = &acc
		r.curves.EvalStep = append(r.curves.EvalStep, float64(st.Step))
		r.curves.EvalAccuracy = append(r.curves.EvalAccuracy, acc)
		r.curves.EvalLoss = append(r.curves.EvalLoss, loss)
	}
	// The last step's line (and evaluation), when neither cadence calls
	// for it, is one a run given more steps would not write: its batch
	// comes from a copy of the stream, so that a resume to more steps
	// continues the stream where the run in one go has it.
	rng := r.logRNG
	if !(c.EvalEvery > 0 && st.Step%c.EvalEvery == 0) && !(c.LogEvery > 0 && st.Step%c.LogEvery == 0) {
		src := *r.logSrc
		rng = rand.New(&src)
	}
	m.Accuracy, m.Figures = r.batchAccuracy(rng)
	r.curves.Step = append(r.curves.Step, float64(st.Step))
	r.curves.Loss = append(r.curves.Loss, st.Loss)
	r.curves.Accuracy = append(r.curves.Accuracy, m.Accuracy)
	if err := r.metrics.Encode(m); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	r.prog.update(m)
	return nil
}

// batchAccuracy scores the network, with its noise, on a fresh batch of
// -batch trials drawn from rng, the run's own logging stream (so
// training's streams are untouched), and returns the layer's figures of
// that batch (nil for most models).
func (r *trainRun) batchAccuracy(rng *rand.Rand) (float64, map[string]float64) {
	task := r.s.stages[r.stage]
	b := task.Batch(rng, r.s.cfg.Train.BatchSize)
	act := r.s.net.Run(b.Inputs, b.T, b.B, analysis.RunOptions{Noise: rng, Lengths: b.Lengths})
	return task.Score(act.Out, &b).Accuracy, act.Tally.Map()
}

// OnEnd implements train.Observer.
func (r *trainRun) OnEnd(train.Summary) error { return nil }

// save writes the latest checkpoint and rotates the earlier ones.
func (r *trainRun) save(st train.State) error {
	c, err := r.checkpoint(st)
	if err != nil {
		return err
	}
	if _, err = checkpoints.SaveRun(r.dir, c, r.s.cfg.Train.Keep); err != nil {
		return err
	}
	r.saved = st.Step
	return nil
}

// saveLatest writes the checkpoint of st as the run's latest checkpoint
// only, leaving its step files alone.
func (r *trainRun) saveLatest(st train.State) error {
	c, err := r.checkpoint(st)
	if err != nil {
		return err
	}
	if err := checkpoints.Save(checkpoints.LatestPath(r.dir), c); err != nil {
		return err
	}
	r.saved = st.Step
	return nil
}

// checkpoint is the checkpoint of st, with the state of the
// train_accuracy stream, refused if not finite.
func (r *trainRun) checkpoint(st train.State) (*checkpoints.Checkpoint, error) {
	c, err := r.s.checkpoint(st)
	if err != nil {
		return nil, err
	}
	if err := c.Meta.SetRNG(rngLog, r.logSrc); err != nil {
		return nil, err
	}
	c.Meta.ElapsedS = round(r.elapsedBefore+time.Since(r.start).Seconds(), 3)
	return c, train.CheckFinite(c)
}

// rngLog is the checkpoint's name of the train_accuracy batches' random
// stream, beside the training loop's own.
const rngLog = "train_accuracy"

// startLog starts the stream of the train_accuracy batches where the
// checkpoint c resumed left it (fresh without c, or with a c written
// before it was saved), so that a resumed run logs what the run in one go
// logs.
func (r *trainRun) startLog(c *checkpoints.Checkpoint) error {
	r.logSrc = train.NewSource(r.s.cfg.Seed, streamLog)
	r.logRNG = rand.New(r.logSrc)
	if c == nil || c.Meta.RNG[rngLog] == nil {
		return nil
	}
	if err := c.Meta.RestoreRNG(rngLog, r.logSrc); err != nil {
		return fmt.Errorf("resume: checkpoint %s: %w", c.Path, err)
	}
	return nil
}

// lastGood says which checkpoint a run that failed keeps.
func (r *trainRun) lastGood() string {
	if r.saved < 0 {
		every := r.s.cfg.Train.CheckpointEvery
		if every <= 0 {
			return "no checkpoint was saved (-save-every 0 saves only at the end); the run must start again"
		}
		return fmt.Sprintf("no checkpoint was saved before it (the first was due at step %d); the run must start again", every)
	}
	return fmt.Sprintf("the last good checkpoint, of step %d, is kept in %s", r.saved, checkpoints.LatestPath(r.dir))
}

// plots draws the run's figures into dir/plots and returns the names of
// those written, up to the first that failed (runFigures.write).
func (r *trainRun) plots(ctx context.Context, evalTask tasks.Task, rep analysis.Report) ([]string, error) {
	f := runFigures{s: r.s, evalTask: evalTask, rep: rep, curves: r.curves}
	return f.write(ctx, filepath.Join(r.dir, "plots"), r.s.cfg.PlotFormats, r.s.cfg.PlotRasterUnits)
}

// finalReport is a run's final evaluation (eval.json): every validation
// trial of a dataset, or 1000 (at least -eval-trials) fresh trials of a
// generated task, drawn with the network's noise from the run's final
// stream. It stops, with ctx's error, once ctx is done.
func finalReport(ctx context.Context, s *session, evalTask tasks.Task, step int) (analysis.Report, error) {
	final := newStream(s.cfg.Seed, streamFinal)
	held, n := tasks.HeldOut(evalTask), max(s.cfg.Train.EvalTrials, 1000)
	if _, ok := held.(tasks.Finite); ok {
		n = 0
	}
	rep, err := analysis.EvaluateContext(ctx, s.net, held, analysis.EvalOptions{Trials: n, Draw: final, Noise: final})
	rep.Step, rep.Seed, rep.Model = step, s.cfg.Seed, s.cfg.Model.Kind()
	return rep, err
}

// maxMetricsBytes bounds the metrics.jsonl that plot and a resume read
// whole: some million logged lines, far beyond a run's.
const maxMetricsBytes = 256 << 20

// trimMetrics keeps the lines of a run's metrics.jsonl up to step: it
// drops the lines logged after the checkpoint a resume starts from, which
// would repeat, and those after the last record kept that are not records
// (a line cut by a crash); it returns the curves of the records kept. A
// missing file is an empty history; anything but a regular file is an
// error naming it. mse is metricsCurves'.
func trimMetrics(path string, upto int, mse bool) (plots.Curves, error) {
	data, err := files.ReadRegular(path, maxMetricsBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return plots.Curves{}, nil
	} else if err != nil {
		return plots.Curves{}, fmt.Errorf("metrics: %w", err)
	}
	cv, kept, _, _ := metricsCurves(data, upto, mse)
	if keep := terminated(data[:kept]); kept < len(data) || len(keep) > kept {
		if err := writeFileDurable(path, keep); err != nil {
			return cv, err
		}
	}
	return cv, nil
}

// terminated returns the lines of a metrics.jsonl ending in a newline: a
// last line without one (cut before its newline) gets one, so that a line
// appended to it starts a line of its own.
func terminated(lines []byte) []byte {
	if len(lines) > 0 && lines[len(lines)-1] != '\n' {
		return append(lines[:len(lines):len(lines)], '\n')
	}
	return lines
}

// resumeMetrics prepares the metrics.jsonl dst of a run resumed at step
// upto from the resumed run's metrics.jsonl src: in place (src is dst) it
// trims dst (trimMetrics); into another directory it writes into dst the
// lines of src up to upto, so that the branch has the history it
// continues. It returns the curves of those lines (mse: metricsCurves').
func resumeMetrics(src, dst string, upto int, inPlace, mse bool) (plots.Curves, error) {
	if inPlace {
		return trimMetrics(dst, upto, mse)
	}
	data, err := files.ReadRegular(src, maxMetricsBytes)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = nil, nil
	} else if err != nil {
		return plots.Curves{}, fmt.Errorf("metrics: %w", err)
	}
	cv, kept, _, _ := metricsCurves(data, upto, mse)
	return cv, writeFileDurable(dst, terminated(data[:kept]))
}

// metricsCurves reads the curves of the records of a metrics.jsonl up to
// step upto, stopping at the first record past it, and returns them with
// the number of bytes up to the end of the last record read. Lines that
// are not records (damaged in place) are left out of the curves, not
// taken for the end of the history: bad counts those before the stop
// (blank lines aside), first is the number (from 1) of the first of them.
//
// mse is whether the run's task is trained with the MSE, so that a line
// without validation_loss may give validation_mse in its place.
func metricsCurves(data []byte, upto int, mse bool) (cv plots.Curves, kept, bad, first int) {
	at, n := 0, 0
	for line := range bytes.Lines(data) {
		at, n = at+len(line), n+1
		var m metricsLine
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if json.Unmarshal(line, &m) != nil {
			if bad++; bad == 1 {
				first = n
			}
			continue
		}
		if m.Step > upto {
			break
		}
		// Runs written before the keys named their split logged
		// accuracy and eval_accuracy.
		var old struct {
			Accuracy     *float64 `json:"accuracy"`
			EvalAccuracy *float64 `json:"eval_accuracy"`
		}
		if json.Unmarshal(line, &old) == nil && old.Accuracy != nil {
			m.Accuracy, m.EvalAccuracy = *old.Accuracy, cmp.Or(m.EvalAccuracy, old.EvalAccuracy)
		}
		kept = at
		cv.Step = append(cv.Step, float64(m.Step))
		cv.Loss = append(cv.Loss, m.Loss)
		cv.Accuracy = append(cv.Accuracy, m.Accuracy)
		if m.EvalAccuracy != nil || m.EvalMSE != nil || m.EvalLoss != nil {
			// An evaluation that scored no trial logs no accuracy (NaN,
			// not drawn) but its loss.
			acc := math.NaN()
			if m.EvalAccuracy != nil {
				acc = *m.EvalAccuracy
			}
			cv.EvalStep = append(cv.EvalStep, float64(m.Step))
			cv.EvalAccuracy = append(cv.EvalAccuracy, acc)
			// The task's loss; a line written before validation_loss was
			// logged gives validation_mse, that loss for an MSE task
			// (mse), else nothing (NaN): the MSE of a cross-entropy
			// task's logits is no point of its loss curve.
			loss := math.NaN()
			switch {
			case m.EvalLoss != nil:
				loss = *m.EvalLoss
			case m.EvalMSE != nil && mse:
				loss = *m.EvalMSE
			}
			cv.EvalLoss = append(cv.EvalLoss, loss)
		}
	}
	return cv, kept, bad, first
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// modelEquations lists every registered model with its equations, for
// the train command's help.
// equationIndent is the indent of a model's equations, and of its
// summary's wrapped lines, in train's help: under the summary's text.
const equationIndent = "\t         "

func modelEquations() string {
	var b strings.Builder
	for _, m := range rnn.Models() {
		// The summary is prose, wrapped to the help's width; only the
		// equations below it may run wider, one to a line.
		b.WriteString(wrapLine(fmt.Sprintf("\t%-8s ", m.Name), m.Summary, equationIndent, false))
		for _, line := range strings.Split(m.Equations, "\n") {
			fmt.Fprintf(&b, "%s%s\n", equationIndent, line)
		}
	}
	return b.String()
}

// checkTrainable refuses a run whose freeze keys leave every parameter of
// the network frozen: it would train nothing. A model's own trained
// parameters (lowrank's scales, trained decays, a trained initial state)
// count, so a run is refused only when none remain.
func checkTrainable(s *session) error {
	for _, p := range s.net.params() {
		if !p.Frozen {
			return nil
		}
	}
	m := s.cfg.Model
	var keys []string
	for _, k := range []struct {
		key string
		set bool
	}{
		{"model.freeze_input", m.FreezeInput}, {"model.freeze_recurrent", m.FreezeRecurrent},
		{"model.freeze_bias", m.FreezeBias}, {"model.freeze_output", m.FreezeOutput},
	} {
		if k.set {
			keys = append(keys, k.key)
		}
	}
	if len(keys) == 0 {
		return nil // frozen by no key of the run: not this check's to refuse
	}
	return usagef("%s (in a config file) freeze every parameter of the %s network, so training would change nothing; unfreeze one of them, or train the initial state (-train-h0%s)",
		strings.Join(keys, ", "), m.Kind(), trainTauHint(m))
}

// trainTauHint names -train-tau for the models that take it.
func trainTauHint(m rnn.Config) string {
	switch m.Kind() {
	case "lif", "alif":
		return ", or the decays, -train-tau"
	}
	return ""
}
