package checkpoints

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
)

// gruParams returns parameters shaped like a torch.nn.GRU layer with nIn
// inputs and h units, filled with distinct values from base.
func gruParams[T autodiff.Float](nIn, h int, base T) []*autodiff.Param[T] {
	ps := []*autodiff.Param[T]{
		autodiff.NewParam[T]("gru.weight_ih_l0", 3*h, nIn),
		autodiff.NewParam[T]("gru.weight_hh_l0", 3*h, h),
		autodiff.NewVector[T]("gru.bias_ih_l0", 3*h),
		autodiff.NewVector[T]("gru.bias_hh_l0", 3*h),
	}
	v := base
	for _, p := range ps {
		for i := range p.Value.Data {
			p.Value.Data[i] = v
			v++
		}
	}
	return ps
}

func TestFromParamsShapes(t *testing.T) {
	ts := FromParams(gruParams[float32](2, 16, 0))
	want := map[string]string{
		"gru.weight_ih_l0": "[48 2]", "gru.weight_hh_l0": "[48 16]",
		"gru.bias_ih_l0": "[48]", "gru.bias_hh_l0": "[48]",
	}
	for _, tt := range ts {
		if got := fmt.Sprint(tt.Shape); got != want[tt.Name] || tt.DType() != F32 {
			t.Errorf("%s: got %s %v, want %s F32", tt.Name, got, tt.DType(), want[tt.Name])
		}
	}
	if d := FromParams(gruParams[float64](1, 1, 0))[0].DType(); d != F64 {
		t.Errorf("float64 params stored as %v, want F64", d)
	}
}

func TestRestoreParams(t *testing.T) {
	src := gruParams[float32](2, 3, 1)
	c := &Checkpoint{Tensors: FromParams(src)}
	c.Tensors = append(c.Tensors, NewTensor(OptimizerTensorName("gru.bias_hh_l0", "exp_avg"), []int{9}, make([]float32, 9)))
	src[0].Value.Data[0] = -100 // FromParams copied: the checkpoint keeps 1
	dst := gruParams[float32](2, 3, 1000)
	if err := RestoreParams(c, dst); err != nil {
		t.Fatal(err)
	}
	want := gruParams[float32](2, 3, 1)
	for i, p := range dst {
		for k, v := range p.Value.Data {
			if v != want[i].Value.Data[k] {
				t.Fatalf("%s[%d]: got %v, want %v", p.Name, k, v, want[i].Value.Data[k])
			}
		}
	}
}

