package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rnntrain/rnntrain/internal/npy"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/rnn"
)

// binary is the rnntrain executable TestMain builds once for the CLI tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rnntrain-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "rnntrain")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is one run of the binary.
type result struct {
	code           int
	stdout, stderr string
}

// rnntrain runs the binary with args in dir and returns its exit status and
// output.
func rnntrain(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return runBinary(t, exec.Command(binary, args...), dir)
}

// runBinary runs cmd, a run of the binary, in dir and returns its exit
// status and output.
func runBinary(t *testing.T, cmd *exec.Cmd, dir string) result {
	t.Helper()
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run rnntrain %v: %v", cmd.Args[1:], err)
	}
	return r
}

// want checks the exit status and that stderr (or stdout) contains every
// string in parts.
func (r result) want(t *testing.T, code int, parts ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
		return
	}
	for _, p := range parts {
		if !strings.Contains(r.stderr, p) && !strings.Contains(r.stdout, p) {
			t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", p, r.stdout, r.stderr)
		}
	}
}

// wantText is want for text that help wraps to its width: a part matches
// across a line break, whatever spaces and tabs begin the next line.
func (r result) wantText(t *testing.T, code int, parts ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
		return
	}
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	out := flat(r.stdout) + "\n" + flat(r.stderr)
	for _, p := range parts {
		if !strings.Contains(out, flat(p)) {
			t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", p, r.stdout, r.stderr)
		}
	}
}

// small is a training run that takes a few seconds.
var small = []string{"-hidden", "24", "-batch", "16", "-eval-every", "10", "-eval-trials", "200", "-log-every", "5", "-target-accuracy", "0", "-save-every", "10"}

func TestCLIUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no command", nil, 2, []string{"Commands:", "train"}},
		{"unknown command", []string{"fly"}, 2, []string{`unknown command "fly"`, "train, eval"}},
		{"unknown task", []string{"train", "-task", "juggle", "-out", dir}, 2, []string{"juggle", "context-dm", "perceptual-dm", "flip-flop"}},
		{"unknown model", []string{"train", "-model", "lstmx"}, 2, []string{"-model", `"lstmx"`, "leaky", "gru", "lowrank"}},
		{"unknown preset", []string{"train", "-preset", "fast"}, 2, []string{"-preset", "fast", "lowrank"}},
		{"bad number", []string{"train", "-steps", "many"}, 2, []string{"-steps", "many"}},
		{"bad plot format", []string{"train", "-plot-format", "png,gif"}, 2, []string{"-plot-format", "gif", "png, svg, pdf"}},
		{"zero hidden", []string{"train", "-hidden", "0"}, 2, []string{"-hidden (model.hidden", "must be positive"}},
		{"bad lr", []string{"train", "-lr", "-1"}, 2, []string{"-lr", "must be positive"}},
		{"two errors", []string{"train", "-hidden", "0", "-target-accuracy", "2"}, 2, []string{"-hidden", "-target-accuracy"}},
		{"eval needs checkpoint", []string{"eval"}, 2, []string{"-checkpoint PATH is required"}},
		{"inputs need record", []string{"eval", "-checkpoint", "x", "-inputs", "y.npy"}, 2, []string{"-inputs needs -record"}},
		{"force without resume", []string{"train", "-force", "-steps", "1"}, 2, []string{"-force has no effect without -resume"}},
		// step_size has no flag: the error names what chose the step schedule.
		{"step schedule without step_size", []string{"train", "-schedule", "step", "-steps", "1"}, 2,
			[]string{"-schedule (train.schedule.kind in a config file): step needs train.schedule.step_size > 0", "a -config file"}},
		// -inputs scores no task trials: flags that choose or score them
		// would be silently ignored.
		{"inputs with json", []string{"eval", "-checkpoint", "x", "-inputs", "y.npy", "-record", "z.npz", "-json"}, 2, []string{"-json has no effect with -inputs"}},
		{"inputs with trials", []string{"eval", "-checkpoint", "x", "-inputs", "y.npy", "-record", "z.npz", "-trials", "5"}, 2, []string{"-trials has no effect with -inputs"}},
		{"inputs with split", []string{"eval", "-checkpoint", "x", "-inputs", "y.npy", "-record", "z.npz", "-split", "test"}, 2, []string{"-split has no effect with -inputs"}},
		{"inspect needs path", []string{"inspect"}, 2, []string{"want one checkpoint PATH"}},
		{"inspect an empty path", []string{"inspect", ""}, 2, []string{"want one checkpoint PATH, got an empty one"}},
		{"plot an empty run", []string{"plot", ""}, 2, []string{"got an empty RUN"}},
		{"fit into an empty -out", []string{"fit", "-data", "x", "-out", ""}, 2, []string{"-out: empty; want the output directory"}},
		{"latent into an empty -out", []string{"latent", "-checkpoint", "x", "-out", ""}, 2, []string{"-out: empty; want the output directory"}},
		{"populations -k with nothing to choose for", []string{"populations", "-checkpoint", "x", "-k", "2", "-resample", "0"}, 2, []string{"-k 2 has no effect with -resample 0 and no -write"}},
		{"missing checkpoint", []string{"eval", "-checkpoint", "nowhere/ckpt.safetensors"}, 1, []string{"nowhere/ckpt.safetensors", "no such file"}},
		{"missing inspect", []string{"inspect", "nowhere.safetensors"}, 1, []string{"nowhere.safetensors"}},
		{"inspect a directory without a run", []string{"inspect", dir}, 1, []string{"no such file (is the directory a run directory?)"}},
		// A value the flag package cannot parse says what the flag takes.
		{"not a whole number", []string{"eval", "-checkpoint", "x", "-trials", "1e3"}, 2, []string{`"1e3" for flag -trials`, "want a whole number"}},
		{"negative unsigned", []string{"bench", "-seed", "-1"}, 2, []string{"-seed", "want a whole number ≥ 0"}},
		{"not a number", []string{"fit", "-data", "x", "-lr", "fast"}, 2, []string{"-lr", "want a number"}},
		{"not a boolean", []string{"eval", "-checkpoint", "x", "-noise=maybe"}, 2, []string{"-noise", "want true or false"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rnntrain(t, dir, c.args...).want(t, c.code, c.want...)
		})
	}
	// A run directory before its first checkpoint (a run still training,
	// or one stopped there) is named as such, not doubted as a run.
	early := filepath.Join(dir, "early")
	os.MkdirAll(early, 0o755)
	os.WriteFile(filepath.Join(early, "config.json"), []byte("{}\n"), 0o644)
	for _, args := range [][]string{{"eval", "-checkpoint", early}, {"inspect", early}} {
		rnntrain(t, dir, args...).want(t, 1, "the run in "+early+" has saved no checkpoint yet")
	}
	broken := filepath.Join(dir, "broken.safetensors")
	os.WriteFile(broken, []byte("\x10\x00\x00\x00\x00\x00\x00\x00{not json"), 0o644)
	rnntrain(t, dir, "inspect", broken).want(t, 1, "broken.safetensors")
	badCfg := filepath.Join(dir, "bad.toml")
	os.WriteFile(badCfg, []byte("[model]\nhiden = 3\n"), 0o644)
	rnntrain(t, dir, "train", "-config", badCfg).want(t, 2, "bad.toml", `"hiden"`)
	stepCfg := filepath.Join(dir, "step.toml")
	os.WriteFile(stepCfg, []byte("[train.schedule]\nkind = \"step\"\n"), 0o644)
	rnntrain(t, dir, "train", "-config", stepCfg, "-steps", "1").want(t, 2, "step.toml: train.schedule.kind: step needs train.schedule.step_size > 0")
	// TOML in a file not named *.toml is read as JSON: the error says so.
	notTOML := filepath.Join(dir, "run.cfg")
	os.WriteFile(notTOML, []byte("seed = 3\n"), 0o644)
	rnntrain(t, dir, "train", "-config", notTOML).want(t, 2, "run.cfg: not a JSON object", "must end in .toml")
}

