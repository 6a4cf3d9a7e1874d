package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/seqbench"
	"github.com/rnntrain/rnntrain/layers"
)

// result is one configuration's timing.
type result struct {
	N, B, T          int
	Model            string
	Eps              float64 `json:",omitempty"`
	Activity         float64 // reached (1 for the GRU)
	BackwardSparsity float64
	MsMin, MsMedian  float64
	Reps             int
}

type config struct {
	res  result
	step func()
	ms   []float64
}

func main() {
	sizes := flag.String("sizes", "256x64x100,512x64x200,1024x32x100", "comma-separated NxBxT")
	acts := flag.String("acts", "0.05,0.1,0.2,0.5,1", "comma-separated EGRU activities")
	epss := flag.String("eps", "1,3.6", "comma-separated EGRU pseudo-derivative supports ε")
	reps := flag.Int("reps", 7, "timed steps per configuration")
	flag.Parse()
	if err := run(*sizes, *acts, *epss, *reps); err != nil {
		fmt.Fprintln(os.Stderr, "egrusweep:", err)
		os.Exit(2)
	}
}

func floats(s, name string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(v > 0) {
			return nil, fmt.Errorf("-%s: %q is not a positive number", name, f)
		}
		out = append(out, v)
	}
	return out, nil
}

func run(sizes, acts, epss string, reps int) error {
	as, err := floats(acts, "acts")
	if err != nil {
		return err
	}
	es, err := floats(epss, "eps")
	if err != nil {
		return err
	}
	if reps < 1 {
		return fmt.Errorf("-reps must be ≥ 1, got %d", reps)
	}
	enc := json.NewEncoder(os.Stdout)
	for _, s := range strings.Split(sizes, ",") {
		var n, b, t int
		if _, err := fmt.Sscanf(s, "%dx%dx%d", &n, &b, &t); err != nil || n < 1 || b < 1 || t < 1 {
			return fmt.Errorf("-sizes: %q is not NxBxT", s)
		}
		g, err := layers.NewGRU[float32]("gru", 4, n, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			return err
		}
		cfgs := []*config{{res: result{N: n, B: b, T: t, Model: "gru", Activity: 1}, step: seqbench.NewStep(g, nil, n, b, t)}}
		x := seqbench.Input(t, b)
		for _, eps := range es {
			for _, a := range as {
				o := layers.DefaultEGRUOptions()
				o.Eps = eps
				e, err := layers.NewEGRU[float32]("egru", 4, n, o, rand.New(rand.NewPCG(1, 1)))
				if err != nil {
					return err
				}
				got := e.TuneActivity(x, t, b, a, 12)
				tp := autodiff.NewTape[float32]()
				st, _ := e.Stats(e.Run(tp, tp.Const(x), nil, t, b, layers.SeqOptions{}, false).Rates)
				cfgs = append(cfgs, &config{
					res:  result{N: n, B: b, T: t, Model: "egru", Eps: eps, Activity: got, BackwardSparsity: st.BackwardSparsity},
					step: seqbench.NewStep(e, nil, n, b, t),
				})
			}
		}
		for _, c := range cfgs {
			c.step() // grow the tape's arena
		}
		for range reps {
			for _, c := range cfgs {
				t0 := time.Now()
				c.step()
				c.ms = append(c.ms, float64(time.Since(t0).Nanoseconds())/1e6)
			}
		}
		for _, c := range cfgs {
			slices.Sort(c.ms)
			c.res.MsMin, c.res.MsMedian, c.res.Reps = c.ms[0], c.ms[len(c.ms)/2], len(c.ms)
			if err := enc.Encode(c.res); err != nil {
				return err
			}
		}
	}
	return nil
}
