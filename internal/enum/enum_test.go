package enum

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	names := []string{"adam", "sgd", "adamw", "adamax"}
	for _, c := range []struct {
		s    string
		want int
		err  string // "" = no error; otherwise a part of it
		hint string // the error's "did you mean" part, "" for none
	}{
		{"sgd", 1, "", ""},
		{"adamax", 3, "", ""},
		{"sdg", 0, `unknown optimizer "sdg" (valid: adam, sgd, adamw, adamax)`, `; did you mean "sgd"?`},
		{"Adam", 0, `unknown optimizer "Adam"`, `; did you mean "adam"?`},    // case only
		{"ADAMW", 0, `unknown optimizer "ADAMW"`, `; did you mean "adamw"?`}, // case only
		{"adamx", 0, `unknown optimizer "adamx"`, `; did you mean "adam", "adamax" or "adamw"?`},
		{"SDG", 0, `unknown optimizer "SDG"`, `; did you mean "sgd"?`}, // case and a transposition
		{"rmsprop", 0, `unknown optimizer "rmsprop"`, ""},
		{"", 0, `unknown optimizer ""`, ""},
	} {
		got, err := Parse(names, c.s, "optimizer")
		if c.err == "" {
			if err != nil || got != c.want {
				t.Errorf("Parse(%q) = %d, %v; want %d, nil", c.s, got, err, c.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("Parse(%q) = %d, nil; want an error", c.s, got)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, c.err) || !strings.HasSuffix(msg, ")"+c.hint) {
			t.Errorf("Parse(%q) error = %q; want it to contain %q and end with %q", c.s, msg, c.err, ")"+c.hint)
		}
	}
}

func TestHint(t *testing.T) {
	t.Parallel()
	surrogates := []string{"FastSigmoid", "ArcTan", "Sigmoid", "Triangle", "MultiGaussian"}
	for _, c := range []struct {
		s     string
		names []string
		want  string
	}{
		{"arctn", surrogates, `; did you mean "ArcTan"?`},
		{"arctan", surrogates, `; did you mean "ArcTan"?`},
		{"sigmoid", surrogates, `; did you mean "Sigmoid"?`},
		{"ArcTan", surrogates, ""}, // a name itself
		{"Heaviside", surrogates, ""},
		{"flipflop", []string{"flip-flop", "copy"}, `; did you mean "flip-flop"?`},
		{"x", nil, ""},
	} {
		if got := Hint(c.s, c.names); got != c.want {
			t.Errorf("Hint(%q, %q) = %q; want %q", c.s, c.names, got, c.want)
		}
	}
}

// FuzzParse checks that Parse returns the index of s when s is a name, and
// otherwise an error that quotes s and suggests only names.
func FuzzParse(f *testing.F) {
	names := []string{"subtract", "zero", "Subtract2"}
	for _, s := range []string{"subtract", "zero", "subtrct", "ZERO", "", "é", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		i, err := Parse(names, s, "reset")
		if err == nil {
			if names[i] != s {
				t.Fatalf("Parse(%q) = %d (%q), nil", s, i, names[i])
			}
			return
		}
		for _, n := range names {
			if n == s {
				t.Fatalf("Parse(%q) = %v for a name", s, err)
			}
		}
		h := Hint(s, names)
		if !strings.HasSuffix(err.Error(), h) {
			t.Fatalf("Parse(%q) error %q does not end with its hint %q", s, err, h)
		}
		if h == "" {
			return
		}
		rest := strings.TrimSuffix(strings.TrimPrefix(h, "; did you mean "), "?")
		for _, q := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ' ' }) {
			if q == "or" {
				continue
			}
			if q != `"subtract"` && q != `"zero"` && q != `"Subtract2"` {
				t.Fatalf("Hint(%q) = %q suggests %s, not a name", s, h, q)
			}
		}
	})
}
