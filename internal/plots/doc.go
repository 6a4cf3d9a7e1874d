// Package plots draws the figures a training run leaves behind, as PNG files:
// training curves, example trials and psychometric curves.
//
// # Overview
//
// Each figure has a plain data type (Curves, Trials, Psychometric) filled by
// the caller and a Write function that renders it with gonum.org/v1/plot and
// writes the PNG atomically enough for a run directory: the file is written
// in full or an error is returned naming it.
//
// # Shapes & layout
//
// Trial data are per trial and time-major: Inputs[t][i], Targets[t][k],
// Outputs[t][k], Scored[t]. Time is drawn in milliseconds when DT is set and
// in steps otherwise.
//
// # Errors & panics
//
// Write functions return errors for empty data, mismatched lengths and I/O
// failures; they never panic on user data.
package plots
