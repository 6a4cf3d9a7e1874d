package main

import (
	"flag"
	"fmt"
	"strconv"

	"github.com/rnntrain/rnntrain/tasks"
)

// bindSplitFlags registers the dataset split settings as flags writing
// into s (config keys task.settings.validation_fraction, test_fraction,
// split_seed).
func bindSplitFlags(fs *flag.FlagSet, s *tasks.Settings) {
	fs.Var(optionalFloat{&s.ValidationFraction}, "validation-fraction", "share of a dataset's training trials held out for validation, which training evaluates on (npz, mnist-*; default 0.1, 0 = none)")
	fs.Float64Var(&s.TestFraction, "test-fraction", s.TestFraction, "share of an npz file's trials held out as its test split, for 'eval -split test' (default 0)")
	fs.Uint64Var(&s.SplitSeed, "split-seed", s.SplitSeed, "seed of the assignment of a dataset's trials to train, validation and test")
}

// optionalFloat is a flag.Value setting a *float64 whose nil means "the
// default".
type optionalFloat struct{ p **float64 }

func (o optionalFloat) String() string {
	if o.p == nil || *o.p == nil {
		return ""
	}
	return strconv.FormatFloat(**o.p, 'g', -1, 64)
}

func (o optionalFloat) Set(v string) error {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return fmt.Errorf("want a number, got %q", v)
	}
	*o.p = &f
	return nil
}
