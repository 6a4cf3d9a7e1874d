package rnn

import (
	"fmt"
	"strings"
)

// Kind selects the recurrent layer of a network.
type Kind int

const (
	// Vanilla is h ← tanh(W h + U u + b_ih + b_hh), torch.nn.RNN's update
	// and parameter layout.
	Vanilla Kind = iota
	// Leaky is the leaky rate RNN of PsychRNN, NeuroGym and Yang et al.
	Leaky
	// GRU follows torch.nn.GRU's equations and layout.
	GRU
	// LowRank has J = M Nᵀ/N kept as factors (Valente, Dubreuil).
	LowRank
)

// kindNames returns the names by value, so no package-level table can be changed.
func kindNames() [4]string {
	return [...]string{Vanilla: "rnn", Leaky: "leaky", GRU: "gru", LowRank: "lowrank"}
}

// Kinds returns every kind, in the order of their constants.
func Kinds() []Kind { return []Kind{Vanilla, Leaky, GRU, LowRank} }

// String returns the kind's name as used in configs and on the command
// line: rnn, leaky, gru, lowrank.
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames()) {
		return kindNames()[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ParseKind returns the kind named s. The error lists the valid names.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		if k.String() == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown model %q (valid: %s)", s, joinNames())
}

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) {
	if k < 0 || int(k) >= len(kindNames()) {
		return nil, fmt.Errorf("rnn: cannot marshal unknown model %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

func joinNames() string {
	names := kindNames()
	return strings.Join(names[:], ", ")
}
