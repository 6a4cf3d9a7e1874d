package main

import (
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/internal/npy"
)

func TestApplyConfigFlagsOverrideFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.toml")
	os.WriteFile(file, []byte("[model]\nhidden = 16\nkind = \"gru\"\n[train]\nsteps = 50\nlr = 0.01\n"), 0o644)
	cfg := defaultConfig()
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	vals := bindTrainFlags(fs, &cfg)
	// -lr is given with its default value: being set, it still wins.
	if err := fs.Parse([]string{"-steps", "3", "-lr", "0.003"}); err != nil {
		t.Fatal(err)
	}
	if _, err := applyConfig(fs, &cfg, vals, file); err != nil {
		t.Fatal(err)
	}
	if cfg.Train.Steps != 3 || cfg.Train.LR != 0.003 || cfg.Model.Hidden != 16 || cfg.Model.Kind() != "gru" || cfg.Train.BatchSize != defaultConfig().Train.BatchSize {
		t.Errorf("got steps %d lr %g hidden %d kind %v batch %d; want 3, 0.003 (flags), 16, gru (file), default batch",
			cfg.Train.Steps, cfg.Train.LR, cfg.Model.Hidden, cfg.Model.Kind(), cfg.Train.BatchSize)
	}
}

// TestApplyConfigModelLeakyDefaults: -model leaky over a config of another
// kind gives the default run's leaky model (relu), whether the file is
// TOML or a run's config.json.
func TestApplyConfigModelLeakyDefaults(t *testing.T) {
	dir := t.TempDir()
	gru := defaultConfig()
	if err := setKey(&gru, "model.kind", "gru"); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(gru)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"c.toml": []byte("[model]\nkind = \"gru\"\n"), "config.json": b}
	for name, data := range files {
		file := filepath.Join(dir, name)
		os.WriteFile(file, data, 0o644)
		cfg := defaultConfig()
		fs := flag.NewFlagSet("train", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		vals := bindTrainFlags(fs, &cfg)
		if err := fs.Parse([]string{"-model", "leaky"}); err != nil {
			t.Fatal(err)
		}
		if _, err := applyConfig(fs, &cfg, vals, file); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, _ := json.Marshal(cfg.Model)
		want, _ := json.Marshal(defaultConfig().Model)
		if string(got) != string(want) {
			t.Errorf("-config %s -model leaky: model %s, want the default run's %s", name, got, want)
		}
	}
}

