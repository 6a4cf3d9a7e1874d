package tomldoc

import (
	"strings"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	deep := func(open, close string, n int) string {
		return "a = " + strings.Repeat(open, n) + strings.Repeat(close, n) + "\n"
	}
	for _, tc := range []struct {
		name, doc string
		err       string // "" = accepted
	}{
		{"config", "seed = 7\n[task]\nname = \"perceptual-dm\"\n[task.settings]\ncoherences = [-1.5, 0.25, 3.0e2]\n[model]\nkind = \"gru\"\n[[train.curriculum]]\nsettings = {dt_ms = 10.5, coherences = [[1.5]]}\n", ""},
		{"date and dotted number keys", "t = 1979-05-27T07:32:00.999999-07:00\n\"a.b\".c . d = 1.5 # x.y.z\n1.2 = 3\n", ""},
		{"strings hold brackets and dots", "a = \"[[[[{{{{....\"\nb = '[[[['\nc = \"\"\"\n[[[[\n\\\"\"\"\"\nd = '''[[[[''''\n" + "e = \"" + strings.Repeat("[.", 100) + "\"\n", ""},
		{"comment holds brackets", "# " + strings.Repeat("[{.", 100) + "\na = 1\n", ""},
		{"arrays at the limit", deep("[", "]", MaxDepth), ""},
		{"arrays", deep("[", "]", MaxDepth+1), "line 1: arrays and inline tables nested more than 32 deep"},
		{"inline tables", "x = 1\n" + deep("{b=", "}", 1000), "line 2: arrays and inline tables nested more than 32 deep"},
		{"dotted key at the limit", strings.Repeat("a.", MaxDepth-1) + "b = 1\n", ""},
		{"dotted key", strings.Repeat("a.", MaxDepth) + "b = 1\n", "line 1: a key of more than 32 dotted parts"},
		{"dotted key with spaces", "x = '''\n'''\n" + strings.Repeat("a . ", 100) + "b = 1\n", "line 3: a key of more than 32 dotted parts"},
		{"dotted digit key", strings.Repeat("1.", 100) + "1 = 1\n", "line 1: a key of more than 32 dotted parts"},
		{"table header", "[" + strings.Repeat("a.", 100) + "b]\n", "line 1: a key of more than 32 dotted parts"},
		{"array of numbers", "a = [" + strings.Repeat("1.5, ", 10000) + "2.5]\n", ""},
		{"unterminated string", "a = \"[[[[\n" + deep("[", "]", 3), ""},
	} {
		err := Check([]byte(tc.doc))
		if got := errString(err); got != tc.err {
			t.Errorf("%s: Check = %q, want %q", tc.name, got, tc.err)
		}
		if tc.err == "" {
			var v map[string]any
			if _, err := Decode([]byte(tc.doc), &v); err != nil && tc.name != "unterminated string" {
				t.Errorf("%s: Decode: %v", tc.name, err)
			}
		}
	}
}

// TestCheckLinear: a file of 16 MiB (the commands' limit) of nesting is
// refused quickly; the decoder alone takes minutes on one of a few
// hundred kilobytes.
func TestCheckLinear(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{strings.Repeat("[", 16<<20), strings.Repeat("a.", 8<<20) + "b = 1", "a = [" + strings.Repeat("1.5,", 4<<20) + "1]"} {
		start := time.Now()
		_ = Check([]byte(doc))
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Check of %d bytes (%.10q…) took %v", len(doc), doc, d)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
