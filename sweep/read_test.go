package sweep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadersLongLine: a line of a run's attempts file or metrics.jsonl
// longer than the readers take is an error naming the file, not a read
// that stops there as if the file ended.
func TestReadersLongLine(t *testing.T) {
	long := `{"pad":"` + strings.Repeat("x", 2<<20) + `"}` + "\n"
	t.Run("attempts", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, AttemptsFile)
		data := `{"event":"start","time":"t0"}` + "\n" + long + `{"event":"end","time":"t1","exit":1}` + "\n"
		require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
		rs, err := ReadRun(dir)
		require.Error(t, err, "got state %+v", rs)
		assert.Contains(t, err.Error(), path)
	})
	t.Run("metrics", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "eval.json"), []byte(`{"step":5,"accuracy":0.5}`), 0o644))
		path := filepath.Join(dir, "metrics.jsonl")
		data := `{"step":1,"loss":2}` + "\n" + long + `{"step":5,"loss":1}` + "\n"
		require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
		r, err := ReadResult(dir)
		require.Error(t, err, "got result %+v", r)
		assert.Contains(t, err.Error(), path)
	})
	t.Run("ordinary", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, AttemptsFile),
			[]byte(`{"event":"start","time":"t0"}`+"\n"+`{"event":"end","time":"t1","exit":1,"wall_s":2}`+"\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "eval.json"), []byte(`{"step":5,"accuracy":0.5}`), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "metrics.jsonl"), []byte(`{"step":1,"loss":2}`+"\n"+`{"step":5,"loss":1}`+"\n"), 0o644))
		rs, err := ReadRun(dir)
		require.NoError(t, err)
		assert.Equal(t, 1, rs.Attempts)
		assert.Equal(t, 1, rs.Exit)
		r, err := ReadResult(dir)
		require.NoError(t, err)
		assert.Equal(t, 1.0, r.Loss)
	})
}

// TestReadRunManyAttempts: an attempts file of more than 1 MiB (here 8000
// attempts) is read to its end, and one over the 64 MiB bound is an error
// naming it, not a read that stops there as if the file ended.
func TestReadRunManyAttempts(t *testing.T) {
	t.Parallel()
	const n = 8000
	dir := t.TempDir()
	path := filepath.Join(dir, AttemptsFile)
	var b bytes.Buffer
	for i := range n {
		exit := ExitTerminated
		if i == n-1 {
			exit = 1
		}
		for _, a := range []Attempt{
			{Event: "start", Time: "2026-12-07T05:00:00Z", Host: "node01", PID: 10000 + i, Slurm: fmt.Sprintf("123_%d", i)},
			{Event: "end", Time: "2026-12-07T05:01:00Z", Host: "node01", PID: 10000 + i, Exit: exit, WallS: 0.5},
		} {
			line, err := json.Marshal(a)
			require.NoError(t, err)
			b.Write(append(line, '\n'))
		}
	}
	require.Greater(t, b.Len(), 1<<20)
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	rs, err := ReadRun(dir)
	require.NoError(t, err)
	assert.Equal(t, RunState{State: Failed, Exit: 1, Attempts: n, WallS: 0.5 * n, Slurm: fmt.Sprintf("123_%d", n-1)}, rs)

	// Lines of no JSON (as a killed process may leave) up to just over
	// the bound.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	junk := bytes.Repeat([]byte(strings.Repeat("x", 1023)+"\n"), 1024) // 1 MiB
	for range maxAttemptsBytes/len(junk) + 1 {
		_, err := f.Write(junk)
		require.NoError(t, err)
	}
	require.NoError(t, f.Close())
	rs, err = ReadRun(dir)
	require.Error(t, err, "got state %+v", rs)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "larger than 64 MiB")
}