// TestCLIMissingFiles: a file or directory named on the command line
// that does not exist, cannot be read or does not hold what the flag
// wants is a failure (status 1), whatever the command, with an error
// naming the flag (or argument) and the path; not a usage error, so no
// pointer to the command's help.
func TestCLIMissingFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "npz.toml"), []byte("[task]\nname = \"npz\"\n[task.settings]\npath = \"nope.npz\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"config", []string{"train", "-config", "nope.toml"}, []string{"-config", "nope.toml", "no such file"}},
		{"config a directory", []string{"train", "-config", empty}, []string{"-config", empty, "not a regular file"}},
		{"rec-mask", []string{"train", "-rec-mask", "nope.npy"}, []string{"-rec-mask", "nope.npy", "no such file"}},
		{"in-mask", []string{"train", "-in-mask", "nope.npy"}, []string{"-in-mask", "nope.npy", "no such file"}},
		{"rec-fixed", []string{"train", "-rec-fixed", "nope.npy"}, []string{"-rec-fixed", "nope.npy", "no such file"}},
		{"in-fixed", []string{"train", "-in-fixed", "nope.npy"}, []string{"-in-fixed", "nope.npy", "no such file"}},
		{"data", []string{"train", "-task", "npz", "-data", "nope.npz"}, []string{"-data", "nope.npz", "no such file"}},
		{"data in a config file", []string{"train", "-config", "npz.toml"}, []string{"config npz.toml: task.settings.path: ", "nope.npz", "no such file"}},
		{"init-from", []string{"train", "-model", "lowrank", "-init-from", "nope"}, []string{"-init-from", "nope", "no such file"}},
		{"resume", []string{"train", "-resume", "norun"}, []string{"-resume norun: ", "no run to resume", "no such file"}},
		{"resume a directory without a run", []string{"train", "-resume", empty}, []string{"-resume " + empty + ": ", "no run to resume"}},
		{"sweep spec", []string{"sweep", "nope.toml", "-out", filepath.Join(dir, "sw")}, []string{"spec", "nope.toml", "no such file"}},
		{"sweep resume", []string{"sweep", "-resume", "nodir"}, []string{"-resume nodir", "not a sweep directory"}},
		{"sweep status", []string{"sweep", "-status", "nodir"}, []string{"nodir is not a sweep directory"}},
		{"sweep collect", []string{"sweep", "-collect", empty}, []string{empty + " is not a sweep directory"}},
		{"sweep run-point", []string{"sweep", "-run-point", "nodir", "0"}, []string{"nodir is not a sweep directory"}},
		{"eval", []string{"eval", "-checkpoint", "nope"}, []string{"checkpoint nope", "no such file"}},
		{"eval record through a file", []string{"eval", "-checkpoint", "nope", "-record", filepath.Join(file, "rec.npz")}, []string{"-record " + filepath.Join(file, "rec.npz"), "not a directory"}},
		{"inspect", []string{"inspect", "nope"}, []string{"checkpoint nope", "no such file"}},
		{"plot", []string{"plot", "nope"}, []string{"nope", "no such file"}},
		{"plot recording", []string{"plot", "-recording", "nope.npz"}, []string{"-recording", "nope.npz", "no such file"}},
		{"fit", []string{"fit", "-data", "nope.npz"}, []string{"nope.npz", "no such file"}},
		{"inactivate", []string{"inactivate", "-checkpoint", "nope"}, []string{"checkpoint nope", "no such file"}},
		{"fixedpoints", []string{"fixedpoints", "-checkpoint", "nope"}, []string{"checkpoint nope", "no such file"}},
		{"latent", []string{"latent", "-checkpoint", "nope"}, []string{"checkpoint nope", "no such file"}},
		{"populations", []string{"populations", "-checkpoint", "nope"}, []string{"checkpoint nope", "no such file"}},
		{"truncate", []string{"truncate", "-checkpoint", "nope", "-rank", "1"}, []string{"checkpoint nope", "no such file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rnntrain(t, dir, c.args...)
			r.want(t, 1, c.want...)
			if strings.Contains(r.stderr, "for usage") {
				t.Errorf("%q: a missing file reported as a usage error:\n%s", c.args, r.stderr)
			}
			if !slices.Contains(c.args, "-data") && strings.Contains(r.stderr, "-data") {
				t.Errorf("%q: the error names -data, which was not given:\n%s", c.args, r.stderr)
			}
		})
	}
}

// TestCLIDidYouMean: an undefined flag within two edits of a defined one
// (or a prefix of it), and an unknown config key near one its table
// takes, are usage errors that suggest it; one near nothing suggests
// nothing.
func TestCLIDidYouMean(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rnntrain(t, dir, "train", "-hiden", "8").want(t, 2, "flag provided but not defined: -hiden; did you mean -hidden?", "rnntrain help train")
	rnntrain(t, dir, "train", "--stpes", "8").want(t, 2, "-stpes; did you mean -steps?")
	rnntrain(t, dir, "train", "-eval-trial", "8").want(t, 2, "did you mean -eval-trials?")
	rnntrain(t, dir, "eval", "-checkpoint", "x", "-recrod", "r.npz").want(t, 2, "-recrod; did you mean -record?")
	r := rnntrain(t, dir, "train", "-zzz", "1")
	r.want(t, 2, "flag provided but not defined: -zzz")
	if strings.Contains(r.stderr, "did you mean") {
		t.Errorf("train -zzz suggests a flag:\n%s", r.stderr)
	}
	for i, c := range []struct{ file, want string }{
		{"seeed = 3\n", `unknown key "seeed"; did you mean "seed"?`},
		{"[train]\nstepz = 3\n", `unknown key "train.stepz"; did you mean "train.steps"?`},
		{"[task.settings]\nbitz = 3\n", `unknown key "task.settings.bitz"; did you mean "task.settings.bits"?`},
		{"[model]\nhiden = 3\n", `unknown key "hiden" for model leaky; did you mean "hidden"?`},
	} {
		cfg := filepath.Join(dir, fmt.Sprintf("c%d.toml", i))
		if err := os.WriteFile(cfg, []byte(c.file), 0o644); err != nil {
			t.Fatal(err)
		}
		rnntrain(t, dir, "train", "-config", cfg).want(t, 2, cfg, c.want)
	}
}

// TestCLIDidYouMeanValue checks that an unknown value of a flag naming a
// model, task, enum or command suggests the close ones.
func TestCLIDidYouMeanValue(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rnntrain(t, dir, "train", "-model", "gruu").want(t, 2, `unknown model "gruu" (valid: `, `); did you mean "gru"?`)
	rnntrain(t, dir, "train", "-model", "GRU").want(t, 2, `did you mean "gru"?`)
	rnntrain(t, dir, "train", "-task", "flipflop").want(t, 2, `unknown task "flipflop"; valid tasks: `, `; did you mean "flip-flop"?`)
	rnntrain(t, dir, "train", "-model", "lif", "-surrogate", "arctn").want(t, 2, `unknown name "arctn"`, `; did you mean "ArcTan"?`)
	rnntrain(t, dir, "train", "-model", "lif", "-reset", "subtrct").want(t, 2, `; did you mean "subtract"?`)
	rnntrain(t, dir, "train", "-optimizer", "sdg").want(t, 2, `unknown optimizer "sdg"`, `; did you mean "sgd"?`)
	rnntrain(t, dir, "train", "-schedule", "cosin").want(t, 2, `; did you mean "cosine"?`)
	rnntrain(t, dir, "train", "-activation", "tahn").want(t, 2, `; did you mean "tanh"?`)
	rnntrain(t, dir, "train", "-preset", "dubreul").want(t, 2, `; did you mean "dubreuil"?`)
	rnntrain(t, dir, "trian").want(t, 2, `unknown command "trian"`, `; did you mean "train"?`)
	for _, m := range []string{"lstmx", "lstm"} { // lstm is two edits from ltc
		r := rnntrain(t, dir, "train", "-model", m)
		r.want(t, 2, `unknown model "`+m+`"`)
		if strings.Contains(r.stderr, "did you mean") {
			t.Errorf("train -model %s suggests a model:\n%s", m, r.stderr)
		}
	}
}

