//go:build noasm || !amd64

package kernels

func expTo(dst, src []float32)     { expToGo(dst, src) }
func sigmoidTo(dst, src []float32) { sigmoidToGo(dst, src) }
func tanhTo(dst, src []float32)    { tanhToGo(dst, src) }
