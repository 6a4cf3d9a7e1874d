package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
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

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/internal/files"
	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

const evalLong = `
Eval loads a checkpoint (a .safetensors file or a run directory, whose
latest checkpoint it scores; of a run trained with -keep-best, whose final
evaluation scored its best.safetensors, it says so on stderr), runs
held-out trials of the task it was trained on through the network (with its
private recurrent noise, as during training's evaluations, unless
-noise=false), and prints the accuracy by the task's own scorer with its
binomial standard error, naming the trials it was measured on, and a table
of accuracy per condition. -json prints one JSON object instead, with the
fields split, accuracy, accuracy_stderr, mse, cross_entropy (for a task
trained with the cross-entropy, whose text line gives it in place of the
mse), trials, conditions and, for decision tasks, psychometric
(p_choice1, the fraction of choice-1 responses, per context and signed
coherence). With no scored trial (every trial a catch trial) the accuracy
is undefined: the text says so, and accuracy and accuracy_stderr are null.
Contexts in JSON and in recordings count from 0, as numpy indexes: context
0 is the ctx=1 of the condition labels and the figures.

Which trials: for a dataset (npz, mnist-*), -split validation (default)
scores the validation split training evaluated on (or, with
validation_fraction 0, the training trials, and says so), -split test the test
split (MNIST's 10 000 test images; an npz file's test_fraction), -split
train the training trials; every trial of the split unless -trials N
(then N spread evenly over it). A generated task has no splits: every
-split scores -trials (default 1000) fresh trials drawn from -seed's
stream, never the training stream, and the report says "fresh trials".

-record FILE.npz also writes, for analysis in Python (numpy.load), float32
arrays with trials as the first axis, of -trials trials (default 1000, at
most a dataset split's) run in one batch: a dataset's are spread evenly
over the split (the report's own trials when -trials is given), a
generated task's are drawn from a stream of -seed of their own (not the
trials the report scored; the recording's correct scores its own
trials):

	inputs     [trials, T, n_in]
	rates      [trials, T, N]      what the readout sees at every step:
	                               φ(x) (GRU, rnn: h)
	state/x    [trials, T, N]      every state variable after every step
	                               (leaky: x; rnn: r; gru, lowrank: h; …)
	pre        [trials, T, N]      the argument of φ behind each step's
	                               rates (leaky: x; rnn: the drive);
	                               not written for gru and lowrank
	outputs    [trials, T, n_out]
	targets    [trials, T, n_out]  (not with -inputs)
	mask       [trials, T, n_out]  (not with -inputs; 0 where not scored and
	                                where a shorter trial is padded to T)

and, for task trials, per trial: choice (the correct response), response
(the model's, as the task's scorer reads it), correct, scored, length
(int64 [trials]); response_window and periods/<name> (int64 [trials, 2],
start and end step); task/<name> (float64 [trials]), every latent variable
the task drew (coherences per modality, context, f1, f2, …). Every
recording also holds how it was made, to make it again from the
checkpoint: seed (uint64, this -seed), step (int64, the checkpoint's) and
noise (bool, -noise), each of shape (), and weights (int64, shape ()), an
identifier of the network's weights: inactivate -recording refuses a
recording of another network by it.
docs/recordings.md lists every array and shows a regression of the rates
on the task variables in numpy. A file already at FILE.npz must be an
earlier recording (an .npz archive with inputs, outputs and rates) or
empty: eval replaces nothing else, not a dataset's .npz.
Directories of FILE.npz that do not exist are made, as train -out's are.

Outputs are the readout's values (logits for cross-entropy tasks).

-inputs FILE.npy drives the network with your own inputs instead of task
trials: a float32 or float64 array [trials, T, n_in] with the checkpoint's
number of inputs; it needs -record to say where the outputs go, and
scores nothing (-json, -trials and -split are refused with it).
`

