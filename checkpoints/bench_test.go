package checkpoints

import "testing"

// benchCheckpoint is a 512-unit leaky network's worth of float32 tensors
// plus Adam's two moments: about 3 × 0.27 M elements, 3.2 MB.
func benchCheckpoint() *Checkpoint {
	const n, in, out = 512, 8, 4
	c := &Checkpoint{Meta: Meta{Model: "leaky", Created: created}}
	for _, prefix := range []string{"", OptimizerPrefix + "m.", OptimizerPrefix + "v."} {
		c.Tensors = append(c.Tensors,
			NewTensor(prefix+"leaky.weight_hh", []int{n, n}, make([]float32, n*n)),
			NewTensor(prefix+"leaky.weight_ih", []int{n, in}, make([]float32, n*in)),
			NewTensor(prefix+"leaky.bias", []int{n}, make([]float32, n)),
			NewTensor(prefix+"readout.weight", []int{out, n}, make([]float32, out*n)))
	}
	return c
}

func BenchmarkMarshal(b *testing.B) {
	c := benchCheckpoint()
	data, _ := Marshal(c)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Marshal(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	data, err := Marshal(benchCheckpoint())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Unmarshal(data); err != nil {
			b.Fatal(err)
		}
	}
}
