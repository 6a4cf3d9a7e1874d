//go:build noasm || !amd64

package kernels

// kernelsFor lists the micro-kernels usable on this machine, best first.
func kernelsFor[E float32 | float64]() []kernel[E] {
	return []kernel[E]{goKernel[E]()}
}

// bestKernel returns the fastest micro-kernel usable on this machine.
func bestKernel[E float32 | float64]() kernel[E] { return goKernel[E]() }
