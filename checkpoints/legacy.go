package checkpoints

import (
	"fmt"
	"slices"
	"strings"
)

// legacyOptimizerPrefix started the names of optimizer state in formats 1
// and 2.
const legacyOptimizerPrefix = "optim."

// legacyShapes is the last format version that stored every one-row
// parameter, matrices included, as [Cols].
const legacyShapes = 2

// upgrade renames the optimizer tensors of a format-1 or -2 file to the
// current OptimizerPrefix, keeping the tensors sorted by name; it fails if
// a new name is taken. Shapes are left as stored; fits accepts the old
// ones.
func (c *Checkpoint) upgrade() error {
	if c.Meta.FormatVersion > legacyShapes {
		return nil
	}
	renamed := false
	for i := range c.Tensors {
		if rest, ok := strings.CutPrefix(c.Tensors[i].Name, legacyOptimizerPrefix); ok {
			c.Tensors[i].Name, renamed = OptimizerPrefix+rest, true
		}
	}
	if !renamed {
		return nil
	}
	slices.SortFunc(c.Tensors, func(a, b Tensor) int { return strings.Compare(a.Name, b.Name) })
	for i := 1; i < len(c.Tensors); i++ {
		if c.Tensors[i].Name == c.Tensors[i-1].Name {
			return fmt.Errorf("format %d file has optimizer state under both %s and %s",
				c.Meta.FormatVersion, legacyOptimizerPrefix+strings.TrimPrefix(c.Tensors[i].Name, OptimizerPrefix), c.Tensors[i].Name)
		}
	}
	return nil
}

// fits reports whether a tensor stored with shape stored holds a value of
// shape want: the shapes are equal, or c is a format-1 or -2 file, which
// stored a one-row matrix [1, k] as [k].
func (c *Checkpoint) fits(stored, want []int) bool {
	if slices.Equal(stored, want) {
		return true
	}
	return c.Meta.FormatVersion >= 1 && c.Meta.FormatVersion <= legacyShapes &&
		len(want) == 2 && want[0] == 1 && len(stored) == 1 && stored[0] == want[1]
}
