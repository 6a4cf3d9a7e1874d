package plots

import (
	"bytes"
	"image/png"
	"os"
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

// TestWriteStateSpaceSlowPoints: a slow point is drawn grey, apart from
// the black fixed points, so a figure does not pass it off as one.
func TestWriteStateSpaceSlowPoints(t *testing.T) {
	greyPixels := func(slow bool) int {
		path := filepath.Join(t.TempDir(), "fp.png")
		s := StateSpace{Axes: []string{"PC1", "PC2"}, Pairs: [][2]int{{0, 1}},
			Points: []StatePoint{{Coords: []float64{0.5, 0.5}, Stable: true, Slow: slow}}}
		require.NoError(t, WriteStateSpace(path, s))
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		img, err := png.Decode(bytes.NewReader(b))
		require.NoError(t, err)
		n := 0
		for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
			for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
				if r, g, b, _ := img.At(x, y).RGBA(); r>>8 == 150 && g>>8 == 150 && b>>8 == 150 {
					n++
				}
			}
		}
		return n
	}
	// Antialiased text and lines have a few grey pixels of their own; a
	// grey disc adds many more.
	fixed, slow := greyPixels(false), greyPixels(true)
	t.Logf("grey pixels: fixed point %d, slow point %d", fixed, slow)
	require.Greater(t, slow, fixed+20, "the slow point is not drawn grey")
}
