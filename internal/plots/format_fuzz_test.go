package plots

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseFormats feeds ParseFormats (and so Format.UnmarshalText) any
// text: a list it takes has one to three distinct formats, each the
// lowercased, trimmed entry it was written as, and its String parses back
// to the same list; a list it refuses gives an error that quotes the bad
// entry or names the repeated format.
func FuzzParseFormats(f *testing.F) {
	for _, s := range []string{"png", "png,svg", "png,svg,pdf", " PDF ,Svg", "png,png", "png,", "", ",", "jpg", "svgg", "png,svg,pdf,png", "\xff", "p\x00ng"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fs, err := ParseFormats(s)
		parts := strings.Split(s, ",")
		if err != nil {
			msg := err.Error()
			for i, p := range parts {
				var g Format
				if g.UnmarshalText([]byte(p)) != nil {
					if !strings.Contains(msg, strconv.Quote(p)) {
						t.Fatalf("ParseFormats(%q): error %q does not quote the bad entry %q", s, msg, p)
					}
					return
				}
				if slices.ContainsFunc(parts[:i], func(q string) bool { return strings.EqualFold(strings.TrimSpace(q), strings.TrimSpace(p)) }) {
					if !strings.Contains(msg, g.String()) {
						t.Fatalf("ParseFormats(%q): error %q does not name the repeated %s", s, msg, g)
					}
					return
				}
			}
			t.Fatalf("ParseFormats(%q): error %q, but every entry is a new format", s, msg)
		}
		if len(fs) < 1 || len(fs) > 3 || len(fs) != len(parts) {
			t.Fatalf("ParseFormats(%q) = %v from %d entries", s, fs, len(parts))
		}
		for i, g := range fs {
			if want := strings.ToLower(strings.TrimSpace(parts[i])); g.String() != want {
				t.Fatalf("ParseFormats(%q)[%d] = %s, want %s", s, i, g, want)
			}
		}
		back, err := ParseFormats(fs.String())
		if err != nil || !slices.Equal(back, fs) {
			t.Fatalf("ParseFormats(%q) = %v; its String %q parses to %v, %v", s, fs, fs.String(), back, err)
		}
		b, err := fs.MarshalText()
		if err != nil || string(b) != fs.String() {
			t.Fatalf("ParseFormats(%q) = %v marshals to %q, %v", s, fs, b, err)
		}
	})
}
