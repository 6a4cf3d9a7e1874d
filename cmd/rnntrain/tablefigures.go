package main

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/internal/plots"
)

// tableFigures draws the analysis figures of a recording into set: the choice against
// each evidence per context (context-dm, multisensory: Mante et al. 2013
// Fig. 1), the stimulus set with its accuracy (parametric-wm), produced
// against target interval (ready-set-go), a few units' rates per condition
// and the condition-averaged trajectories in principal-component space.
// With withBasics it also draws the example trials and the psychometric
// curve, which a run draws from its own evaluation.
func tableFigures(t *trialTable, set *figureSet, withBasics bool) error {
	add := set.add
	if withBasics && t.targets != nil {
		tf := tableTrials(t, 3)
		if err := add("trials", func(p string) error { return plots.WriteTrials(p, tf) }); err != nil {
			return err
		}
	}
	if withBasics && t.raster != nil {
		rf := tableRaster(t, 3)
		rf.MaxUnits = set.rasterUnits
		if err := add("raster", func(p string) error { return plots.WriteRaster(p, rf) }); err != nil {
			return err
		}
	}
	if withBasics && t.response != nil && t.varies("coherence") {
		// Only scored trials with a coherence count: a recording of catch
		// trials alone has no curve to draw.
		pf := plots.Psychometric{Title: fmt.Sprintf("psychometric curve (%d trials)", t.trials), XLabel: evidenceLabel(t),
			Curves: psychCurves(t, "coherence", t.varies("context"))}
		if len(pf.Curves) > 0 {
			if err := add("psychometric", func(p string) error { return plots.WritePsychometric(p, pf) }); err != nil {
				return err
			}
		}
	}
	if pp, ok := contextPanels(t); ok {
		if err := add("psychometric-contexts", func(p string) error { return plots.WritePsychPanels(p, pp) }); err != nil {
			return err
		}
	}
	if g, ok := stimulusGrid(t); ok {
		if err := add("stimuli", func(p string) error { return plots.WriteStimulusGrid(p, g) }); err != nil {
			return err
		}
	}
	if tp, ok := timingPanel(t); ok {
		if err := add("timing", func(p string) error { return plots.WritePanels(p, tp) }); err != nil {
			return err
		}
	}
	groups := conditionGroups(t)
	means := groupMeans(t, groups)
	if up, ok := unitPanels(t, groups, means, 4); ok {
		if err := add("units", func(p string) error { return plots.WritePanels(p, up) }); err != nil {
			return err
		}
	}
	if pc, ok := pcaPanel(t, groups, means); ok {
		if err := add("pca", func(p string) error { return plots.WritePanels(p, pc) }); err != nil {
			return err
		}
	}
	return nil
}

// evidenceLabel is the x label of the psychometric curve.
func evidenceLabel(t *trialTable) string {
	if t.varies("f1") {
		return "f1 − f2 (> 0 calls for choice 1)"
	}
	return "" // the plots default: signed coherence
}