func TestRestoreParamsFloat64(t *testing.T) {
	src := gruParams[float64](1, 2, 0.25)
	path := filepath.Join(t.TempDir(), "c.safetensors")
	if err := Save(path, &Checkpoint{Tensors: FromParams(src)}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	dst := gruParams[float64](1, 2, -9)
	if err := RestoreParams(c, dst); err != nil {
		t.Fatal(err)
	}
	for i, p := range dst {
		if !slices.Equal(p.Value.Data, src[i].Value.Data) {
			t.Errorf("%s: got %v, want %v", p.Name, p.Value.Data, src[i].Value.Data)
		}
	}
}

func TestRestoreParamsMismatch(t *testing.T) {
	c := &Checkpoint{Tensors: FromParams(gruParams[float32](32, 32, 0)), Path: "run/checkpoint.safetensors"}
	c.Tensors = append(c.Tensors, NewTensor("readout.weight", []int{2, 32}, make([]float32, 64)))
	// The model: a smaller GRU with one parameter renamed.
	model := gruParams[float32](16, 16, 7)
	model[3].Name = "gru.bias_hh"
	err := RestoreParams(c, model)
	var me *MismatchError
	if !errors.As(err, &me) {
		t.Fatalf("got %v, want a *MismatchError", err)
	}
	want := "checkpoint run/checkpoint.safetensors does not fit the model:\n" +
		"\tparameter gru.weight_ih_l0: checkpoint has shape [96 32], model expects [48 16]\n" +
		"\tparameter gru.weight_hh_l0: checkpoint has shape [96 32], model expects [48 16]\n" +
		"\tparameter gru.bias_ih_l0: checkpoint has shape [96], model expects [48]\n" +
		"\tparameter gru.bias_hh: missing from the checkpoint (model expects shape [48])\n" +
		"\ttensor gru.bias_hh_l0 (shape [96]): not a parameter of the model\n" +
		"\ttensor readout.weight (shape [2 32]): not a parameter of the model"
	if err.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", err, want)
	}
	untouched := gruParams[float32](16, 16, 7)
	for i, p := range model {
		if !slices.Equal(p.Value.Data, untouched[i].Value.Data) {
			t.Errorf("parameter %s was modified by a failed restore", p.Name)
		}
	}

	// Right shapes, wrong dtype, and a duplicated model name.
	c64 := &Checkpoint{Tensors: FromParams(gruParams[float64](2, 2, 0))}
	m32 := gruParams[float32](2, 2, 0)
	m32 = append(m32, m32[0])
	err = RestoreParams(c64, m32)
	want = "checkpoint does not fit the model:\n" +
		"\tparameter gru.weight_ih_l0: checkpoint has dtype F64, model expects F32\n" +
		"\tparameter gru.weight_hh_l0: checkpoint has dtype F64, model expects F32\n" +
		"\tparameter gru.bias_ih_l0: checkpoint has dtype F64, model expects F32\n" +
		"\tparameter gru.bias_hh_l0: checkpoint has dtype F64, model expects F32\n" +
		"\tparameter gru.weight_ih_l0: the model has two parameters of this name"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

func TestCopyTensor(t *testing.T) {
	c := &Checkpoint{Tensors: []Tensor{NewTensor("optimizer/w.exp_avg_sq", []int{2, 2}, []float32{1, 2, 3, 4})}}
	dst := make([]float32, 4)
	if err := CopyTensor(c, "optimizer/w.exp_avg_sq", []int{2, 2}, dst); err != nil || dst[3] != 4 {
		t.Fatalf("got %v, %v", dst, err)
	}
	for _, tc := range []struct {
		name  string
		shape []int
		want  string
	}{
		{"optimizer/w.exp_avg", []int{2, 2}, "tensor optimizer/w.exp_avg: missing from the checkpoint (expected shape [2 2])"},
		{"optimizer/w.exp_avg_sq", []int{4, 1}, "tensor optimizer/w.exp_avg_sq: checkpoint has shape [2 2], expected [4 1]"},
	} {
		if err := CopyTensor(c, tc.name, tc.shape, dst); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
	if err := CopyTensor(c, "optimizer/w.exp_avg_sq", []int{2, 2}, make([]float64, 4)); err == nil || !strings.Contains(err.Error(), "checkpoint has dtype F32, expected F64") {
		t.Errorf("dtype mismatch: got %v", err)
	}
}

// TestCheckFinite: the first non-finite parameter entry is named with its
// index; optimizer state is not a parameter.
func TestCheckFinite(t *testing.T) {
	c := &Checkpoint{Path: "run.safetensors", Tensors: []Tensor{
		NewTensor("optimizer/w.exp_avg", []int{2}, []float32{float32(math.NaN()), 0}),
		NewTensor("w", []int{2, 3}, []float32{0, 1, 2, 3, 4, 5}),
		NewTensor("b", []int{3}, []float64{0, 1, 2}),
	}}
	if err := c.CheckFinite(); err != nil {
		t.Fatalf("finite parameters: %v", err)
	}
	c.Tensors[1].F32[4] = float32(math.Inf(-1))
	c.Tensors[2].F64[1] = math.NaN()
	err := c.CheckFinite()
	if err == nil || err.Error() != "checkpoint run.safetensors: parameter w has -Inf at [1 1]" {
		t.Errorf("got %v, want the first non-finite entry, w at [1 1]", err)
	}
	c.Tensors[1].F32[4] = 4
	if err := c.CheckFinite(); err == nil || !strings.Contains(err.Error(), "parameter b has NaN at [1]") {
		t.Errorf("float64 tensor: got %v", err)
	}
}

// TestFirstNonFinite: the first NaN or infinity of a tensor, float32 or
// float64, by its index in the tensor's shape; none in a finite one.
func TestFirstNonFinite(t *testing.T) {
	f32 := Tensor{Name: "a", Shape: []int{2, 3}, F32: []float32{0, 1, 2, 3, float32(math.Inf(-1)), float32(math.NaN())}}
	if idx, v, ok := f32.FirstNonFinite(); !ok || !slices.Equal(idx, []int{1, 1}) || !math.IsInf(v, -1) {
		t.Errorf("float32: %v %v %v, want [1 1] -Inf true", idx, v, ok)
	}
	f64 := Tensor{Name: "b", Shape: []int{3}, F64: []float64{0, math.NaN(), 1}}
	if idx, v, ok := f64.FirstNonFinite(); !ok || !slices.Equal(idx, []int{1}) || !math.IsNaN(v) {
		t.Errorf("float64: %v %v %v, want [1] NaN true", idx, v, ok)
	}
	fin := Tensor{Name: "c", Shape: []int{2}, F32: []float32{1, 2}}
	if idx, _, ok := fin.FirstNonFinite(); ok {
		t.Errorf("finite: %v, want none", idx)
	}
}