func evalCommand() *command {
	return &command{
		Name:  "eval",
		Short: "evaluate a checkpoint on held-out trials; record rates and states",
		Usage: "-checkpoint PATH [-split validation|test|train] [-trials N] [-json] [-record FILE.npz] [-inputs FILE.npy] [-seed S]",
		Long:  evalLong,
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			ckpt := fs.String("checkpoint", "", "checkpoint file or run directory (required)")
			trials := fs.Int("trials", 0, "number of trials (0: 1000 fresh trials of a generated task, every trial of a dataset's split)")
			split := tasks.Validation
			fs.TextVar(&split, "split", tasks.Validation, "dataset split to score: validation, test or train (generated tasks: fresh trials)")
			asJSON := fs.Bool("json", false, "print one JSON object")
			record := fs.String("record", "", "write inputs, rates, states, outputs (+ targets, mask) to this .npz file")
			inputs := fs.String("inputs", "", "drive the network with this .npy array [trials, T, n_in] (needs -record)")
			seed := fs.Uint64("seed", 1, "seed of the held-out trials and noise (independent of the training trials)")
			noisy := fs.Bool("noise", true, "run with the model's private recurrent noise σ, as training's held-out evaluation does; -noise=false runs noiseless")
			return func(ctx context.Context, args []string) error {
				if err := checkpointArgs(args, *ckpt); err != nil {
					return err
				}
				if *trials < 0 {
					return usagef("-trials must be >= 0, got %d", *trials)
				}
				if *inputs != "" && *record == "" {
					return usagef("-inputs needs -record FILE.npz to write the outputs to")
				}
				for _, f := range []string{"json", "trials", "split"} {
					if *inputs != "" && flagGiven(fs, f) {
						return usagef("-%s has no effect with -inputs, which records the network's response to the file's inputs and scores no task trials", f)
					}
				}
				if err := checkRecordPath(*record); err != nil {
					return err
				}
				// A diverged network still has metrics (its MSE is
				// null in -json): evaluate it, with a warning.
				s, c, err := openSession(*ckpt)
				if err != nil {
					return err
				}
				if err := checkFiniteParams(c); err != nil {
					fmt.Fprintf(e.stderr, "rnntrain eval: warning: %v\n", err)
				}
				noteBest(e.stderr, "eval", "scores", "-checkpoint", s, c, *ckpt)
				noteUnsplitFit(e.stderr, "eval", s, c)
				if data := s.cfg.Task.Settings.Path; *record != "" && data != "" && samePath(*record, data) {
					return usagef("-record %s is the data file the checkpoint's task reads; choose another file", *record)
				}
				if err := checkRecordReplaces(*record); err != nil {
					return err
				}
				noise := func(k train.Stream) *rand.Rand {
					if !*noisy {
						return nil
					}
					return newStream(*seed, k+1<<8)
				}
				prov := provenance{seed: *seed, step: c.Meta.Step, noise: *noisy, weights: weightsID(s.net)}
				if *inputs != "" {
					return evalInputs(e.stdout, s, *inputs, *record, noise(streamRecord), prov)
				}
				if _, ok := s.task.(tasks.Splitter); ok && !bytes.Contains(c.Meta.Config, []byte(`"validation_fraction"`)) {
					// Written before datasets had splits: training drew
					// from every trial, so none is held out.
					fmt.Fprintf(e.stderr, "rnntrain eval: warning: %s was trained before datasets had splits; it drew from every training trial of its dataset, so its validation split is not held out (only MNIST's test images are)\n", c.Path)
				}
				// Without -split: the trials training evaluated on
				// (validation, or train when validation_fraction is 0).
				part := tasks.HeldOut(s.task)
				if flagGiven(fs, "split") {
					if part, err = tasks.Part(s.task, split); err != nil {
						return usagef("-split %s: %v", split, err)
					}
				}
				n := *trials
				if _, finite := part.(tasks.Finite); !finite && n == 0 {
					n = 1000
				}
				nr := cmp.Or(*trials, 1000) // the recording's trials, in one batch
				if f, ok := part.(tasks.Finite); ok {
					nr = min(nr, f.Len())
				}
				if *record != "" {
					if err := checkRecordMemory(s, nr, tasks.Describe(part).MaxSteps, fmt.Sprintf("-trials %d", nr), 0); err != nil {
						return err
					}
					if err := makeRecordDir(*record); err != nil {
						return err
					}
				}
				rep := analysis.Evaluate(s.net, part, analysis.EvalOptions{Trials: n, Draw: newStream(*seed, streamEvalCmd), Noise: noise(streamEvalCmd)})
				rep.Checkpoint, rep.Step, rep.Seed, rep.Model = c.Path, c.Meta.Step, *seed, s.cfg.Model.Kind()
				recorded := 0
				if *record != "" {
					rec := analysis.Record(s.net, part, newStream(*seed, streamRecord), noise(streamRecord), nr)
					if err := prov.write(*record, rec); err != nil {
						return err
					}
					recorded = rec.Trials
				}
				if *asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(rep)
				}
				printReport(e.stdout, rep)
				if *record != "" {
					fmt.Fprintf(e.stdout, "recorded %d %s to %s\n", recorded, trialsOf(rep.Split), *record)
				}
				return nil
			}
		},
	}
}

