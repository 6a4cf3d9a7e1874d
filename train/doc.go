// Package train trains networks: losses, optimizers, learning-rate
// schedules, regularizers, and a small loop that reports through observers.
package train
