package sweep

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
)

// Point is one run of a sweep: its index (from 0, the order of
// Spec.Points) and one value per axis, in the spec's axis order.
type Point struct {
	Index  int
	Values []Value
}

// gridSize returns the number of grid points, refusing more than
// MaxPoints in grid mode (and more than 2⁶² in random mode).
func (s *Spec) gridSize() (uint64, error) {
	n := uint64(1)
	for _, a := range s.Axes {
		n *= uint64(len(a.Values))
		if n > 1<<62/uint64(MaxPoints) {
			return 0, fmt.Errorf("axes: more than %d grid points", uint64(1)<<62/uint64(MaxPoints))
		}
	}
	switch {
	case s.Options.Mode == Grid && n > MaxPoints:
		return 0, fmt.Errorf("axes: %d grid points, at most %d (mode = \"random\" draws samples of them)", n, MaxPoints)
	case s.Options.Mode == Random && s.Options.Samples > MaxPoints:
		return 0, fmt.Errorf("sweep.samples = %d: at most %d", s.Options.Samples, MaxPoints)
	case s.Options.Mode == Random && uint64(s.Options.Samples) > n:
		return 0, fmt.Errorf("sweep.samples = %d: the grid has only %d points", s.Options.Samples, n)
	}
	return n, nil
}

// Points expands the spec: in grid mode every combination of the axes'
// values, the last axis varying fastest; in random mode Samples distinct
// grid points drawn uniformly with a PCG generator seeded by Seed, in the
// order drawn. A spec without axes has one point.
func (s *Spec) Points() ([]Point, error) {
	n, err := s.gridSize()
	if err != nil {
		return nil, err
	}
	var cells []uint64
	if s.Options.Mode == Random {
		rng := rand.New(rand.NewPCG(s.Options.Seed, 0x5eeb))
		seen := map[uint64]bool{}
		for len(cells) < s.Options.Samples {
			c := rng.Uint64N(n)
			if !seen[c] {
				seen[c] = true
				cells = append(cells, c)
			}
		}
	} else {
		for c := range n {
			cells = append(cells, c)
		}
	}
	pts := make([]Point, len(cells))
	for i, c := range cells {
		p := Point{Index: i, Values: make([]Value, len(s.Axes))}
		for j := len(s.Axes) - 1; j >= 0; j-- {
			m := uint64(len(s.Axes[j].Values))
			p.Values[j] = s.Axes[j].Values[c%m]
			c /= m
		}
		pts[i] = p
	}
	return pts, nil
}

// maxNameBytes bounds a run directory's name: a file name of most file
// systems (NAME_MAX). The index that begins it keeps a cut name unique.
const maxNameBytes = 255

// Name is the name of p's run directory: "p" and the four-digit index,
// then key=value for each axis ("p0003-model.rank=2-seed=3"), characters
// other than letters, digits and ._+- replaced by _, each value cut to 32
// bytes and the whole cut to 255 bytes, a file name's limit.
func (s *Spec) Name(p Point) string {
	var b strings.Builder
	fmt.Fprintf(&b, "p%04d", p.Index)
	for j, v := range p.Values {
		if j >= len(s.Axes) {
			break
		}
		val := v.String()
		if len(val) > 32 {
			val = val[:32]
		}
		fmt.Fprintf(&b, "-%s=%s", clean(s.Axes[j].Key), clean(val))
	}
	return b.String()[:min(b.Len(), maxNameBytes)]
}

// clean replaces the characters a file name should not hold.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '+', r == '-':
			return r
		}
		return '_'
	}, s)
}

// Layout names the files of a sweep directory.
type Layout struct{ Dir string }

// Spec is the copy of the spec the sweep runs.
func (l Layout) Spec() string { return filepath.Join(l.Dir, "sweep.toml") }

// Points is the table of points: index, name and one column per axis.
func (l Layout) Points() string { return filepath.Join(l.Dir, "points.csv") }

// Record is the sweep's own record (Record).
func (l Layout) Record() string { return filepath.Join(l.Dir, "sweep.json") }

// Script is the sbatch script of the last Slurm submission.
func (l Layout) Script() string { return filepath.Join(l.Dir, "sweep.sbatch") }

// Logs is the directory of the runs' output.
func (l Layout) Logs() string { return filepath.Join(l.Dir, "logs") }

// Log is the output of point i under the local executor.
func (l Layout) Log(i int) string { return filepath.Join(l.Dir, "logs", fmt.Sprintf("p%04d.log", i)) }

// Run is the run directory of the point named name.
func (l Layout) Run(name string) string { return filepath.Join(l.Dir, "runs", name) }

// Record is what a sweep directory remembers besides its spec: the digest
// of its points' configs (a second sweep into the directory must have the
// same), the options it last ran with (the spec's, overridden by flags)
// and the Slurm array jobs submitted for it.
type Record struct {
	Digest    string   `json:"digest"`
	Points    int      `json:"points"`
	Options   Options  `json:"options"`
	SlurmJobs []string `json:"slurm_jobs,omitempty"`
}