// checkRecordPath refuses a -record path that holds anything but an .npz
// archive or an empty file: writing the recording would replace it, and
// -record RUN/checkpoint.safetensors would destroy the checkpoint being
// evaluated (checkRecordReplaces refuses an archive that is not a
// recording). A path that does not exist is accepted: makeRecordDir makes
// its missing directories, as train -out and the other output flags do.
// The rest is checkOutputFile's.
func checkRecordPath(path string) error {
	return checkOutputFile("-record", path, "recording.npz", func(r io.Reader) bool {
		magic := make([]byte, 4)
		_, err := io.ReadFull(r, magic)
		return err == nil && (string(magic) == "PK\x03\x04" || string(magic) == "PK\x05\x06")
	}, "is not an .npz archive; eval replaces only an earlier recording")
}

// checkRecordReplaces refuses a -record path, which checkRecordPath
// accepted, that holds an .npz archive other than a recording (one with
// inputs, outputs and rates, or an older recording's hidden): a dataset,
// the data of a fit. eval calls it once it has refused, with a message of
// its own, the data file of the checkpoint's task.
func checkRecordReplaces(path string) error {
	if st, err := os.Stat(path); path == "" || err != nil || st.Size() == 0 {
		return nil // no file, or an empty one: nothing to replace
	}
	a, err := npy.OpenArchive(path)
	if err != nil {
		return usagef("-record %s exists and is not a readable .npz archive (%v); eval replaces only an earlier recording", path, err)
	}
	defer a.Close()
	if !a.Has("inputs") || !a.Has("outputs") || !a.Has("rates") && !a.Has("hidden") {
		return usagef("-record %s exists and is an .npz archive but not a recording (it lacks inputs, outputs or rates: a dataset?); eval replaces only an earlier recording", path)
	}
	return nil
}

