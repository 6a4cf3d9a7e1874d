package rnn

import (
	"fmt"
	"os"

	"codeberg.org/sbinet/npyio"
)

// LoadMask reads a [rows, cols] mask from the .npy file path (any numeric
// dtype; non-zero means set) as a row-major []bool. An empty path returns
// nil (no mask). key names the config key in errors.
func LoadMask(path, key string, rows, cols int) ([]bool, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	defer f.Close()
	r, err := npyio.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: not a .npy file: %v", key, path, err)
	}
	shape := r.Header.Descr.Shape
	if len(shape) != 2 || shape[0] != rows || shape[1] != cols {
		return nil, fmt.Errorf("%s: %s has shape %v, want [%d %d]", key, path, shape, rows, cols)
	}
	var v []float64
	if err := r.Read(&v); err != nil {
		return nil, fmt.Errorf("%s: %s: %v", key, path, err)
	}
	m := make([]bool, len(v))
	for i, x := range v {
		m[i] = x != 0
	}
	return m, nil
}
