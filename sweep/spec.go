package sweep

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/rnntrain/rnntrain/internal/tomldoc"
)

// MaxPoints bounds the points of a spec (Slurm's default MaxArraySize is
// 1001; a sweep beyond this many runs is several sweeps).
const MaxPoints = 10000

// maxAxes bounds the number of axes of a spec.
const maxAxes = 32

// Spec is a parsed sweep spec.
type Spec struct {
	// Base is the [base] table as decoded TOML (nested map[string]any),
	// for the caller's strict run-config decoder; empty when the spec has
	// none.
	Base map[string]any
	// Axes are the [axes] entries in the order the spec lists them.
	Axes []Axis
	// Options are the [sweep] table's settings, defaults filled in.
	Options Options
}

// Axis is one swept config key and its values, in the spec's order.
type Axis struct {
	Key    string
	Values []Value
}

// Value is one value of an axis: a string, an integer, a finite float or
// a boolean.
type Value struct{ v any }

// String is the value as text: a string unquoted, a number in its
// shortest form.
func (v Value) String() string {
	switch x := v.v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v.v)
}

// JSON is the value as a JSON literal (strings quoted).
func (v Value) JSON() string {
	b, err := json.Marshal(v.v)
	if err != nil {
		return "null" // unreachable: Parse admits only finite scalars
	}
	return string(b)
}

// Float returns the value as a number and whether it is one that float64
// holds exactly: an integer beyond 2^53 that float64 rounds (a 64-bit seed)
// is not, so that it is not drawn where its neighbours are.
func (v Value) Float() (float64, bool) {
	switch x := v.v.(type) {
	case int64:
		f := float64(x)
		return f, f < math.MaxInt64 && int64(f) == x
	case float64:
		return x, true
	}
	return 0, false
}

// Parse reads a TOML spec. Unknown tables, unknown [sweep] keys, empty or
// non-scalar axes, repeated values of an axis and more than MaxPoints
// points are errors naming the table and key.
func Parse(data []byte) (*Spec, error) {
	var raw map[string]any
	md, err := tomldoc.Decode(data, &raw)
	if err != nil {
		return nil, err
	}
	s := &Spec{Base: map[string]any{}, Options: DefaultOptions()}
	for k, v := range raw {
		switch k {
		case "base", "axes", "sweep":
			if _, ok := v.(map[string]any); !ok {
				return nil, fmt.Errorf("%s: want a table [%s]", k, k)
			}
		default:
			return nil, fmt.Errorf("unknown table or key %q: a spec has [base], [axes] and [sweep]", k)
		}
	}
	if b, ok := raw["base"].(map[string]any); ok {
		s.Base = b
	}
	if o, ok := raw["sweep"].(map[string]any); ok {
		if err := s.Options.decode(o); err != nil {
			return nil, err
		}
	}
	axes, _ := raw["axes"].(map[string]any)
	for _, key := range md.Keys() {
		if len(key) != 2 || key[0] != "axes" {
			if len(key) > 2 && key[0] == "axes" {
				return nil, fmt.Errorf("axes: %s: quote a dotted key (\"%s\" = [...])", key, strings.Join(key[1:], "."))
			}
			continue
		}
		a, err := parseAxis(key[1], axes[key[1]])
		if err != nil {
			return nil, err
		}
		s.Axes = append(s.Axes, a)
	}
	if len(s.Axes) > maxAxes {
		return nil, fmt.Errorf("axes: %d axes, at most %d", len(s.Axes), maxAxes)
	}
	if err := s.Options.validate(); err != nil {
		return nil, err
	}
	if _, err := s.gridSize(); err != nil {
		return nil, err
	}
	return s, nil
}

// parseAxis checks one [axes] entry.
func parseAxis(key string, v any) (Axis, error) {
	a := Axis{Key: key}
	if key == "" || strings.TrimSpace(key) != key || strings.Contains(key, "..") || strings.HasPrefix(key, ".") || strings.HasSuffix(key, ".") {
		return a, fmt.Errorf("axes: %q is not a dotted config key", key)
	}
	list, ok := v.([]any)
	if !ok {
		return a, fmt.Errorf("axes: %q: want a list of values, e.g. %q = [1, 2, 3]", key, key)
	}
	if len(list) == 0 {
		return a, fmt.Errorf("axes: %q: empty list", key)
	}
	if len(list) > MaxPoints {
		return a, fmt.Errorf("axes: %q: %d values, at most %d", key, len(list), MaxPoints)
	}
	seen := map[string]bool{}
	for i, x := range list {
		switch y := x.(type) {
		case string, int64, bool:
		case float64:
			if math.IsNaN(y) || math.IsInf(y, 0) {
				return a, fmt.Errorf("axes: %q[%d] = %v: want a finite number", key, i, y)
			}
		default:
			return a, fmt.Errorf("axes: %q[%d]: want a string, number or boolean, not %T", key, i, x)
		}
		val := Value{x}
		if seen[val.JSON()] {
			return a, fmt.Errorf("axes: %q: value %s appears twice", key, val.JSON())
		}
		seen[val.JSON()] = true
		a.Values = append(a.Values, val)
	}
	return a, nil
}