// TestReadRunKilled: a run whose last process recorded its start but not
// its end, and no longer runs (SIGKILL, out of memory), is Killed with an
// unknown exit status, not Stopped with status 0; one whose process still
// runs, before it takes the lock, is Running; an earlier attempt killed is
// counted under a later one that ended.
func TestReadRunKilled(t *testing.T) {
	t.Parallel()
	host, err := os.Hostname()
	require.NoError(t, err)
	dead := exec.Command("true")
	require.NoError(t, dead.Run())
	write := func(t *testing.T, as ...Attempt) string {
		dir := t.TempDir()
		var b bytes.Buffer
		for _, a := range as {
			line, err := json.Marshal(a)
			require.NoError(t, err)
			b.Write(append(line, '\n'))
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, AttemptsFile), b.Bytes(), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "checkpoint.safetensors"), nil, 0o644))
		return dir
	}
	killed := Attempt{Event: "start", Time: "t0", Host: host, PID: dead.Process.Pid}
	rs, err := ReadRun(write(t, killed))
	require.NoError(t, err)
	assert.Equal(t, RunState{State: Killed, Exit: ExitUnknown, Attempts: 1, Killed: 1}, rs)
	assert.Equal(t, "killed", rs.State.String())

	rs, err = ReadRun(write(t, Attempt{Event: "start", Time: "t0", Host: host, PID: os.Getpid()}))
	require.NoError(t, err)
	assert.Equal(t, Running, rs.State)

	rs, err = ReadRun(write(t, killed, Attempt{Event: "start", Time: "t1", Host: host, PID: 2},
		Attempt{Event: "end", Time: "t2", Host: host, PID: 2, Exit: ExitTerminated, WallS: 1.5}))
	require.NoError(t, err)
	assert.Equal(t, RunState{State: Stopped, Exit: ExitTerminated, Attempts: 2, WallS: 1.5, Killed: 1}, rs)
}

// TestReadResultImpossible: an eval.json holding a number no evaluation
// gives (edited by hand) is an error naming the file and the key, not a
// result.
func TestReadResultImpossible(t *testing.T) {
	for _, c := range []struct{ eval, want string }{
		{`{"step":5,"accuracy":5}`, "accuracy 5: want a number from 0 to 1"},
		{`{"step":5,"accuracy":-0.5}`, "accuracy -0.5"},
		{`{"step":5,"accuracy":0.5,"accuracy_stderr":-0.01}`, "accuracy_stderr -0.01"},
		{`{"step":5,"accuracy_stderr":0.7}`, "accuracy_stderr 0.7: want a number from 0 to 0.5"},
		{`{"step":5,"mse":-2}`, "mse -2"},
		{`{"step":5,"cross_entropy":-1}`, "cross_entropy -1"},
		{`{"step":5,"trials":-1000}`, "trials -1000"},
		{`{"step":-5}`, "step -5"},
		{`{"step":5,"weights_step":6}`, "weights_step 6"},
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "eval.json")
		require.NoError(t, os.WriteFile(path, []byte(c.eval), 0o644))
		r, err := ReadResult(dir)
		require.Error(t, err, "%s: got result %+v", c.eval, r)
		assert.Contains(t, err.Error(), path)
		assert.Contains(t, err.Error(), c.want)
	}
}

// TestReadRunError: a failed run's state carries the error its last
// process recorded at its end, one line of at most MaxErrorLen bytes, cut
// at a character boundary and marked; a later start clears it.
func TestReadRunError(t *testing.T) {
	t.Parallel()
	write := func(t *testing.T, lines ...string) string {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, AttemptsFile), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
		return dir
	}
	start := `{"event":"start","time":"t0","host":"elsewhere","pid":1}`
	rs, err := ReadRun(write(t, start, `{"event":"end","time":"t1","exit":1,"error":"step 3: diverged\nsecond line\u0007"}`))
	require.NoError(t, err)
	assert.Equal(t, Failed, rs.State)
	assert.Equal(t, "step 3: diverged", rs.Error)

	long := strings.Repeat("é", MaxErrorLen) // two bytes each
	rs, err = ReadRun(write(t, start, `{"event":"end","time":"t1","exit":1,"error":"`+long+`"}`))
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("é", (MaxErrorLen-3)/2)+"…", rs.Error)
	assert.LessOrEqual(t, len(rs.Error), MaxErrorLen)

	rs, err = ReadRun(write(t, start, `{"event":"end","time":"t1","exit":1,"error":"bell\u0007 and tab\t"}`, `{"event":"start","time":"t2","host":"elsewhere","pid":2}`))
	require.NoError(t, err)
	assert.Empty(t, rs.Error, "a later start clears the error")
	assert.Equal(t, "a b", ErrorLine("a\tb\t"))
	assert.Equal(t, "bad \uFFFD byte", ErrorLine("bad \xff byte"))
}
