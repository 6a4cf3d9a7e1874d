package train

import (
	"fmt"
	"strings"
)

// enumName returns names[i], or what(i) when i is out of range.
func enumName(names []string, i int, what string) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%s(%d)", what, i)
}

// enumText is MarshalText for an enum with the given names.
func enumText(names []string, i int, what string) ([]byte, error) {
	if i < 0 || i >= len(names) {
		return nil, fmt.Errorf("train: invalid %s %d", what, i)
	}
	return []byte(names[i]), nil
}

// enumParse returns the index of s in names, or an error listing them.
func enumParse(names []string, s, what string) (int, error) {
	for i, n := range names {
		if n == s {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q (valid: %s)", what, s, strings.Join(names, ", "))
}
