package sweep

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadRun feeds ReadRun an attempts file of any contents: it must
// return a state or an error, never panic, count no more attempts than
// the file has lines, and name the first damaged line when it counts one.
func FuzzReadRun(f *testing.F) {
	f.Add([]byte(`{"event":"start","slurm":"12_3"}` + "\n" + `{"event":"end","exit":0,"wall_s":1.5}` + "\n"))
	f.Add([]byte(`{"event":"start"}` + "\n" + `{"event":"en`))
	f.Add([]byte(`{"event":"end","exit":-1,"wall_s":1e308}` + "\n" + `{"event":"end","wall_s":1e308}` + "\n"))
	f.Add([]byte("\x00\xff\n\n{}"))
	f.Add([]byte(`{"event":"start"}` + "\n" + `{"event":"en{"event":"start"}` + "\n \n" + `{"event":"stop"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, AttemptsFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		rs, err := ReadRun(dir)
		if err != nil {
			return
		}
		lines := 1
		for _, c := range data {
			if c == '\n' {
				lines++
			}
		}
		if rs.Attempts < 0 || rs.Attempts > lines {
			t.Fatalf("%d attempts from %d lines", rs.Attempts, lines)
		}
		if rs.Damaged < 0 || rs.Attempts+rs.Damaged > lines || (rs.Damaged > 0) != (rs.FirstDamaged >= 1 && rs.FirstDamaged <= lines) {
			t.Fatalf("%d damaged lines, the first line %d, and %d attempts of %d lines", rs.Damaged, rs.FirstDamaged, rs.Attempts, lines)
		}
	})
}

// FuzzReadResult feeds ReadResult an eval.json and a metrics.jsonl of any
// contents: a result or an error, never a panic, and no result with a
// number no evaluation gives.
func FuzzReadResult(f *testing.F) {
	f.Add([]byte(`{"step":100,"split":"fresh trials","accuracy":0.9,"accuracy_stderr":0.01,"mse":0.02}`),
		[]byte(`{"step":50,"loss":0.3}`+"\n"+`{"step":100,"loss":0.2}`+"\n"))
	f.Add([]byte(`{"step":-1,"accuracy":"x"}`), []byte(`{"loss":null}`))
	f.Add([]byte(`[]`), []byte("\x00"))
	f.Add([]byte(`{"step":100,"accuracy":1,"mse":8387,"cross_entropy":0.25}`), []byte(`{"step":100,"loss":0.2}`))
	f.Add([]byte(`{"accuracy":null,"mse":null,"cross_entropy":null}`), []byte{})
	f.Add([]byte(`{"cross_entropy":"x"}`), []byte{})
	f.Add([]byte(`{"step":10,"trials":-3,"accuracy":5,"accuracy_stderr":-0.1,"mse":-1,"weights_step":20}`), []byte{})
	f.Fuzz(func(t *testing.T, eval, metrics []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "eval.json"), eval, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "metrics.jsonl"), metrics, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := ReadResult(dir)
		if err != nil {
			return
		}
		if len(eval) == 0 {
			t.Fatal("an empty eval.json read as a result")
		}
		within := func(x, hi float64) bool { return math.IsNaN(x) || x >= 0 && x <= hi }
		if !within(r.Accuracy, 1) || !within(r.StdErr, 0.5) || !within(r.MSE, math.MaxFloat64) || r.CrossEntropy != nil && !within(*r.CrossEntropy, math.MaxFloat64) ||
			r.Steps < 0 || r.WeightsStep < 0 || r.WeightsStep > r.Steps {
			t.Fatalf("read %+v", r)
		}
	})
}
