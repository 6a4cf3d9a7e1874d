package checkpoints

import (
	"os"
	"testing"
)

func TestHolder(t *testing.T) {
	dir := t.TempDir()
	if pid, _, live := Holder(dir); pid != 0 || live {
		t.Errorf("no lock: Holder = %d, %v, want 0, false", pid, live)
	}
	l, err := LockRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if pid, h, live := Holder(dir); pid != os.Getpid() || h != host || !live {
		t.Errorf("locked: Holder = %d, %s, %v, want %d, %s, true", pid, h, live, os.Getpid(), host)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, _, live := Holder(dir); live {
		t.Error("unlocked: Holder is live")
	}
}