// psychCurves returns P(choice 1) against the latent variable x, one curve
// per context (byContext) or one for all scored trials.
func psychCurves(t *trialTable, x string, byContext bool) []plots.PsychCurve {
	type key struct {
		ctx int
		x   float64
	}
	n, chose := map[key]int{}, map[key]int{}
	ctxs := map[int]bool{}
	for i := range t.trials {
		v := t.vars[x][i]
		if !t.isScored(i) || math.IsNaN(v) {
			continue
		}
		k := key{0, v}
		if byContext {
			k.ctx = int(t.vars["context"][i])
		}
		ctxs[k.ctx] = true
		n[k]++
		if t.response[i] == 1 {
			chose[k]++
		}
	}
	var curves []plots.PsychCurve
	for _, c := range sortedKeys(ctxs) {
		pc := plots.PsychCurve{Label: "all trials", Style: c + 1}
		if byContext {
			pc.Label = fmt.Sprintf("context %d", c+1)
		}
		var xs []float64
		for k := range n {
			if k.ctx == c {
				xs = append(xs, k.x)
			}
		}
		sort.Float64s(xs)
		for _, v := range xs {
			k := key{c, v}
			pc.Coherence = append(pc.Coherence, v)
			pc.PChoice1 = append(pc.PChoice1, float64(chose[k])/float64(n[k]))
			pc.N = append(pc.N, n[k])
		}
		curves = append(curves, pc)
	}
	return curves
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// contextPanels is Mante et al. (2013) Fig. 1: P(choice 1) against the
// evidence of each modality (columns), in each context (rows), for tasks
// that record both modalities' evidence and a context; false when the
// scored trials leave a panel empty.
func contextPanels(t *trialTable) (plots.PsychPanels, bool) {
	mods := []string{"coherence_mod1", "coherence_mod2"}
	if t.response == nil || !t.varies("context") || !t.varies(mods[0]) || !t.varies(mods[1]) {
		return plots.PsychPanels{}, false
	}
	var pp plots.PsychPanels
	for _, c := range contextsOf(t) {
		var row []plots.Psychometric
		for m, x := range mods {
			sub := t.only(func(i int) bool { return int(t.vars["context"][i]) == c })
			curves := psychCurves(&sub, x, false)
			if len(curves) == 0 { // no scored trial of c with this evidence
				return plots.PsychPanels{}, false
			}
			for i := range curves {
				curves[i].Label, curves[i].Style = fmt.Sprintf("context %d", c+1), c+1
			}
			row = append(row, plots.Psychometric{
				Title:  fmt.Sprintf("context %d: choice against modality %d", c+1, m+1),
				XLabel: fmt.Sprintf("signed coherence of modality %d", m+1), Curves: curves})
		}
		pp.Panels = append(pp.Panels, row)
	}
	return pp, len(pp.Panels) > 0
}

// contextsOf returns the contexts of the scored trials, ascending.
func contextsOf(t *trialTable) []int {
	seen := map[int]bool{}
	for i, v := range t.vars["context"] {
		if t.isScored(i) && !math.IsNaN(v) {
			seen[int(v)] = true
		}
	}
	return sortedKeys(seen)
}

// only returns the table restricted, for the per-trial figures, to the
// trials keep accepts: the others count as not scored.
func (t *trialTable) only(keep func(i int) bool) trialTable {
	sub := *t
	sub.scored = make([]bool, t.trials)
	for i := range sub.scored {
		sub.scored[i] = t.isScored(i) && keep(i)
	}
	return sub
}

// stimulusGrid is the f1 × f2 stimulus set of parametric working memory
// (Romo et al. 1999), each pair with its fraction of correct trials.
func stimulusGrid(t *trialTable) (plots.StimulusGrid, bool) {
	if t.response == nil || t.choice == nil || !t.varies("f1") || !t.varies("f2") {
		return plots.StimulusGrid{}, false
	}
	type pair struct{ f1, f2 float64 }
	n, ok := map[pair]int{}, map[pair]int{}
	var order []pair
	for i := range t.trials {
		if !t.isScored(i) {
			continue
		}
		p := pair{t.vars["f1"][i], t.vars["f2"][i]}
		if n[p] == 0 {
			order = append(order, p)
		}
		n[p]++
		if t.response[i] == t.choice[i] {
			ok[p]++
		}
	}
	if len(order) > 400 { // continuous frequencies: no stimulus set to label
		return plots.StimulusGrid{}, false
	}
	g := plots.StimulusGrid{Title: "stimulus set: % correct (trials)", XLabel: "f1", YLabel: "f2", Diagonal: true}
	for _, p := range order {
		g.X, g.Y = append(g.X, p.f1), append(g.Y, p.f2)
		g.Accuracy = append(g.Accuracy, float64(ok[p])/float64(n[p]))
		g.N = append(g.N, n[p])
	}
	return g, len(order) > 0
}

// timingPanel draws the produced interval against the target interval of
// an interval-production task (ready-set-go): the produced interval runs
// from the end of the measure period to the first step of the production
// period whose output is not "fixate" (the task's scorer's reading).
func timingPanel(t *trialTable) (plots.Panels, bool) {
	meas, prod := t.periods["measure"], t.periods["production"]
	target := t.vars["value"]
	if meas == nil || prod == nil || target == nil || t.nOut < 2 {
		return plots.Panels{}, false
	}
	unit, scale := "steps", 1.0
	var s plots.Series
	s.Label = "trials"
	for i := range t.trials {
		m := meas[i][1] - meas[i][0]
		if !t.isScored(i) || m <= 0 || prod[i][0] < 0 || math.IsNaN(target[i]) {
			continue
		}
		if t.dt > 0 {
			unit, scale = "ms", t.dt
		} else if unit == "steps" {
			// The target is in ms, the measure period its length in
			// steps: their ratio is the step.
			unit, scale = "ms", target[i]/float64(m)
		}
		for step := prod[i][0]; step < min(prod[i][1], t.steps(i)); step++ {
			if argmax(t.outputs[(i*t.T+step)*t.nOut:(i*t.T+step+1)*t.nOut]) != 0 {
				s.X = append(s.X, target[i])
				s.Y = append(s.Y, float64(step-meas[i][1])*scale)
				break
			}
		}
	}
	if len(s.X) == 0 {
		return plots.Panels{}, false
	}
	s.Label = fmt.Sprintf("trials with a response (%d)", len(s.X))
	return plots.Panels{Panels: []plots.Panel{{Title: "interval production", XLabel: "target interval (" + unit + ")",
		YLabel: "produced interval (" + unit + ")", Points: true, Identity: true, Series: []plots.Series{s}}}}, true
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// group is one condition of the trial-averaged figures.
type group struct {
	label  string
	style  int
	dashed bool
	trials []int
}

// conditionGroups sorts the scored trials into conditions: by context and
// correct choice for decision tasks, by quartile of the task's value for
// continuous ones (interval, frequency), else all trials in one group.
func conditionGroups(t *trialTable) []group {
	byKey := map[[2]int]*group{}
	add := func(k [2]int, g group, i int) {
		if byKey[k] == nil {
			byKey[k] = &g
		}
		byKey[k].trials = append(byKey[k].trials, i)
	}
	multi := t.varies("context")
	decision := false
	for i := range t.trials {
		decision = decision || (t.choice != nil && t.choice[i] > 0)
	}
	value := t.vars["value"]
	var cuts []float64
	if !decision && t.varies("value") {
		cuts = quartiles(value)
	}
	for i := range t.trials {
		if !t.isScored(i) {
			continue
		}
		switch {
		case decision && t.choice[i] > 0:
			c, ctx := t.choice[i], 0
			if multi {
				ctx = int(t.vars["context"][i])
			}
			label := fmt.Sprintf("choice %d", c)
			if multi {
				label = fmt.Sprintf("context %d, choice %d", ctx+1, c)
			}
			add([2]int{ctx, c}, group{label: label, style: c - 1, dashed: ctx%2 == 1}, i)
		case decision:
		case cuts != nil && !math.IsNaN(value[i]):
			b := sort.SearchFloat64s(cuts, value[i])
			b = min(b, len(cuts)-1)
			lo := cuts[max(b-1, 0)]
			if b == 0 {
				lo = slices.Min(value)
			}
			add([2]int{0, b}, group{label: fmt.Sprintf("value %.4g–%.4g", lo, cuts[b]), style: b}, i)
		default:
			add([2]int{}, group{label: "all trials"}, i)
		}
	}
	keys := make([][2]int, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]int) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	var gs []group
	for _, k := range keys {
		gs = append(gs, *byKey[k])
	}
	return gs
}

// quartiles returns the upper edges of the four quartile bins of the
// finite values of v (the last is the maximum).
func quartiles(v []float64) []float64 {
	var s []float64
	for _, x := range v {
		if !math.IsNaN(x) {
			s = append(s, x)
		}
	}
	sort.Float64s(s)
	var cuts []float64
	for q := 1; q <= 4; q++ {
		c := s[min(len(s)-1, q*len(s)/4)]
		if q == 4 {
			c = s[len(s)-1]
		}
		if len(cuts) == 0 || c > cuts[len(cuts)-1] {
			cuts = append(cuts, c)
		}
	}
	return cuts
}

// groupMeans returns each group's trial-averaged rates, [groups][steps][N]
// (analysis.ConditionMeans).
func groupMeans(t *trialTable, gs []group) [][][]float64 {
	trials := make([][]int, len(gs))
	for g, gr := range gs {
		trials[g] = gr.trials
	}
	return analysis.ConditionMeans(t.rates, t.T, t.N, t.length, trials)
}

// timeAxis returns the times of T steps and their label.
func (t *trialTable) timeAxis(T int) ([]float64, string) {
	x := make([]float64, T)
	for s := range x {
		x[s] = float64(s)
		if t.dt > 0 {
			x[s] *= t.dt
		}
	}
	if t.dt > 0 {
		return x, "time (ms)"
	}
	return x, "time step"
}

// unitPanels draws the k units whose condition-averaged rates vary most
// (over conditions and time), one panel each, one line per condition.
func unitPanels(t *trialTable, gs []group, means [][][]float64, k int) (plots.Panels, bool) {
	if len(gs) == 0 {
		return plots.Panels{}, false
	}
	variance := make([]float64, t.N)
	for u := range t.N {
		var s, s2, n float64
		for _, m := range means {
			for _, row := range m {
				s, s2, n = s+row[u], s2+row[u]*row[u], n+1
			}
		}
		if n > 0 {
			variance[u] = s2/n - (s/n)*(s/n)
		}
	}
	order := make([]int, t.N)
	for u := range order {
		order[u] = u
	}
	sort.SliceStable(order, func(a, b int) bool { return variance[order[a]] > variance[order[b]] })
	order = order[:min(k, t.N)]
	slices.Sort(order)
	var ps plots.Panels
	ps.Cols = 2
	for _, u := range order {
		pn := plots.Panel{Title: fmt.Sprintf("unit %d", u+1), YLabel: "rate (trial average)"}
		for g, gr := range gs {
			x, label := t.timeAxis(len(means[g]))
			pn.XLabel = label
			y := make([]float64, len(x))
			for s := range y {
				y[s] = means[g][s][u]
			}
			pn.Series = append(pn.Series, plots.Series{Label: fmt.Sprintf("%s (%d trials)", gr.label, len(gr.trials)), X: x, Y: y, Style: gr.style, Dashed: gr.dashed})
		}
		ps.Panels = append(ps.Panels, pn)
	}
	return ps, true
}

// pcaPanel projects the condition-averaged trajectories onto their first
// two principal components (analysis.TrialAveragedPCA: of the rates of
// every condition and step, centred) and draws PC 2 against PC 1 and both
// against time.
func pcaPanel(t *trialTable, gs []group, means [][][]float64) (plots.Panels, bool) {
	rows := 0
	for _, m := range means {
		rows += len(m)
	}
	if rows < 3 || t.N < 2 {
		return plots.Panels{}, false
	}
	pca, err := analysis.TrialAveragedPCA(means, 2)
	if err != nil || pca.Explained[0] == 0 {
		return plots.Panels{}, false // no decomposition (non-finite or constant rates)
	}
	share := func(k int) string { return fmt.Sprintf("PC %d (%.0f%% of variance)", k+1, 100*pca.Explained[k]) }
	traj := plots.Panel{Title: "condition-averaged trajectories", XLabel: share(0), YLabel: share(1), MarkStart: true}
	pc1 := plots.Panel{Title: "PC 1 against time", YLabel: "PC 1"}
	pc2 := plots.Panel{Title: "PC 2 against time", YLabel: "PC 2"}
	for g, gr := range gs {
		T := len(means[g])
		a, b := make([]float64, T), make([]float64, T)
		for s, row := range means[g] {
			c := pca.Project(row)
			a[s], b[s] = c[0], c[1]
		}
		x, label := t.timeAxis(T)
		pc1.XLabel, pc2.XLabel = label, label
		s := plots.Series{Label: fmt.Sprintf("%s (%d trials)", gr.label, len(gr.trials)), Style: gr.style, Dashed: gr.dashed}
		traj.Series = append(traj.Series, plots.Series{Label: s.Label, X: a, Y: b, Style: s.Style, Dashed: s.Dashed})
		pc1.Series = append(pc1.Series, plots.Series{Label: s.Label, X: x, Y: a, Style: s.Style, Dashed: s.Dashed})
		pc2.Series = append(pc2.Series, plots.Series{Label: s.Label, X: x, Y: b, Style: s.Style, Dashed: s.Dashed})
	}
	return plots.Panels{Panels: []plots.Panel{traj, pc1, pc2}}, true
}

// tableRaster is the raster of the first k trials of a recording of a
// spiking or event-based net (t.raster), each up to its length.
func tableRaster(t *trialTable, k int) plots.Raster {
	fig := plots.Raster{DT: t.dt}
	for i := range min(k, t.trials) {
		steps := make([][]float64, t.steps(i))
		for s := range steps {
			row := t.raster[(i*t.T+s)*t.N : (i*t.T+s+1)*t.N]
			steps[s] = make([]float64, t.N)
			for j, v := range row {
				steps[s][j] = float64(v)
			}
		}
		fig.Trials = append(fig.Trials, plots.RasterTrial{Title: fmt.Sprintf("trial %d", i+1), Spikes: steps})
	}
	return fig
}

// tableTrials lays out up to k example trials of the table, one per
// (context, correct choice) first, as the trials figure of a run.
func tableTrials(t *trialTable, k int) plots.Trials {
	fig := plots.Trials{DT: t.dt, InputNames: t.inputNames, OutputNames: t.outputNames}
	seen := map[[2]float64]bool{}
	var pick []int
	for pass := 0; pass < 2 && len(pick) < k; pass++ {
		for i := 0; i < t.trials && len(pick) < k; i++ {
			var key [2]float64
			if c := t.vars["context"]; c != nil {
				key[0] = c[i]
			}
			if t.choice != nil {
				key[1] = float64(t.choice[i])
			}
			if slices.Contains(pick, i) || (pass == 0 && seen[key]) {
				continue
			}
			seen[key] = true
			pick = append(pick, i)
		}
	}
	at := func(x []float32, i, s, dim int) []float64 {
		v := make([]float64, dim)
		for j := range v {
			v[j] = float64(x[(i*t.T+s)*dim+j])
		}
		return v
	}
	for _, i := range pick {
		tr := plots.Trial{Title: fmt.Sprintf("trial %d", i+1)}
		if c := t.vars["context"]; c != nil && t.varies("context") {
			tr.Title += fmt.Sprintf(", context %d", int(c[i])+1)
		}
		if t.choice != nil && t.choice[i] >= 0 {
			tr.Title += fmt.Sprintf(", choice %d", t.choice[i])
		}
		for s := range t.steps(i) {
			tr.Inputs = append(tr.Inputs, at(t.inputs, i, s, t.nIn))
			tr.Targets = append(tr.Targets, at(t.targets, i, s, t.nOut))
			tr.Outputs = append(tr.Outputs, at(t.outputs, i, s, t.nOut))
			tr.Scored = append(tr.Scored, slices.ContainsFunc(at(t.mask, i, s, t.nOut), func(m float64) bool { return m > 0 }))
		}
		fig.Trials = append(fig.Trials, tr)
	}
	return fig
}
