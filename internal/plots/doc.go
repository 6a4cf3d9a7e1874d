// Package plots draws the figures a training run and the analysis commands
// leave behind: training curves, example trials, psychometric curves,
// spike rasters, rank sweeps, dose-response curves of inactivations,
// state-space trajectories with fixed points, stimulus grids, unit
// rankings and sweep summaries, as PNG, SVG or PDF files.
//
// # Overview
//
// Each figure has a plain data type (Curves, Trials, Psychometric, ...)
// filled by the caller and a Write function that renders it with
// gonum.org/v1/plot and writes it in the format its path's extension names
// (.png at 110 dpi, .svg, .pdf; see Format), atomically: through a
// temporary file in the same directory and a rename, so the file is written
// in full or an error is returned naming it. Formats is the set a run writes each figure in; Formats.Paths gives
// a figure's file names.
//
// Legends sit right of the axes, never over the data; contexts, choices
// and channels are numbered from 1, and the choice axis of every decision
// figure is "P(choice 1)", the fraction of choices positive evidence calls
// for.
//
// # Shapes & layout
//
// Trial data are per trial and time-major: Inputs[t][i], Targets[t][k],
// Outputs[t][k], Scored[t]. Time is drawn in milliseconds when DT is set and
// in steps otherwise.
//
// # Errors & panics
//
// Write functions return errors for empty data, mismatched lengths, a path
// whose extension names no format and I/O failures; they never panic on
// user data.
package plots
