package plots_test

import (
	"fmt"
	"image/png"
	"log"
	"os"
	"path/filepath"

	"github.com/rnntrain/rnntrain/internal/plots"
)

// A run's loss and accuracy curves as a PNG.
func ExampleWriteCurves() {
	dir, err := os.MkdirTemp("", "plots-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "curves.png")
	err = plots.WriteCurves(path, plots.Curves{
		Title:    "context-dm",
		Step:     []float64{10, 20, 30},
		Loss:     []float64{1.0, 0.4, 0.1},
		Accuracy: []float64{0.6, 0.8, 0.95},
		EvalStep: []float64{30}, EvalAccuracy: []float64{0.93},
		Target: 0.9,
	})
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	img, err := png.DecodeConfig(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d×%d PNG\n", img.Width, img.Height)
	// Output: 1314×458 PNG
}
