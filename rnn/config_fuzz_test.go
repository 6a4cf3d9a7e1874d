package rnn

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzConfigJSON feeds Config.UnmarshalJSON any bytes: it must never
// panic, and a config it takes must marshal (unless Validate refuses it: a
// number given for an enum key reaches no UnmarshalText) to JSON that
// unmarshals into a fresh Config and marshals again to the same bytes.
func FuzzConfigJSON(f *testing.F) {
	for _, name := range ModelNames() {
		m, err := NewModelConfig(name)
		if err != nil {
			f.Fatal(err)
		}
		b, err := json.Marshal(Config{Model: m})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{`{"kind": "rnn", "hidden": 8}`, `{"kind": "leaky", "rec_mask": 3}`, `{"hidden": 8, "Hidden": 9}`,
		`{"kind": "ltc", "encoding": "morse"}`, `{"kind": "lif", "encoding": 7, "readout": -1}`, `{"kind": 3}`, `{"kind": "gru"} {}`,
		`{"kind": "nope"}`, `{"hidden": 1e400}`, `[]`, `null`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Config
		if json.Unmarshal(data, &c) != nil {
			return
		}
		b, err := json.Marshal(c)
		if err != nil {
			if c.Validate() == nil {
				t.Fatalf("config %q: Validate takes it but Marshal fails: %v", data, err)
			}
			return
		}
		var back Config
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("config %q marshals to %q, which does not unmarshal: %v", data, b, err)
		}
		b2, err := json.Marshal(back)
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("config %q marshals to %q, which marshals back to %q, %v", data, b, b2, err)
		}
	})
}
