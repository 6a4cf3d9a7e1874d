package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// helpWidth is the widest line, in columns, that help prints: a
// terminal's 80, a tab taking 8 (columns).
const helpWidth = 80

// flagIndent is the indent of flag.PrintDefaults's usage lines, under
// each flag's name; the usage's wrapped lines take it too.
const flagIndent = "    \t"

// columns returns the columns s takes on a terminal: a rune each, a tab
// to the next multiple of 8.
func columns(s string) int {
	n := 0
	for _, r := range s {
		if r == '\t' {
			n += 8 - n%8
		} else {
			n++
		}
	}
	return n
}

// wrapLine breaks text at spaces into lines of at most helpWidth columns,
// the first beginning with first and the others with indent, and returns
// them, each ending in a newline. Text that fits is returned as it is; a
// word too long for a line stands alone on one. With groups, a break
// outside brackets (a usage line's "[-trials N]") is taken before one
// inside them when the line has one.
func wrapLine(first, text, indent string, groups bool) string {
	var b strings.Builder
	prefix := first
	depth := 0 // of the brackets open where text begins
	for columns(prefix+text) > helpWidth {
		cut := breakAt(prefix, text, depth, groups)
		if cut < 0 {
			break
		}
		b.WriteString(strings.TrimRight(prefix+text[:cut], " ") + "\n")
		depth += strings.Count(text[:cut], "[") - strings.Count(text[:cut], "]")
		text = strings.TrimLeft(text[cut:], " ")
		prefix = indent
	}
	b.WriteString(prefix + text + "\n")
	return b.String()
}

// breakAt returns the index of the space in text at which wrapLine breaks
// the line that begins with prefix: the last one that leaves the line
// within helpWidth (with groups, the last outside brackets if there is
// one; depth brackets are open where text begins), else the first, for a
// word longer than the line; -1 if text has no space after its first
// word.
func breakAt(prefix, text string, depth int, groups bool) int {
	fit, outer, first := -1, -1, -1
	for i, r := range text {
		switch r {
		case '[':
			depth++
		case ']':
			depth--
		case ' ':
			if strings.TrimSpace(text[:i]) == "" {
				continue // the text's own leading spaces
			}
			if first < 0 {
				first = i
			}
			if columns(strings.TrimRight(prefix+text[:i], " ")) > helpWidth {
				continue
			}
			fit = i
			if depth == 0 {
				outer = i
			}
		}
	}
	switch {
	case groups && outer >= 0:
		return outer
	case fit >= 0:
		return fit
	}
	return first
}

// printFlags prints fs's flags as flag.PrintDefaults does, each flag's
// usage wrapped to helpWidth columns under its name.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(w)
	for line := range strings.Lines(b.String()) {
		line = strings.TrimSuffix(line, "\n")
		if u, ok := strings.CutPrefix(line, flagIndent); ok {
			io.WriteString(w, wrapLine(flagIndent, u, flagIndent, false))
		} else if name, u, ok := strings.Cut(line, "\t"); ok { // a one-letter flag: "  -x\tusage"
			io.WriteString(w, wrapLine(name+"\t", u, flagIndent, false))
		} else {
			fmt.Fprintln(w, line)
		}
	}
}