func TestCLIHelp(t *testing.T) {
	t.Parallel()
	r := rnntrain(t, t.TempDir(), "help", "train")
	r.want(t, 0, "x_{t+1} = (1−α) x_t", "torch.nn.GRU", "M Nᵀ", "-target-accuracy", "-resume", "-config", "-tbptt", "130")
	// A flag whose help gives its default shows no second, contradicting one
	// (the 0 that stands for it).
	_, flags, _ := strings.Cut(r.stdout, "\nFlags:\n")
	if m := regexp.MustCompile(`\(default [^)]*\) \(default [^)]*\)`).FindAllString(strings.Join(flagEntries(flags), "\n"), -1); m != nil {
		t.Errorf("help train gives two defaults: %q", m)
	}
	rnntrain(t, t.TempDir(), "train", "-h").want(t, 0, "-hidden")
	// Everything a command prints for help and -h, the usage line, the
	// text, its indented tables and the flags' listing alike, fits in
	// maxHelpLine columns (a tab taking a terminal's 8), and gives each
	// flag's default once. Only train's model equations, the lines of
	// its "Models" paragraph indented under the models' summaries, may
	// run wider: one equation to a line reads better than one wrapped.
	for _, c := range commands() {
		help := rnntrain(t, t.TempDir(), "help", c.Name)
		help.want(t, 0, "Flags:")
		if h := rnntrain(t, t.TempDir(), c.Name, "-h"); h.code != 0 || h.stdout != help.stdout {
			t.Errorf("%s -h (exit status %d) differs from help %s", c.Name, h.code, c.Name)
		}
		_, flags, _ := strings.Cut(help.stdout, "\nFlags:\n")
		if d := doubledDefaults(flags); d != nil {
			t.Errorf("help %s gives a default twice: %q", c.Name, d)
		}
		checkHelpWidth(t, "help "+c.Name, help.stdout, c.Name == "train")
	}
	// So does the help of config, version and the command list, and the
	// usage rnntrain alone prints.
	for _, args := range [][]string{{"help", "config"}, {"help", "version"}, {"help"}, {"-h"}, {}} {
		r := rnntrain(t, t.TempDir(), args...)
		checkHelpWidth(t, "rnntrain "+strings.Join(args, " "), r.stdout+r.stderr, false)
	}
	// train's prose is in paragraphs: -resume's starts one.
	text, _, _ := strings.Cut(r.stdout, "\nFlags:\n")
	if !strings.Contains(text, "\n\n-resume DIR continues") {
		t.Errorf("help train: the -resume paragraph is run on from the one before")
	}
	// -schedule step needs a key no flag sets: the flag's help names it.
	r.wantText(t, 0, "step (with train.schedule.step_size")
	// Every figure a run draws is in the run directory's listing.
	for _, fig := range []string{"curves", "trials", "raster", "psychometric", "psychometric-contexts", "stimuli", "timing", "units", "pca"} {
		r.want(t, 0, "plots/"+fig+".*")
	}
	// The spiking models share the rate models' connectivity keys, with
	// their own default radius.
	rnntrain(t, t.TempDir(), "help", "config").wantText(t, 0, "lif, alif, ltc: default 1)", "excitatory units (leaky, lif, alif, ltc; 0 = off)",
		"initial input scaling s_i (default 1;", "initial output scaling s_o of the net's own readout, trained (default 1)")
	// Keys the default config leaves out are listed too, with their flags.
	rnntrain(t, t.TempDir(), "help", "config").wantText(t, 0, "task.settings.validation_fraction", "-validation-fraction",
		"task.settings.path", "-data", "task.settings.split_seed", "train.curriculum", "task.eval_settings", "task.settings.fixation_ms", "task.settings.context_ms")
	// The leaky model's section gives the activation a leaky run gets, the
	// default run's ReLU.
	r = rnntrain(t, t.TempDir(), "help", "config")
	if !regexp.MustCompile(`model.kind = "leaky": [^\n]*\n(?:[ \t]{4,}[^\n]*\n)*  model.activation +"relu"`).MatchString(r.stdout) {
		t.Errorf("help config: the leaky model's section does not give activation \"relu\"")
	}
	rnntrain(t, t.TempDir(), "help", "eval").wantText(t, 0, "-record", "[trials, T, N]", "-inputs", "not written for gru and lowrank", "context 0 is the ctx=1")
	// The keys train writes to metrics.jsonl and eval -json prints are in
	// their help: grad_norm and validation_loss on the lines, cross_entropy
	// of a cross-entropy task's evaluation.
	rnntrain(t, t.TempDir(), "help", "train").wantText(t, 0, "lr, grad_norm (the L2 norm of the step's gradients before clipping)",
		"validation_loss (the task's loss: MSE or cross-entropy)")
	rnntrain(t, t.TempDir(), "help", "eval").wantText(t, 0, "mse, cross_entropy (for a task trained with the cross-entropy")
	rnntrain(t, t.TempDir(), "help", "inspect").wantText(t, 0, "parameter count")
	// help takes one command: more arguments are refused, as every
	// command refuses arguments it does not take.
	rnntrain(t, t.TempDir(), "help", "eval", "extra").want(t, 2, `rnntrain help: unexpected arguments ["extra"]`)
	rnntrain(t, t.TempDir(), "-h", "config", "eval").want(t, 2, `unexpected arguments ["eval"]`)
	// help tasks describes the presets under the names the table shows.
	rnntrain(t, t.TempDir(), "help", "tasks").wantText(t, 0, "dubreuil (alias", "and valente (the code of Dubreuil")
	// inactivate -out draws its figures in every format of the run, as a
	// run's own figures.
	rnntrain(t, t.TempDir(), "help", "inactivate").wantText(t, 0, "in the run's plot formats")
	// A recording's activity is its rates array, as eval -record names it.
	rnntrain(t, t.TempDir(), "help", "fit").wantText(t, 0, "rates are the activity")
	// The command list names version: its help works, and an unknown
	// command's error lists it.
	rnntrain(t, t.TempDir(), "help", "version").want(t, 0, "Usage: rnntrain version", "VCS revision")
	rnntrain(t, t.TempDir(), "help", "fly").want(t, 2, `unknown command "fly"`, "sweep, version")
}

// TestCLIFlagsGiveDefaults: every flag of every command's help that
// takes a value says what it is when not given: a default, what 0 (or
// empty) means, or that it is required; but for the files and
// directories a command may read or write besides its own (-config,
// -data, -resume, -record, -inputs, -recording, -write, inactivate's
// -out, sweep's -status, -collect and -run-point), which are not read or
// written when not given.
func TestCLIFlagsGiveDefaults(t *testing.T) {
	t.Parallel()
	none := map[string]bool{"-config": true, "-data": true, "-resume": true, "-record": true, "-inputs": true, "-recording": true,
		"-write": true, "-status": true, "-collect": true, "-run-point": true}
	for _, c := range commands() {
		cmd := c.Name
		r := rnntrain(t, t.TempDir(), "help", cmd)
		r.want(t, 0)
		_, flags, _ := strings.Cut(r.stdout, "\nFlags:\n")
		for _, e := range flagEntries(flags) {
			head, usage, _ := strings.Cut(e, "\t")
			f := strings.Fields(head)
			if len(f) < 2 || none[f[0]] || cmd == "inactivate" && f[0] == "-out" { // a boolean flag shows no value's name
				continue
			}
			if !slices.ContainsFunc([]string{"default", "0 = ", "0: ", "empty: ", "(required"}, func(s string) bool { return strings.Contains(usage, s) }) {
				t.Errorf("help %s: %s gives no default: %q", cmd, f[0], usage)
			}
		}
	}
}

// maxHelpLine is the longest line, in columns (a tab taking a terminal's
// 8), of a command's help.
const maxHelpLine = 80

// checkHelpWidth reports the lines of help, the output of name, wider
// than maxHelpLine columns; with equations, it leaves out the lines
// indented by equationIndent in the paragraph that begins "Models
// (-model" (train's model equations, not the models' summaries).
func checkHelpWidth(t *testing.T, name, help string, equations bool) {
	t.Helper()
	paragraph := "" // the first line of the prose paragraph a line follows
	prev := ""
	for i, line := range strings.Split(help, "\n") {
		indented := strings.HasPrefix(line, "\t") || strings.HasPrefix(line, " ")
		if !indented && line != "" && prev == "" {
			paragraph = line
		}
		prev = line
		if equations && strings.HasPrefix(line, equationIndent) && strings.HasPrefix(paragraph, "Models (-model") {
			continue
		}
		if n := columns(line); n > maxHelpLine {
			t.Errorf("%s, line %d: %d columns, want at most %d: %q", name, i+1, n, maxHelpLine, line)
		}
	}
}

// flagEntries returns the flags of a listing in flag.PrintDefaults's
// layout, one string a flag: its name line and its usage, the usage's
// lines (each indented by "    \t") joined by spaces, as the flag's help
// reads before it is wrapped.
func flagEntries(listing string) []string {
	var entries []string
	for line := range strings.Lines(listing) {
		line = strings.TrimRight(line, "\n")
		if u, ok := strings.CutPrefix(line, "    \t"); ok && len(entries) > 0 {
			sep := " "
			if strings.HasSuffix(entries[len(entries)-1], "\t") {
				sep = ""
			}
			entries[len(entries)-1] += sep + u
			continue
		}
		if !strings.HasPrefix(line, "  -") {
			continue
		}
		if head, u, ok := strings.Cut(line, "\t"); ok { // "  -x\tusage"
			entries = append(entries, head+"\t"+u)
		} else {
			entries = append(entries, line+"\t")
		}
	}
	return entries
}

