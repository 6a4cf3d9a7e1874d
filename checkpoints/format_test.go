package checkpoints

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// created is a fixed creation time so that encoded bytes are reproducible.
var created = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

// sample returns a checkpoint with F32 and F64 tensors (including a scalar,
// an empty tensor and non-finite values with NaN payloads) and full Meta.
func sample() *Checkpoint {
	rng := rand.New(rand.NewPCG(1, 2))
	w := make([]float32, 12)
	for i := range w {
		w[i] = rng.Float32()*2 - 1
	}
	w[3] = math.Float32frombits(0x7fc01234) // quiet NaN with a payload
	w[4] = math.Float32frombits(0xff800001) // signalling NaN, sign bit set
	w[5] = float32(math.Inf(-1))
	w[6] = math.Float32frombits(0x80000000) // -0
	w[7] = math.Float32frombits(1)          // smallest subnormal
	d := []float64{math.Float64frombits(0x7ff0000000000abc), math.Inf(1), math.Copysign(0, -1), math.SmallestNonzeroFloat64, 1.0 / 3}
	pcg := rand.NewPCG(7, 8)
	pcg.Uint64()
	m := Meta{
		Model:     "gru",
		Task:      "flip-flop",
		Step:      123,
		Config:    json.RawMessage(`{"hidden":4,"lr":0.001}`),
		Metrics:   Metrics{"loss": math.NaN(), "accuracy": 0.5, "grad_norm": math.Inf(1)},
		Optimizer: json.RawMessage(`{"kind":"adam","t":123}`),
		Created:   created,
		ElapsedS:  12.5,
	}
	if err := m.SetRNG("data", pcg); err != nil {
		panic(err)
	}
	return &Checkpoint{Meta: m, Tensors: []Tensor{
		{Name: "gru.weight_hh_l0", Shape: []int{3, 4}, F32: w},
		{Name: "gru.bias_hh_l0", Shape: []int{5}, F64: d},
		{Name: "scale", Shape: []int{}, F32: []float32{2.5}},
		{Name: "empty", Shape: []int{0, 3}, F64: []float64{}},
		{Name: "optimizer/gru.weight_hh_l0.exp_avg", Shape: []int{2, 2}, F32: []float32{1, 2, 3, 4}},
	}}
}

// file assembles a safetensors file from a header and data, for crafting
// malformed inputs.
func file(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

// metaJSON is a valid __metadata__ member for hand-made headers.
const metaJSON = `"__metadata__":{"format_version":"1","rnntrain":"{\"format_version\":1,\"model\":\"\",\"task\":\"\",\"step\":0,\"created\":\"2026-11-28T00:00:00Z\"}"}`

func TestRoundTripBitExact(t *testing.T) {
	c := sample()
	data, err := Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Tensors) != len(c.Tensors) {
		t.Fatalf("got %d tensors, want %d", len(got.Tensors), len(c.Tensors))
	}
	for _, want := range c.Tensors {
		g, ok := got.Tensor(want.Name)
		if !ok {
			t.Fatalf("tensor %s missing after round trip", want.Name)
		}
		if g.DType() != want.DType() || !slices.Equal(g.Shape, want.Shape) || g.Len() != want.Len() {
			t.Fatalf("tensor %s: got %v %v len %d, want %v %v len %d", want.Name, g.DType(), g.Shape, g.Len(), want.DType(), want.Shape, want.Len())
		}
		for i := range want.F32 {
			if math.Float32bits(g.F32[i]) != math.Float32bits(want.F32[i]) {
				t.Errorf("%s[%d]: got bits %#x, want %#x", want.Name, i, math.Float32bits(g.F32[i]), math.Float32bits(want.F32[i]))
			}
		}
		for i := range want.F64 {
			if math.Float64bits(g.F64[i]) != math.Float64bits(want.F64[i]) {
				t.Errorf("%s[%d]: got bits %#x, want %#x", want.Name, i, math.Float64bits(g.F64[i]), math.Float64bits(want.F64[i]))
			}
		}
	}
	m := got.Meta
	if m.FormatVersion != FormatVersion || m.Model != "gru" || m.Task != "flip-flop" || m.Step != 123 || !m.Created.Equal(created) {
		t.Errorf("meta: got %+v", m)
	}
	if string(m.Config) != string(c.Meta.Config) || string(m.Optimizer) != string(c.Meta.Optimizer) {
		t.Errorf("meta JSON: got config %s optimizer %s, want %s %s", m.Config, m.Optimizer, c.Meta.Config, c.Meta.Optimizer)
	}
	if !math.IsNaN(m.Metrics["loss"]) || !math.IsInf(m.Metrics["grad_norm"], 1) || m.Metrics["accuracy"] != 0.5 {
		t.Errorf("metrics: got %v, want loss NaN, grad_norm +Inf, accuracy 0.5", m.Metrics)
	}
	// The restored stream continues where the saved one was.
	want := rand.NewPCG(7, 8)
	want.Uint64()
	var restored rand.PCG
	if err := m.RestoreRNG("data", &restored); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if g, w := restored.Uint64(), want.Uint64(); g != w {
			t.Fatalf("restored stream draw %d: got %d, want %d", i, g, w)
		}
	}
	if err := m.RestoreRNG("noise", &restored); err == nil || !strings.Contains(err.Error(), `"noise": not in checkpoint (has [data])`) {
		t.Errorf("RestoreRNG of a missing stream: got %v", err)
	}
	if err := m.RestoreRNG("data", rand.NewChaCha8([32]byte{})); err == nil {
		t.Error("RestoreRNG of a PCG state into ChaCha8 succeeded")
	}
}

