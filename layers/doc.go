// Package layers holds recurrent cells and readouts: leaky and vanilla rate
// RNNs, GRU in PyTorch's layout, low-rank RNNs, and linear layers.
package layers