// doubledDefaults returns the flags of help (flag.PrintDefaults's
// output, see flagEntries) that give a default twice: a usage that marks
// a value as the default ("gaussian (default)", "state (PsychRNN,
// default)", "none (default: ...)") followed by the flag package's
// "(default gaussian)", or a boolean's "(default false)", which the flag
// package leaves out.
func doubledDefaults(help string) []string {
	var bad []string
	printed := regexp.MustCompile(`\(default ([^()]*)\)$`)
	for _, line := range flagEntries(help) {
		m := printed.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		usage := strings.TrimSuffix(line, m[0])
		marked := regexp.MustCompile(`(^|[\s(])` + regexp.QuoteMeta(m[1]) + ` \(([^()]*, )?default\b`)
		if m[1] == "false" || marked.MatchString(usage) {
			bad = append(bad, strings.TrimSpace(line))
		}
	}
	return bad
}

// metricsOf reads a run's metrics.jsonl.
func metricsOf(t *testing.T, dir string) []metricsLine {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []metricsLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("metrics.jsonl line %d: %v", len(out)+1, err)
		}
		for _, k := range []string{"step", "loss", "train_accuracy", "lr", "elapsed_s"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("metrics.jsonl line %d lacks %q: %s", len(out)+1, k, sc.Text())
			}
		}
		var l metricsLine
		json.Unmarshal(sc.Bytes(), &l)
		out = append(out, l)
	}
	return out
}

