package main

import (
	"strings"
	"testing"
)

// TestWrapLine: text is broken at spaces within helpWidth columns, later
// lines taking the indent; a line that fits, and the spaces inside it,
// are kept; a word longer than a line stands alone; a usage line breaks
// between bracketed groups before it breaks inside one.
func TestWrapLine(t *testing.T) {
	t.Parallel()
	word := strings.Repeat("w", 90)
	for _, c := range []struct {
		name, first, text, indent string
		groups                    bool
		want                      string
	}{
		{"fits", "    \t", "a  b (default 1)", "    \t", false, "    \ta  b (default 1)\n"},
		{"wraps", "    \t", strings.TrimSpace(strings.Repeat("abcd ", 20)), "    \t", false,
			"    \t" + strings.TrimSpace(strings.Repeat("abcd ", 14)) + "\n    \t" + strings.Repeat("abcd ", 6)[:29] + "\n"},
		{"long word", "", "x " + word + " y", "  ", false, "x\n  " + word + "\n  y\n"},
		{"groups", "", "Usage: rnntrain c " + strings.Repeat("x", 50) + " [-a A] [-b " + strings.Repeat("b", 20) + "]", "        ", true,
			"Usage: rnntrain c " + strings.Repeat("x", 50) + " [-a A]\n        [-b " + strings.Repeat("b", 20) + "]\n"},
	} {
		got := wrapLine(c.first, c.text, c.indent, c.groups)
		if got != c.want {
			t.Errorf("%s: got\n%q\nwant\n%q", c.name, got, c.want)
		}
		for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
			if n := columns(line); n > helpWidth && !strings.Contains(line, word) {
				t.Errorf("%s: line of %d columns: %q", c.name, n, line)
			}
		}
	}
}
