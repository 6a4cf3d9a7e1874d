package autodiff

import (
	"strings"
	"testing"
)

// TestOpNames checks that every opcode has a name for panic messages.
func TestOpNames(t *testing.T) {
	for o := opcode(0); o < numOps; o++ {
		if s := o.String(); strings.HasPrefix(s, "opcode(") {
			t.Errorf("opcode %d has no name", o)
		}
	}
	if s := numOps.String(); !strings.HasPrefix(s, "opcode(") {
		t.Errorf("numOps.String() = %q, want the opcode(n) fallback", s)
	}
}