// TestCLIMetricsSeed: every line of metrics.jsonl carries the run's seed,
// the one config.json records, also the lines a resume into another
// directory copies and those it adds, so that the lines of several runs
// read together can be grouped by it.
func TestCLIMetricsSeed(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run, branch := filepath.Join(work, "run"), filepath.Join(work, "branch")
	rnntrain(t, work, append([]string{"train", "-seed", "7", "-steps", "10", "-quiet", "-out", run}, small...)...).want(t, 0)
	rnntrain(t, work, "train", "-resume", run, "-out", branch, "-steps", "20", "-quiet").want(t, 0)
	for _, dir := range []string{run, branch} {
		b, err := os.ReadFile(filepath.Join(dir, "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		var cfg struct{ Seed *uint64 }
		if err := json.Unmarshal(b, &cfg); err != nil || cfg.Seed == nil || *cfg.Seed != 7 {
			t.Fatalf("%s/config.json: seed %v (%v), want 7", dir, cfg.Seed, err)
		}
		b, err = os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for line := range strings.Lines(string(b)) {
			n++
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("%s/metrics.jsonl line %d: %v", dir, n, err)
			}
			if got, ok := m["seed"]; !ok || got != 7.0 {
				t.Errorf("%s/metrics.jsonl line %d: seed %v, want 7: %s", dir, n, got, line)
			}
		}
		if n == 0 {
			t.Errorf("%s/metrics.jsonl is empty", dir)
		}
	}
}

func TestCLITrainEvalInspectResume(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	args := append([]string{"train", "-seed", "3", "-steps", "20", "-out", run}, small...)
	rnntrain(t, work, args...).want(t, 0, "seed 3", "context-dm", "leaky", "N = 24", "stopped at step 20")

	for _, f := range []string{"config.json", "checkpoint.safetensors", "checkpoints/step-000000020.safetensors", "checkpoints/step-000000010.safetensors", "eval.json"} {
		if _, err := os.Stat(filepath.Join(run, f)); err != nil {
			t.Error(err)
		}
	}
	// The default formats: PNG and SVG.
	checkFigures(t, filepath.Join(run, "plots"), []string{"curves", "trials", "psychometric"}, "png", "svg")
	ms := metricsOf(t, run)
	if len(ms) != 4 || ms[len(ms)-1].Step != 20 || ms[len(ms)-1].EvalAccuracy == nil {
		t.Fatalf("metrics: %d lines, want 4 ending at step 20 with an evaluation: %+v", len(ms), ms)
	}
	trainAcc := *ms[len(ms)-1].EvalAccuracy

	var cfg runConfig
	b, _ := os.ReadFile(filepath.Join(run, "config.json"))
	if err := json.Unmarshal(b, &cfg); err != nil || cfg.Model.Hidden != 24 || cfg.Seed != 3 || !cfg.Task.Preset.Set || cfg.Model.Model.(*rnn.LeakyConfig).Alpha == 0 {
		t.Errorf("config.json not fully resolved (%v): %s", err, b)
	}

	// eval -json agrees with training's held-out accuracy within sampling
	// error (the two sets are independent: 200 and 2000 trials).
	r := rnntrain(t, work, "eval", "-checkpoint", run, "-json", "-trials", "2000")
	r.want(t, 0)
	var rep analysis.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("eval -json: %v\n%s", err, r.stdout)
	}
	se := math.Sqrt(trainAcc*(1-trainAcc)/200 + rep.Accuracy*(1-rep.Accuracy)/2000)
	if math.Abs(rep.Accuracy-trainAcc) > 4*se+0.01 || rep.Trials != 2000 || rep.Split != "fresh trials" || len(rep.Conditions) == 0 || len(rep.Psychometric) == 0 {
		t.Errorf("eval accuracy %.4f (%d trials), training held-out %.4f: differ by more than 4 standard errors (%.4f)", rep.Accuracy, rep.Trials, trainAcc, se)
	}
	rnntrain(t, work, "eval", "-checkpoint", filepath.Join(run, "checkpoint.safetensors"), "-trials", "100").want(t, 0, "accuracy", "condition", "ctx=")

	r = rnntrain(t, work, "inspect", run)
	r.want(t, 0, "leaky", "context-dm", "step", "20", "hidden units", "24", "format version", "parameters", "leaky.weight_hh")
	r = rnntrain(t, work, "inspect", "-json", run)
	var info checkpointInfo
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || info.Step != 20 || info.Parameters == 0 || info.Accuracy == nil {
		t.Errorf("inspect -json: %v %+v", err, info)
	}

	// Record hidden states, then drive the network with those inputs.
	rec := filepath.Join(work, "rec.npz")
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "8", "-record", rec).want(t, 0)
	f, err := npy.OpenArchive(rec)
	if err != nil {
		t.Fatal(err)
	}
	ia, err := f.Read("inputs")
	if err != nil {
		t.Fatal(err)
	}
	rh, err1 := f.Header("rates")
	xh, err2 := f.Header("state/x")
	ph, err3 := f.Header("pre")
	f.Close()
	hs, is := rh.Shape, ia.Shape
	if err1 != nil || len(hs) != 3 || hs[0] != 8 || hs[2] != 24 || len(is) != 3 || is[1] != hs[1] || is[2] != 4 {
		t.Fatalf("recorded shapes inputs %v rates %v (%v), want [8 T 4] and [8 T 24]", is, hs, err1)
	}
	if err2 != nil || err3 != nil || !slices.Equal(xh.Shape, hs) || !slices.Equal(ph.Shape, hs) {
		t.Fatalf("recorded state/x %v (%v) and pre %v (%v): want the shape of rates %v", xh.Shape, err2, ph.Shape, err3, hs)
	}
	t.Run("regression in numpy", func(t *testing.T) { regressRecording(t, work, run) })
	in := filepath.Join(work, "in.npy")
	if err := npy.WriteFile(in, ia); err != nil {
		t.Fatal(err)
	}
	rec2 := filepath.Join(work, "rec2.npz")
	// The summary names every array written, the states and pre too.
	rnntrain(t, work, "eval", "-checkpoint", run, "-inputs", in, "-record", rec2).want(t, 0, "8 trials",
		"wrote inputs, rates [8, ", ", 24], state/x, pre, outputs [8, ", "seed, step and noise")
	// -record replaces an earlier recording, never a checkpoint, a config
	// or a directory.
	rnntrain(t, work, "eval", "-checkpoint", run, "-inputs", in, "-record", rec2).want(t, 0, "8 trials")
	ckpt := filepath.Join(run, "checkpoint.safetensors")
	saved, err := os.ReadFile(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{ckpt, filepath.Join(run, "config.json")} {
		rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "2", "-record", bad).want(t, 2, "-record "+bad, "not an .npz archive")
		rnntrain(t, work, "eval", "-checkpoint", run, "-inputs", in, "-record", bad).want(t, 2, "-record "+bad, "not an .npz archive")
	}
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "2", "-record", run).want(t, 2, "is a directory")
	// Nor a dataset: an .npz archive of inputs, targets and mask (a fit's
	// data.npz, the file of an npz task) is not an earlier recording.
	dataset := filepath.Join(work, "dataset.npz")
	if err := npy.WriteArchiveValues(dataset, map[string]any{"inputs": [][][]float32{{{1}}}, "targets": [][][]float32{{{0}}}, "mask": [][][]float32{{{1}}}}); err != nil {
		t.Fatal(err)
	}
	dsBefore, err := os.ReadFile(dataset)
	if err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "2", "-record", dataset).want(t, 2, "-record "+dataset+" exists and is an .npz archive but not a recording")
	rnntrain(t, work, "eval", "-checkpoint", run, "-inputs", in, "-record", dataset).want(t, 2, "-record "+dataset, "not a recording")
	if after, err := os.ReadFile(dataset); err != nil || !bytes.Equal(after, dsBefore) {
		t.Fatalf("eval -record %s replaced the dataset (%v)", dataset, err)
	}
	// Directories that do not exist are made, as -out's are; a path
	// through a file cannot be written, a failure (exit 1) that names
	// the flag and is found before any trial runs.
	for _, args := range [][]string{{"-trials", "2"}, {"-inputs", in}} {
		nodir := filepath.Join(work, "nodir", args[0][1:], "rec.npz")
		rnntrain(t, work, append([]string{"eval", "-checkpoint", run, "-record", nodir}, args...)...).want(t, 0, nodir)
		if _, err := npy.OpenArchive(nodir); err != nil {
			t.Errorf("eval -record %s %v: %v", nodir, args, err)
		}
		throughFile := filepath.Join(ckpt, "rec.npz")
		r := rnntrain(t, work, append([]string{"eval", "-checkpoint", run, "-record", throughFile}, args...)...)
		r.want(t, 1, "-record "+throughFile)
		if strings.Contains(r.stderr, "for usage") {
			t.Errorf("eval -record %s: reported as a usage error:\n%s", throughFile, r.stderr)
		}
	}
	if now, err := os.ReadFile(ckpt); err != nil || !bytes.Equal(now, saved) {
		t.Fatalf("eval -record %s changed the checkpoint (%v)", ckpt, err)
	}
	// A recording is a dataset the npz task trains on.
	rnntrain(t, work, "train", "-task", "npz", "-data", rec, "-steps", "3", "-hidden", "8", "-eval-trials", "8", "-out", filepath.Join(work, "npzrun")).want(t, 0, "task   npz", "1 output, no dt, ", "stopped at step 3")
	// Held out means held out: the 8 recorded trials split 4/2/2 into
	// train, validation and test; training evaluates on validation and eval
	// reaches each split by name; a file without a test split says which
	// setting to change.
	split := filepath.Join(work, "npzsplit")
	rnntrain(t, work, "train", "-task", "npz", "-data", rec, "-validation-fraction", "0.25", "-test-fraction", "0.25", "-split-seed", "3",
		"-steps", "2", "-hidden", "8", "-eval-trials", "8", "-out", split).want(t, 0, "evaluate on 2 held-out validation trials at the end", "on 2 validation trials")
	for sp, n := range map[string]int{"train": 4, "validation": 2, "test": 2} {
		r := rnntrain(t, work, "eval", "-checkpoint", split, "-split", sp, "-json")
		r.want(t, 0)
		var rep analysis.Report
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Split != sp || rep.Trials != n {
			t.Errorf("eval -split %s: %v, split %q on %d trials; want %d trials", sp, err, rep.Split, rep.Trials, n)
		}
	}
	if b, err := os.ReadFile(filepath.Join(split, "config.json")); err != nil || !strings.Contains(string(b), `"validation_fraction": 0.25`) || !strings.Contains(string(b), `"split_seed": 3`) {
		t.Errorf("config.json does not record the split settings (%v):\n%s", err, b)
	}
	rnntrain(t, work, "eval", "-checkpoint", filepath.Join(work, "npzrun"), "-split", "test").want(t, 2, "no test split", "test_fraction")
	// validation_fraction 0 trains and evaluates on every trial and says so.
	all := filepath.Join(work, "npzall")
	rnntrain(t, work, "train", "-task", "npz", "-data", rec, "-validation-fraction", "0", "-steps", "2", "-hidden", "8", "-eval-trials", "8", "-out", all).
		want(t, 0, "evaluate on 8 training trials (validation_fraction 0: none held out)", "on 8 train trials")
	rnntrain(t, work, "eval", "-checkpoint", all).want(t, 0, "on 8 train trials")
	rnntrain(t, work, "eval", "-checkpoint", all, "-split", "validation").want(t, 2, "no validation split", "validation_fraction")
	rnntrain(t, work, "eval", "-checkpoint", run, "-split", "test", "-trials", "50").want(t, 0, "on 50 fresh trials")
	rnntrain(t, work, "train", "-task", "npz", "-data", filepath.Join(work, "none.npz")).want(t, 1, "none.npz")
	// A setting that does not suit the file is a usage error, not a failure.
	rnntrain(t, work, "train", "-task", "npz", "-data", rec, "-preset", "neurogym").want(t, 2, `task npz has no preset "neurogym"`)
	rnntrain(t, work, "train", "-task", "npz", "-data", rec, "-validation-fraction", "0.99").want(t, 2, "leave none for training")
	// A task setting out of range names its flag and key, each on its line.
	rnntrain(t, work, "train", "-task", "npz", "-data", rec, "-validation-fraction", "2", "-test-fraction", "-1").want(t, 2,
		"-validation-fraction (task.settings.validation_fraction in a config file): validation_fraction = 2: want 0 <= f < 1",
		"-test-fraction (task.settings.test_fraction in a config file): test_fraction = -1")
	settingsToml := filepath.Join(work, "settings.toml")
	if err := os.WriteFile(settingsToml, []byte("[task.settings]\ndelay_min_ms = 300\ndelay_max_ms = 100\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-config", settingsToml).want(t, 2, "task.settings.delay_max_ms: delay_max_ms = 100: want >= delay_min_ms = 300")
	rnntrain(t, work, "train", "-task", "context-dm", "-data", rec).want(t, 2, "-data (task.settings.path in a config file): is the data file of the npz task, and the task is context-dm; give -task npz")
	// -data alone: the default task is not npz.
	rnntrain(t, work, "train", "-data", rec).want(t, 2, "-data", "give -task npz")
	bad := filepath.Join(work, "bad.npy")
	writeNpy(t, bad, [][][]float32{{{1, 2, 3}}})
	rnntrain(t, work, "eval", "-checkpoint", run, "-inputs", bad, "-record", rec2).want(t, 1, "-inputs "+bad+": ", "[trials, T, 4]")
	rnntrain(t, work, "eval", "-checkpoint", run, "-inputs", "nope.npy", "-record", rec2).want(t, 1, "-inputs: ", "nope.npy")

	// A second run into the same directory is refused.
	rnntrain(t, work, "train", "-steps", "2", "-out", run).want(t, 2, "already holds a run", "-resume")

	// Resume continues from the saved step and appends to the metrics.
	rnntrain(t, work, "train", "-resume", run, "-steps", "30").want(t, 0, "resume from step 20", "stopped at step 30")
	ms = metricsOf(t, run)
	for i := 1; i < len(ms); i++ {
		if ms[i].Step <= ms[i-1].Step {
			t.Fatalf("metrics.jsonl steps not increasing after resume: %d then %d", ms[i-1].Step, ms[i].Step)
		}
	}
	if last := ms[len(ms)-1].Step; last != 30 {
		t.Errorf("last logged step %d, want 30", last)
	}
	if r := rnntrain(t, work, "inspect", run); !regexp.MustCompile(`(?m)^step +30$`).MatchString(r.stdout) {
		t.Errorf("inspect after resume does not show step 30:\n%s", r.stdout)
	}
	rnntrain(t, work, "train", "-resume", run, "-steps", "30").want(t, 2, "already at step 30")

	// A run stopped after its last checkpoint but before its final
	// evaluation: resuming trains nothing and writes eval.json.
	before := metricsOf(t, run)
	if err := os.Remove(filepath.Join(run, "eval.json")); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-resume", run, "-steps", "30").want(t, 0, "stopped at step 30", "final evaluation")
	if _, err := os.Stat(filepath.Join(run, "eval.json")); err != nil {
		t.Errorf("eval.json after finishing the run: %v", err)
	}
	if after := metricsOf(t, run); len(after) != len(before) {
		t.Errorf("finishing the evaluation logged %d metric lines, want the %d there were", len(after), len(before))
	}
}