func TestValidateNamesFlags(t *testing.T) {
	cfg := defaultConfig()
	cfg.Model.Hidden = -1
	cfg.Train.TargetAccuracy = 1.5
	err := cfg.validate()
	var u usageError
	if !errors.As(err, &u) {
		t.Fatalf("validate: %v, want a usage error", err)
	}
	for _, want := range []string{"-hidden (model.hidden", "-target-accuracy (train.target_accuracy"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	def := defaultConfig()
	if err := def.validate(); err != nil {
		t.Errorf("default config: %v", err)
	}
}

func TestTrimMetrics(t *testing.T) {
	p := filepath.Join(t.TempDir(), "metrics.jsonl")
	os.WriteFile(p, []byte(`{"step":5,"loss":1,"accuracy":0.5,"lr":0.1,"elapsed_s":1}
{"step":10,"loss":0.5,"accuracy":0.7,"lr":0.1,"elapsed_s":2,"eval_accuracy":0.8}
{"step":15,"loss":0.4,"accuracy":0.8,"lr":0.1,"elapsed_s":3}
`), 0o644)
	cv, err := trimMetrics(p, 10, true)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if n := strings.Count(string(b), "\n"); n != 2 || len(cv.Step) != 2 || len(cv.EvalStep) != 1 || cv.EvalAccuracy[0] != 0.8 || cv.Accuracy[1] != 0.7 {
		t.Errorf("after trimming to step 10 (keys before the split names): %d lines, curves %+v", n, cv)
	}
	os.WriteFile(p, []byte(`{"step":5,"loss":1,"train_accuracy":0.5,"lr":0.1,"elapsed_s":1}
{"step":10,"loss":0.5,"train_accuracy":0.7,"lr":0.1,"elapsed_s":2,"validation_accuracy":0.8}
`), 0o644)
	if cv, err := trimMetrics(p, 10, true); err != nil || len(cv.EvalStep) != 1 || cv.EvalAccuracy[0] != 0.8 || cv.Accuracy[1] != 0.7 {
		t.Errorf("trimMetrics: %v, curves %+v", err, cv)
	}
	if _, err := trimMetrics(filepath.Join(t.TempDir(), "none.jsonl"), 10, true); err != nil {
		t.Errorf("missing file: %v", err)
	}
}

// TestMetricsCurvesEvalLoss: the held-out loss curve is validation_loss;
// a line written before it was logged gives validation_mse for an MSE task
// and nothing (NaN) for a cross-entropy one, whose MSE is of its logits.
func TestMetricsCurvesEvalLoss(t *testing.T) {
	data := []byte(`{"step":5,"loss":1,"validation_accuracy":0.5,"validation_mse":7000}
{"step":10,"loss":0.5,"validation_accuracy":0.8,"validation_mse":8000,"validation_loss":0.25}
`)
	for _, c := range []struct {
		mse   bool
		first float64
	}{{true, 7000}, {false, math.NaN()}} {
		cv, _, _, _ := metricsCurves(data, 10, c.mse)
		if len(cv.EvalLoss) != 2 || cv.EvalLoss[1] != 0.25 || !(cv.EvalLoss[0] == c.first || math.IsNaN(c.first) && math.IsNaN(cv.EvalLoss[0])) {
			t.Errorf("mse task %v: held-out losses %v, want [%v 0.25]", c.mse, cv.EvalLoss, c.first)
		}
	}
}

// TestMetricsCurvesUnscoredEval: an evaluation that scored no trial,
// logged without validation_accuracy, is still an evaluation of the
// curves: its loss drawn, its accuracy NaN (not drawn), as the live run
// draws it.
func TestMetricsCurvesUnscoredEval(t *testing.T) {
	data := []byte(`{"step":5,"loss":1,"validation_mse":0.5,"validation_loss":0.5}
{"step":10,"loss":0.5,"validation_accuracy":0.8,"validation_mse":0.25,"validation_loss":0.25}
{"step":15,"loss":0.4}
`)
	cv, _, _, _ := metricsCurves(data, 20, true)
	if len(cv.EvalStep) != 2 || cv.EvalStep[0] != 5 || !math.IsNaN(cv.EvalAccuracy[0]) || cv.EvalAccuracy[1] != 0.8 || cv.EvalLoss[0] != 0.5 {
		t.Errorf("held-out curves: steps %v, accuracies %v, losses %v; want [5 10], [NaN 0.8], [0.5 0.25]", cv.EvalStep, cv.EvalAccuracy, cv.EvalLoss)
	}
}

// TestTrimMetricsDamagedLine: a line that is not a record amid the
// history is kept as it is, and so are the records after it up to the
// step; a resume dropped them all, the history after the damage lost in
// silence. A damaged line after the last record kept (cut by a crash)
// goes.
func TestTrimMetricsDamagedLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "metrics.jsonl")
	lines := `{"step":5,"loss":1}
{"step":10,"lo
{"step":15,"loss":0.5}
`
	os.WriteFile(p, []byte(lines+`{"step":20,"loss":0.4}
{"step":25,"loss":0.3}
{"step":`), 0o644)
	cv, err := trimMetrics(p, 15, true)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != lines || !slices.Equal(cv.Step, []float64{5, 15}) {
		t.Errorf("after trimming to step 15: %q, steps %v; want %q, steps [5 15]", b, cv.Step, lines)
	}
	os.WriteFile(p, []byte(lines+"\x00\x00\n"), 0o644)
	if _, err := trimMetrics(p, 15, true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != lines {
		t.Errorf("after trimming a damaged last line: %q, want %q", b, lines)
	}
	if _, _, bad, first := metricsCurves([]byte(lines+"\n{\n"), 100, true); bad != 2 || first != 2 {
		t.Errorf("metricsCurves counted %d lines not records, the first line %d; want 2, line 2", bad, first)
	}
}

// TestTrimMetricsUnterminated: a whole last line without its newline (a
// write cut just before it) is kept and given its newline, so that the
// line a resumed run appends does not run on from it.
func TestTrimMetricsUnterminated(t *testing.T) {
	p := filepath.Join(t.TempDir(), "metrics.jsonl")
	lines := `{"step":5,"loss":1,"train_accuracy":0.5,"lr":0.1,"elapsed_s":1}
{"step":10,"loss":0.5,"train_accuracy":0.7,"lr":0.1,"elapsed_s":2}`
	os.WriteFile(p, []byte(lines), 0o644)
	cv, err := trimMetrics(p, 10, true)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != lines+"\n" || len(cv.Step) != 2 {
		t.Errorf("after trimming to step 10: %q, %d steps; want %q, 2 steps", b, len(cv.Step), lines+"\n")
	}
}

