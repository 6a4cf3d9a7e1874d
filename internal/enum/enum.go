package enum

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rnntrain/rnntrain/internal/spell"
)

// Name returns names[i], or typ(i) when i is out of range.
func Name(names []string, i int, typ string) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%s(%d)", typ, i)
}

// Text is MarshalText for an enum with the given names; the error, for an
// index out of range, starts with pkg ("train", "tasks").
func Text(pkg string, names []string, i int, what string) ([]byte, error) {
	if i < 0 || i >= len(names) {
		return nil, fmt.Errorf("%s: invalid %s %d", pkg, what, i)
	}
	return []byte(names[i]), nil
}

// Parse returns the index of s in names, or the error Unknown gives.
func Parse(names []string, s, what string) (int, error) {
	for i, n := range names {
		if n == s {
			return i, nil
		}
	}
	return 0, Unknown(what, s, names)
}

// Unknown returns the error for s, a what that is none of names:
// `unknown what "s" (valid: a, b, c)`, followed by Hint(s, names).
func Unknown(what, s string, names []string) error {
	return fmt.Errorf("unknown %s %q (valid: %s)%s", what, s, strings.Join(names, ", "), Hint(s, names))
}

// Hint returns `; did you mean "a"?` (or "a" or "b", see spell.Hint) for
// the names s most likely misspells, ignoring case ("GRU", "arctn" for
// "ArcTan"), or "" when none is close.
func Hint(s string, names []string) string {
	lower := make([]string, len(names))
	for i, n := range names {
		if n != s && strings.EqualFold(n, s) {
			return "; did you mean " + strconv.Quote(n) + "?"
		}
		lower[i] = strings.ToLower(n)
	}
	show := func(l string) string { return strconv.Quote(names[slices.Index(lower, l)]) }
	if h := spell.Hint(strings.ToLower(s), lower, show); h != "" {
		return "; " + h
	}
	return ""
}