func TestCLIConfigFileAndFlags(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	cfgFile := filepath.Join(work, "run.toml")
	os.WriteFile(cfgFile, []byte(`seed = 7
[task]
name = "perceptual-dm"
[model]
hidden = 16
noise = 0.0
[train]
steps = 50
batch_size = 8
eval_every = 0
eval_trials = 50
`), 0o644)
	run := filepath.Join(work, "run")
	// -steps given on the command line overrides the file; -hidden not
	// given keeps the file's 16 rather than the default.
	rnntrain(t, work, "train", "-config", cfgFile, "-steps", "3", "-out", run).want(t, 0, "seed 7", "perceptual-dm", "N = 16", "evaluate on 50 held-out fresh trials at the end", "stopped at step 3")
	var cfg runConfig
	b, _ := os.ReadFile(filepath.Join(run, "config.json"))
	json.Unmarshal(b, &cfg)
	if cfg.Train.Steps != 3 || cfg.Model.Hidden != 16 || cfg.Train.BatchSize != 8 || cfg.Seed != 7 || cfg.Model.NoiseStd != 0 {
		t.Errorf("resolved config: %s", b)
	}
	// The same config written as JSON (config.json itself) loads too.
	if _, err := os.Stat(filepath.Join(run, "plots", "psychometric.png")); err != nil {
		t.Errorf("perceptual-dm run has no psychometric curve: %v", err)
	}
	// A continuous task has no psychometric curve.
	ff := filepath.Join(work, "ff")
	rnntrain(t, work, "train", "-task", "flip-flop", "-steps", "2", "-hidden", "8", "-eval-trials", "16", "-out", ff).want(t, 0, "flip-flop")
	if _, err := os.Stat(filepath.Join(ff, "plots", "psychometric.png")); err == nil {
		t.Error("flip-flop run drew a psychometric curve")
	}
	run2 := filepath.Join(work, "run2")
	rnntrain(t, work, "train", "-config", filepath.Join(run, "config.json"), "-out", run2, "-model", "rnn").want(t, 0, "model  rnn", "N = 16")
}

func TestCLIInterrupt(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	args := append([]string{"train", "-steps", "100000", "-out", run}, small...)
	cmd := exec.Command(binary, args...)
	cmd.Dir = work
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if b, _ := os.ReadFile(filepath.Join(run, "metrics.jsonl")); bytes.Count(b, []byte("\n")) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no metrics line within 60 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("after SIGINT: %v, want exit status 130\n%s", err, stdout.String())
	}
	if !strings.Contains(stdout.String(), "rnntrain train -resume") {
		t.Errorf("no resume hint:\n%s", stdout.String())
	}
	r := rnntrain(t, work, "inspect", "-json", run)
	var info checkpointInfo
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || info.Step < 5 {
		t.Fatalf("checkpoint after SIGINT: %v %+v %s", err, info, r.stderr)
	}
}

// TestCLIDataPathAbsolute: a run trained on -data given relative to the
// working directory evaluates, resumes and plots from any other directory:
// its config names the file by its absolute path.
func TestCLIDataPathAbsolute(t *testing.T) {
	t.Parallel()
	work, elsewhere := t.TempDir(), t.TempDir()
	writeTinyNPZ(t, filepath.Join(work, "d.npz"))
	rnntrain(t, work, "train", "-task", "npz", "-data", "d.npz", "-validation-fraction", "0", "-steps", "2", "-hidden", "4", "-batch", "2",
		"-eval-trials", "4", "-quiet", "-out", "run").want(t, 0)
	run := filepath.Join(work, "run")
	rnntrain(t, elsewhere, "eval", "-checkpoint", run).want(t, 0)
	rnntrain(t, elsewhere, "train", "-resume", run, "-steps", "3", "-quiet").want(t, 0)
	rnntrain(t, elsewhere, "plot", run, "-out", "plots").want(t, 0)
	// -record never replaces the data file, an .npz archive itself.
	saved, err := os.ReadFile(filepath.Join(work, "d.npz"))
	if err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "eval", "-checkpoint", run, "-record", "d.npz").want(t, 2, "-record d.npz is the data file")
	if now, err := os.ReadFile(filepath.Join(work, "d.npz")); err != nil || !bytes.Equal(now, saved) {
		t.Errorf("eval -record d.npz changed the data file (%v)", err)
	}
}

// trainTinyNPZ trains the run "run", of 2 steps, on the npz dataset
// d.npz (writeTinyNPZ) in a new directory work, and returns work and the
// path of d.npz.
func trainTinyNPZ(t *testing.T) (work, data string) {
	t.Helper()
	work = t.TempDir()
	data = filepath.Join(work, "d.npz")
	writeTinyNPZ(t, data)
	rnntrain(t, work, "train", "-task", "npz", "-data", "d.npz", "-validation-fraction", "0", "-steps", "2", "-hidden", "4", "-batch", "2",
		"-eval-trials", "4", "-quiet", "-out", "run").want(t, 0)
	return work, data
}

// TestCLIDataFileChanged: a run whose data file now has other sizes than
// its network was trained with is refused by the analyses, naming the
// file and both sizes, not by a list of mismatched weight shapes.
func TestCLIDataFileChanged(t *testing.T) {
	t.Parallel()
	work, data := trainTinyNPZ(t)
	two := [][][]float32{{{0, 1}, {1, 0}}, {{1, 1}, {0, 0}}, {{1, 0}, {0, 1}}}
	one := [][][]float32{{{0}, {1}}, {{1}, {0}}, {{0}, {0}}}
	if err := npy.WriteArchiveValues(data, map[string]any{"inputs": two, "targets": one}); err != nil {
		t.Fatal(err)
	}
	want := []string{"run/checkpoint.safetensors: the network was trained with 1 input and 1 output", "data file " + data, "now gives 2 and 1"}
	rnntrain(t, work, "eval", "-checkpoint", "run").want(t, 1, want...)
	rnntrain(t, work, "inactivate", "-checkpoint", "run", "-units", "0").want(t, 1, want...)
}

// TestCLIDataFileReplaced: a run's data file replaced by another of the
// same size and sizes (other targets) is refused by a resume, naming the
// file and its key, and by eval (its validation trials are no longer the
// ones held out); -force resumes on it and stores its checksum.
func TestCLIDataFileReplaced(t *testing.T) {
	t.Parallel()
	work, data := trainTinyNPZ(t)
	before, err := os.Stat(data)
	if err != nil {
		t.Fatal(err)
	}
	writeTinyNPZChoices(t, data, 1) // the other choice in every trial
	if after, err := os.Stat(data); err != nil || after.Size() != before.Size() {
		t.Fatalf("the replacement has %v bytes (%v), want %d as the original", after.Size(), err, before.Size())
	}
	changed := "task.settings.path " + data + " has SHA-256 "
	rnntrain(t, work, "train", "-resume", "run", "-steps", "3", "-quiet").want(t, 1, changed, "-force")
	rnntrain(t, work, "eval", "-checkpoint", "run").want(t, 1, changed)
	rnntrain(t, work, "train", "-resume", "run", "-steps", "3", "-quiet", "-force").want(t, 0, "stopped at step 3")
	rnntrain(t, work, "eval", "-checkpoint", "run").want(t, 0, "accuracy")
}

