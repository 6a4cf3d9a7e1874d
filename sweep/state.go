package sweep

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/internal/enum"
	"github.com/rnntrain/rnntrain/internal/files"
)

// State is where a point's run stands.
type State int

const (
	// Pending: not started.
	Pending State = iota
	// Queued: submitted to Slurm and waiting (squeue).
	Queued
	// Running: a live process holds the run directory's lock (or squeue
	// says the task runs).
	Running
	// Stopped: started and not finished, e.g. stopped by a signal after
	// saving a checkpoint, or killed; running it again resumes it.
	Stopped
	// Failed: its last process exited with a failure status.
	Failed
	// Done: finished, with its final evaluation (eval.json).
	Done
	// Killed: its last process ended without recording its end or
	// saving on the way out (SIGKILL, out of memory, a crashed node), so
	// its exit status is unknown; running it again resumes it from its
	// last checkpoint.
	Killed
)

// States lists every State in the order reports list them.
func States() []State { return []State{Pending, Queued, Running, Stopped, Killed, Failed, Done} }

// stateNames lists the states' text forms, indexed by State.
func stateNames() []string {
	return []string{Pending: "pending", Queued: "queued", Running: "running", Stopped: "stopped",
		Failed: "failed", Done: "done", Killed: "killed"}
}

// String returns the state's text form, or State(i) for a value that is
// none of the constants.
func (s State) String() string { return enum.Name(stateNames(), int(s), "State") }

// MarshalText implements encoding.TextMarshaler. It returns an error for a
// value that is none of the constants.
func (s State) MarshalText() ([]byte, error) {
	return enum.Text("sweep", stateNames(), int(s), "state")
}

// Exit statuses of a run stopped by a signal after saving (the train
// command's): SIGINT and SIGTERM or SIGHUP. Neither is a failure.
const (
	ExitInterrupted = 130
	ExitTerminated  = 75
)

// AttemptsFile is the file of a run directory with one JSON line per
// start and end of a process that ran the point (Attempt).
const AttemptsFile = "attempts.jsonl"

// PointFile is the point's config, written before the first launch.
const PointFile = "point.json"

// Attempt is one line of AttemptsFile: Event "start" or "end".
type Attempt struct {
	Event string  `json:"event"`
	Time  string  `json:"time"`
	Host  string  `json:"host,omitempty"`
	PID   int     `json:"pid,omitempty"`
	Slurm string  `json:"slurm_job,omitempty"` // array job and task, "123_4"
	Exit  int     `json:"exit"`
	WallS float64 `json:"wall_s,omitempty"`
	// Error is, on an end with a non-zero Exit, the error the run's
	// command returned (ErrorLine: one line of at most MaxErrorLen
	// bytes), "" if none.
	Error string `json:"error,omitempty"`
}

// MaxErrorLen bounds Attempt.Error.
const MaxErrorLen = 500

// ExitUnknown is RunState.Exit of a run whose last process recorded no
// end (State Killed).
const ExitUnknown = -1

// RunState is what a run directory says about its point.
type RunState struct {
	State State
	// Exit is the status of the last process that ended (0 if none), or
	// ExitUnknown if the last one started was killed before it could
	// record its end.
	Exit int
	// Error is the last ended process's Attempt.Error ("" if it gave
	// none, or if a process started since).
	Error string
	// Attempts counts the processes started; WallS sums the wall time of
	// those that recorded their end, and Killed counts those that did not
	// and no longer run (their wall time is not known).
	Attempts int
	WallS    float64
	Killed   int
	// Slurm is the array job and task of the last start under Slurm.
	Slurm string
	// Damaged counts the attempts file's lines that are not attempts
	// (cut by a process killed as it wrote one, edited since), which the
	// state leaves out; FirstDamaged is the first one's line, from 1.
	Damaged, FirstDamaged int
}

// maxAttemptsBytes bounds the attempts file (some 200 000 attempts), and
// maxAttemptLine a line of it (about 150 bytes as written).
const (
	maxAttemptsBytes = 64 << 20
	maxAttemptLine   = 64 << 10
)

// ReadRun reads the state of the run directory dir. A missing directory
// is Pending; an attempts file that is not a regular file, or that fails
// to read to its end (a line over 64 KiB, or the file over 64 MiB), is an
// error naming it. Its lines that are not attempts are left out and
// counted (RunState.Damaged).
func ReadRun(dir string) (RunState, error) {
	var rs RunState
	var open *Attempt // the last start, until its end
	path := filepath.Join(dir, AttemptsFile)
	f, _, err := files.OpenRegular(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return rs, fmt.Errorf("sweep: %w", err)
	default:
		lr := &io.LimitedReader{R: f, N: maxAttemptsBytes + 1}
		sc := bufio.NewScanner(lr)
		sc.Buffer(nil, maxAttemptLine)
		for n := 1; sc.Scan(); n++ {
			var a Attempt
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			if json.Unmarshal(sc.Bytes(), &a) != nil || a.Event != "start" && a.Event != "end" {
				if rs.Damaged++; rs.Damaged == 1 {
					rs.FirstDamaged = n
				}
				continue
			}
			switch a.Event {
			case "start":
				if open != nil {
					rs.Killed++ // started again: the last one never ended
				}
				rs.Attempts++
				rs.Exit, rs.Slurm, rs.Error = 0, a.Slurm, ""
				open = &a
			case "end":
				rs.Exit, rs.Error = a.Exit, ErrorLine(a.Error)
				rs.WallS += a.WallS
				open = nil
			}
		}
		err := sc.Err()
		f.Close()
		switch {
		case errors.Is(err, bufio.ErrTooLong):
			return rs, fmt.Errorf("sweep: %s: a line longer than %d bytes", path, maxAttemptLine)
		case err != nil:
			return rs, fmt.Errorf("sweep: %s: %w", path, err)
		case lr.N == 0:
			return rs, fmt.Errorf("sweep: %s: larger than %d MiB", path, maxAttemptsBytes>>20)
		}
	}
	exists := func(name string) bool { _, err := os.Stat(filepath.Join(dir, name)); return err == nil }
	_, _, live := checkpoints.Holder(dir)
	live = live || open != nil && running(*open)
	if open != nil && !live {
		rs.Killed++
	}
	switch {
	case live: // also while a finished run writes its last files
		rs.State = Running
	case exists("eval.json"):
		rs.State = Done
	case open != nil:
		rs.State, rs.Exit = Killed, ExitUnknown
	case rs.Exit != 0 && rs.Exit != ExitTerminated && rs.Exit != ExitInterrupted:
		rs.State = Failed
	case rs.Attempts > 0 || exists(checkpoints.LatestName):
		rs.State = Stopped
	}
	return rs, nil
}

// running reports whether the process that recorded the start a still
// runs, before it takes the run directory's lock: one of this host that is
// alive. One of another host cannot be asked; its lock (checkpoints.Holder)
// and, under Slurm, squeue tell.
func running(a Attempt) bool {
	h, _ := os.Hostname()
	return a.Host == h && a.PID > 0 && files.Alive(a.PID)
}

// ErrorLine is text as Attempt.Error holds it: its first line, control
// characters and invalid UTF-8 replaced, at most MaxErrorLen bytes (a
// longer line is cut at a character boundary and ends in "…").
func ErrorLine(text string) string {
	text, _, _ = strings.Cut(strings.ToValidUTF8(text, "\uFFFD"), "\n")
	text = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, text))
	if len(text) > MaxErrorLen {
		cut := MaxErrorLen - len("…")
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "…"
	}
	return text
}
