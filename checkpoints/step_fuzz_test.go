package checkpoints

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseStep feeds parseStep any file name: it must never panic, take
// only the names step-N.safetensors that StepPath writes (N zero-padded to
// nine digits), and read back the step of every name StepPath writes.
func FuzzParseStep(f *testing.F) {
	for _, s := range []string{"step-000000123.safetensors", "step-1234567890.safetensors", "step-123.safetensors",
		"step-00000012x.safetensors", ".step-000000123.safetensors.tmp-1", "step-000000123.safetensors.tmp",
		"step-99999999999999999999.safetensors", "step-0000000030.safetensors", "step-01234567890.safetensors", "step--00000001.safetensors", "step-+00000001.safetensors", "step-.safetensors", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		n, ok := parseStep(name)
		if !ok {
			return
		}
		digits := strings.TrimSuffix(strings.TrimPrefix(name, stepPrefix), stepSuffix)
		if n < 0 || len(digits) < 9 || strings.Trim(digits, "0123456789") != "" || !strings.HasPrefix(name, stepPrefix) || !strings.HasSuffix(name, stepSuffix) {
			t.Fatalf("parseStep(%q) = %d, true for a name that is not step-N.safetensors", name, n)
		}
		back := filepath.Base(StepPath("run", n))
		if back != name {
			t.Fatalf("parseStep(%q) = %d, true, but StepPath(%d) names %q", name, n, n, back)
		}
		if m, ok := parseStep(back); !ok || m != n {
			t.Fatalf("parseStep(%q) = %d, %v; want %d, true (from %q)", back, m, ok, n, name)
		}
	})
}
