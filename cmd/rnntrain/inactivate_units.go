package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/layers"
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

// selectUnits resolves -units or the population named by flag (-population,
// -versus) to sorted unit indices.
func selectUnits(s *session, units, flag, pop string, n int) ([]int, error) {
	switch {
	case units != "":
		u, err := analysis.ParseUnits(units, n)
		if err != nil {
			return nil, usagef("-units: %v", err)
		}
		return u, nil
	case pop != "":
		return population(s, flag, pop, n)
	}
	u := make([]int, n)
	for i := range u {
		u[i] = i
	}
	return u, nil
}

// population resolves a population name given to flag: exc or inh (Dale's
// law), or FILE.json[:NAME].
func population(s *session, flag, pop string, n int) ([]int, error) {
	switch {
	case pop == "exc" || pop == "inh":
		lc, ok := s.cfg.Model.Model.(*rnn.LeakyConfig)
		if !ok || lc.Dale == 0 {
			return nil, usagef("%s %s: the checkpoint's %s model has no Dale's law populations (train a leaky model with -dale)", flag, pop, s.cfg.Model.Kind())
		}
		ne := layers.NumExcitatory(n, lc.Dale)
		lo, hi := 0, ne
		if pop == "inh" {
			lo, hi = ne, n
		}
		var u []int
		for i := lo; i < hi; i++ {
			u = append(u, i)
		}
		return u, nil
	}
	return populationFile(flag, pop, n)
}

// populationFile reads FILE.json[:NAME], a JSON object of named unit sets.
func populationFile(flag, arg string, n int) ([]int, error) {
	path, name := arg, ""
	if i := strings.LastIndex(arg, ".json:"); i >= 0 {
		path, name = arg[:i+len(".json")], arg[i+len(".json:"):]
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, arg, err)
	}
	sets, err := analysis.ParsePopulations(b, n)
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
	return u, nil
}
