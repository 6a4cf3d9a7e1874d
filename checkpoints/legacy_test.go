package checkpoints

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
)

// versionFile returns a file of format version v holding, as that version
// wrote them, a one-output readout weight [N] (versions 1, 2) or [1, N]
// (3), its bias [1], and the Adam moment of the weight under the version's
// optimizer prefix. A non-empty shape replaces the weight's and moment's.
func versionFile(v, n int, shape string) []byte {
	prefix, own := OptimizerPrefix, fmt.Sprintf("[1,%d]", n)
	if v <= 2 {
		prefix, own = "optim.", fmt.Sprintf("[%d]", n)
	}
	if shape == "" {
		shape = own
	}
	var data []byte
	for i := range 2*n + 1 {
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(float32(i)))
	}
	h := fmt.Sprintf(`{"readout.weight":{"dtype":"F32","shape":%s,"data_offsets":[0,%d]},`+
		`"readout.bias":{"dtype":"F32","shape":[1],"data_offsets":[%d,%d]},`+
		`"%sreadout.weight.exp_avg":{"dtype":"F32","shape":%s,"data_offsets":[%d,%d]},`+
		`"__metadata__":{"format_version":"%d","rnntrain":"{\"format_version\":%d}"}}`,
		shape, 4*n, 4*n, 4*n+4, prefix, shape, 4*n+4, 8*n+4, v, v)
	return file(h, data)
}

// readout returns the parameters of a linear readout of n units onto one
// output: the weight a one-row matrix, the bias a vector.
func readout(n int) []*autodiff.Param[float32] {
	return []*autodiff.Param[float32]{autodiff.NewParam[float32]("readout.weight", 1, n), autodiff.NewVector[float32]("readout.bias", 1)}
}

// TestReadoutShape: a one-output readout weight is stored [1, N], as
// torch.nn.Linear(N, 1) holds it, and its bias [1].
func TestReadoutShape(t *testing.T) {
	ts := FromParams(readout(5))
	if got := [][]int{ts[0].Shape, ts[1].Shape}; !slices.Equal(got[0], []int{1, 5}) || !slices.Equal(got[1], []int{1}) {
		t.Errorf("readout shapes: got %v, want [[1 5] [1]]", got)
	}
}

// TestLegacyShapesAndNames: files of formats 1 and 2 stored the readout
// weight of one output as [N] and optimizer state as optim.…; they still
// restore, with their optimizer state under OptimizerPrefix. A format-3
// file with [N] is refused.
func TestLegacyShapesAndNames(t *testing.T) {
	for _, v := range []int{1, 2, 3} {
		t.Run(fmt.Sprint("format ", v), func(t *testing.T) {
			c, err := Unmarshal(versionFile(v, 4, ""))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := c.Tensor(OptimizerPrefix + "readout.weight.exp_avg"); !ok {
				t.Errorf("no tensor %sreadout.weight.exp_avg among %v", OptimizerPrefix, names(c))
			}
			ps := readout(4)
			if err := RestoreParams(c, ps); err != nil {
				t.Fatal(err)
			}
			if want := []float32{0, 1, 2, 3}; !slices.Equal(ps[0].Value.Data, want) || ps[1].Value.Data[0] != 4 {
				t.Errorf("restored %v, %v; want %v, [4]", ps[0].Value.Data, ps[1].Value.Data, want)
			}
			m := make([]float32, 4)
			if err := CopyTensor(c, OptimizerTensorName("readout.weight", "exp_avg"), Shape(ps[0]), m); err != nil || m[3] != 8 {
				t.Errorf("optimizer moment: got %v, %v; want [5 6 7 8]", m, err)
			}
		})
	}
	// A current file must hold the current shape.
	c, err := Unmarshal(versionFile(3, 4, "[4]"))
	if err != nil {
		t.Fatal(err)
	}
	err = RestoreParams(c, readout(4))
	if err == nil || !strings.Contains(err.Error(), "parameter readout.weight: checkpoint has shape [4], model expects [1 4]") {
		t.Errorf("format 3 file with a 1-D readout: got %v, want a shape mismatch", err)
	}
}

// TestLegacyNameClash: a format-2 file with optimizer state under both
// prefixes is refused rather than loaded with two tensors of one name.
func TestLegacyNameClash(t *testing.T) {
	h := `{"optim.w.exp_avg":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},` +
		`"optimizer/w.exp_avg":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},` +
		`"__metadata__":{"format_version":"2","rnntrain":"{\"format_version\":2}"}}`
	_, err := Unmarshal(file(h, make([]byte, 8)))
	if err == nil || !strings.Contains(err.Error(), "optim.w.exp_avg and optimizer/w.exp_avg") {
		t.Errorf("got %v, want the clash named", err)
	}
}

func names(c *Checkpoint) []string {
	var s []string
	for _, t := range c.Tensors {
		s = append(s, t.Name)
	}
	return s
}