func TestMarshalLayout(t *testing.T) {
	c := sample()
	a, err := Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	// The tensor order in c does not change the bytes.
	c.Tensors[0], c.Tensors[4] = c.Tensors[4], c.Tensors[0]
	b, err := Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Error("Marshal depends on the order of c.Tensors")
	}
	n := binary.LittleEndian.Uint64(a)
	if n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(a[8:8+n], &hdr); err != nil {
		t.Fatal(err)
	}
	var md map[string]string
	if err := json.Unmarshal(hdr[metadataKey], &md); err != nil {
		t.Fatalf("__metadata__ is not a string map: %v", err)
	}
	if md[VersionKey] != strconv.Itoa(FormatVersion) {
		t.Errorf("format_version: got %q, want %d", md[VersionKey], FormatVersion)
	}
	// F64 tensors come first, each tensor aligned to its element size.
	var e entry
	if err := json.Unmarshal(hdr["gru.bias_hh_l0"], &e); err != nil {
		t.Fatal(err)
	}
	if e.DataOffsets[0] != 0 {
		t.Errorf("first F64 tensor (by name) starts at %d, want 0", e.DataOffsets[0])
	}
	for name, r := range hdr {
		if name == metadataKey {
			continue
		}
		var e entry
		if err := json.Unmarshal(r, &e); err != nil {
			t.Fatal(err)
		}
		if (8+int64(n)+e.DataOffsets[0])%int64(e.DType.Size()) != 0 {
			t.Errorf("tensor %s at file offset %d is not aligned to %d", name, 8+int64(n)+e.DataOffsets[0], e.DType.Size())
		}
	}
}

func TestMarshalRefusesBadTensors(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    Tensor
		want string
	}{
		{"empty name", Tensor{Shape: []int{1}, F32: []float32{1}}, "tensor with shape [1] has an empty name"},
		{"reserved name", Tensor{Name: "__metadata__", Shape: []int{1}, F32: []float32{1}}, `tensor name "__metadata__" is reserved`},
		{"no dtype", Tensor{Name: "w", Shape: []int{0}}, "tensor w must set exactly one of F32 and F64"},
		{"both dtypes", Tensor{Name: "w", Shape: []int{1}, F32: []float32{1}, F64: []float64{1}}, "tensor w must set exactly one of F32 and F64"},
		{"short data", Tensor{Name: "w", Shape: []int{2, 3}, F32: make([]float32, 5)}, "tensor w: shape [2 3] needs 6 elements, has 5"},
		{"negative dim", Tensor{Name: "w", Shape: []int{-1}, F32: []float32{}}, "tensor w has invalid shape [-1]"},
	} {
		_, err := Marshal(&Checkpoint{Tensors: []Tensor{tc.t}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
	dup := []Tensor{{Name: "w", Shape: []int{1}, F32: []float32{1}}, {Name: "w", Shape: []int{1}, F64: []float64{1}}}
	if _, err := Marshal(&Checkpoint{Tensors: dup}); err == nil || !strings.Contains(err.Error(), "tensor name w appears twice") {
		t.Errorf("duplicate names: got %v", err)
	}
}

func TestUnmarshalTruncated(t *testing.T) {
	data, err := Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	n := int(binary.LittleEndian.Uint64(data))
	for _, tc := range []struct {
		cut  int
		want string
	}{
		{0, "file is 0 bytes, too short for the 8-byte header length"},
		{5, "file is 5 bytes, too short"},
		{8, "exceeds the 0 bytes that follow it"},
		{8 + n/2, "exceeds the"},
		{8 + n, "run past the 0 bytes of tensor data (truncated?)"},
		{8 + n + 20, "run past the 20 bytes of tensor data"},
		{len(data) - 1, "run past the"},
	} {
		_, err := Unmarshal(data[:tc.cut])
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("cut at %d of %d: got %v, want an error containing %q", tc.cut, len(data), err, tc.want)
		}
	}
	// Extra bytes after the data are an unindexed region, refused as well.
	_, err = Unmarshal(append(data, 0))
	if want := "but the data section holds"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("trailing byte: got %v, want %q", err, want)
	}
}