// writeZerosNPZ writes to path a compressed .npz archive of float32
// zeros of the given shapes: a few kilobytes for a megabyte of values.
func writeZerosNPZ(t *testing.T, path string, shapes map[string][]int) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(shapes)) {
		w, err := zw.Create(name + ".npy") // deflated
		if err != nil {
			t.Fatal(err)
		}
		n, _ := npy.Header{Shape: shapes[name]}.Len()
		if err := npy.Encode(w, npy.Array{Shape: shapes[name], F32: make([]float32, n)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCLIInflatingArchive: an .npz whose arrays declare more values than
// the memory allowed holds (-max-memory here; a compressed member may
// inflate to a thousand times its size) is refused before any array is
// read, naming the file and its arrays.
func TestCLIInflatingArchive(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := []int{64, 64, 64} // 1 MiB of float32 in a few kilobytes
	writeZerosNPZ(t, filepath.Join(dir, "data.npz"), map[string][]int{"inputs": big, "targets": big})
	writeZerosNPZ(t, filepath.Join(dir, "activity.npz"), map[string][]int{"activity": big, "inputs": big})
	const limit = "0.0005" // GiB: 512 KiB
	rnntrain(t, dir, "train", "-task", "npz", "-data", "data.npz", "-steps", "1", "-max-memory", limit, "-out", "run").
		want(t, 1, "-data ", "data.npz: the arrays inputs [64 64 64], targets [64 64 64] need about 2 MiB in memory, more than the -max-memory limit")
	rnntrain(t, dir, "fit", "-data", "activity.npz", "-max-memory", limit, "-out", "fit").
		want(t, 1, "data activity.npz: the arrays activity [64 64 64], inputs [64 64 64] need about 8 MiB in memory, more than the -max-memory limit")
	for _, out := range []string{"run", "fit"} {
		if _, err := os.Stat(filepath.Join(dir, out)); !os.IsNotExist(err) {
			t.Errorf("a refused command wrote %s (%v)", out, err)
		}
	}
	// The same check, which readRecording makes against the memory available.
	if err := checkArchiveMemory(filepath.Join(dir, "data.npz"), 1<<19, 0, "inputs", "rates"); err == nil || !strings.Contains(err.Error(), "the arrays inputs [64 64 64] need about 1 MiB") {
		t.Errorf("checkArchiveMemory within 512 KiB: %v, want an error", err)
	}
	if err := checkArchiveMemory(filepath.Join(dir, "data.npz"), 1<<30, 0, "inputs", "targets"); err != nil {
		t.Errorf("checkArchiveMemory within 1 GiB: %v", err)
	}
}

// writeTinyNPZ writes to path an npz dataset of 6 trials of 3 steps, one
// input and one output.
func writeTinyNPZ(t *testing.T, path string) { writeTinyNPZChoices(t, path, 0) }

// writeTinyNPZChoices is writeTinyNPZ whose trial i has the choice
// (i+shift) mod 2.
func writeTinyNPZChoices(t *testing.T, path string, shift int) {
	t.Helper()
	in := make([][][]float32, 6)
	tgt := make([][][]float32, 6)
	for i := range in {
		in[i] = [][]float32{{float32(i)}, {1}, {0}}
		tgt[i] = [][]float32{{0}, {1}, {float32((i + shift) % 2)}}
	}
	if err := npy.WriteArchiveValues(path, map[string]any{"inputs": in, "targets": tgt}); err != nil {
		t.Fatal(err)
	}
}

// TestCLICurriculumDataPathAbsolute: the data files a curriculum stage
// names by relative path are recorded by absolute path, as the run's own
// are, so the run is evaluated and resumed from another directory.
func TestCLICurriculumDataPathAbsolute(t *testing.T) {
	t.Parallel()
	work, elsewhere := t.TempDir(), t.TempDir()
	writeTinyNPZ(t, filepath.Join(work, "d.npz"))
	writeTinyNPZ(t, filepath.Join(work, "d2.npz"))
	cfg := `[task]
name = "npz"
settings = { path = "d.npz", validation_fraction = 0 }
[model]
hidden = 4
[train]
steps = 2
eval_every = 1
batch_size = 2
eval_trials = 4
[[train.curriculum]]
[[train.curriculum]]
settings = { path = "d2.npz" }
`
	os.WriteFile(filepath.Join(work, "c.toml"), []byte(cfg), 0o644)
	rnntrain(t, work, "train", "-config", "c.toml", "-quiet", "-out", "run").want(t, 0)
	run := filepath.Join(work, "run")
	rnntrain(t, elsewhere, "eval", "-checkpoint", run).want(t, 0)
	rnntrain(t, elsewhere, "train", "-resume", run, "-steps", "3", "-quiet").want(t, 0)
	// A stage's missing data file is a failure, as the run's own is.
	os.WriteFile(filepath.Join(work, "missing.toml"), []byte(strings.Replace(cfg, "d2.npz", "missing.npz", 1)), 0o644)
	rnntrain(t, work, "train", "-config", "missing.toml", "-quiet", "-out", "run2").want(t, 1, "train.curriculum[1]", "missing.npz")
}

// regressRecording records trials of the run and runs, with Debian's
// python3 and numpy, the regression script docs/recordings.md shows and the
// README's snippet, checking that the documented arrays are there and the
// fit explains the activity.
func regressRecording(t *testing.T, work, run string) {
	const py = "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skipf("skipping: %s not found; install python3 and python3-numpy to run the documented analysis", py)
	}
	if out, err := exec.Command(py, "-c", "import numpy").CombinedOutput(); err != nil {
		t.Skipf("skipping: numpy is not importable by %s (apt-get install python3-numpy): %v %s", py, err, out)
	}
	rec := filepath.Join(work, "regress.npz")
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "300", "-record", rec).want(t, 0, "recorded 300 fresh trials")
	script, err := filepath.Abs(filepath.Join("..", "..", "docs", "regress_recording.py"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "recordings.md"))
	src, err2 := os.ReadFile(script)
	if err != nil || err2 != nil || !strings.Contains(string(doc), string(src)) {
		t.Errorf("docs/recordings.md does not show docs/regress_recording.py verbatim (%v, %v)", err, err2)
	}
	out, err := exec.Command(py, script, rec).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", py, script, err, out)
	}
	m := regexp.MustCompile(`R\^2 ([0-9.]+) over 300 trials`).FindSubmatch(out)
	if m == nil || !strings.Contains(string(out), "coherence_mod1") || !strings.Contains(string(out), "context") {
		t.Fatalf("regression output lacks R^2 over 300 trials or the context-dm variables:\n%s", out)
	}
	if r2, _ := strconv.ParseFloat(string(m[1]), 64); !(r2 > 0.05 && r2 <= 1) {
		t.Errorf("R^2 %v of rates on the task variables: want a fit that explains some activity", r2)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	snippet := regexp.MustCompile("(?s)```python\n(import numpy as np\nd = np\\.load\\(\"rec\\.npz\"\\).*?)```").FindSubmatch(readme)
	if snippet == nil {
		t.Fatal("README has no numpy snippet loading rec.npz")
	}
	cmd := exec.Command(py, "-c", string(snippet[1])+"\nassert np.all(np.isfinite(beta)) and beta.shape[2] == rates.shape[2]\n")
	cmd.Dir = t.TempDir()
	if err := os.Rename(rec, filepath.Join(cmd.Dir, "rec.npz")); err != nil {
		t.Fatal(err)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("README snippet: %v\n%s", err, out)
	}
}

// TestCLIMNISTSplits trains sequential MNIST for two steps and checks that
// training evaluates on the validation slice of the training images and
// eval reaches the 10 000 test images.
func TestCLIMNISTSplits(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "mnist")
	rnntrain(t, work, "train", "-task", "mnist-rows", "-steps", "2", "-hidden", "8", "-batch", "8", "-eval-trials", "100",
		"-validation-fraction", "0.05", "-out", run).want(t, 0, "evaluate on 100 held-out validation trials", "on 3000 validation trials")
	r := rnntrain(t, work, "eval", "-checkpoint", run, "-split", "test", "-trials", "200", "-json")
	r.want(t, 0)
	var rep analysis.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Split != "test" || rep.Trials != 200 {
		t.Errorf("eval -split test: %v, split %q on %d trials; want test on 200", err, rep.Split, rep.Trials)
	}
	rnntrain(t, work, "eval", "-checkpoint", run, "-split", "train", "-trials", "50").want(t, 0, "on 50 train trials")
	// The copy shipped with the GoMNIST module is fixed by its version and
	// go.sum: its files are not summed into the checkpoint.
	if c, err := checkpoints.Load(checkpoints.LatestPath(run)); err != nil {
		t.Error(err)
	} else if len(c.Meta.Files) != 0 {
		t.Errorf("checkpoint of the shipped MNIST: files %v, want none", c.Meta.Files)
	}
	// Missing MNIST files are a failure naming them, not a usage error.
	cfg := filepath.Join(work, "mnist.toml")
	if err := os.WriteFile(cfg, []byte("[task.settings]\nmnist_dir = \""+work+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-task", "mnist-rows", "-config", cfg, "-steps", "1").want(t, 1, filepath.Join(work, "train-images-idx3-ubyte.gz"))
}

// TestCLIMNISTFilesReplaced: the MNIST files of a run's mnist_dir are
// checksummed like an npz data file. A training file replaced by another
// of the same sizes (other labels) is refused by a resume, naming its key
// and path, and by eval; -force resumes on it and stores its checksum. A
// replaced test file, part of the run's dataset too, is refused by eval
// -split test.
func TestCLIMNISTFilesReplaced(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	digits := filepath.Join(work, "digits")
	writeTinyMNIST(t, digits, 0)
	if err := os.WriteFile(filepath.Join(work, "mnist.toml"), []byte("[task.settings]\nmnist_dir = \"digits\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-task", "mnist-rows", "-config", "mnist.toml", "-validation-fraction", "0.2", "-steps", "2", "-hidden", "4",
		"-batch", "2", "-eval-trials", "4", "-quiet", "-out", "run").want(t, 0)
	writeIDX(t, filepath.Join(digits, "train-labels-idx1-ubyte.gz"), []int32{0x801, 20}, tinyLabels(20, 1))
	changed := "task.settings.mnist_dir/train-labels-idx1-ubyte.gz " + filepath.Join(digits, "train-labels-idx1-ubyte.gz") + " has SHA-256 "
	rnntrain(t, work, "train", "-resume", "run", "-steps", "3", "-quiet").want(t, 1, changed, "-force")
	rnntrain(t, work, "eval", "-checkpoint", "run").want(t, 1, changed)
	rnntrain(t, work, "train", "-resume", "run", "-steps", "3", "-quiet", "-force").want(t, 0, "stopped at step 3")
	rnntrain(t, work, "eval", "-checkpoint", "run").want(t, 0, "accuracy")
	writeIDX(t, filepath.Join(digits, "t10k-labels-idx1-ubyte.gz"), []int32{0x801, 10}, tinyLabels(10, 1))
	rnntrain(t, work, "eval", "-checkpoint", "run", "-split", "test").want(t, 1, "task.settings.mnist_dir/t10k-labels-idx1-ubyte.gz ")
	// Without its test files the run still evaluates on its validation
	// split, which reads the training files alone.
	for _, f := range []string{"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"} {
		if err := os.Remove(filepath.Join(digits, f)); err != nil {
			t.Fatal(err)
		}
	}
	rnntrain(t, work, "eval", "-checkpoint", "run").want(t, 0, "accuracy")
}

// writeTinyMNIST writes to dir the four MNIST files of a tiny dataset: 20
// training and 10 test digits, image i all pixels 10·i mod 256, label
// (i+shift) mod 10.
func writeTinyMNIST(t *testing.T, dir string, shift int) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		prefix string
		n      int
	}{{"train", 20}, {"t10k", 10}} {
		pixels := make([]byte, f.n*28*28)
		for i := range pixels {
			pixels[i] = byte(10 * (i / (28 * 28)))
		}
		writeIDX(t, filepath.Join(dir, f.prefix+"-images-idx3-ubyte.gz"), []int32{0x803, int32(f.n), 28, 28}, pixels)
		writeIDX(t, filepath.Join(dir, f.prefix+"-labels-idx1-ubyte.gz"), []int32{0x801, int32(f.n)}, tinyLabels(f.n, shift))
	}
}

// tinyLabels returns n labels, label i (i+shift) mod 10.
func tinyLabels(n, shift int) []byte {
	l := make([]byte, n)
	for i := range l {
		l[i] = byte((i + shift) % 10)
	}
	return l
}

// writeIDX writes to path a gzipped IDX file: the big-endian header, then
// data.
func writeIDX(t *testing.T, path string, header []int32, data []byte) {
	t.Helper()
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	for _, v := range header {
		z.Write([]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	z.Write(data)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCLIStopSignalsStopEval checks that a command with nothing to save,
// here a long eval of a spiking net, stops at once on SIGINT or SIGTERM
// with the shell's status for the signal, instead of catching the signal
// (as train does, to save its checkpoint) and running on.
func TestCLIStopSignalsStopEval(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-model", "lif", "-steps", "1", "-hidden", "8", "-batch", "4", "-eval-trials", "8", "-out", run).
		want(t, 0, "stopped at step 1")
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		cmd := exec.Command(binary, "eval", "-checkpoint", run, "-trials", "1000000")
		cmd.Dir = work
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		if err := cmd.Process.Signal(c.sig); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != c.code {
				t.Errorf("eval after %v: %v, want exit status %d\n%s", c.sig, err, c.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), "stopped by "+signalName(c.sig)) {
				t.Errorf("eval after %v: stderr lacks the signal:\n%s", c.sig, stderr.String())
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Errorf("eval still running 20 s after %v", c.sig)
		}
	}
}

// TestCLIDaleOneSign trains with every unit excitatory (-dale 1), which
// diverged at the first steps (a loss of 1.7e14 at N = 8, +Inf at N = 64)
// when the weights' Perron root was left near ρ·√(2N/π), and refuses a
// fraction that leaves no excitatory unit, naming the flag.
func TestCLIDaleOneSign(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, model := range []string{"leaky", "lif"} {
		out := filepath.Join(work, model)
		rnntrain(t, work, "train", "-model", model, "-dale", "1", "-hidden", "64", "-batch", "16", "-steps", "20",
			"-log-every", "5", "-eval-every", "20", "-eval-trials", "100", "-target-accuracy", "0", "-out", out).want(t, 0)
		for _, m := range metricsOf(t, out) {
			if !(m.Loss < 10) {
				t.Fatalf("%s -dale 1: loss %g at step %d", model, m.Loss, m.Step)
			}
		}
		rnntrain(t, work, "train", "-model", model, "-dale", "0.01", "-hidden", "8", "-steps", "2", "-out", filepath.Join(work, model+"-none")).
			want(t, 2, "-dale (model.dale in a config file): 0.01 makes none of the 8 units excitatory")
	}
}

// TestCLISurrogateNames checks that -surrogate takes a name in any case
// and snnTorch's names, and that the run's config stores the canonical
// form: "arctan" and "fast_sigmoid" were refused.
func TestCLISurrogateNames(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for name, want := range map[string]string{"fast_sigmoid(k=25)": "FastSigmoid(k=25)", "arctan": "ArcTan(alpha=2)"} {
		out := filepath.Join(work, strings.NewReplacer("(", "", ")", "", "=", "").Replace(name))
		rnntrain(t, work, "train", "-model", "lif", "-surrogate", name, "-hidden", "8", "-batch", "4", "-steps", "2",
			"-eval-trials", "16", "-quiet", "-out", out).want(t, 0)
		b, err := os.ReadFile(filepath.Join(out, "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"surrogate": "`+want+`"`) {
			t.Errorf("-surrogate %s: config.json lacks %q:\n%s", name, want, b)
		}
	}
}

// TestCLIDataPaddedWithNaN: an npz task whose targets are NaN where its
// mask is 0 (trials of several lengths, padded) trains and evaluates,
// with finite losses; a NaN the mask scores is refused, naming it.
func TestCLIDataPaddedWithNaN(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	nan := float32(math.NaN())
	in := make([][][]float32, 6)
	tgt := make([][][]float32, 6)
	mask := make([][][]float32, 6)
	for i := range in {
		in[i] = [][]float32{{float32(i)}, {1}, {0}}
		tgt[i] = [][]float32{{0}, {1}, {float32(i % 2)}}
		mask[i] = [][]float32{{1}, {1}, {1}}
		if i%3 == 0 { // a trial of two steps
			tgt[i][2][0], mask[i][2][0] = nan, 0
		}
	}
	write := func(name string) {
		if err := npy.WriteArchiveValues(filepath.Join(work, name), map[string]any{"inputs": in, "targets": tgt, "mask": mask}); err != nil {
			t.Fatal(err)
		}
	}
	write("padded.npz")
	rnntrain(t, work, "train", "-task", "npz", "-data", "padded.npz", "-validation-fraction", "0.5", "-hidden", "4", "-steps", "3",
		"-batch", "2", "-eval-every", "1", "-quiet", "-out", "run").want(t, 0, "final evaluation")
	b, err := os.ReadFile(filepath.Join(work, "run", "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("NaN")) || bytes.Contains(b, []byte("null")) {
		t.Errorf("metrics.jsonl of a run on padded targets:\n%s", b)
	}
	rnntrain(t, work, "eval", "-checkpoint", "run", "-json").want(t, 0, `"accuracy"`)
	mask[3][2][0] = 1
	write("scored.npz")
	rnntrain(t, work, "train", "-task", "npz", "-data", "scored.npz", "-hidden", "4", "-steps", "3", "-quiet", "-out", "run2").
		want(t, 1, "scored.npz", "array targets has the non-finite value NaN at [3, 2, 0] where mask is not 0")
}
