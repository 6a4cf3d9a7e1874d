package sweep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
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
