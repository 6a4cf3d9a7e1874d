package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/analysis"
)

// TestPrintInactivationConditionCI checks that each condition row prints
// its 95 % interval by the rule of the overall lines: Wilson's on the
// condition's trials for one evaluation, the t interval across draws
// widened to Wilson's for several.
func TestPrintInactivationConditionCI(t *testing.T) {
	rep := func(acc float64) analysis.Report {
		return analysis.Report{Trials: 50, Accuracy: acc, StdErr: 0.01,
			Conditions: []analysis.ConditionRow{{Condition: "ctx=1", Trials: 50, Accuracy: acc}}}
	}
	r := inactivateResult{Task: "cdm", Split: "fresh trials",
		Before: analysis.Summarize([]analysis.Report{rep(0.9)}),
		After:  analysis.Summarize([]analysis.Report{rep(0.5), rep(0.7), rep(0.6)})}
	var b strings.Builder
	printInactivation(&b, r)
	var row string
	for l := range strings.Lines(b.String()) {
		if strings.HasPrefix(strings.TrimSpace(l), "ctx=1") {
			row = l
		}
	}
	require.NotEmpty(t, row, "no condition row in\n%s", b.String())
	blo, bhi := analysis.Wilson(0.9, 50, analysis.Z95)
	alo, ahi := r.After.Conditions[0].CI95[0], r.After.Conditions[0].CI95[1]
	require.Less(t, alo, 0.6-0.2, "three draws: the t interval")
	for _, w := range []string{fmt.Sprintf("%.3f–%.3f", blo, bhi), fmt.Sprintf("%.3f–%.3f", alo, ahi)} {
		require.Contains(t, row, w)
	}
	require.Contains(t, b.String(), "95% CI")
}
