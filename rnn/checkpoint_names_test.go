package rnn_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/lowrank"
	"github.com/rnntrain/rnntrain/rnn"
)

// tensorRow is one tensor of a checkpoint as docs/checkpoints.md lists it.
type tensorRow struct {
	name, shape string
	trained     bool // trained under the model's default options
}

func (r tensorRow) String() string {
	t := "no"
	if r.trained {
		t = "yes"
	}
	return fmt.Sprintf("| `%s` | %s | %s |", r.name, r.shape, t)
}

// Sizes of the networks the names are taken from, distinct so that every
// dimension reads back as its symbol.
const docI, docN, docO, docR = 3, 7, 2, 5

// symbolic writes a stored shape in the symbols of docs/checkpoints.md.
func symbolic(t *testing.T, shape []int) string {
	names := map[int]string{docI: "I", docN: "N", docO: "O", docR: "R", 2 * docN: "2N", 3 * docN: "3N", 1: "1"}
	var s []string
	for _, d := range shape {
		n, ok := names[d]
		if !ok {
			t.Fatalf("dimension %d of shape %v has no symbol", d, shape)
		}
		s = append(s, n)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// variants returns the model's default config, then configs with the
// options that add tensors (lif's and alif's synaptic current), and sets
// the low-rank rank to docR.
func variants(m layers.Model) []layers.ModelConfig {
	def := m.New()
	switch c := def.(type) {
	case *lowrank.Config:
		c.Rank = docR
	case *rnn.LIFConfig:
		v := *c
		v.TauSynMS = 5
		return []layers.ModelConfig{def, &v}
	case *rnn.ALIFConfig:
		v := *c
		v.TauSynMS = 5
		return []layers.ModelConfig{def, &v}
	}
	return []layers.ModelConfig{def}
}

// checkpointRows returns the tensors a checkpoint of model m holds, in the
// network's parameter order, with the ones only option variants add after
// those of the defaults.
func checkpointRows(t *testing.T, m layers.Model) []tensorRow {
	var rows []tensorRow
	for _, mc := range variants(m) {
		net, err := rnn.New[float32](rnn.Config{Inputs: docI, Hidden: docN, Outputs: docO, DtMS: 20, Model: mc}, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		for _, p := range net.Params() {
			r := tensorRow{name: p.Name, shape: symbolic(t, checkpoints.Shape(p)), trained: !p.Frozen}
			if !slices.ContainsFunc(rows, func(q tensorRow) bool { return q.name == r.name }) {
				rows = append(rows, r)
			}
		}
	}
	return rows
}

// docTables returns the tables of docs/checkpoints.md that follow a
// "<!-- tensors: KEY -->" marker, by key, each row's first three cells.
func docTables(t *testing.T) map[string][]tensorRow {
	b, err := os.ReadFile("../docs/checkpoints.md")
	if err != nil {
		t.Fatal(err)
	}
	marker := regexp.MustCompile(`^<!-- tensors: ([a-z]+) -->$`)
	row := regexp.MustCompile("^\\| `([^`]+)` \\| (\\[[^]]*\\]) \\| (yes|no) \\|")
	tables := map[string][]tensorRow{}
	key := ""
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if m := marker.FindStringSubmatch(line); m != nil {
			key = m[1]
			tables[key] = []tensorRow{}
			continue
		}
		if key == "" {
			continue
		}
		if m := row.FindStringSubmatch(line); m != nil {
			tables[key] = append(tables[key], tensorRow{name: m[1], shape: m[2], trained: m[3] == "yes"})
		} else if !strings.HasPrefix(line, "|") && line != "" || len(tables[key]) > 0 && line == "" {
			key = ""
		}
	}
	return tables
}

// TestCheckpointNamesDocumented: docs/checkpoints.md lists, for every
// model, exactly the tensors its checkpoints hold, with their shapes and
// whether the defaults train them; the tensors every model shares are in
// the "shared" table.
func TestCheckpointNamesDocumented(t *testing.T) {
	doc := docTables(t)
	shared := doc["shared"]
	usedShared := map[string]bool{}
	for _, m := range rnn.Models() {
		var own []tensorRow
		for _, r := range checkpointRows(t, m) {
			if i := slices.IndexFunc(shared, func(s tensorRow) bool { return s.name == r.name }); i >= 0 {
				if shared[i] != r {
					t.Errorf("%s: shared tensor row %v, the model has %v", m.Name, shared[i], r)
				}
				usedShared[r.name] = true
				continue
			}
			own = append(own, r)
		}
		got, ok := doc[m.Name]
		if !ok || !slices.Equal(got, own) {
			var want []string
			for _, r := range own {
				want = append(want, r.String()+" meaning |")
			}
			t.Errorf("docs/checkpoints.md: the table after <!-- tensors: %s --> has %v, want the rows\n%s", m.Name, got, strings.Join(want, "\n"))
		}
		delete(doc, m.Name)
	}
	for _, s := range shared {
		if !usedShared[s.name] {
			t.Errorf("docs/checkpoints.md: shared tensor %s is in no model's checkpoint", s.name)
		}
	}
	delete(doc, "shared")
	for k := range doc {
		t.Errorf("docs/checkpoints.md: tensor table %q names no model (models: %v)", k, rnn.ModelNames())
	}
}
