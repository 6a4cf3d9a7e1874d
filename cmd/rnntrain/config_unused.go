package main

import (
	"errors"
	"fmt"

	"github.com/rnntrain/rnntrain/rnn"
)

// A setting that only acts together with another (the Poisson gain with
// the Poisson encoding, a target rate with its penalty) is refused when it
// is given, by a flag or a TOML config file, and the rest of the config
// leaves it without effect: it would be written to config.json and
// ignored. A JSON config (a run's config.json, holding every key with its
// resolved value) is taken as it is.

// dependentSetting is a key that acts only when on(c) holds; needs says
// what that takes, in config keys.
type dependentSetting struct {
	key, needs string
	on         func(c *runConfig) bool
}

func dependentSettings() []dependentSetting {
	return []dependentSetting{
		{"model.encoding_gain", "without model.encoding = poisson", func(c *runConfig) bool { return c.Model.Encoding == rnn.EncodePoisson }},
		{"model.encoding_threshold", "without model.encoding = delta", func(c *runConfig) bool { return c.Model.Encoding == rnn.EncodeDelta }},
		{"model.readout_tau_ms", "without model.readout = leaky", func(c *runConfig) bool { return c.Model.Readout == rnn.ReadoutLeaky }},
		{"train.regularization.rate_target", "without train.regularization.l2_rate_target > 0", func(c *runConfig) bool { return c.Train.Regularization.L2RateTarget > 0 }},
		{"model.activity_target", "without model.activity_reg > 0", func(c *runConfig) bool {
			e, ok := c.Model.Model.(*rnn.EGRUConfig)
			return !ok || e.ActivityReg > 0
		}},
		{"model.tau_mem_ms", "with model.beta > 0", func(c *runConfig) bool {
			switch m := c.Model.Model.(type) {
			case *rnn.LIFConfig:
				return m.Beta == 0
			case *rnn.ALIFConfig:
				return m.Beta == 0
			}
			return true
		}},
	}
}

// checkUnused refuses every key in given (the keys a flag or a TOML file
// set) that c leaves without effect. The errors name the key, its flag
// and what it needs.
func checkUnused(c *runConfig, given map[string]bool) error {
	var errs []error
	for _, d := range dependentSettings() {
		if _, ok := given[d.key]; ok && !d.on(c) {
			errs = append(errs, configError(d.key, fmt.Errorf("has no effect %s", d.needs)))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return usageError{errors.Join(errs...)}
}
