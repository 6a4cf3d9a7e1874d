package main

import (
	"fmt"
	"strings"
)

// modelKind selects the recurrent model of a run.
type modelKind int

const (
	kindVanilla modelKind = iota // rnn
	kindLeaky                    // leaky
	kindGRU                      // gru
	kindLowRank                  // lowrank
)

func allKinds() []modelKind { return []modelKind{kindVanilla, kindLeaky, kindGRU, kindLowRank} }

func (k modelKind) String() string {
	switch k {
	case kindVanilla:
		return "rnn"
	case kindLeaky:
		return "leaky"
	case kindGRU:
		return "gru"
	case kindLowRank:
		return "lowrank"
	}
	return fmt.Sprintf("modelKind(%d)", int(k))
}

func kindList() string {
	var s []string
	for _, k := range allKinds() {
		s = append(s, k.String())
	}
	return strings.Join(s, ", ")
}

// MarshalText implements encoding.TextMarshaler.
func (k modelKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; unknown names are an
// error listing the valid ones.
func (k *modelKind) UnmarshalText(b []byte) error {
	for _, v := range allKinds() {
		if v.String() == string(b) {
			*k = v
			return nil
		}
	}
	return fmt.Errorf("unknown model %q (valid: %s)", b, kindList())
}

// optimizerKind selects the optimizer.
type optimizerKind int

const (
	optAdam optimizerKind = iota
	optAdamW
	optAdamax
	optSGD
)

func allOptimizers() []optimizerKind { return []optimizerKind{optAdam, optAdamW, optAdamax, optSGD} }

func (o optimizerKind) String() string {
	switch o {
	case optAdam:
		return "adam"
	case optAdamW:
		return "adamw"
	case optAdamax:
		return "adamax"
	case optSGD:
		return "sgd"
	}
	return fmt.Sprintf("optimizerKind(%d)", int(o))
}

func optimizerList() string {
	var s []string
	for _, o := range allOptimizers() {
		s = append(s, o.String())
	}
	return strings.Join(s, ", ")
}

// MarshalText implements encoding.TextMarshaler.
func (o optimizerKind) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (o *optimizerKind) UnmarshalText(b []byte) error {
	for _, v := range allOptimizers() {
		if v.String() == string(b) {
			*o = v
			return nil
		}
	}
	return fmt.Errorf("unknown optimizer %q (valid: %s)", b, optimizerList())
}
