package main

import (
	"flag"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/tasks"
)

// FuzzParseInterleaved feeds parseInterleaved any command line (arguments
// split at NUL bytes) for a flag set with a boolean, a number and a string
// flag: it must end without panicking, and the positional arguments it
// returns are arguments of the line, in their order.
func FuzzParseInterleaved(f *testing.F) {
	for _, s := range []string{"run\x00-json", "-run-point\x00dir\x00-1", "a\x00--\x00-json\x00b", "-n\x00x", "-n", "-x\x00a", "--\x00--", "-1\x00-2.5e3\x00-inf\x00-nan", "-s=-1\x00-json=false\x00b", "-", "", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, "\x00")
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Bool("json", false, "")
		fs.Int("n", 0, "")
		fs.String("s", "", "")
		pos, err := parseInterleaved(fs, args)
		if err != nil {
			return
		}
		i := 0
		for _, p := range pos {
			for i < len(args) && args[i] != p {
				i++
			}
			if i == len(args) {
				t.Fatalf("parseInterleaved(%q) = %q: %q is not a later argument", args, pos, p)
			}
			i++
		}
	})
}

// FuzzPresetChoice feeds the config key task.preset any text: "" and
// "default" are the unset choice, which marshals to ""; another text it
// takes marshals to its preset's name (lowrank to dubreuil) and unmarshals
// back to the same choice; a text it refuses gives an error quoting it.
func FuzzPresetChoice(f *testing.F) {
	for _, s := range []string{"", "default", "lowrank", "dubreuil", "Default", "dubreil", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var p presetChoice
		if err := p.UnmarshalText([]byte(s)); err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("presetChoice.UnmarshalText(%q): error %q does not quote the text", s, err)
			}
			return
		}
		b, err := p.MarshalText()
		want := s
		switch {
		case s == "" || s == "default":
			want = ""
		case s == "lowrank":
			want = tasks.LowRank.String()
		}
		if err != nil || string(b) != want {
			t.Fatalf("presetChoice.UnmarshalText(%q) then MarshalText = %q, %v; want %q", s, b, err, want)
		}
		var back presetChoice
		if err := back.UnmarshalText(b); err != nil || back != p {
			t.Fatalf("presetChoice %q marshals to %q, which unmarshals to %+v, %v; want %+v", s, b, back, err, p)
		}
	})
}
