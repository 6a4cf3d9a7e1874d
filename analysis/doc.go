// Package analysis evaluates and records trained networks: accuracy by a
// task's own scorer, per-condition tables, psychometric points, and
// recordings of rates, states and outputs for analysis in numpy. It is the
// science the command-line tool prints, kept in a library so that every
// command (eval, train's final evaluation, inactivation, fixed points,
// fitting) reuses it.
//
// # Overview
//
// A network enters through the small Runner interface: its sizes, and a
// Run that forwards a batch of trials and returns the outputs, the rates
// and, when asked, the state trajectories. Anything that can run trials
// fits; the package does not know how the network is built.
//
//	rep := analysis.Evaluate(net, task, analysis.EvalOptions{Trials: 1000, Draw: rng})
//	rec := analysis.Record(net, task, rng, nil, 200)
//	err := rec.WriteNPZ("rec.npz")
//	exs := analysis.Examples(net, task, rng, 3) // trials to draw
//
// Evaluate and Record take a task as it comes: a generated task's trials
// are drawn fresh; a dataset's split (tasks.Part, tasks.HeldOut) is walked
// in order, so held-out trials are never ones training drew. Reports name
// the trials they were measured on (Report.Split).
//
// Inactivate scores the same trials without and with an in-silico
// perturbation (Inactivation: silence or clamp a unit set during one of the
// task's periods or a range of steps), and Summarize pools the repeats of
// a random draw of units (Sample):
//
//	in := analysis.Inactivation{Units: []int{0, 3, 7}, Window: analysis.Window{Period: "delay"}}
//	eff := analysis.Inactivate(net, task, 1000, streams, in)
//	before, after := analysis.Summarize([]analysis.Report{eff.Before}), analysis.Summarize(eff.After)
//
// Summary.Interval95 is the 95 % interval of its accuracy: the Wilson score
// interval of the fraction correct (Wilson) for one evaluation; for
// several, the wider at each end of the mean ± t standard errors across
// evaluations (t the 0.975 quantile of Student's t with evaluations − 1
// degrees of freedom, 2.262 for 10) and Wilson's on one evaluation's
// trials, which every draw shares. Summary.PsychInterval95 is the same for
// each psychometric point's P(choice 1).
//
// An Inactivation may also cut connections between populations (Cuts: the
// Runner gets a Lesion, a mask of the recurrent weights over the window).
// Summary carries a logistic fit of the psychometric points per context
// (FitPsychometric: bias and slope), so the shift of both is after minus
// before.
//
// Regress regresses every unit's mean rate per trial on task variables
// (choice, coherence, context) over recorded trials; a unit is selective
// to a variable when the t statistic of its coefficient is at least
// SelectivityThreshold, and Selectivity.Populations names those sets
// ("context-selective") for an inactivation:
//
//	sel, err := analysis.Regress(rec.Rates, rec.Trials, rec.T, rec.N, lengths, vars)
//	units, err := sel.Selective("context", 10) // the 10 strongest
//
// # Shapes & layout
//
// Runner.Run takes and returns time-major slices, as package tasks' Batch:
// element (t, b, i) at (t·batch+b)·dim+i. A Recording is trial-major, as
// numpy users expect: element (n, t, i) at (n·T+t)·dim+i, so that
// numpy.load("rec.npz")["rates"][n, t, i] is unit i of trial n at step t.
//
// # Randomness
//
// Trials come from the EvalOptions.Draw generator and the network's
// private noise from EvalOptions.Noise (nil: noiseless); the caller seeds
// both, so an evaluation is reproducible from its seed.
//
// # Errors & panics
//
// Panics, with messages prefixed "analysis:", are for programmer errors:
// Evaluate and Record with no trials or no generator, a network whose input
// and output sizes are not the task's, RecordInputs and Regress with
// slices of the wrong length, Examples with k < 1, an Inactivation whose
// units or cuts are out of range or whose window names a period a trial
// does not have, Summarize of no reports, ConditionMeans of an empty
// condition, and Wilson of a proportion outside [0, 1]. Errors are returned for what a user's data or text decides:
// WriteNPZ (naming the file), Regress (a fit that cannot be made),
// Selective (an unknown variable), ParseUnits and ParsePopulations (a bad
// unit list or population file) and TrialAveragedPCA.
package analysis
