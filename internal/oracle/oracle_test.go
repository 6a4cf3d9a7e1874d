package oracle

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	ad "github.com/rnntrain/rnntrain/autodiff"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Both engines compute in float64 from identical values; only the order of
// the floating-point operations differs, so they must agree to rounding.
// (Measured with gorgonia v0.9.18: an unrolled float64 vanilla RNN and GRU
// agreed with a hand-written BPTT to 2e-15.)
const (
	relTol = 1e-10
	absTol = 1e-12
)

// model holds named parameter values shared by both engines.
type model struct {
	names  []string
	params map[string]*ad.Param[float64]
}

func newModel(rng *rand.Rand, shapes map[string][2]int, order []string, scale float64) *model {
	m := &model{names: order, params: map[string]*ad.Param[float64]{}}
	for _, name := range order {
		s := shapes[name]
		p := ad.NewParam[float64](name, s[0], s[1])
		for i := range p.Value.Data {
			p.Value.Data[i] = scale * rng.NormFloat64()
		}
		m.params[name] = p
	}
	return m
}

func randTensor(rng *rand.Rand, r, c int) ad.Tensor[float64] {
	t := ad.NewTensor[float64](r, c)
	for i := range t.Data {
		t.Data[i] = rng.NormFloat64()
	}
	return t
}

// ours runs loss on our engine and returns the loss and each parameter's
// gradient, by name.
func (m *model) ours(loss func(tp *ad.Tape[float64], v map[string]*ad.Var[float64]) *ad.Var[float64]) (float64, map[string][]float64) {
	tp := ad.NewTape[float64]()
	vars := map[string]*ad.Var[float64]{}
	for _, name := range m.names {
		m.params[name].ZeroGrad()
		vars[name] = tp.Param(m.params[name])
	}
	l := loss(tp, vars)
	tp.Backward(l)
	grads := map[string][]float64{}
	for _, name := range m.names {
		grads[name] = append([]float64(nil), m.params[name].Grad.Data...)
	}
	return l.Value.Data[0], grads
}

// graph wraps a gorgonia graph with helpers that panic on construction
// errors (a test bug, not a finding). gorgonia merges input nodes that share
// a name and shape, so every input gets a unique name.
type graph struct {
	g *G.ExprGraph
	n *int // inputs created so far
}

func newGraph() graph { return graph{G.NewGraph(), new(int)} }

func (g graph) unique(name string) string {
	*g.n++
	return fmt.Sprintf("%s#%d", name, *g.n)
}

func (g graph) matrix(name string, t ad.Tensor[float64]) *G.Node {
	data := append([]float64(nil), t.Data...)
	return G.NewMatrix(g.g, tensor.Float64, G.WithShape(t.Rows, t.Cols), G.WithName(g.unique(name)),
		G.WithValue(tensor.New(tensor.WithShape(t.Rows, t.Cols), tensor.WithBacking(data))))
}

func (g graph) vector(name string, data []float64) *G.Node {
	data = append([]float64(nil), data...)
	return G.NewVector(g.g, tensor.Float64, G.WithShape(len(data)), G.WithName(g.unique(name)),
		G.WithValue(tensor.New(tensor.WithShape(len(data)), tensor.WithBacking(data))))
}

// bias adds a [1, cols] bias b to every row of a.
func bias(a, b *G.Node) *G.Node { return G.Must(G.BroadcastAdd(a, b, nil, []byte{0})) }

func mm(a, b *G.Node) *G.Node  { return G.Must(G.Mul(a, b)) }
func add(a, b *G.Node) *G.Node { return G.Must(G.Add(a, b)) }
func sub(a, b *G.Node) *G.Node { return G.Must(G.Sub(a, b)) }
func had(a, b *G.Node) *G.Node { return G.Must(G.HadamardProd(a, b)) }

// maskedMSE is Σ m⊙(p−t)² / Σ m, the definition autodiff.MaskedMSE documents.
func (g graph) maskedMSE(name string, p *G.Node, target, mask ad.Tensor[float64]) *G.Node {
	d := sub(p, g.matrix(name+".target", target))
	num := G.Must(G.Sum(had(g.matrix(name+".mask", mask), G.Must(G.Square(d)))))
	var den float64
	for _, v := range mask.Data {
		den += v
	}
	return G.Must(G.Div(num, G.NewConstant(den)))
}

// maskedSoftmaxCE is Σ_i m_i·(−Σ_j t_ij log softmax(z_i)_j) / Σ m, the
// definition autodiff.MaskedSoftmaxCE documents, built from gorgonia's
// SoftMax and Log.
func (g graph) maskedSoftmaxCE(name string, z *G.Node, target ad.Tensor[float64], mask []float64) *G.Node {
	logp := G.Must(G.Log(G.Must(G.SoftMax(z))))
	rowCE := G.Must(G.Neg(G.Must(G.Sum(had(g.matrix(name+".target", target), logp), 1))))
	num := G.Must(G.Sum(had(g.vector(name+".mask", mask), rowCE)))
	var den float64
	for _, v := range mask {
		den += v
	}
	return G.Must(G.Div(num, G.NewConstant(den)))
}

// theirs builds the loss with build on a fresh gorgonia graph, runs it with
// a TapeMachine and returns the loss and gradients by name.
func (m *model) theirs(t *testing.T, build func(g graph, v map[string]*G.Node) *G.Node) (float64, map[string][]float64) {
	t.Helper()
	g := newGraph()
	nodes := map[string]*G.Node{}
	var wrt G.Nodes
	for _, name := range m.names {
		nodes[name] = g.matrix(name, m.params[name].Value)
		wrt = append(wrt, nodes[name])
	}
	cost := build(g, nodes)
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		t.Fatalf("gorgonia Grad: %v", err)
	}
	vm := G.NewTapeMachine(g.g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("gorgonia run: %v", err)
	}
	out := map[string][]float64{}
	for i, name := range m.names {
		out[name] = append([]float64(nil), grads[i].Value().Data().([]float64)...)
	}
	return cost.Value().Data().(float64), out
}

// compare asserts that both engines' losses and gradients agree.
func compare(t *testing.T, m *model, lossOurs, lossTheirs float64, ours, theirs map[string][]float64) {
	t.Helper()
	near := func(got, want float64) bool { return math.Abs(got-want) <= absTol+relTol*math.Abs(want) }
	if !near(lossOurs, lossTheirs) {
		t.Errorf("loss: got %.17g want %.17g (gorgonia)", lossOurs, lossTheirs)
	}
	var worst float64
	for _, name := range m.names {
		got, want := ours[name], theirs[name]
		if len(got) != len(want) {
			t.Fatalf("%s: %d gradient elements, gorgonia has %d", name, len(got), len(want))
		}
		nonzero := false
		for k := range got {
			if !near(got[k], want[k]) {
				t.Errorf("%s[%d]: got %.17g want %.17g (gorgonia)", name, k, got[k], want[k])
			}
			worst = max(worst, math.Abs(got[k]-want[k])/max(math.Abs(want[k]), 1e-300))
			nonzero = nonzero || want[k] != 0
		}
		if !nonzero {
			t.Errorf("%s: gorgonia's gradient is all zero, so the comparison shows nothing", name)
		}
	}
	t.Logf("loss %.6g, worst relative gradient difference %.2g", lossOurs, worst)
}
