package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Variable is one task variable of recorded trials: its value in each
// trial (NaN where a trial lacks it; such trials are left out).
type Variable struct {
	Name   string
	Values []float64
}

// Selectivity is a regression of every unit's activity on task variables
// over recorded trials (Mante et al. 2013, with the trial's mean rate as
// the activity): rate_i(trial) = β_i0 + Σ_k β_ik z_k(trial) + ε, with z_k
// the variables z-scored over the trials, so β_ik is the change of unit
// i's mean rate per standard deviation of variable k.
type Selectivity struct {
	Variables []string          `json:"variables"`
	Trials    int               `json:"trials"`
	Units     []UnitSelectivity `json:"units"`
	// Threshold is the |t| at and above which a unit is called selective
	// to a variable.
	Threshold float64 `json:"t_threshold"`
}

// UnitSelectivity is one unit's regression.
type UnitSelectivity struct {
	Unit int `json:"unit"`
	// Beta and T are parallel to Selectivity.Variables: the coefficient
	// (rate per s.d. of the variable) and its t statistic.
	Beta []float64 `json:"beta"`
	T    []float64 `json:"t"`
	// R2 is the fraction of the unit's across-trial variance explained.
	R2 float64 `json:"r2"`
}

// SelectivityThreshold is the |t| at and above which Regress calls a unit
// selective to a variable: a two-sided p of about 0.003 per test.
const SelectivityThreshold = 3

// Regress regresses the mean rate of every unit over each trial on vars.
// rates is [trials][T][n] trial-major, as a Recording's; lengths gives
// each trial's own steps (nil: every trial has T), and the mean runs over
// them. Trials where a variable is NaN are left out, and so are variables
// that take one value only. It returns an error when fewer trials than
// variables + 2 remain, no variable varies, or a rate the mean runs over
// is not finite; it panics if the slices' lengths do not match trials, T
// and n.
func Regress(rates []float32, trials, T, n int, lengths []int, vars []Variable) (*Selectivity, error) {
	if len(rates) != trials*T*n || (lengths != nil && len(lengths) != trials) {
		panic(fmt.Sprintf("analysis: Regress of %d rates and %d lengths, want %d×%d×%d and %d", len(rates), len(lengths), trials, T, n, trials))
	}
	for _, v := range vars {
		if len(v.Values) != trials {
			panic(fmt.Sprintf("analysis: Regress variable %s has %d values, want %d", v.Name, len(v.Values), trials))
		}
	}
	var keep []int
	for tr := range trials {
		ok := lengths == nil || (lengths[tr] > 0 && lengths[tr] <= T)
		for _, v := range vars {
			ok = ok && !math.IsNaN(v.Values[tr]) && !math.IsInf(v.Values[tr], 0)
		}
		if ok {
			keep = append(keep, tr)
		}
	}
	for _, tr := range keep {
		steps := T
		if lengths != nil {
			steps = lengths[tr]
		}
		for k, r := range rates[tr*T*n : (tr*T+steps)*n] {
			if math.IsNaN(float64(r)) || math.IsInf(float64(r), 0) {
				return nil, fmt.Errorf("rates: the non-finite value %v at [%d, %d, %d] (trial, step, unit); want finite rates", r, tr, k/n, k%n)
			}
		}
	}
	var used []Variable
	for _, v := range vars {
		if _, sd := meanSD(v.Values, keep); sd > 0 {
			used = append(used, v)
		}
	}
	p := len(used) + 1
	if len(used) == 0 {
		return nil, fmt.Errorf("no task variable varies over the %d trials", len(keep))
	}
	if len(keep) < p+1 {
		return nil, fmt.Errorf("%d usable trials for %d variables; want at least %d", len(keep), len(used), p+1)
	}
	m := len(keep)
	x := mat.NewDense(m, p, nil)
	for k, v := range used {
		mu, sd := meanSD(v.Values, keep)
		for r, tr := range keep {
			x.Set(r, k+1, v.Values[tr]/sd-mu/sd) // not (v−μ)/sd, which overflows near ±MaxFloat64
		}
	}
	for r := range m {
		x.Set(r, 0, 1)
	}
	var xtx, inv mat.Dense
	xtx.Mul(x.T(), x)
	if err := inv.Inverse(&xtx); err != nil {
		return nil, fmt.Errorf("the task variables are collinear over the %d trials: %w", m, err)
	}
	s := &Selectivity{Trials: m, Threshold: SelectivityThreshold}
	for _, v := range used {
		s.Variables = append(s.Variables, v.Name)
	}
	y := mat.NewVecDense(m, nil)
	var xty, beta, fit mat.VecDense
	for i := range n {
		for r, tr := range keep {
			steps := T
			if lengths != nil {
				steps = lengths[tr]
			}
			var sum float64
			for t := range steps {
				sum += float64(rates[(tr*T+t)*n+i])
			}
			y.SetVec(r, sum/float64(steps))
		}
		xty.MulVec(x.T(), y)
		beta.MulVec(&inv, &xty)
		fit.MulVec(x, &beta)
		var rss, tss float64
		mean := mat.Sum(y) / float64(m)
		for r := range m {
			rss += (y.AtVec(r) - fit.AtVec(r)) * (y.AtVec(r) - fit.AtVec(r))
			tss += (y.AtVec(r) - mean) * (y.AtVec(r) - mean)
		}
		u := UnitSelectivity{Unit: i, Beta: make([]float64, len(used)), T: make([]float64, len(used))}
		if tss > 0 {
			u.R2 = 1 - rss/tss
		}
		sigma2 := rss / float64(m-p)
		for k := range used {
			u.Beta[k] = beta.AtVec(k + 1)
			se := math.Sqrt(sigma2 * inv.At(k+1, k+1))
			switch {
			case se > 0:
				u.T[k] = u.Beta[k] / se
			case u.Beta[k] != 0: // an exact fit: as significant as it gets
				u.T[k] = math.Copysign(math.MaxFloat64, u.Beta[k])
			}
		}
		s.Units = append(s.Units, u)
	}
	return s, nil
}

