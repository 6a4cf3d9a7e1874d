package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/analysis"
)

// TestReportLine: a report with no scored trial (every trial a catch
// trial) says the accuracy is undefined rather than 0 ± 0, which reads as
// a network that is always wrong.
func TestReportLine(t *testing.T) {
	for _, c := range []struct {
		rep  analysis.Report
		want string
	}{
		{analysis.Report{Task: "context-dm", Step: 5, Split: "fresh trials", Trials: 4, Accuracy: 0.75, StdErr: 0.2165, MSE: 0.5},
			"accuracy 0.7500 ± 0.2165 on 4 fresh trials (task context-dm, step 5), mse 0.5"},
		{analysis.Report{Task: "context-dm", Step: 5, Split: "fresh trials", MSE: 0.5},
			"accuracy undefined: no scored fresh trials (catch trials are not scored) (task context-dm, step 5), mse 0.5"},
	} {
		if got := reportLine(c.rep); got != c.want {
			t.Errorf("reportLine(%d trials) = %q, want %q", c.rep.Trials, got, c.want)
		}
		if strings.Contains(reportLine(c.rep), "0.0000 ± 0.0000") {
			t.Errorf("reportLine(%d trials): accuracy 0 ± 0", c.rep.Trials)
		}
	}
}

// TestCLICrossEntropyReport: a task trained with the cross-entropy reports
// that loss, not the MSE of its logits, in train's final line, eval's and
// eval -json's; an MSE task keeps its MSE.
func TestCLICrossEntropyReport(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "gonogo")
	rnntrain(t, work, "train", "-task", "go-nogo", "-steps", "3", "-hidden", "8", "-eval-trials", "16", "-out", run).
		want(t, 0, "(task go-nogo, step 3), cross-entropy ")
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "16").want(t, 0, "(task go-nogo, step 3), cross-entropy ")
	r := rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "16", "-json")
	r.want(t, 0)
	var rep struct {
		MSE          *float64 `json:"mse"`
		CrossEntropy *float64 `json:"cross_entropy"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.MSE == nil || rep.CrossEntropy == nil || !(*rep.CrossEntropy > 0) {
		t.Fatalf("eval -json of a cross-entropy task: %v, %+v: %s", err, rep, r.stdout)
	}
	// metrics.jsonl: every line has the gradient's norm, every evaluation
	// the held-out cross-entropy beside the logits' MSE.
	evals := 0
	for _, m := range metricsOf(t, run) {
		if !(m.GradNorm > 0) {
			t.Errorf("metrics.jsonl step %d: grad_norm %v", m.Step, m.GradNorm)
		}
		if m.EvalAccuracy != nil {
			evals++
			if m.EvalLoss == nil || m.EvalMSE == nil || !(*m.EvalLoss > 0) || *m.EvalLoss == *m.EvalMSE {
				t.Errorf("metrics.jsonl step %d: validation_loss %v, validation_mse %v", m.Step, m.EvalLoss, m.EvalMSE)
			}
		}
	}
	if evals == 0 {
		t.Error("metrics.jsonl has no evaluation")
	}
	pdm := filepath.Join(work, "pdm")
	r = rnntrain(t, work, "train", "-task", "perceptual-dm", "-steps", "2", "-hidden", "8", "-eval-trials", "16", "-out", pdm)
	r.want(t, 0, "(task perceptual-dm, step 2), mse ")
	if strings.Contains(r.stdout, "cross-entropy") {
		t.Errorf("an MSE task reports a cross-entropy: %s", r.stdout)
	}
	// An MSE task's held-out loss is its MSE (in float32 on the tape).
	for _, m := range metricsOf(t, pdm) {
		if m.EvalAccuracy != nil && (m.EvalLoss == nil || math.Abs(*m.EvalLoss-*m.EvalMSE) > 1e-5*(*m.EvalMSE)) {
			t.Errorf("metrics.jsonl step %d: validation_loss %v, validation_mse %v", m.Step, m.EvalLoss, *m.EvalMSE)
		}
	}
}
