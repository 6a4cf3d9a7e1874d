package checkpoints

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// FuzzReadHolder feeds readHolder a lock file of any contents: it must
// never panic, give a positive pid with a one-word host or nothing at all,
// and read back the "pid host" line a lock writes.
func FuzzReadHolder(f *testing.F) {
	for _, s := range []string{"123 node-1\n", "123 node-1", "0 host", "-5 host", "12 a b", "99999999999999999999 h", "", "\n\n", "1\thost\r\n", strings.Repeat("1 ", 3000)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, LockName)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		pid, host := readHolder(path)
		if pid == 0 && host == "" {
			return
		}
		if pid <= 0 || host == "" || strings.ContainsFunc(host, unicode.IsSpace) {
			t.Fatalf("readHolder(%q) = %d, %q", data, pid, host)
		}
		if err := os.WriteFile(path, fmt.Appendf(nil, "%d %s\n", pid, host), 0o600); err != nil {
			t.Fatal(err)
		}
		if p, h := readHolder(path); p != pid || h != host {
			t.Fatalf("readHolder of the line for %d %q = %d, %q", pid, host, p, h)
		}
	})
}