// meanSD returns the mean and standard deviation of v over the indices
// keep. It sums v scaled by its largest magnitude, so that values near
// float64's limits neither overflow the sums nor make sd infinite.
func meanSD(v []float64, keep []int) (mean, sd float64) {
	var scale float64
	for _, i := range keep {
		scale = max(scale, math.Abs(v[i]))
	}
	if scale == 0 {
		return 0, 0
	}
	for _, i := range keep {
		mean += v[i] / scale
	}
	mean /= float64(len(keep))
	for _, i := range keep {
		d := v[i]/scale - mean
		sd += d * d
	}
	return mean * scale, math.Sqrt(sd/float64(len(keep))) * scale
}

// Selective returns the units selective to variable, ascending: those
// with |t| ≥ s.Threshold for its coefficient or, with top > 0, the top
// such units of largest |β| (fewer when fewer are selective). It returns
// an error naming the variables when s has no such variable.
func (s *Selectivity) Selective(variable string, top int) ([]int, error) {
	k := slices.Index(s.Variables, variable)
	if k < 0 {
		return nil, fmt.Errorf("no variable %q (the regression's variables: %v)", variable, s.Variables)
	}
	var sel []UnitSelectivity
	for _, u := range s.Units {
		if math.Abs(u.T[k]) >= s.Threshold {
			sel = append(sel, u)
		}
	}
	if top > 0 && len(sel) > top {
		slices.SortStableFunc(sel, func(a, b UnitSelectivity) int { return cmp.Compare(math.Abs(b.Beta[k]), math.Abs(a.Beta[k])) })
		sel = sel[:top]
	}
	out := make([]int, len(sel))
	for i, u := range sel {
		out[i] = u.Unit
	}
	slices.Sort(out)
	return out, nil
}

// Populations returns the named unit sets of s: "VARIABLE-selective" for
// each variable (the units Selective returns), in the format of
// ParsePopulations.
func (s *Selectivity) Populations() map[string][]int {
	out := map[string][]int{}
	for _, v := range s.Variables {
		u, _ := s.Selective(v, 0)
		out[v+"-selective"] = u
	}
	return out
}
