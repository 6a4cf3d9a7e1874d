package oracle

import (
	"math/rand/v2"
	"testing"

	ad "github.com/rnntrain/rnntrain/autodiff"
	G "gorgonia.org/gorgonia"
)

type (
	v64  = ad.Var[float64]
	tp64 = ad.Tape[float64]
)

// TestChain: y = sigmoid(x·W1 + b1) ⊙ tanh(x·W2), p = y·W3ᵀ, masked MSE.
func TestChain(t *testing.T) {
	const n, in, hid, out = 6, 4, 5, 3
	rng := rand.New(rand.NewPCG(11, 1))
	m := newModel(rng, map[string][2]int{"w1": {in, hid}, "b1": {1, hid}, "w2": {in, hid}, "w3": {out, hid}},
		[]string{"w1", "b1", "w2", "w3"}, 0.7)
	x, target := randTensor(rng, n, in), randTensor(rng, n, out)
	mask := ad.NewTensor[float64](n, out)
	for i := range mask.Data {
		if i%5 != 2 {
			mask.Data[i] = 1
		}
	}
	lo, go_ := m.ours(func(tp *tp64, v map[string]*v64) *v64 {
		xv := tp.Const(x)
		y := ad.Mul(ad.Sigmoid(ad.Add(ad.MatMul(xv, false, v["w1"], false), v["b1"])), ad.Tanh(ad.MatMul(xv, false, v["w2"], false)))
		return ad.MaskedMSE(ad.MatMul(y, false, v["w3"], true), target, mask)
	})
	lt, gt := m.theirs(t, func(g graph, v map[string]*G.Node) *G.Node {
		xn := g.matrix("x", x)
		y := had(G.Must(G.Sigmoid(bias(mm(xn, v["w1"]), v["b1"]))), G.Must(G.Tanh(mm(xn, v["w2"]))))
		return g.maskedMSE("loss", mm(y, G.Must(G.Transpose(v["w3"]))), target, mask)
	})
	compare(t, m, lo, lt, go_, gt)
}

const steps = 5

// TestVanillaRNN: h_{t+1} = tanh(x_t·W_in + h_t·W_rec + b), y_t = h_{t+1}·W_out
// + b_out, the sum over steps of per-step masked MSEs, unrolled over 5 steps.
func TestVanillaRNN(t *testing.T) {
	const batch, in, hid, out = 3, 2, 6, 2
	rng := rand.New(rand.NewPCG(12, 1))
	m := newModel(rng, map[string][2]int{"w_in": {in, hid}, "w_rec": {hid, hid}, "b": {1, hid}, "w_out": {hid, out}, "b_out": {1, out}},
		[]string{"w_in", "w_rec", "b", "w_out", "b_out"}, 0.5)
	xs, targets, masks := make([]ad.Tensor[float64], steps), make([]ad.Tensor[float64], steps), make([]ad.Tensor[float64], steps)
	for s := range steps {
		xs[s], targets[s] = randTensor(rng, batch, in), randTensor(rng, batch, out)
		masks[s] = ad.NewTensor[float64](batch, out)
		for i := range masks[s].Data {
			masks[s].Data[i] = float64((i + s) % 2) // half the outputs scored, varying by step
		}
	}
	lo, go_ := m.ours(func(tp *tp64, v map[string]*v64) *v64 {
		h := tp.Const(ad.NewTensor[float64](batch, hid))
		var loss *v64
		for s := range steps {
			h = ad.Tanh(ad.Add(ad.Add(ad.MatMul(tp.Const(xs[s]), false, v["w_in"], false), ad.MatMul(h, false, v["w_rec"], false)), v["b"]))
			l := ad.MaskedMSE(ad.Add(ad.MatMul(h, false, v["w_out"], false), v["b_out"]), targets[s], masks[s])
			if loss == nil {
				loss = l
			} else {
				loss = ad.Add(loss, l)
			}
		}
		return loss
	})
	lt, gt := m.theirs(t, func(g graph, v map[string]*G.Node) *G.Node {
		h := g.matrix("h0", ad.NewTensor[float64](batch, hid))
		var loss *G.Node
		for s := range steps {
			h = G.Must(G.Tanh(bias(add(mm(g.matrix("x", xs[s]), v["w_in"]), mm(h, v["w_rec"])), v["b"])))
			l := g.maskedMSE("l", bias(mm(h, v["w_out"]), v["b_out"]), targets[s], masks[s])
			if loss == nil {
				loss = l
			} else {
				loss = add(loss, l)
			}
		}
		return loss
	})
	compare(t, m, lo, lt, go_, gt)
}

// gruNames lists the GRU's parameters in PyTorch's gate order r, z, n, in
// the x·W convention (W_i* are [in, H], W_h* are [H, H], biases [1, H]).
var gruNames = []string{"w_ir", "w_iz", "w_in", "b_ir", "b_iz", "b_in", "w_hr", "w_hz", "w_hn", "b_hr", "b_hz", "b_hn", "w_out"}

