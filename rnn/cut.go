package rnn

import (
	"fmt"
	"strings"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// CutRecurrent lesions connections in place: it zeroes the recurrent
// weight from unit j to unit i for every pair with cut[i·N+j] set (N the
// number of units), as PsychRNN's connectivity mask does, and returns a
// function that puts the weights back. It works for every model whose
// layer has one recurrent weight matrix [G·N, N] in PyTorch's layout (G = 1
// for rnn, leaky, lif and alif; G = 3 gate blocks for gru and egru, each
// cut), or lists all its unit-to-unit weights of that form
// (layers.Coupled: ltc's recurrent weight and its gates G_d, G_u, G_b):
// the effective weight the fused op uses (Dale's |W|·D, a connectivity
// mask) is zero wherever the raw weight is. Between the cut
// and the restore the network must not be trained. It returns an error
// naming the model when its layer has no such matrix (lowrank: the
// connectivity is the product of its factors m·nᵀ/N, which a mask of
// single connections cannot cut). It panics if len(cut) is not N·N.
func (n *Network[T]) CutRecurrent(cut []bool) (restore func(), err error) {
	size := n.rec.Size()
	if len(cut) != size*size {
		panic(fmt.Sprintf("rnn: CutRecurrent mask of %d entries, want %d×%d", len(cut), size, size))
	}
	ws := n.wr // one matrix, unless the layer lists its couplings
	if c, ok := n.rec.(layers.Coupled[T]); ok {
		ws = c.ConnectionWeights()
	} else if len(ws) != 1 {
		ws = nil
	}
	fits := len(ws) > 0
	for _, p := range ws {
		fits = fits && p.Value.Cols == size && p.Value.Rows%size == 0
	}
	if !fits {
		return nil, fmt.Errorf("model %s has no recurrent weight matrix of %d×%d units to cut (its recurrent weights: %s)", n.cfg.Kind(), size, size, shapes(n.wr))
	}
	saved := make([]autodiff.Tensor[T], len(ws))
	for i, p := range ws {
		w := p.Value
		saved[i] = w.Clone()
		for g := 0; g < w.Rows/size; g++ {
			block := w.Data[g*size*size : (g+1)*size*size]
			for k, c := range cut {
				if c {
					block[k] = 0
				}
			}
		}
	}
	return func() {
		for i, p := range ws {
			p.Value.CopyFrom(saved[i])
		}
	}, nil
}

// shapes lists the names and shapes of ps: "m [64×1], n [64×1]".
func shapes[T autodiff.Float](ps []*autodiff.Param[T]) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprintf("%s [%d×%d]", p.Name, p.Value.Rows, p.Value.Cols)
	}
	return strings.Join(s, ", ")
}
