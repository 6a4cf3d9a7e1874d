package train

import "github.com/rnntrain/rnntrain/internal/enum"

// enumName returns names[i], or what(i) when i is out of range.
func enumName(names []string, i int, what string) string { return enum.Name(names, i, what) }

// enumText is MarshalText for an enum with the given names.
func enumText(names []string, i int, what string) ([]byte, error) {
	return enum.Text("train", names, i, what)
}

// enumParse returns the index of s in names, or an error listing them.
func enumParse(names []string, s, what string) (int, error) { return enum.Parse(names, s, what) }