// TestGRU unrolls PyTorch's GRU over 5 steps:
//
//	r  = σ(x·W_ir + b_ir + h·W_hr + b_hr)
//	z  = σ(x·W_iz + b_iz + h·W_hz + b_hz)
//	n  = tanh(x·W_in + b_in + r ⊙ (h·W_hn + b_hn))
//	h' = (1 − z) ⊙ n + z ⊙ h
//
// with a softmax readout y_t = h'·W_out and a masked cross-entropy per step.
func TestGRU(t *testing.T) {
	const batch, in, hid, classes = 4, 3, 5, 3
	rng := rand.New(rand.NewPCG(13, 1))
	shapes := map[string][2]int{"w_out": {hid, classes}}
	for _, g := range []string{"r", "z", "n"} {
		shapes["w_i"+g], shapes["b_i"+g], shapes["w_h"+g], shapes["b_h"+g] = [2]int{in, hid}, [2]int{1, hid}, [2]int{hid, hid}, [2]int{1, hid}
	}
	m := newModel(rng, shapes, gruNames, 0.6)
	h0 := randTensor(rng, batch, hid)
	ones := ad.NewTensor[float64](batch, hid)
	for i := range ones.Data {
		ones.Data[i] = 1
	}
	xs, targets, masks := make([]ad.Tensor[float64], steps), make([]ad.Tensor[float64], steps), make([][]float64, steps)
	for s := range steps {
		xs[s] = randTensor(rng, batch, in)
		targets[s] = ad.NewTensor[float64](batch, classes)
		masks[s] = make([]float64, batch)
		for b := range batch {
			targets[s].Set(b, (b+s)%classes, 1) // one-hot
			if (b+s)%3 != 0 {
				masks[s][b] = 1
			}
		}
	}
	lo, go_ := m.ours(func(tp *tp64, v map[string]*v64) *v64 {
		lin := func(x, w, b *v64) *v64 { return ad.Add(ad.MatMul(x, false, w, false), b) }
		h := tp.Const(h0)
		var loss *v64
		for s := range steps {
			x := tp.Const(xs[s])
			r := ad.Sigmoid(ad.Add(lin(x, v["w_ir"], v["b_ir"]), lin(h, v["w_hr"], v["b_hr"])))
			z := ad.Sigmoid(ad.Add(lin(x, v["w_iz"], v["b_iz"]), lin(h, v["w_hz"], v["b_hz"])))
			n := ad.Tanh(ad.Add(lin(x, v["w_in"], v["b_in"]), ad.Mul(r, lin(h, v["w_hn"], v["b_hn"]))))
			h = ad.Add(ad.Mul(ad.Sub(tp.Const(ones), z), n), ad.Mul(z, h))
			l := ad.MaskedSoftmaxCE(ad.MatMul(h, false, v["w_out"], false), targets[s], ad.FromSlice(batch, 1, masks[s]))
			if loss == nil {
				loss = l
			} else {
				loss = ad.Add(loss, l)
			}
		}
		return loss
	})
	lt, gt := m.theirs(t, func(g graph, v map[string]*G.Node) *G.Node {
		lin := func(x, w, b *G.Node) *G.Node { return bias(mm(x, w), b) }
		h := g.matrix("h0", h0)
		one := g.matrix("ones", ones)
		var loss *G.Node
		for s := range steps {
			x := g.matrix("x", xs[s])
			r := G.Must(G.Sigmoid(add(lin(x, v["w_ir"], v["b_ir"]), lin(h, v["w_hr"], v["b_hr"]))))
			z := G.Must(G.Sigmoid(add(lin(x, v["w_iz"], v["b_iz"]), lin(h, v["w_hz"], v["b_hz"]))))
			n := G.Must(G.Tanh(add(lin(x, v["w_in"], v["b_in"]), had(r, lin(h, v["w_hn"], v["b_hn"])))))
			h = add(had(sub(one, z), n), had(z, h))
			l := g.maskedSoftmaxCE("l", mm(h, v["w_out"]), targets[s], masks[s])
			if loss == nil {
				loss = l
			} else {
				loss = add(loss, l)
			}
		}
		return loss
	})
	compare(t, m, lo, lt, go_, gt)
}

// TestElementwiseOps covers the remaining element-wise ops in one
// computation: u = x·W, q = (e^{0.3u} − tanh²u) ⊘ softplus(u) + |u| +
// relu(u) ⊙ log(softplus(u)), loss = mean(q).
func TestElementwiseOps(t *testing.T) {
	const n, in, out = 5, 3, 4
	rng := rand.New(rand.NewPCG(14, 1))
	m := newModel(rng, map[string][2]int{"w": {in, out}}, []string{"w"}, 0.8)
	x := randTensor(rng, n, in)
	lo, go_ := m.ours(func(tp *tp64, v map[string]*v64) *v64 {
		u := ad.MatMul(tp.Const(x), false, v["w"], false)
		sp := ad.Softplus(u)
		q := ad.Div(ad.Sub(ad.Exp(ad.Scale(u, 0.3)), ad.Square(ad.Tanh(u))), sp)
		q = ad.Add(ad.Add(q, ad.Abs(u)), ad.Mul(ad.ReLU(u), ad.Log(sp)))
		return ad.Mean(q)
	})
	lt, gt := m.theirs(t, func(g graph, v map[string]*G.Node) *G.Node {
		u := mm(g.matrix("x", x), v["w"])
		sp := G.Must(G.Softplus(u))
		e := G.Must(G.Exp(G.Must(G.Mul(u, G.NewConstant(0.3)))))
		q := G.Must(G.HadamardDiv(sub(e, G.Must(G.Square(G.Must(G.Tanh(u))))), sp))
		q = add(add(q, G.Must(G.Abs(u))), had(G.Must(G.Rectify(u)), G.Must(G.Log(sp))))
		return G.Must(G.Mean(q))
	})
	compare(t, m, lo, lt, go_, gt)
}
