// Package enum holds the text forms shared by the typed enums of the
// public packages: an enum is an int index into a list of names.
package enum

import (
	"fmt"
	"strings"
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

// Parse returns the index of s in names, or an error listing them.
func Parse(names []string, s, what string) (int, error) {
	for i, n := range names {
		if n == s {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q (valid: %s)", what, s, strings.Join(names, ", "))
}
