package main

import (
	"bytes"
	"testing"

	"github.com/rnntrain/rnntrain/train"
)

// FuzzMetricsCurves feeds the metrics.jsonl reader of the figures any
// contents and step: it keeps a prefix of the data, as many points of each
// curve as it kept records, counts the lines it left out among those it
// read, and never panics; the -keep-best resume's
// reader of the same file (missedBestIn) reports only evaluations after
// the kept best, up to the step, that beat it.
func FuzzMetricsCurves(f *testing.F) {
	f.Add([]byte(`{"step":10,"loss":0.5,"train_accuracy":0.6}`+"\n"+`{"step":20,"loss":0.4,"eval_accuracy":0.7,"validation_mse":0.1}`+"\n"), 20)
	f.Add([]byte(`{"step":10,"accuracy":0.5,"eval_accuracy":0.4}`+"\n"+`{"step":`), 100)
	f.Add([]byte("\n\n{}\x00"), -1)
	f.Add([]byte(`{"step":10,"loss":0.5}`+"\n{not json\n"+`{"step":20,"loss":0.4}`+"\n\x00\x00\n"), 30)
	f.Add([]byte(`{"step":10,"validation_accuracy":0.9,"validation_mse":0.2}`+"\n"+`{"step":20,"validation_accuracy":0.9,"validation_mse":0.1,"stage":1}`+"\n"), 30)
	f.Add([]byte(`{"step":10,"grad_norm":2,"validation_accuracy":1,"validation_mse":900,"validation_loss":0.004}`+"\n"+`{"step":20,"validation_accuracy":1,"validation_mse":3000,"validation_loss":null}`+"\n"), -21)
	f.Fuzz(func(t *testing.T, data []byte, upto int) {
		// An odd upto reads the file as a cross-entropy task's.
		cv, kept, bad, first := metricsCurves(data, upto, upto%2 == 0)
		if kept < 0 || kept > len(data) {
			t.Fatalf("kept %d of %d bytes", kept, len(data))
		}
		if lines := bytes.Count(data, []byte("\n")) + 1; bad < 0 || bad > lines || (bad > 0) != (first >= 1 && first <= lines) {
			t.Fatalf("%d lines left out, the first line %d, of %d lines", bad, first, lines)
		}
		if len(cv.Loss) != len(cv.Step) || len(cv.Accuracy) != len(cv.Step) || len(cv.EvalAccuracy) != len(cv.EvalStep) || len(cv.EvalLoss) != len(cv.EvalStep) {
			t.Fatalf("curves of unequal lengths: %d steps, %d losses, %d accuracies, %d eval steps, %d eval accuracies, %d eval losses",
				len(cv.Step), len(cv.Loss), len(cv.Accuracy), len(cv.EvalStep), len(cv.EvalAccuracy), len(cv.EvalLoss))
		}
		for _, s := range cv.Step {
			if s > float64(upto) {
				t.Fatalf("step %v past %d", s, upto)
			}
		}
		// The same file as a -keep-best resume reads it (missedBest).
		b := &train.Best{Step: 5, Accuracy: 0.5, Loss: 1}
		if e, ok := missedBestIn(data, b, upto); ok && (e.Step <= b.Step || e.Step > upto || !b.Improves(&e)) {
			t.Fatalf("missedBestIn gave step %d (accuracy %v, loss %v) against the best of step %d up to %d", e.Step, e.Accuracy, e.Loss, b.Step, upto)
		}
	})
}
