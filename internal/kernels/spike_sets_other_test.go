//go:build noasm || !amd64

package kernels

// spikeKernelSets returns the exported functions, which run the plain
// loops here.
func spikeKernelSets() []spikeKernels { return []spikeKernels{apiSpikeKernels()} }
