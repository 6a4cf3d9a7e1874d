package rnn

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/internal/npy"
)

// LoadMask reads a [rows, cols] mask from the .npy file path (a float,
// integer or bool dtype; non-zero means set) as a row-major []bool. The
// header is checked against the file's size before anything is allocated.
// A NaN or infinite entry, set by no meaning of a mask, is an error naming
// it. An empty path returns nil (no mask). key names the config key in
// errors.
func LoadMask(path, key string, rows, cols int) ([]bool, error) {
	if path == "" {
		return nil, nil
	}
	a, err := npy.ReadFileNumeric(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	if len(a.Shape) != 2 || a.Shape[0] != rows || a.Shape[1] != cols {
		return nil, fmt.Errorf("%s: %s has shape %v, want [%d %d]", key, path, a.Shape, rows, cols)
	}
	v := a.Float64()
	m := make([]bool, len(v))
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%s: %s has %v at [%d %d]; a mask holds 0 (cut) or another finite value (kept)", key, path, x, i/cols, i%cols)
		}
		m[i] = x != 0
	}
	return m, nil
}