// TestCLIModelErrorsNameKeys checks that a model's own invalid setting is
// reported with its flag and config key (not as "model (lif): …"), from a
// flag and from a config file.
func TestCLIModelErrorsNameKeys(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	rnntrain(t, work, "train", "-model", "lif", "-dale", "1.5", "-steps", "2").
		want(t, 2, "-dale (model.dale in a config file): got 1.5, need 0 (off) or a fraction in (0, 1]")
	cfgFile := filepath.Join(work, "bad.toml")
	if err := os.WriteFile(cfgFile, []byte("[model]\nkind = \"alif\"\ntau_adapt_ms = -3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-config", cfgFile, "-steps", "2").want(t, 2, "config "+cfgFile+": model.tau_adapt_ms: got -3, need > 0")
	// The leak is checked by the models, which name it, not by their layers.
	for _, kind := range []string{"leaky", "lowrank"} {
		rnntrain(t, work, "train", "-model", kind, "-alpha", "1.5", "-steps", "2").
			want(t, 2, "-alpha (model.alpha in a config file): got 1.5, need 0 < α ≤ 1")
	}
}

// TestCLIOptimizerZeros checks through the command that Adam's β1 = 0 is
// taken as given and ε = 0 refused, naming the key.
func TestCLIOptimizerZeros(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, c := range []struct {
		name, toml string
		code       int
		want       string
	}{
		{"beta1", "[train.optimizer]\nbeta1 = 0\n", 0, "stopped at step 2"},
		{"eps", "[train.optimizer]\neps = 0\n", 2, "train.optimizer.eps: must be positive for adam"},
	} {
		file := filepath.Join(work, "opt.toml")
		if err := os.WriteFile(file, []byte(c.toml), 0o644); err != nil {
			t.Fatal(err)
		}
		run := filepath.Join(work, c.name)
		rnntrain(t, work, append([]string{"train", "-config", file, "-steps", "2", "-out", run}, small...)...).want(t, c.code, c.want)
		if c.code == 0 {
			b, err := os.ReadFile(filepath.Join(run, "config.json"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), `"beta1": 0,`) {
				t.Errorf("config.json does not keep beta1 = 0:\n%s", b)
			}
		}
	}
}

// TestCLIConfigTypeErrorsNameKeys checks that a value of the wrong type in
// a config file is reported with its config key, without the Go names of
// the structs that hold it, and with what the key takes.
func TestCLIConfigTypeErrorsNameKeys(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, c := range []struct{ toml, want string }{
		{"kind = \"alif\"\ninput_gain = \"x\"", "model.input_gain: cannot use string here (want a number)"},
		{"kind = \"alif\"\nspectral_radius = \"x\"", "model.spectral_radius: cannot use string here (want a number)"},
		{"kind = \"lif\"\nrefractory_steps = 1.5", "model.refractory_steps: cannot use number 1.5 here (want an integer)"},
		{"kind = \"lif\"\nrefractory_steps = 1e20", "model.refractory_steps: 100000000000000000000 is out of range (want a whole number from -9223372036854775808 to 9223372036854775807)"},
		{"kind = \"alif\"\nreset = 1", "model.reset: cannot use number here (want a string)"},
		{"kind = \"ltc\"\nsurrogate = 2", "model.surrogate: cannot use number here (want a string)"},
		{"kind = \"egru\"\ntrace = \"yes\"", "model.trace: cannot use string here (want true or false)"},
	} {
		file := filepath.Join(work, "bad.toml")
		if err := os.WriteFile(file, []byte("[model]\n"+c.toml+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := rnntrain(t, work, "train", "-config", file, "-steps", "1", "-out", filepath.Join(work, "run"))
		r.want(t, 2, c.want)
		for _, goName := range []string{"Spiking", "LIFConfig", "Connectivity", "layers.", "float64"} {
			if strings.Contains(r.stderr, goName) {
				t.Errorf("%q: error names the Go identifier %q:\n%s", c.toml, goName, r.stderr)
			}
		}
	}
}

// TestCLIFlagsRefuseNonFinite checks that NaN or an infinity given to a
// numeric flag is refused as such, as in a config file, and that the same
// text stays a name for a flag that takes one.
func TestCLIFlagsRefuseNonFinite(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-model", "lif", "-tau-mem", "NaN"}, "-tau-mem NaN: model.tau_mem_ms = NaN: want a finite number"},
		{[]string{"-model", "egru", "-zoneout", "Inf"}, "-zoneout Inf: model.zoneout = Inf: want a finite number"},
		{[]string{"-lr", "-inf"}, "-lr -inf: train.lr = -inf: want a finite number"},
		{[]string{"-refractory", "+Inf", "-model", "alif"}, "-refractory +Inf: model.refractory_steps = +Inf: want a finite number"},
		{[]string{"-task", "NaN"}, `unknown task "NaN"`},
		// Finite as written, but beyond what the key's type holds.
		{[]string{"-lr", "1e400"}, "-lr 1e400: train.lr: 1e400 is out of float64's range (magnitude at most 1.8e+308)"},
		{[]string{"-hidden", "99999999999999999999"}, "-hidden 99999999999999999999: model.hidden: 99999999999999999999 is out of range (want a whole number from -9223372036854775808 to 9223372036854775807)"},
		{[]string{"-hidden", "1e30"}, "-hidden 1e30: model.hidden: 1e+30 is out of range (want a whole number from -9223372036854775808 to 9223372036854775807)"},
	} {
		args := append([]string{"train", "-steps", "1", "-out", filepath.Join(work, "run")}, c.args...)
		rnntrain(t, work, args...).want(t, 2, c.want)
	}
}

// TestCLIModelFlagOverFile checks that -model given beside a TOML config
// file reads the file's model keys as keys of the model the flag chose:
// kept where that model has them, refused (naming the file) where not.
func TestCLIModelFlagOverFile(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	file := filepath.Join(work, "c.toml")
	train := func(toml string, args ...string) result {
		t.Helper()
		if err := os.WriteFile(file, []byte(toml), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(work, "run")
		os.RemoveAll(out)
		return rnntrain(t, work, append([]string{"train", "-config", file, "-steps", "1", "-hidden", "8", "-batch", "4",
			"-eval-trials", "8", "-out", out}, args...)...)
	}
	model := func() map[string]any {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(work, "run", "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		var cfg struct{ Model map[string]any }
		if err := json.Unmarshal(b, &cfg); err != nil {
			t.Fatal(err)
		}
		return cfg.Model
	}
	train("[model]\nkind = \"lif\"\ntau_mem_ms = 30\ntrain_tau = true\n", "-model", "alif").want(t, 0, "stopped at step 1")
	if m := model(); m["kind"] != "alif" || m["tau_mem_ms"] != 30.0 || m["train_tau"] != true {
		t.Errorf("the file's lif settings under -model alif: kind %v, tau_mem_ms %v, train_tau %v; want alif, 30, true", m["kind"], m["tau_mem_ms"], m["train_tau"])
	}
	train("[model]\ntau_mem_ms = 30\n", "-model", "lif").want(t, 0, "stopped at step 1")
	if m := model(); m["kind"] != "lif" || m["tau_mem_ms"] != 30.0 {
		t.Errorf("a file without kind under -model lif: kind %v, tau_mem_ms %v; want lif, 30", m["kind"], m["tau_mem_ms"])
	}
	train("[model]\nkind = \"lif\"\ntau_mem_ms = 30\n", "-model", "egru").want(t, 2, "c.toml", `unknown key "tau_mem_ms" for model egru`)
	train("[model]\nkind = \"lif\"\n", "-model", "lstmx").want(t, 2, "-model", `"lstmx"`)
}

// TestCLIModelFlagOverJSON checks that -model given beside a JSON config (a
// run's config.json) reads its model keys as TOML's are read (see
// TestCLIModelFlagOverFile): kept where the flag's model has them, refused
// naming the file where not, never dropped; keys holding the file's
// model's defaults give way to the flag's model's defaults.
func TestCLIModelFlagOverJSON(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	tiny := []string{"-steps", "1", "-hidden", "8", "-batch", "4", "-eval-trials", "8", "-quiet"}
	rnntrain(t, work, append([]string{"train", "-model", "lif", "-out", "lif"}, tiny...)...).want(t, 0)
	rnntrain(t, work, append([]string{"train", "-config", filepath.Join(work, "lif", "config.json"), "-model", "egru", "-out", "egru0"}, tiny...)...).want(t, 0)
	var cfg map[string]any
	b, err := os.ReadFile(filepath.Join(work, "lif", "config.json"))
	if err == nil {
		err = json.Unmarshal(b, &cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	m := cfg["model"].(map[string]any)
	m["tau_mem_ms"], m["train_tau"] = 30, true
	cfg["seed"] = json.Number("18446744073709551557") // a uint64 no float64 holds
	if b, err = json.Marshal(cfg); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(work, "config.json")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, append([]string{"train", "-config", file, "-model", "alif", "-out", "alif"}, tiny...)...).want(t, 0)
	var got struct {
		Seed  uint64
		Model map[string]any
	}
	if b, err = os.ReadFile(filepath.Join(work, "alif", "config.json")); err == nil {
		err = json.Unmarshal(b, &got)
	}
	if err != nil {
		t.Fatal(err)
	}
	if m := got.Model; m["kind"] != "alif" || m["tau_mem_ms"] != 30.0 || m["train_tau"] != true || got.Seed != 18446744073709551557 {
		t.Errorf("the file's lif settings under -model alif: kind %v, tau_mem_ms %v, train_tau %v, seed %d; want alif, 30, true, 18446744073709551557",
			m["kind"], m["tau_mem_ms"], m["train_tau"], got.Seed)
	}
	rnntrain(t, work, append([]string{"train", "-config", file, "-model", "egru", "-out", "egru"}, tiny...)...).want(t, 2, file, "unknown key", "for model egru")
}

// TestJSONWithKindModelCase: the model table is found in whatever case the
// decoder accepts it, so -model does not leave a "Model" table's keys to be
// dropped or reported as a repeated key.
func TestJSONWithKindModelCase(t *testing.T) {
	b, ok := jsonWithKind([]byte(`{"Model": {"kind": "lif", "tau_mem_ms": 30}}`), "alif")
	if !ok {
		t.Fatal("jsonWithKind: false")
	}
	c := defaultConfig()
	if err := parseConfig(b, false, &c); err != nil {
		t.Fatal(err)
	}
	flat, err := flatten(&c)
	if err != nil {
		t.Fatal(err)
	}
	if flat["model.kind"] != "alif" || flat["model.tau_mem_ms"] != 30.0 {
		t.Errorf("got kind %v tau_mem_ms %v, want alif 30", flat["model.kind"], flat["model.tau_mem_ms"])
	}
}

// TestCLIConfigValueErrorsNameFile checks that a bad value for a known key
// of a config file is reported naming the file and the key (not only the
// flag that could have set it), while the same value given by a flag
// names the flag, and a flag that overrides the file's value wins.
func TestCLIConfigValueErrorsNameFile(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, c := range []struct{ name, text, want string }{
		{"hidden.toml", "[model]\nhidden = -3\n", "config hidden.toml: model.hidden: must be positive, got -3"},
		{"hidden.json", `{"model": {"hidden": -3}}`, "config hidden.json: model.hidden: must be positive, got -3"},
		{"lr.toml", "[train]\nlr = -1\n", "config lr.toml: train.lr: must be positive"},
		{"task.toml", "[task]\nname = \"juggle\"\n", "config task.toml: task.name: unknown task \"juggle\""},
		{"fraction.toml", "[task.settings]\nvalidation_fraction = 2\n", "config fraction.toml: task.settings.validation_fraction: validation_fraction = 2: want 0 <= f < 1"},
		{"kind.toml", "[model]\nkind = \"lstmx\"\n", "config kind.toml: model.kind: unknown model \"lstmx\""},
		{"tau.toml", "[model]\nkind = \"alif\"\ntau_adapt_ms = -3\n", "config tau.toml: model.tau_adapt_ms: got -3, need > 0"},
		{"zero.toml", "[model]\nkind = \"lif\"\nthreshold = 0\n", "config zero.toml: model.threshold: 0 would run as the default, 1"},
		{"unused.toml", "[model]\nkind = \"lif\"\nencoding_threshold = 0.3\n", "config unused.toml: model.encoding_threshold: has no effect without model.encoding = delta"},
	} {
		if err := os.WriteFile(filepath.Join(work, c.name), []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		rnntrain(t, work, "train", "-config", c.name, "-steps", "1", "-out", filepath.Join(work, "run")).want(t, 2, c.want)
	}
	rnntrain(t, work, "train", "-config", "lr.toml", "-lr", "-2", "-steps", "1", "-out", filepath.Join(work, "run")).
		want(t, 2, "-lr (train.lr in a config file): must be positive and finite, got -2")
	rnntrain(t, work, append([]string{"train", "-config", "hidden.toml", "-hidden", "4", "-steps", "1", "-quiet", "-out", filepath.Join(work, "ok")}, small...)...).
		want(t, 0, "stopped at step 1")
	// fit's config file too.
	if err := os.WriteFile(filepath.Join(work, "fit.toml"), []byte("alpha = 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := npy.WriteArchiveValues(filepath.Join(work, "data.npz"), map[string]any{
		"activity": [][][]float32{{{0.1, -0.2}, {0.3, 0.1}}, {{-0.1, 0.2}, {0.2, 0.4}}},
		"inputs":   [][][]float32{{{1}, {0}}, {{-1}, {0}}},
	}); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "fit", "-data", "data.npz", "-config", "fit.toml", "-ranks", "1", "-out", "fit").
		want(t, 2, "config fit.toml: alpha: must be in (0, 1], got 2")
	if err := os.WriteFile(filepath.Join(work, "fitzero.toml"), []byte("seed = 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "fit", "-data", "data.npz", "-config", "fitzero.toml", "-ranks", "1", "-out", "fit").
		want(t, 2, "config fitzero.toml: seed: 0 would run as the default, 1")
}

// TestCLITaskErrorsNameSource: an error about the task, its preset or
// their settings names where the value came from: the flag, or the config
// file and its key, also when flags and the file gave the task and the
// preset between them.
func TestCLITaskErrorsNameSource(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	files := map[string]string{
		"task.toml":      "[task]\nname = \"juggle\"\n",
		"preset.toml":    "[task]\nname = \"perceptual-dm\"\npreset = \"sussillo-barak\"\n",
		"only.toml":      "[task]\npreset = \"sussillo-barak\"\n",
		"npz.toml":       "[task]\nname = \"npz\"\n",
		"bits.toml":      "[task]\nname = \"perceptual-dm\"\n[task.settings]\nbits = 3\n",
		"test.toml":      "[task]\nname = \"perceptual-dm\"\n[task.settings]\ntest_fraction = 0.1\n",
		"pdm.toml":       "[task]\nname = \"perceptual-dm\"\n",
		"split.toml":     "[task]\nname = \"npz\"\n[task.settings]\npath = \"d.npz\"\nvalidation_fraction = 0.5\ntest_fraction = 0.45\n",
		"stage.toml":     "[[train.curriculum]]\ntask = \"juggle\"\n[[train.curriculum]]\n",
		"ctxtest.toml":   "[task.settings]\ntest_fraction = 0.1\n",
		"ctxname.toml":   "[task]\nname = \"context-dm\"\n",
		"ctxstage.toml":  "[[train.curriculum]]\npreset = \"psychrnn\"\n",
		"stim.toml":      "[task]\nname = \"perceptual-dm\"\n[task.settings]\nstimulus_ms = 5\n",
		"dt.toml":        "[task.settings]\ndt_ms = 0.001\n",
		"stagestim.toml": "[[train.curriculum]]\nsettings = { stimulus_ms = 5 }\n",
		"evalstim.toml":  "[task]\neval_settings = { stimulus_ms = 5 }\n",
		"valsplit.toml":  "[task]\nname = \"npz\"\n[task.settings]\npath = \"d.npz\"\nvalidation_fraction = 0.5\n",
		"path.toml":      "[task]\nname = \"npz\"\n[task.settings]\npath = \"d.npz\"\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(work, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeTinyNPZ(t, filepath.Join(work, "d.npz")) // 6 trials: 3 + 3 held out leave none
	for _, c := range []struct {
		args         []string
		want, refuse string
	}{
		{[]string{"-config", "task.toml", "-preset", "psychrnn"}, `config task.toml: task.name: unknown task "juggle"`, "-task"},
		{[]string{"-task", "juggle", "-preset", "psychrnn"}, `-task: unknown task "juggle"`, "config"},
		{[]string{"-config", "preset.toml"}, `config preset.toml: task.preset: task perceptual-dm has no preset "sussillo-barak"`, "-preset"},
		{[]string{"-config", "only.toml", "-task", "perceptual-dm"}, `config only.toml: task.preset: task perceptual-dm has no preset "sussillo-barak"`, "-preset"},
		{[]string{"-task", "perceptual-dm", "-preset", "sussillo-barak"}, `-preset: task perceptual-dm has no preset "sussillo-barak"`, "config"},
		{[]string{"-config", "npz.toml"}, "config npz.toml: task.name: npz: needs -data FILE", "-task"},
		{[]string{"-task", "npz"}, "-task npz: needs -data FILE", "config npz"},
		// Settings the task does not take are named by their flags or
		// keys; a preset no one gave is named as the task's default.
		{[]string{"-config", "bits.toml"}, `config bits.toml: task.settings.bits: task perceptual-dm (default preset dubreuil) does not take this setting`, "-task"},
		{[]string{"-config", "test.toml"}, `config test.toml: task.settings.test_fraction: task perceptual-dm (default preset dubreuil) does not take this setting`, "-preset"},
		{[]string{"-config", "test.toml", "-preset", "dubreuil"}, `config test.toml: task.settings.test_fraction: task perceptual-dm (preset dubreuil) does not take this setting`, "-preset dubreuil:"},
		{[]string{"-task", "perceptual-dm", "-test-fraction", "0.1"}, `-test-fraction: task perceptual-dm (default preset dubreuil) does not take this setting`, "-preset"},
		{[]string{"-task", "perceptual-dm", "-test-fraction", "0.1"}, `-test-fraction: task perceptual-dm (default preset dubreuil) does not take this setting`, "-task"},
		{[]string{"-config", "pdm.toml", "-test-fraction", "0.1"}, `-test-fraction: task perceptual-dm (default preset dubreuil) does not take this setting`, "config"},
		// A task no one gave is named as the default task.
		{[]string{"-test-fraction", "0.1", "-split-seed", "3"}, "-test-fraction: task context-dm (the default task; default preset dubreuil) does not take this setting\n-split-seed: task context-dm (the default task; default preset dubreuil)", "-task"},
		{[]string{"-task", "context-dm", "-test-fraction", "0.1"}, "-test-fraction: task context-dm (default preset dubreuil) does not take this setting", "the default task"},
		{[]string{"-preset", "neurogym", "-split-seed", "3"}, "-split-seed: task context-dm (the default task; preset neurogym) does not take this setting", "-task"},
		{[]string{"-config", "ctxtest.toml"}, "config ctxtest.toml: task.settings.test_fraction: task context-dm (the default task; default preset dubreuil) does not take this setting", "-task"},
		{[]string{"-config", "ctxname.toml", "-test-fraction", "0.1"}, "-test-fraction: task context-dm (default preset dubreuil) does not take this setting", "the default task"},
		{[]string{"-preset", "psychrnn"}, `-preset: task context-dm (the default task) has no preset "psychrnn"`, "-task"},
		{[]string{"-config", "ctxstage.toml"}, `config ctxstage.toml: train.curriculum[0].preset: task context-dm (the default task) has no preset "psychrnn"`, "-task"},
		{[]string{"-task", "perceptual-dm", "-preset", "psychrnn", "-split-seed", "3"}, `-split-seed: task perceptual-dm (preset psychrnn) does not take this setting`, "-task"},
		// Settings that do not suit the task under its preset say
		// whether the preset, and the task, is a default.
		{[]string{"-config", "stim.toml"}, "config stim.toml: task.settings.stimulus_ms: tasks: perceptual-dm (default preset dubreuil): stimulus_ms = 5 is shorter than one step of dt_ms = 20", "-task"},
		{[]string{"-config", "stim.toml", "-preset", "dubreuil"}, "tasks: perceptual-dm (preset dubreuil): stimulus_ms = 5 is shorter than one step", "default preset"},
		{[]string{"-config", "dt.toml"}, "config dt.toml: task.settings.dt_ms: tasks: context-dm (the default task; default preset dubreuil): trials of up to 1370000 steps, more than 1000000", "-task"},
		{[]string{"-config", "stagestim.toml"}, "config stagestim.toml: train.curriculum[0]: tasks: context-dm (the default task; default preset dubreuil): stimulus_ms = 5 is shorter than one step", "-task"},
		{[]string{"-config", "evalstim.toml"}, "config evalstim.toml: task.eval_settings: tasks: context-dm (the default task; default preset dubreuil): stimulus_ms = 5 is shorter than one step", "-task"},
		// Settings that do not suit the task's data are named the same way.
		{[]string{"-task", "npz", "-data", "d.npz", "-validation-fraction", "0.5", "-test-fraction", "0.45"}, `-test-fraction -validation-fraction: tasks: npz`, "-preset"},
		{[]string{"-config", "split.toml"}, `config split.toml: task.settings.test_fraction, task.settings.validation_fraction: tasks: npz`, "-preset"},
		// Settings given by a file and by flags are named by both.
		{[]string{"-config", "valsplit.toml", "-test-fraction", "0.45"}, `config valsplit.toml: task.settings.validation_fraction and -test-fraction: tasks: npz`, "-validation-fraction"},
		{[]string{"-config", "split.toml", "-split-seed", "4"}, `config split.toml: task.settings.test_fraction, task.settings.validation_fraction and -split-seed: tasks: npz`, "-test-fraction"},
		{[]string{"-config", "path.toml", "-validation-fraction", "0.5", "-test-fraction", "0.45"}, `-test-fraction -validation-fraction: tasks: npz`, "config"},
		{[]string{"-config", "stage.toml"}, `config stage.toml: train.curriculum[0].task: unknown task "juggle"`, "-task"},
	} {
		r := rnntrain(t, work, append([]string{"train", "-steps", "1", "-out", filepath.Join(work, "run")}, c.args...)...)
		r.want(t, 2, c.want)
		if strings.Contains(r.stderr, c.refuse) {
			t.Errorf("%q: error names %q:\n%s", c.args, c.refuse, r.stderr)
		}
	}
}

// TestCLIFlagKeepsLargeIntegers: a whole number given by a flag reaches
// the config as written, not rounded through a float64: -seed
// 9007199254740993 (2⁵³ + 1) is that seed, not 2⁵³, and the largest
// uint64 is a seed too; a -hidden too large for an int is reported as
// given.
func TestCLIFlagKeepsLargeIntegers(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	tiny := []string{"train", "-model", "lif", "-steps", "1", "-hidden", "8", "-batch", "4", "-eval-trials", "8"}
	for _, seed := range []string{"9007199254740993", "18446744073709551615"} {
		run := filepath.Join(work, seed)
		rnntrain(t, work, append(tiny, "-seed", seed, "-out", run)...).want(t, 0, "rnntrain train: seed "+seed+"\n")
		b, err := os.ReadFile(filepath.Join(run, "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"seed": `+seed+",") {
			t.Errorf("-seed %s: config.json has another seed:\n%s", seed, b)
		}
	}
	rnntrain(t, work, append(tiny, "-hidden", "9223372036854775807", "-out", filepath.Join(work, "big"))...).
		want(t, 2, "-hidden (model.hidden in a config file): got 9223372036854775807, more than 65536 units cannot fit in memory")
	rnntrain(t, work, append(tiny, "-hidden", "9223372036854775808", "-out", filepath.Join(work, "big"))...).
		want(t, 2, "-hidden 9223372036854775808: model.hidden: 9223372036854775808 is out of range (want a whole number from -9223372036854775808 to 9223372036854775807)")
}

// TestCLIFlagTextAsWritten: a flag's value is read as a number or a
// boolean only where the key takes one: a file named 2024 or 7 is a file,
// the surrogate "3" an unknown name; and null is never JSON's null, which
// would leave the key at its default: -hidden null is refused.
func TestCLIFlagTextAsWritten(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	writeTinyNPZ(t, filepath.Join(work, "2024"))
	tiny := []string{"train", "-steps", "1", "-hidden", "8", "-batch", "4", "-eval-trials", "8", "-quiet"}
	rnntrain(t, work, append(tiny, "-task", "npz", "-data", "2024", "-out", "npz")...).want(t, 0, "stopped at step 1")
	rnntrain(t, work, append(tiny, "-model", "lif", "-rec-mask", "7", "-out", "mask")...).want(t, 1, "-rec-mask", "7", "no such file")
	rnntrain(t, work, append(tiny, "-model", "lif", "-rec-mask", "null", "-out", "mask")...).want(t, 1, "-rec-mask", "null", "no such file")
	rnntrain(t, work, append(tiny, "-model", "lif", "-surrogate", "3", "-out", "sur")...).want(t, 2, `-surrogate 3`, `unknown name "3"`)
	rnntrain(t, work, append(tiny, "-model", "lif", "-reset", "1", "-out", "reset")...).want(t, 2, `-reset 1`, `unknown reset "1"`)
	for _, f := range []string{"-hidden", "-lr", "-steps", "-surrogate", "-encoding"} {
		rnntrain(t, work, append(tiny, "-model", "lif", f, "null", "-out", "null")...).want(t, 2, f+" null")
	}
}

// TestConfigTableForValueNamesKeyOnce: a table where a key takes a value
// is reported with that key once ("model.noise: cannot use object here"),
// not prefixed with a key inside the table that does not exist
// ("model.noise.x: model.noise: ...").
func TestConfigTableForValueNamesKeyOnce(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ toml, want string }{
		{"seed = { a = 1 }\n", "seed: cannot use object here (want an integer ≥ 0)"},
		{"[model]\nnoise = { x = 1 }\n", "model.noise: cannot use object here (want a number)"},
		{"[train.optimizer]\nkind = { x = 1 }\n", "train.optimizer.kind: cannot use object here (want a string)"},
	} {
		c0 := defaultConfig()
		err := parseConfig([]byte(c.toml), true, &c0)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: error %v, want %q", c.toml, err, c.want)
		}
	}
}

// TestConfigUnknownKeyInCurriculumStage: an unknown key in a curriculum
// stage is named with the stage's index, so that a long curriculum says
// which stage holds it.
func TestConfigUnknownKeyInCurriculumStage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ toml, want string }{
		{"[[train.curriculum]]\nsettings = {}\n[[train.curriculum]]\nsettings = { cohrences = [1.0] }\n",
			`unknown key "train.curriculum[1].settings.cohrences"; did you mean "train.curriculum[1].settings.coherences"?`},
		{"[[train.curriculum]]\nbogus = 1\n", `unknown key "train.curriculum[0].bogus"`},
	} {
		c0 := defaultConfig()
		err := parseConfig([]byte(c.toml), true, &c0)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: error %v, want %q", c.toml, err, c.want)
		}
	}
}

// TestConfigTypeErrorInCurriculumStage: a value of the wrong type in a
// curriculum stage is named with the stage's index.
func TestConfigTypeErrorInCurriculumStage(t *testing.T) {
	t.Parallel()
	toml := "[[train.curriculum]]\nsettings = {}\n[[train.curriculum]]\nsettings = { coherences = \"x\" }\n"
	want := "train.curriculum[1].settings.coherences: cannot use string here (want a list)"
	c := defaultConfig()
	if err := parseConfig([]byte(toml), true, &c); err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// TestConfigRefusedValueInCurriculumStage: a value that its key's type
// refuses (an unknown preset or loss normalisation), whose decoding error
// names no key, is named by the stage's index and the key inside it, in a
// TOML and a JSON config alike.
func TestConfigRefusedValueInCurriculumStage(t *testing.T) {
	t.Parallel()
	presets := `valid presets: default, neurogym, dubreuil, psychrnn, sussillo-barak, dataset, long-horizon, valente, lowrank (= dubreuil)`
	for _, c := range []struct {
		data   string
		isTOML bool
		want   string
	}{
		{"[[train.curriculum]]\n[[train.curriculum]]\npreset = \"yang\"\n", true,
			`train.curriculum[1].preset: unknown preset "yang"; ` + presets},
		{`{"train": {"curriculum": [{"preset": "neurogym"}, {"task": "go-nogo", "preset": "yang"}]}}`, false,
			`train.curriculum[1].preset: unknown preset "yang"; ` + presets},
		{"[[train.curriculum]]\n[train.curriculum.settings]\nloss_norm = \"bogus\"\n", true,
			`train.curriculum[0].settings.loss_norm: tasks: unknown loss normalization "bogus" (valid: default, mask, all)`},
	} {
		c0 := defaultConfig()
		err := parseConfig([]byte(c.data), c.isTOML, &c0)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: error %v, want %q", c.data, err, c.want)
		}
	}
}

// TestSetFlagNumberText: a flag's text that is no number where the key
// takes one is refused saying what the key wants (the caller names the
// flag and its text), not "cannot use string here"; a leading zero is refused as such (Go's own
// integer flags read 010 as octal 8, and TOML refuses it), with the value
// to write instead.
func TestSetFlagNumberText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ key, text, want string }{
		{"model.hidden", "08", `model.hidden: a whole number is written without leading zeros: 8`},
		{"model.hidden", "-007", `model.hidden: a whole number is written without leading zeros: -7`},
		{"model.hidden", "00", `model.hidden: a whole number is written without leading zeros: 0`},
		{"model.hidden", "+8", `model.hidden: a whole number is written without a + sign: 8`},
		{"model.hidden", "0x10", `model.hidden: want a whole number in decimal digits`},
		{"model.hidden", "eight", `model.hidden: want a whole number in decimal digits`},
		{"train.lr", "00.5", `train.lr: a number is written without leading zeros: 0.5`},
		{"train.lr", "fast", `train.lr: want a number`},
		{"train.keep_best", "yes", `train.keep_best: want true or false`},
	} {
		cfg := defaultConfig()
		err := setFlag(&cfg, c.key, c.text)
		if err == nil || err.Error() != c.want {
			t.Errorf("setFlag(%s, %q) = %v, want %s", c.key, c.text, err, c.want)
		}
	}
	cfg := defaultConfig()
	if err := setFlag(&cfg, "model.hidden", "8"); err != nil || cfg.Model.Hidden != 8 {
		t.Errorf("setFlag(model.hidden, 8) = %v, hidden %d", err, cfg.Model.Hidden)
	}
}
