package tasks

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzParseSettings feeds ParseSettings any bytes: it must never panic,
// and settings it takes marshal to JSON that it takes again and that
// marshals to the same bytes.
func FuzzParseSettings(f *testing.F) {
	for _, s := range []string{`{"noise":0,"coherences":[5],"split":"test"}`, `{"catch_fraction":1.5}`, `{"split":"holdout"}`, `{"steps":2,"copy_length":3,"symbols":1}`,
		`{}`, `null`, `{"noise":1e400}`, `{"coherences":[1,2,3,-1e300]}`, `{"split":"train"} {}`, `{"Split":"test","split":"train"}`, `{"x":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSettings(data)
		if err != nil {
			return
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("settings %q taken but do not marshal: %v", data, err)
		}
		s2, err := ParseSettings(b)
		if err != nil {
			t.Fatalf("settings %q marshal to %q, which ParseSettings refuses: %v", data, b, err)
		}
		if b2, err := json.Marshal(s2); err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("settings %q marshal to %q, which marshal back to %q, %v", data, b, b2, err)
		}
	})
}
