package checkpoints

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strconv"
	"testing"
)

// metaFile returns a checkpoint file without tensors whose rnntrain
// metadata (the JSON string under __metadata__["rnntrain"]) is meta.
func metaFile(meta []byte) []byte {
	hdr, _ := json.Marshal(map[string]any{metadataKey: map[string]string{
		VersionKey: strconv.Itoa(FormatVersion), MetaKey: string(meta)}})
	return append(binary.LittleEndian.AppendUint64(nil, uint64(len(hdr))), hdr...)
}

// FuzzMeta fuzzes the metadata a checkpoint stores beside its tensors: the
// run config, metrics (with NaN and infinities as strings), random-stream
// states and optimizer state, as one JSON object. Unmarshal must not panic
// on any of it, and metadata it accepts must survive Marshal and Unmarshal
// with the same step, stage, config, metrics and stream states. The seeds
// are the metadata of real checkpoints and malformed variants.
func FuzzMeta(f *testing.F) {
	c := sample()
	c.Meta.FormatVersion = FormatVersion
	good, err := json.Marshal(&c.Meta)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(bytes.Replace(good, []byte(`"step":`), []byte(`"step":-`), 1))
	f.Add([]byte(`{"format_version":` + strconv.Itoa(FormatVersion) + `,"config":{"model":{"hidden":100000000}},"metrics":{"loss":"NaN","acc":"+Inf"},"rng":{"batch":"AAAA"}}`))
	f.Add([]byte(`{"format_version":` + strconv.Itoa(FormatVersion) + `,"metrics":{"loss":"nan"}}`))
	f.Add([]byte(`{"format_version":` + strconv.Itoa(FormatVersion) + `,"rng":{"batch":"!!"}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, meta []byte) {
		c, err := Unmarshal(metaFile(meta))
		if err != nil {
			return
		}
		data, err := Marshal(c)
		if err != nil {
			t.Fatalf("accepted metadata does not re-encode: %v", err)
		}
		c2, err := Unmarshal(data)
		if err != nil {
			t.Fatalf("re-encoded metadata is refused: %v", err)
		}
		m, m2 := c.Meta, c2.Meta
		if m.Step != m2.Step || m.Stage != m2.Stage || len(m.Metrics) != len(m2.Metrics) || len(m.RNG) != len(m2.RNG) {
			t.Fatalf("metadata changed on re-encoding: %+v then %+v", m, m2)
		}
		var a, b any
		if (json.Unmarshal(m.Config, &a) == nil) != (json.Unmarshal(m2.Config, &b) == nil) {
			t.Fatalf("config changed on re-encoding: %s then %s", m.Config, m2.Config)
		}
		for k, v := range m.RNG {
			if !bytes.Equal(v, m2.RNG[k]) {
				t.Fatalf("random stream %s changed on re-encoding", k)
			}
		}
	})
}
