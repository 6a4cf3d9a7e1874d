package plots

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteStateSpace(t *testing.T) {
	dir := t.TempDir()
	s := StateSpace{Title: "two bistable units", Axes: []string{"PC1", "PC2", "PC3"}, Pairs: [][2]int{{0, 1}, {0, 2}},
		Trajectories: [][][]float64{{{0, 0, 0}, {1, 0.5, 0.1}, {1.9, 1.8, 0.2}}, {{0, 0, 0}, {-1, -0.5, 0}, {-1.9, -1.8, 0}}},
		Groups:       []int{0, 1}, GroupNames: []string{"context 0", "context 1"},
		Points: []StatePoint{{Coords: []float64{1.9, 1.9, 0}, Stable: true}, {Coords: []float64{0, 0, 0}, Modes: [][]float64{{1, 1, 0}, {0, 0, 0}}}}}
	path := filepath.Join(dir, "fp.png")
	require.NoError(t, WriteStateSpace(path, s))
	checkPNG(t, path)

	bad := s
	bad.Groups = []int{0}
	require.ErrorContains(t, WriteStateSpace(path, bad), "1 groups for 2 trajectories")
	bad = s
	bad.Pairs = [][2]int{{0, 3}}
	require.ErrorContains(t, WriteStateSpace(path, bad), "axes [0 3] of 3")
	bad = s
	bad.Points = []StatePoint{{Coords: []float64{1, 2}}}
	require.ErrorContains(t, WriteStateSpace(path, bad), "point 0 has 2 coordinates")
	bad.Pairs = nil
	require.ErrorContains(t, WriteStateSpace(path, bad), "no panels")
}