// checkOutputFile checks the path of the output flag name before the work
// whose result would be written there: an empty path (no output), a path
// that does not exist, an empty file and a file whose contents ours
// accepts (an earlier output of the same kind) are accepted; a directory
// or another file is a usage error (the latter saying "exists and "+not),
// with example a file name the directory could take, and so is a FIFO, a
// device or a socket, which an existing path is opened as
// files.OpenRegular does to refuse rather than read. A path that cannot
// be opened or reached (one through a file), or whose directory (or,
// where it does not exist yet, the directory it would be made in) cannot
// be written in, is a failure, exit status 1: found before the work, not
// after it.
func checkOutputFile(name, path, example string, ours func(io.Reader) bool, not string) error {
	if path == "" {
		return nil
	}
	f, size, err := files.OpenRegular(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return checkWritableDir(name, path)
	case err != nil:
		if st, serr := os.Stat(path); serr == nil && st.IsDir() {
			return usagef("%s %s is a directory; want a file name such as %s", name, path, filepath.Join(path, example))
		}
		if _, ok := errors.AsType[*files.NotRegularError](err); ok {
			return usagef("%s %s: not a regular file (a device, FIFO or socket); want the name of a file to write, such as %s", name, path, example)
		}
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			return fmt.Errorf("%s %s: %w", name, path, pe.Err)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	if size == 0 || ours(f) {
		return checkWritableDir(name, path)
	}
	return usagef("%s %s exists and %s", name, path, not)
}

// checkWritableDir checks that the output file path of flag name can be
// written: that a file can be made in its directory or, if that does not
// exist yet, in its nearest existing ancestor, where the missing ones
// would be made. It makes and removes an empty file there; an error names
// the flag, the path and the directory.
func checkWritableDir(name, path string) error {
	return checkDirWritable(name, path, filepath.Dir(path))
}

// checkOutputDir checks, as checkWritableDir does for a file, that the
// output directory dir of flag name can be made and written in, before
// the work whose results go there: a file (or a device) at dir, or at one
// of its missing directories' places, is refused.
func checkOutputDir(name, dir string) error {
	return checkDirWritable(name, dir, dir)
}

// checkDirWritable checks that dir, where the output path of flag name
// goes, is a directory a file can be made in or, if it does not exist
// yet, that its nearest existing ancestor is.
func checkDirWritable(name, path, dir string) error {
	for {
		st, err := os.Stat(dir)
		if err == nil {
			if !st.IsDir() {
				return fmt.Errorf("%s %s: %s is not a directory", name, path, dir)
			}
			break
		}
		up := filepath.Dir(dir)
		if !errors.Is(err, fs.ErrNotExist) || up == dir {
			return fmt.Errorf("%s %s: %w", name, path, err)
		}
		dir = up
	}
	f, err := os.CreateTemp(dir, ".rnntrain-write-check-*")
	if err != nil {
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			err = pe.Err
		}
		return fmt.Errorf("%s %s: cannot write in %s: %w", name, path, dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// makeRecordDir makes the directories of a -record path that do not
// exist yet. eval calls it once the checkpoint and the inputs have been
// checked, so a refused command leaves no directory behind.
func makeRecordDir(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("-record %s: %w", path, err)
	}
	return nil
}

// provenance is what a recording holds of how it was made besides its
// checkpoint: eval's -seed (its trials' and noise's streams), the
// checkpoint's step and whether the private noise ran.
type provenance struct {
	seed  uint64
	step  int
	noise bool
	// weights is the network's weightsID.
	weights int64
}

// write writes rec to path as an .npz archive, with p's arrays seed
// (uint64), step (int64), noise (bool) and weights (int64), each of shape
// ().
func (p provenance) write(path string, rec *analysis.Recording) error {
	a := rec.Arrays()
	a["seed"], a["step"], a["noise"], a["weights"] = p.seed, int64(p.step), p.noise, p.weights
	return npy.WriteArchiveValues(path, a)
}

// weightsID identifies the weights of n: the first 53 bits of the SHA-256
// of its parameters' names, shapes and values, a whole number below 2⁵³
// that a float64 holds exactly. A recording stores it, so that an analysis
// of a checkpoint refuses a recording of another network of the same sizes
// and step.
func weightsID(n *rnnNet) int64 {
	h := sha256.New()
	var buf []byte
	for _, p := range n.params() {
		fmt.Fprintf(h, "%s %d %d\n", p.Name, p.Value.Rows, p.Value.Cols)
		buf = buf[:0]
		for _, x := range p.Value.Data {
			u := math.Float32bits(x)
			buf = append(buf, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
		}
		h.Write(buf)
	}
	var id uint64
	for _, b := range h.Sum(nil)[:8] {
		id = id<<8 | uint64(b)
	}
	return int64(id >> 11)
}

// evalInputs drives the network with the user's inputs and records the
// result.
func evalInputs(w io.Writer, s *session, inputs, path string, noise *rand.Rand, prov provenance) error {
	nIn, N, nOut := s.net.Dims()
	// The memory of the recording is checked from the file's header,
	// before its data are read.
	x, n, T, err := readInputs(inputs, nIn, func(n, T int) error { return checkRecordMemory(s, n, T, "-inputs "+inputs, 0) })
	if err != nil {
		return err
	}
	if err := makeRecordDir(path); err != nil {
		return err
	}
	rec := analysis.RecordInputs(s.net, x, n, T, noise)
	if err := prov.write(path, rec); err != nil {
		return err
	}
	fmt.Fprintf(w, "ran %d trials of %d steps from %s; wrote %s to %s\n", n, T, inputs, inputsArrays(rec, N, nOut), path)
	return nil
}

// inputsArrays names the arrays of a recording of user inputs:
// "inputs, rates [2, 30, 64], state/x, pre, outputs [2, 30, 1], seed, step
// and noise".
func inputsArrays(rec *analysis.Recording, N, nOut int) string {
	names := []string{"inputs", fmt.Sprintf("rates [%d, %d, %d]", rec.Trials, rec.T, N)}
	for _, st := range rec.States {
		names = append(names, "state/"+st.Name)
	}
	if rec.Pre != nil {
		names = append(names, "pre")
	}
	return strings.Join(names, ", ") + fmt.Sprintf(", outputs [%d, %d, %d], seed, step and noise", rec.Trials, rec.T, nOut)
}

// flagGiven reports whether the flag name was set on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
