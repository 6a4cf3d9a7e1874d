package checkpoints

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rnntrain/rnntrain/internal/files"
)

// LockName is the lock file a process holds in a run directory while it
// writes the run (see LockRun).
const LockName = ".rnntrain.lock"

// RunLock is the advisory lock of a run directory, held from LockRun to
// Unlock. Only one process at a time holds the lock of a directory.
type RunLock struct {
	dir  string
	file *os.File // nil after Unlock
}

// LockedError reports a run directory whose lock another live process
// holds.
type LockedError struct {
	Dir  string // the run directory
	PID  int    // the holder's process id, 0 if the lock file did not say
	Host string // the holder's host name, empty if the lock file did not say
}

func (e *LockedError) Error() string {
	who := "another process"
	if e.PID != 0 {
		who = fmt.Sprintf("process %d on host %s", e.PID, e.Host)
	}
	return fmt.Sprintf("run directory %s is in use by %s (lock file %s); wait for it to finish or choose another directory",
		e.Dir, who, filepath.Join(e.Dir, LockName))
}

// LockRun creates dir if needed and takes its lock: the file dir/LockName,
// locked with flock(2) (on systems without it, created exclusively) and
// holding the process id and host name of the holder. It fails with a
// *LockedError if a live process holds the lock. A lock left by a process
// that died is stale: flock locks end with their process, and an exclusive
// lock file whose holder on this host no longer runs is taken over.
//
// After taking the lock LockRun removes the temporary files an interrupted
// atomic write can leave in dir and dir/checkpoints (".NAME.tmp-*", and
// ".NAME-*" beside an existing NAME), which no live writer can own while the
// lock is held.
func LockRun(dir string) (*RunLock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock run directory: %w", err)
	}
	f, err := lockFile(dir)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	// The owner's pid and host, for the error a second run gets; a failure
	// to write them is this run's error, not a lock silently left empty.
	err = f.Truncate(0)
	if err == nil {
		_, err = f.WriteAt([]byte(fmt.Sprintf("%d %s\n", os.Getpid(), host)), 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock run directory %s: write %s: %w", dir, LockName, err)
	}
	l := &RunLock{dir: dir, file: f}
	for _, d := range []string{dir, filepath.Join(dir, StepsDir)} {
		if err := removeTemps(d); err != nil {
			l.Unlock()
			return nil, err
		}
	}
	return l, nil
}

// Unlock removes the lock file and releases the lock. Calling it again
// does nothing.
func (l *RunLock) Unlock() error {
	if l == nil || l.file == nil {
		return nil
	}
	// Removing before releasing means a waiting LockRun that opened the old
	// file sees it unlinked and retries on a fresh one (see lockFile).
	rerr := os.Remove(filepath.Join(l.dir, LockName))
	cerr := l.file.Close()
	l.file = nil
	if rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
		return fmt.Errorf("unlock run directory %s: %w", l.dir, rerr)
	}
	if cerr != nil {
		return fmt.Errorf("unlock run directory %s: %w", l.dir, cerr)
	}
	return nil
}

// readHolder parses a lock file's "pid host" line; zero values when it
// cannot, or when the lock file is not a regular file (files.OpenRegular:
// a FIFO would block the read).
func readHolder(path string) (pid int, host string) {
	f, _, err := files.OpenRegular(path)
	if err != nil {
		return 0, ""
	}
	b, err := io.ReadAll(io.LimitReader(f, 4097))
	f.Close()
	if err != nil || len(b) > 4096 {
		return 0, ""
	}
	fields := strings.Fields(string(b))
	if len(fields) != 2 {
		return 0, ""
	}
	pid, err = strconv.Atoi(fields[0])
	if err != nil || pid <= 0 {
		return 0, ""
	}
	return pid, fields[1]
}

// removeTemps deletes the leftovers of interrupted atomic writes in dir:
// ".NAME.tmp-*" (Save, SaveRun) and ".NAME-*" where NAME exists in dir
// (other atomic writers of a run directory: config.json, metrics.jsonl).
// A missing dir is not an error.
func removeTemps(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("clean run directory %s: %w", dir, err)
	}
	names := make(map[string]bool, len(ents))
	for _, e := range ents {
		names[e.Name()] = true
	}
	for _, e := range ents {
		if !IsTemp(e.Name(), names) || !e.Type().IsRegular() {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("clean run directory %s: %w", dir, err)
		}
	}
	return nil
}

// IsTemp reports whether name is a temporary file of an atomic write of
// one of names, the entries of its directory: a file LockRun removes.
func IsTemp(name string, names map[string]bool) bool {
	rest, ok := strings.CutPrefix(name, ".")
	if !ok || name == LockName {
		return false
	}
	if i := strings.LastIndex(rest, ".tmp-"); i > 0 {
		return digits(rest[i+len(".tmp-"):])
	}
	i := strings.LastIndex(rest, "-")
	return i > 0 && names[rest[:i]] && digits(rest[i+1:])
}

// digits reports whether s is a non-empty run of decimal digits, the random
// part os.CreateTemp puts in a name.
func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// lockExclusive takes the lock of dir by creating dir/LockName with
// O_EXCL. An existing lock file is stale, and replaced, if it names a
// process on this host that no longer runs; a lock file naming another
// host is never taken over (its process cannot be asked).
func lockExclusive(dir string) (*os.File, error) {
	path := filepath.Join(dir, LockName)
	host, _ := os.Hostname()
	for range 3 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("lock run directory %s: %w", dir, err)
		}
		pid, h := readHolder(path)
		if pid == 0 || h != host || files.Alive(pid) {
			return nil, &LockedError{Dir: dir, PID: pid, Host: h}
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("lock run directory %s: remove stale lock of dead process %d: %w", dir, pid, err)
		}
	}
	return nil, &LockedError{Dir: dir}
}

// Holder reports the process that holds the lock of run directory dir:
// its pid and host from the lock file, and whether it is live. A holder on
// another host is reported live (its process cannot be asked). No lock
// file, or an unreadable one, is no holder (pid 0, not live).
func Holder(dir string) (pid int, host string, live bool) {
	pid, host = readHolder(filepath.Join(dir, LockName))
	if pid == 0 {
		return 0, "", false
	}
	if h, _ := os.Hostname(); h != host {
		return pid, host, true
	}
	return pid, host, files.Alive(pid)
}
