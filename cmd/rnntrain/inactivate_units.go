package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/internal/files"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/lowrank"
	"github.com/rnntrain/rnntrain/rnn"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, " ") }

func (l *stringList) Set(v string) error {
	if len(*l) >= 100 {
		return fmt.Errorf("more than 100 values")
	}
	*l = append(*l, v)
	return nil
}

// isUnitList reports whether s is written as a unit list (digits, commas,
// dashes and spaces) rather than a population name.
func isUnitList(s string) bool {
	return s != "" && strings.Trim(s, "0123456789,- ") == ""
}

// parseCut resolves one -cut FROM:TO (or FROM->TO): each side a unit list
// of n units or a population that pop resolves (as -population).
// Population names may hold ':' themselves (FILE.json:NAME), so FROM:TO is
// split at the one ':' where both sides resolve.
func parseCut(spec string, n int, pop func(name string) ([]int, error)) (analysis.Cut, cutEffect, error) {
	side := func(v string) ([]int, error) {
		v = strings.TrimSpace(v)
		if isUnitList(v) {
			u, err := analysis.ParseUnits(v, n)
			if err != nil {
				return nil, usagef("-cut %s: %v", spec, err)
			}
			return u, nil
		}
		if v == "" {
			return nil, usagef("-cut %s: want FROM:TO (or FROM->TO), each a population or a unit list", spec)
		}
		return pop(v)
	}
	var splits [][2]string
	if a, b, ok := strings.Cut(spec, "->"); ok {
		splits = append(splits, [2]string{a, b})
	} else {
		for i := range len(spec) {
			if spec[i] == ':' {
				splits = append(splits, [2]string{spec[:i], spec[i+1:]})
			}
		}
	}
	var found []analysis.Cut
	var names []cutEffect
	var firstErr error
	for _, sp := range splits {
		from, err := side(sp[0])
		if err == nil {
			var to []int
			if to, err = side(sp[1]); err == nil {
				c := analysis.Cut{From: from, To: to}
				found = append(found, c)
				names = append(names, cutEffect{From: strings.TrimSpace(sp[0]), To: strings.TrimSpace(sp[1]), Connections: c.Connections()})
				continue
			}
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	switch {
	case len(found) == 1:
		return found[0], names[0], nil
	case len(found) > 1:
		return analysis.Cut{}, cutEffect{}, usagef("-cut %s: ambiguous, it splits into FROM:TO more than one way; write FROM->TO", spec)
	case len(splits) == 1:
		return analysis.Cut{}, cutEffect{}, firstErr
	}
	return analysis.Cut{}, cutEffect{}, usagef("-cut %s: want FROM:TO (or FROM->TO), each a population (exc, inh, FILE.json:NAME, …) or a unit list such as 0-9", spec)
}

// unitSource resolves unit lists and population names for one checkpoint.
type unitSource struct {
	s    *session
	n    int
	step int    // the checkpoint's, which a -recording's must be
	seed uint64 // the mixture fit of cluster populations
	// recording is -recording FILE.npz, the trials selectivity
	// populations are regressed on; sel its regression, once computed,
	// and selFile where it was written.
	recording string
	sel       *analysis.Selectivity
	selFile   string
	// stderr takes the notes on the populations resolved.
	stderr io.Writer
}

// selectUnits resolves -units or the population named by flag (-population,
// -versus) to sorted unit indices; neither is every unit.
func (src *unitSource) selectUnits(units, flag, pop string) ([]int, error) {
	switch {
	case units != "":
		u, err := analysis.ParseUnits(units, src.n)
		if err != nil {
			return nil, usagef("-units: %v", err)
		}
		return u, nil
	case pop != "":
		return src.population(flag, pop)
	}
	u := make([]int, src.n)
	for i := range u {
		u[i] = i
	}
	return u, nil
}

// population resolves a population name given to flag: exc or inh (Dale's
// law), cluster:I[/K] (a low-rank network's populations),
// VARIABLE-selective or selective:VARIABLE[:top=K] (a regression on
// -recording), or FILE.json[:NAME].
func (src *unitSource) population(flag, pop string) ([]int, error) {
	s, n := src.s, src.n
	switch {
	case pop == "exc" || pop == "inh":
		var dale float64
		if d, ok := s.cfg.Model.Model.(rnn.DaleModel); ok {
			dale = d.ExcitatoryFraction()
		}
		if dale == 0 {
			return nil, usagef("%s %s: the checkpoint's %s model has no Dale's law populations (train a leaky, lif, alif or ltc model with -dale)", flag, pop, s.cfg.Model.Kind())
		}
		ne := layers.NumExcitatory(n, dale)
		lo, hi := 0, ne
		if pop == "inh" {
			lo, hi = ne, n
		}
		var u []int
		for i := lo; i < hi; i++ {
			u = append(u, i)
		}
		return u, nil
	case strings.HasPrefix(pop, "cluster:"):
		return src.cluster(flag, pop)
	case strings.HasPrefix(pop, "selective:") || (strings.HasSuffix(pop, "-selective") && !strings.Contains(pop, ".json")):
		v, top, err := parseSelective(pop, n)
		if err != nil {
			return nil, usagef("%s %s: %v", flag, pop, err)
		}
		return src.selective(flag, pop, v, top)
	}
	return populationFile(flag, pop, n)
}

// maxClusters bounds K of cluster:I/K.
const maxClusters = 16

// cluster resolves cluster:I[/K]: population I (0 the largest) of the
// Gaussian mixture of a low-rank network's loadings, with K components or,
// without /K, the number of lowest BIC up to 4; fitted from -seed as
// rnntrain populations -seed fits it.
func (src *unitSource) cluster(flag, pop string) ([]int, error) {
	l, ok := lowRankLayer(src.s)
	if !ok {
		return nil, usagef("%s %s: the checkpoint's %s model is not low-rank; clusters are the populations of a lowrank network's loadings", flag, pop, src.s.cfg.Model.Kind())
	}
	i, k, err := parseCluster(pop)
	if err != nil {
		return nil, usagef("%s %s: %v", flag, pop, err)
	}
	kMax := cmp.Or(k, 4)
	x, dim := lowrank.Loadings(l)
	fits, best, err := lowrank.SelectMixture(x, dim, kMax, lowrank.MixtureConfig{}, newStream(src.seed, streamPopulations))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, pop, err)
	}
	m := fits[best]
	if k > 0 {
		j := slices.IndexFunc(fits, func(f *lowrank.Mixture) bool { return f.K == k })
		if j < 0 {
			return nil, fmt.Errorf("%s %s: no mixture of %d populations could be fitted", flag, pop, k)
		}
		m = fits[j]
	}
	if w, ok := singularPopulation(m.Weights, l.Size(), dim); ok && src.stderr != nil {
		fmt.Fprintf(src.stderr, "rnntrain inactivate: note: %s %s: the mixture of %d populations has a population of %.1f units (weight %.2f of %d) for loading vectors of %d dimensions: "+
			"its covariance is singular but for the regularisation, which then sets the BIC and the units' assignment, not the network's populations (see rnntrain populations)\n",
			flag, pop, m.K, w*float64(l.Size()), w, l.Size(), dim)
	}
	groups, err := m.Groups(x)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, pop, err)
	}
	if i >= len(groups) || len(groups[i]) == 0 {
		return nil, usagef("%s %s: the mixture of %d populations has no unit in population %d (sizes %v)", flag, pop, m.K, i, groupSizes(groups))
	}
	return groups[i], nil
}

