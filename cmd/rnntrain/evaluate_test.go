package main

import (
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
