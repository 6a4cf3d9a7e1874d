package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// A model's config keeps 0 for "not set" and fills its defaults over it
// (rnn.Config.Resolved): a threshold of 0 or an adaptation strength of 0
// written by the user would run as 1 or 1.8. Such a 0, from a flag, a TOML
// config file or a sweep spec, is refused instead, naming the setting and
// the default it would get; a JSON config (a run's config.json, a sweep
// point's, holding every key) is taken as it is. A setting whose help says
// what 0 means ("0 = …", as alpha or tau_syn_ms) takes it.

// zeroSettings adds to keys every dotted key under prefix of v (a decoded
// config: tables as map[string]any) that holds a number, a string or a
// boolean: true when its value is the number 0, false otherwise (a key
// given, which checkUnused checks, but not a zero).
func zeroSettings(keys map[string]bool, prefix string, v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if prefix != "" {
				k = prefix + "." + k
			}
			zeroSettings(keys, k, e)
		}
	case float64:
		keys[prefix] = keys[prefix] || x == 0
	case int64:
		keys[prefix] = keys[prefix] || x == 0
	case string, bool:
		keys[prefix] = keys[prefix] || false
	}
}

// checkZeros refuses every key set in zeros to which c, once its model's
// defaults are filled in, gives a value other than 0, unless the key's
// help says what 0 means. The errors name the key and its flag.
func checkZeros(c *runConfig, zeros map[string]bool) error {
	keys := make([]string, 0, len(zeros))
	for k, z := range zeros {
		if z {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Strings(keys)
	r := *c
	r.Model = c.Model.Resolved()
	flat, err := flatten(&r)
	if err != nil {
		return err
	}
	docs, usage := configKeyDocs(), keyFlagUsage()
	var errs []error
	for _, k := range keys {
		v, ok := flat[k].(float64)
		if _, doc := keyDoc(k, docs, usage); !ok || v == 0 || strings.Contains(doc, "0 =") {
			continue
		}
		errs = append(errs, configError(k, fmt.Errorf("0 would run as the default, %g: leave the setting out for the default, or give the value meant", v)))
	}
	if len(errs) == 0 {
		return nil
	}
	return usageError{errors.Join(errs...)}
}