func TestUnmarshalMalformed(t *testing.T) {
	f32 := make([]byte, 8) // two F32 elements
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"header length beyond file", append(binary.LittleEndian.AppendUint64(nil, 1000), `{"a":1}`...), "header length 1000 exceeds the 7 bytes that follow it"},
		{"header too large", binary.LittleEndian.AppendUint64(nil, 1<<40), "header length 1099511627776 exceeds the limit of 100000000 bytes"},
		// Files a checkpoint is confused with are named.
		{"JSON file", []byte(`{"seed": 1, "task": {"name": "context-dm"}}`), "not a safetensors checkpoint: the file is JSON text"},
		{"npz file", []byte("PK\x03\x04\x14\x00\x00\x00rest"), "not a safetensors checkpoint: the file is a zip archive"},
		// A length whose first byte is '{' is a truncated file, not JSON.
		{"length of '{'", binary.LittleEndian.AppendUint64(nil, '{'), "header length 123 exceeds the 0 bytes that follow it"},
		{"not an object", file(`[1,2]`, nil), "header does not start with '{'"},
		{"corrupted JSON", file(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},`+metaJSON[:40], f32), "header is not a valid JSON object"},
		{"trailing garbage", file(`{`+metaJSON+`}x`, nil), "header has data after its JSON object"},
		{"invalid UTF-8", file("{\"\xff\":1}", nil), "header is not valid UTF-8"},
		{"empty name", file(`{"":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},`+metaJSON+`}`, f32), "header has a tensor with an empty name"},
		{"duplicate tensor", file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},`+metaJSON+`}`, f32), `header names "w" twice`},
		{"no metadata", file(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, f32), "header has no __metadata__: not an rnntrain checkpoint"},
		{"metadata not strings", file(`{"__metadata__":{"format_version":1}}`, nil), "__metadata__ must map strings to strings"},
		{"no version", file(`{"__metadata__":{"rnntrain":"{}"}}`, nil), `__metadata__ has no "format_version" key`},
		{"bad version", file(`{"__metadata__":{"format_version":"one"}}`, nil), `format_version "one" is not a format version`},
		{"no rnntrain key", file(`{"__metadata__":{"format_version":"1"}}`, nil), `__metadata__ has no "rnntrain" key`},
		{"bad meta JSON", file(`{"__metadata__":{"format_version":"1","rnntrain":"{\"step\":"}}`, nil), `__metadata__["rnntrain"] is not valid rnntrain metadata`},
		{"negative elapsed", file(`{"__metadata__":{"format_version":"1","rnntrain":"{\"format_version\":1,\"elapsed_s\":-3}"}}`, nil), "metadata elapsed_s -3 is negative"},
		{"versions disagree", file(`{"__metadata__":{"format_version":"1","rnntrain":"{\"format_version\":0}"}}`, nil), "metadata disagree on the format version: format_version is 1, rnntrain.format_version is 0"},
		{"unknown dtype", file(`{"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},`+metaJSON+`}`, f32), `tensor w: unsupported dtype "F16": rnntrain reads F32 and F64`},
		{"missing dtype", file(`{"w":{"shape":[2],"data_offsets":[0,8]},`+metaJSON+`}`, f32), "tensor w has no dtype"},
		{"missing shape", file(`{"w":{"dtype":"F32","data_offsets":[0,8]},`+metaJSON+`}`, f32), "tensor w has no shape"},
		{"missing offsets", file(`{"w":{"dtype":"F32","shape":[2]},`+metaJSON+`}`, f32), "tensor w has no data_offsets"},
		{"unknown field", file(`{"w":{"dtype":"F32","shape":[2],"data_offset":[0,8]},`+metaJSON+`}`, f32), `tensor w: json: unknown field "data_offset"`},
		{"negative dim", file(`{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]},`+metaJSON+`}`, f32), "tensor w: invalid shape [-2]"},
		{"three offsets", file(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]},`+metaJSON+`}`, f32), "tensor w: data_offsets [0 4 8] must be [begin, end]"},
		{"reversed offsets", file(`{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]},`+metaJSON+`}`, f32), "tensor w: data_offsets [8 0] must satisfy 0 ≤ begin ≤ end"},
		{"offsets past data", file(`{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},`+metaJSON+`}`, f32), "tensor w: data_offsets [0 16] run past the 8 bytes of tensor data"},
		{"shape mismatch", file(`{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]},`+metaJSON+`}`, f32), "tensor w: shape [3] of F32 needs 12 bytes, data_offsets [0 8] give 8"},
		{"dtype size mismatch", file(`{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,8]},`+metaJSON+`}`, f32), "tensor w: shape [2] of F64 needs 16 bytes, data_offsets [0 8] give 8"},
		{"overlap", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},`+metaJSON+`}`, f32), "tensor b: data_offsets [4 8] overlap tensor a, which ends at 8"},
		{"hole", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},`+metaJSON+`}`, f32), "tensor a: data_offsets [4 8] leave bytes [0 4) of the data unused"},
		{"unindexed tail", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},`+metaJSON+`}`, f32), "tensor data end at byte 4 but the data section holds 8 bytes"},
	} {
		_, err := Unmarshal(tc.file)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestUnmarshalAcceptsForeignValidFile(t *testing.T) {
	// A file from another safetensors writer: unpadded header, tensors in
	// another order, a scalar, extra metadata keys.
	data := make([]byte, 12)
	binary.LittleEndian.PutUint32(data[8:], math.Float32bits(1.5))
	binary.LittleEndian.PutUint64(data, math.Float64bits(-2))
	h := `{"s":{"dtype":"F32","shape":[],"data_offsets":[8,12]},"d":{"dtype":"F64","shape":[1,1],"data_offsets":[0,8]},` +
		`"__metadata__":{"format_version":"1","rnntrain":"{\"format_version\":1,\"step\":4,\"future_field\":true}","other":"x"}}`
	c, err := Unmarshal(file(h, data))
	if err != nil {
		t.Fatal(err)
	}
	if c.Tensors[0].Name != "d" || c.Tensors[0].F64[0] != -2 || c.Tensors[1].Name != "s" || c.Tensors[1].F32[0] != 1.5 || c.Meta.Step != 4 || c.Meta.ElapsedS != 0 {
		t.Errorf("got %+v", c)
	}
}

func TestNewerVersionRefused(t *testing.T) {
	_, err := Unmarshal(file(`{"__metadata__":{"format_version":"4","rnntrain":"{\"completely\":\"different\"}"}}`, nil))
	var ve *VersionError
	if !errors.As(err, &ve) || ve.Version != 4 {
		t.Fatalf("got %v, want a *VersionError for version 4", err)
	}
	if want := "checkpoint has format version 4; this rnntrain reads versions ≤ " + strconv.Itoa(FormatVersion) + ": upgrade rnntrain"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
}

func TestMetricsJSON(t *testing.T) {
	b, err := json.Marshal(Metrics{"a": math.NaN(), "b": math.Inf(-1), "c": 1e-300})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":"NaN","b":"-Inf","c":1e-300}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	var m Metrics
	if err := json.Unmarshal([]byte(`{"x":"Inf","y":2}`), &m); err != nil || !math.IsInf(m["x"], 1) || m["y"] != 2 {
		t.Errorf("got %v, %v", m, err)
	}
	if err := json.Unmarshal([]byte(`{"x":"big"}`), &m); err == nil || !strings.Contains(err.Error(), `metric "x": want a number, NaN, +Inf or -Inf, got "big"`) {
		t.Errorf("bad metric: got %v", err)
	}
	if err := json.Unmarshal([]byte(`{"x":[1]}`), &m); err == nil || !strings.Contains(err.Error(), `metric "x": want a number, got [1]`) {
		t.Errorf("bad metric: got %v", err)
	}
}

func TestDType(t *testing.T) {
	for _, d := range []DType{F32, F64} {
		b, err := d.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var got DType
		if err := got.UnmarshalText(b); err != nil || got != d {
			t.Errorf("%v: text %s round-trips to %v, %v", d, b, got, err)
		}
	}
	if _, err := DType(9).MarshalText(); err == nil {
		t.Error("DType(9).MarshalText succeeded")
	}
	if s := DType(9).String(); s != "DType(9)" {
		t.Errorf("got %q, want DType(9)", s)
	}
}
