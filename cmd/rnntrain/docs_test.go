package main

import (
	"encoding/json"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
)

// configDoc is docs/config.md: the output of 'rnntrain help config' in a
// Markdown page.
func configDoc(help string) string {
	return "# Config reference\n\n" +
		"This page is the output of `rnntrain help config`, generated from the code; `TestConfigDoc`\n" +
		"(`cmd/rnntrain/docs_test.go`) keeps it equal to the command's output (run the test with\n" +
		"`RNNTRAIN_WRITE_DOCS=1` to rewrite it). Every key is a key of a config file (`-config FILE`, TOML or\n" +
		"JSON in the layout of a run's `config.json`), with its default, its flag where it has one, and its meaning.\n\n" +
		"```\n" + help + "```\n"
}

// TestConfigDoc: docs/config.md shows exactly what 'rnntrain help config'
// prints.
func TestConfigDoc(t *testing.T) {
	t.Parallel()
	r := rnntrain(t, t.TempDir(), "help", "config")
	r.want(t, 0, "model.hidden")
	want := configDoc(r.stdout + r.stderr)
	path := filepath.Join("..", "..", "docs", "config.md")
	if os.Getenv("RNNTRAIN_WRITE_DOCS") == "1" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Errorf("docs/config.md differs from 'rnntrain help config' (%v); rerun with RNNTRAIN_WRITE_DOCS=1 go test ./cmd/rnntrain -run TestConfigDoc", err)
	}
}

// TestHelpDocsExist: every Markdown file a command's help refers the
// reader to is in the repository.
func TestHelpDocsExist(t *testing.T) {
	t.Parallel()
	outputs := map[string]bool{"collect.md": true} // written by sweep -collect
	ref := regexp.MustCompile(`(?:^|[\s(])([\w-]+(?:/[\w-]+)*\.md)\b`)
	for _, c := range commands() {
		for _, m := range ref.FindAllStringSubmatch(c.Long, -1) {
			if outputs[m[1]] {
				continue
			}
			if _, err := os.Stat(filepath.Join("..", "..", m[1])); err != nil {
				t.Errorf("help %s refers to %s: %v", c.Name, m[1], err)
			}
		}
	}
}

// TestHelpPathsInRepository: the help of every command, flags included,
// names only files a user of the repository has: no path that leaves it
// (../shared/…, the layout of one machine), and bench says how its
// PyTorch anchor is found.
func TestHelpPathsInRepository(t *testing.T) {
	t.Parallel()
	e := &env{stdout: io.Discard, stderr: io.Discard}
	for _, c := range commands() {
		fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
		c.Setup(fs, e)
		var b strings.Builder
		printCommandHelp(&b, c, fs)
		if strings.Contains(b.String(), "../") {
			t.Errorf("help %s names a path outside the repository:\n%s", c.Name, b.String())
		}
		if c.Name == "bench" {
			for _, want := range []string{"bench/vs_torch.sh", "TORCH_BENCH", "torch_rnn_bench.py"} {
				if !strings.Contains(b.String(), want) {
					t.Errorf("help bench does not name %s:\n%s", want, b.String())
				}
			}
		}
	}
}

// TestReadmeTaskTable: the README's task table has a row for every task,
// listing exactly its presets with the default marked.
func TestReadmeTaskTable(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "\n| task | paper | presets (default *) | what is scored |\n")
	if !ok {
		t.Fatal("README.md has no task table")
	}
	row := regexp.MustCompile("^\\| ((?:`[a-z-]+`(?:, )?)+) \\| [^|]+ \\| ([a-z*, -]+) \\|")
	listed := map[string]bool{}
	for line := range strings.Lines(table) {
		if !strings.HasPrefix(line, "|") {
			break
		}
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		for _, name := range strings.Split(strings.ReplaceAll(m[1], "`", ""), ", ") {
			listed[name] = true
			ps, err := tasks.Presets(name)
			if err != nil {
				t.Errorf("README task table: %v", err)
				continue
			}
			def, err := tasks.DefaultPreset(name)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, p := range ps {
				s := p.String()
				if p == def {
					s += "*"
				}
				want = append(want, s)
			}
			got := strings.Split(m[2], ", ")
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("README task table, %s: presets %v, want %v", name, got, want)
			}
		}
	}
	for _, name := range tasks.Names() {
		if !listed[name] {
			t.Errorf("README task table has no row for task %s", name)
		}
	}
}