// parseCluster parses cluster:I or cluster:I/K (k 0: K not given).
func parseCluster(pop string) (i, k int, err error) {
	is, ks, hasK := strings.Cut(strings.TrimPrefix(pop, "cluster:"), "/")
	i, err = strconv.Atoi(is)
	if err == nil && hasK {
		k, err = strconv.Atoi(ks)
	}
	if err != nil || i < 0 || i >= maxClusters || (hasK && (k < 1 || k > maxClusters || i >= k)) {
		return 0, 0, fmt.Errorf("want cluster:I or cluster:I/K, population I (0 the largest) of K ≤ %d", maxClusters)
	}
	return i, k, nil
}

// parseSelective parses VARIABLE-selective, selective:VARIABLE or
// selective:VARIABLE:top=K for n units (top 0: every selective unit).
func parseSelective(pop string, n int) (variable string, top int, err error) {
	if v, ok := strings.CutSuffix(pop, "-selective"); ok && !strings.HasPrefix(pop, "selective:") {
		variable = v
	} else {
		var t string
		var hasTop bool
		variable, t, hasTop = strings.Cut(strings.TrimPrefix(pop, "selective:"), ":top=")
		if hasTop {
			if top, err = strconv.Atoi(t); err != nil || top < 1 || top > n {
				return "", 0, fmt.Errorf("top=K wants a number of units in [1, %d]", n)
			}
		}
	}
	if variable == "" {
		return "", 0, fmt.Errorf("want VARIABLE-selective or selective:VARIABLE[:top=K] (choice, coherence, context)")
	}
	return variable, top, nil
}

func groupSizes(groups [][]int) []int {
	sizes := make([]int, len(groups))
	for i, g := range groups {
		sizes[i] = len(g)
	}
	return sizes
}

// populationFile reads FILE.json[:NAME], a JSON object of named unit sets
// of at most maxConfigBytes.
func populationFile(flag, arg string, n int) ([]int, error) {
	path, name := arg, ""
	if i := strings.LastIndex(arg, ".json:"); i >= 0 {
		path, name = arg[:i+len(".json")], arg[i+len(".json:"):]
	}
	b, err := files.ReadRegular(path, int64(maxConfigBytes))
	if errors.Is(err, fs.ErrNotExist) && !strings.Contains(arg, ".json") {
		// Most likely a misspelled population, not a missing file.
		return nil, usagef("%s %s: no such population (want exc, inh, cluster:I[/K], VARIABLE-selective, selective:VARIABLE[:top=K] or FILE.json[:NAME]) and no file %s", flag, arg, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, arg, err)
	}
	sets, err := analysis.ParsePopulations(b, n)
	if err != nil && strings.HasSuffix(path, ".selectivity.json") {
		rec := strings.TrimSuffix(path, ".selectivity.json") + ".npz"
		return nil, usagef("%s %s: %v; this is the regression inactivate writes beside a recording, not a file of unit sets: choose its selective units with %s VARIABLE-selective -recording %s", flag, path, err, flag, rec)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	names := make([]string, 0, len(sets))
	for k := range sets {
		names = append(names, k)
	}
	slices.Sort(names)
	if name == "" {
		if len(sets) != 1 {
			return nil, usagef("%s %s: the file has %d sets (%s); name one as %s:NAME", flag, arg, len(sets), strings.Join(names, ", "), path)
		}
		name = names[0]
	}
	u, ok := sets[name]
	if !ok {
		return nil, usagef("%s %s: no set %q in %s (sets: %s)", flag, arg, name, path, strings.Join(names, ", "))
	}
	if len(u) == 0 {
		return nil, usagef("%s %s: set %q in %s holds no unit; name a set of units", flag, arg, name, path)
	}
	return u, nil
}
