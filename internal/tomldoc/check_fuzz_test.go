package tomldoc

import "testing"

// FuzzCheck: Check never panics, and a document it accepts decodes to at
// most (MaxDepth+1)² levels: each of at most MaxDepth arrays and inline
// tables, and the document itself, may hold a key of MaxDepth parts.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"a = [[1.5], {b = \"[[\"}]\n", "[a.b]\nc.d = '''x'''\n", "a = \"\"\"\\\n[\"\"\"\"\n", "# [[\n1.2.3 = 4\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Check([]byte(s)) != nil {
			return
		}
		var v map[string]any
		if _, err := Decode([]byte(s), &v); err == nil {
			if d := depth(v); d > (MaxDepth+1)*(MaxDepth+1) {
				t.Errorf("Check accepted %q, which decodes %d levels deep", s, d)
			}
		}
	})
}

// depth returns the nesting of the decoded value v.
func depth(v any) int {
	d := 0
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			d = max(d, depth(e))
		}
	case []any:
		for _, e := range x {
			d = max(d, depth(e))
		}
	case []map[string]any:
		for _, e := range x {
			d = max(d, depth(e))
		}
	default:
		return 0
	}
	return d + 1
}
