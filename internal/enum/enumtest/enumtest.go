// Package enumtest checks the text forms of config enums in fuzz tests.
package enumtest

import (
	"strconv"
	"strings"
	"testing"
)

// Value is an enum's text form: what encoding.TextMarshaler and
// encoding.TextUnmarshaler give a config key.
type Value interface {
	UnmarshalText([]byte) error
	MarshalText() ([]byte, error)
	String() string
}

// CheckText unmarshals s into v. A text v takes must marshal to canon(s)
// (s itself when canon is nil), the same as v's String, and unmarshal
// again to the same value; a text v refuses must give an error that quotes
// s, as %q does.
func CheckText(t testing.TB, v Value, s string, canon func(string) string) {
	t.Helper()
	if err := v.UnmarshalText([]byte(s)); err != nil {
		if !strings.Contains(err.Error(), strconv.Quote(s)) {
			t.Fatalf("%T.UnmarshalText(%q): error %q does not quote the text", v, s, err)
		}
		return
	}
	want := s
	if canon != nil {
		want = canon(s)
	}
	b, err := v.MarshalText()
	if err != nil || string(b) != want || v.String() != string(b) {
		t.Fatalf("%T.UnmarshalText(%q) then MarshalText = %q, %v; String %q; want %q", v, s, b, err, v.String(), want)
	}
	if err := v.UnmarshalText(b); err != nil {
		t.Fatalf("%T.UnmarshalText(%q), from MarshalText: %v", v, b, err)
	}
	if b2, err := v.MarshalText(); err != nil || string(b2) != string(b) {
		t.Fatalf("%T: %q marshals to %q, which marshals back to %q, %v", v, s, b, b2, err)
	}
}

// Fuzz seeds f with seeds and fuzzes the text forms of the enums that
// fresh makes (new zero values for each input), each with CheckText and no
// canonical form; more, when not nil, checks the input further (an enum
// whose accepted texts have a canonical form other than themselves).
func Fuzz(f *testing.F, seeds []string, fresh func() []Value, more func(t *testing.T, s string)) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range fresh() {
			CheckText(t, v, s, nil)
		}
		if more != nil {
			more(t, s)
		}
	})
}
