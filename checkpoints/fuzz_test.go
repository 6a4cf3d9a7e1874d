package checkpoints

import (
	"bytes"
	"testing"
)

// FuzzUnmarshal checks that no input makes Unmarshal panic, and that what it
// accepts re-encodes to a file it accepts again with the same tensors. The
// seed corpus (valid files and hand-made malformed ones) runs in every
// go test; go test -fuzz=FuzzUnmarshal explores further.
func FuzzUnmarshal(f *testing.F) {
	valid, err := Marshal(sample())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	// The checksum paths: a flipped data byte, a changed step in the
	// metadata, a malformed checksum, a damaged checksum key, and a file
	// without checksums.
	flipped := bytes.Clone(valid)
	flipped[len(flipped)-1] ^= 1
	f.Add(flipped)
	f.Add(bytes.Replace(valid, []byte(`\"step\":123`), []byte(`\"step\":124`), 1))
	malformed := bytes.Clone(valid)
	malformed[bytes.Index(malformed, []byte(`"`+DataSumKey+`":"`))+len(DataSumKey)+4] = 'x'
	f.Add(malformed)
	f.Add(bytes.Replace(valid, []byte(DataSumKey), []byte(DataSumKey[:len(DataSumKey)-1]+"7"), 1))
	f.Add(file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},`+metaJSON+`}`, make([]byte, 4)))
	f.Add([]byte{})
	f.Add(file(`{`+metaJSON+`}`, nil))
	f.Add(file(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},`+metaJSON+`}`, make([]byte, 8)))
	f.Add(file(`{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},`+metaJSON+`}`, make([]byte, 8)))
	f.Add(file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},`+metaJSON+`}`, make([]byte, 4)))
	f.Add(file(`{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]},`+metaJSON+`}`, make([]byte, 8)))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Unmarshal(data)
		if err != nil {
			return
		}
		again, err := Marshal(c)
		if err != nil {
			t.Fatalf("accepted checkpoint does not re-encode: %v", err)
		}
		c2, err := Unmarshal(again)
		if err != nil {
			t.Fatalf("re-encoded checkpoint is refused: %v", err)
		}
		if len(c2.Tensors) != len(c.Tensors) {
			t.Fatalf("re-encoding changed the tensor count from %d to %d", len(c.Tensors), len(c2.Tensors))
		}
	})
}

// FuzzCheckHeader checks that the header checks Load makes before it reads
// the data (headerLength, checkHeader) never panic and never refuse a file
// Unmarshal accepts, and that fileKind names no file Unmarshal accepts.
func FuzzCheckHeader(f *testing.F) {
	valid, err := Marshal(sample())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte(`{"seed": 1, "task": {"name": "context-dm"}}`))
	f.Add([]byte("PK\x03\x04\x14\x00\x00\x00"))
	f.Add([]byte("\x93NUMPY\x01\x00v\x00"))
	f.Add(file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},`+metaJSON+`}`, make([]byte, 4)))
	f.Add(file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},`+metaJSON+`}`, make([]byte, 8)))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, uerr := Unmarshal(data)
		if len(data) < 8 {
			return
		}
		n, err := headerLength(data, uint64(len(data)))
		if err == nil {
			err = checkHeader(data[8:8+n], uint64(len(data)))
		}
		if uerr == nil {
			if err != nil {
				t.Fatalf("Unmarshal accepts the file, the header check refuses it: %v", err)
			}
			if kind := fileKind(data); kind != "" {
				t.Fatalf("fileKind calls a checkpoint Unmarshal accepts %s", kind)
			}
		}
	})
}
