package sweep

import (
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