// TestRecordingsDocStates: docs/recordings.md names every state variable
// eval -record writes, of every model with its optional ones on (a lif or
// alif synaptic current and refractory counter, an egru trace, the leaky
// readout and the delta encoding).
func TestRecordingsDocStates(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "recordings.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range rnn.ModelNames() {
		mc, err := rnn.NewModelConfig(kind)
		if err != nil {
			t.Fatal(err)
		}
		switch m := mc.(type) {
		case *rnn.LIFConfig:
			m.TauSynMS, m.RefractorySteps = 5, 2
		case *rnn.ALIFConfig:
			m.TauSynMS, m.RefractorySteps = 5, 2
		case *rnn.EGRUConfig:
			m.Trace = true
		}
		cfg := rnn.Config{Inputs: 2, Hidden: 4, Outputs: 1, DtMS: 20, Model: mc, Readout: rnn.ReadoutLeaky, Encoding: rnn.EncodeDelta}
		net, err := rnn.New[float32](cfg, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		for _, v := range net.StateVars() {
			if !strings.Contains(string(doc), "`state/"+v.Name+"`") {
				t.Errorf("docs/recordings.md does not name state/%s of the %s model", v.Name, kind)
			}
		}
	}
}

// TestReadmeSpikingSettings: the README's table of spiking settings has a
// row for every key of lif, alif and ltc and for the network's encoding
// and readout keys, with the key's flag (or none when it has none) and its
// default as the resolved config of each model holds it; and no row for a
// key those models do not have.
func TestReadmeSpikingSettings(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "\n| key | flag | default | models: meaning |\n|---|---|---|---|\n")
	if !ok {
		t.Fatal("README.md has no table of spiking settings")
	}
	type row struct{ flags, def string }
	rows := map[string]row{}
	code := regexp.MustCompile("`([^`]+)`")
	for line := range strings.Lines(table) {
		if !strings.HasPrefix(line, "|") {
			break
		}
		// Cells split at every | but an escaped one (\|x\| in a cell).
		cells := strings.Split(strings.Trim(strings.TrimSpace(strings.ReplaceAll(line, `\|`, "¦")), "|"), "|")
		if len(cells) < 4 {
			t.Fatalf("README spiking settings: row %q has %d cells, want 4", line, len(cells))
		}
		var flags []string
		for _, m := range code.FindAllStringSubmatch(cells[1], -1) {
			flags = append(flags, m[1])
		}
		keys := code.FindAllStringSubmatch(cells[0], -1)
		if len(flags) > 0 && len(flags) != len(keys) {
			t.Errorf("README spiking settings: row %q has %d keys and %d flags", line, len(keys), len(flags))
			continue
		}
		for i, m := range keys {
			r := row{def: strings.TrimSpace(cells[2])}
			if len(flags) > 0 {
				r.flags = flags[i]
			}
			rows[m[1]] = r
		}
	}
	seen := map[string]bool{}
	for _, kind := range []string{"lif", "alif", "ltc"} {
		m, err := rnn.NewModelConfig(kind)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := rnn.ModelKeys(kind)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, "encoding", "encoding_gain", "encoding_threshold", "readout", "readout_tau_ms")
		cfg := rnn.Config{Inputs: 2, Hidden: 8, Outputs: 1, DtMS: 20, Model: m}.Resolved()
		js, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var flat map[string]any
		if err := json.Unmarshal(js, &flat); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			seen[k] = true
			r, ok := rows[k]
			if !ok {
				t.Errorf("README spiking settings: no row for %s's key %s", kind, k)
				continue
			}
			if f := keyFlag("model." + k); r.flags != f {
				t.Errorf("README spiking settings: %s has flag %q, want %q", k, r.flags, f)
			}
			var want string
			switch v := flat[k].(type) {
			case float64:
				want = strconv.FormatFloat(v, 'g', -1, 64)
			case bool:
				want = strconv.FormatBool(v)
			case string:
				want = "`" + v + "`"
				if v == "" {
					want = "`\"\"`"
				}
			default:
				t.Errorf("%s: key %s is %T in the resolved config", kind, k, flat[k])
				continue
			}
			if !strings.Contains(r.def, want) {
				t.Errorf("README spiking settings: %s's default is %q, want it to say %s (the resolved %s config's)", k, r.def, want, kind)
			}
		}
	}
	for k := range rows {
		if !seen[k] {
			t.Errorf("README spiking settings: row for %s, which no spiking model has", k)
		}
	}
}
