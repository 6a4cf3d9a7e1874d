// Package tasks generates the trials of neuroscience tasks as data, with the
// timings of NeuroGym and of the Dubreuil/Valente low-rank papers as presets,
// the scorers those tools use, user datasets from .npz files, and sequential
// MNIST.
package tasks
