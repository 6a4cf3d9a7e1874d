package main

import "testing"

// FuzzMetricsCurves feeds the metrics.jsonl reader of the figures any
// contents and step: it keeps a prefix of the data, as many points of each
// curve as it kept records, and never panics.
func FuzzMetricsCurves(f *testing.F) {
	f.Add([]byte(`{"step":10,"loss":0.5,"train_accuracy":0.6}`+"\n"+`{"step":20,"loss":0.4,"eval_accuracy":0.7,"validation_mse":0.1}`+"\n"), 20)
	f.Add([]byte(`{"step":10,"accuracy":0.5,"eval_accuracy":0.4}`+"\n"+`{"step":`), 100)
	f.Add([]byte("\n\n{}\x00"), -1)
	f.Fuzz(func(t *testing.T, data []byte, upto int) {
		cv, kept := metricsCurves(data, upto)
		if kept < 0 || kept > len(data) {
			t.Fatalf("kept %d of %d bytes", kept, len(data))
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
	})
}
