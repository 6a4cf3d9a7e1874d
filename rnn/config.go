package rnn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/rnntrain/rnntrain/internal/spell"
	"github.com/rnntrain/rnntrain/layers"
)

// Config describes a network: input → recurrent model → linear readout.
// Model is the recurrent model with its own typed options (one of the
// configs of Models); the other fields are the network's own. In JSON (and
// so in TOML config files) a Config is one flat object: "kind" names the
// model, then the network's keys and the model's keys side by side.
type Config struct {
	// Inputs, Hidden and Outputs are I, N and O; Hidden and Outputs must be
	// positive, Inputs may be 0 for models that allow it. Commands take
	// Inputs and Outputs from the task.
	Inputs  int `json:"inputs"`
	Hidden  int `json:"hidden"`
	Outputs int `json:"outputs"`
	// NoiseStd is σ of the private recurrent noise (default 0), entering as
	// the model says. Noise is drawn only when Forward gets an rng.
	NoiseStd float64 `json:"noise"`
	// TrainInitialState makes the initial state of the primary state
	// variable a trained parameter; otherwise it stays at zero.
	TrainInitialState bool `json:"train_initial_state"`
	// FreezeInput, FreezeRecurrent, FreezeBias and FreezeOutput keep whole
	// parameter groups at their initial values (default: all train).
	FreezeInput     bool `json:"freeze_input"`
	FreezeRecurrent bool `json:"freeze_recurrent"`
	FreezeBias      bool `json:"freeze_bias"`
	FreezeOutput    bool `json:"freeze_output"`
	// DtMS is the task's step in ms, from which models derive defaults
	// such as α = dt/τ (commands take it from the task).
	DtMS float64 `json:"dt_ms"`
	// Encoding turns the inputs into spikes before the recurrent layer:
	// none (default: the inputs enter as currents), poisson (rate coding,
	// spike probability min(EncodingGain·|x|, 1) per step) or delta (change coding,
	// a spike where the input changed by EncodingThreshold or more).
	Encoding Encoding `json:"encoding"`
	// EncodingGain is the Poisson spike probability per step per unit of
	// input (default 1).
	EncodingGain float64 `json:"encoding_gain"`
	// EncodingThreshold is the change of an input that emits a delta
	// spike (default 0.1, snnTorch's).
	EncodingThreshold float64 `json:"encoding_threshold"`
	// EncodingSeed seeds the Poisson draws of a forward pass that gets no
	// noise rng (evaluation without noise); the commands set it to the
	// run's seed. Training draws them from the noise rng it passes.
	EncodingSeed uint64 `json:"-"`
	// Readout is linear (default) or leaky: the non-spiking leaky
	// integrator o_t = β_o o_{t−1} + W_out r_t + b read out from its
	// membrane, β_o = exp(−dt/τ_out).
	Readout Readout `json:"readout"`
	// ReadoutTauMS is τ_out of the leaky readout (default 20 ms; dt is
	// dt_ms, or 1 ms when the task has none).
	ReadoutTauMS float64 `json:"readout_tau_ms"`
	// Model is the recurrent model and its options (default: the leaky
	// model with its defaults).
	Model layers.ModelConfig `json:"-"`
}

// Spec returns the part of c every model gets.
func (c Config) Spec() layers.Spec {
	return layers.Spec{Inputs: c.Inputs, Hidden: c.Hidden, Outputs: c.Outputs, DtMS: c.DtMS, NoiseStd: c.NoiseStd,
		FreezeInput: c.FreezeInput, FreezeRecurrent: c.FreezeRecurrent, FreezeBias: c.FreezeBias}
}

// Kind returns the name of c's model.
func (c Config) Kind() string {
	if c.Model == nil {
		return "leaky"
	}
	return c.Model.Model().Name
}

// Resolved returns c with its model's task-dependent defaults filled in
// (a nil Model becomes the leaky model). The model config is copied, so c
// is left unchanged.
func (c Config) Resolved() Config {
	if c.Model == nil {
		c.Model = leakyModel().New()
	} else {
		c.Model = cloneModel(c.Model)
	}
	c.Model.Resolve(c.Spec())
	if c.EncodingGain == 0 {
		c.EncodingGain = 1
	}
	if c.EncodingThreshold == 0 {
		c.EncodingThreshold = 0.1
	}
	if c.ReadoutTauMS == 0 {
		c.ReadoutTauMS = 20
	}
	return c
}

// readoutDecay returns β_o = exp(−dt/τ_out) of the leaky readout.
func (c Config) readoutDecay() float64 {
	dt := c.DtMS
	if dt <= 0 {
		dt = 1
	}
	return math.Exp(-dt / c.ReadoutTauMS)
}

// cloneModel returns a copy of m (through JSON, which every model config
// round-trips).
func cloneModel(m layers.ModelConfig) layers.ModelConfig {
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("rnn: model config %T does not marshal: %v", m, err))
	}
	c := m.Model().New()
	if err := json.Unmarshal(b, c); err != nil {
		panic(fmt.Sprintf("rnn: model config %T does not round-trip: %v", m, err))
	}
	return c
}

// Validate reports the first invalid field of c (after Resolved), naming
// its config key.
func (c Config) Validate() error {
	c = c.Resolved()
	bad := func(key, format string, a ...any) error {
		return fmt.Errorf("model.%s %s", key, fmt.Sprintf(format, a...))
	}
	switch {
	case c.Inputs < 0:
		return bad("inputs", "= %d, need ≥ 0", c.Inputs)
	case c.Hidden <= 0:
		return bad("hidden", "must be positive, got %d", c.Hidden)
	case c.Outputs <= 0:
		return bad("outputs", "= %d, need > 0", c.Outputs)
	case !(c.NoiseStd >= 0) || !in32(c.NoiseStd):
		return bad("noise", "= %g, need a value ≥ 0 %s", c.NoiseStd, range32)
	case !(c.DtMS >= 0) || math.IsInf(c.DtMS, 0):
		return bad("dt_ms", "= %g, need a finite value ≥ 0", c.DtMS)
	case c.Encoding < EncodeNone || c.Encoding > EncodeDelta:
		return bad("encoding", "= %d is not none, poisson or delta", int(c.Encoding))
	case !(c.EncodingGain > 0) || math.IsInf(c.EncodingGain, 0):
		return bad("encoding_gain", "= %g, need a finite value > 0", c.EncodingGain)
	case !(c.EncodingThreshold > 0) || math.IsInf(c.EncodingThreshold, 0):
		return bad("encoding_threshold", "= %g, need a finite value > 0", c.EncodingThreshold)
	case c.Readout < ReadoutLinear || c.Readout > ReadoutLeaky:
		return bad("readout", "= %d is not linear or leaky", int(c.Readout))
	case !(c.ReadoutTauMS > 0) || math.IsInf(c.ReadoutTauMS, 0):
		return bad("readout_tau_ms", "= %g, need a finite value > 0", c.ReadoutTauMS)
	}
	if err := c.Model.Validate(c.Spec()); err != nil {
		return fmt.Errorf("model (%s): %w", c.Kind(), err)
	}
	return nil
}

// networkKeys returns the JSON keys of Config's own fields.
func networkKeys() []string {
	var keys []string
	t := reflect.TypeFor[Config]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}

// ModelKeys returns the config keys of the model named kind, sorted.
func ModelKeys(kind string) ([]string, error) {
	m, err := NewModelConfig(kind)
	if err != nil {
		return nil, err
	}
	return modelKeys(m)
}

// modelKeys returns the config keys of the model config m, sorted.
func modelKeys(m layers.ModelConfig) ([]string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}

// MarshalJSON writes c as one flat object: "kind", the network's keys,
// then the model's keys.
func (c Config) MarshalJSON() ([]byte, error) {
	type plain Config
	net, err := json.Marshal(plain(c))
	if err != nil {
		return nil, err
	}
	var m layers.ModelConfig = c.Model
	if m == nil {
		m = leakyModel().New()
	}
	mod, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, `{"kind":%q,`, c.Kind())
	buf.Write(net[1 : len(net)-1])
	if len(mod) > 2 {
		buf.WriteByte(',')
		buf.Write(mod[1 : len(mod)-1])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON reads a flat object onto c. Keys the object leaves out keep
// their values in c; "kind" selects the model (a different kind starts from
// that model's defaults). Unknown keys are errors that name the key and
// list the valid ones.
func (c *Config) UnmarshalJSON(b []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	if raw, ok := obj["kind"]; ok {
		var kind string
		if err := json.Unmarshal(raw, &kind); err != nil {
			return fmt.Errorf("kind: %v", err)
		}
		if c.Model == nil || c.Model.Model().Name != kind {
			m, err := NewModelConfig(kind)
			if err != nil {
				return fmt.Errorf("kind: %v", err)
			}
			c.Model = m
		}
		delete(obj, "kind")
	}
	if c.Model == nil {
		c.Model = leakyModel().New()
	}
	netKeys := networkKeys()
	modKeys, err := modelKeys(c.Model)
	if err != nil {
		return err
	}
	net, mod := map[string]json.RawMessage{}, map[string]json.RawMessage{}
	for k, v := range obj {
		switch {
		case slices.Contains(netKeys, k):
			net[k] = v
		case slices.Contains(modKeys, k):
			mod[k] = v
		default:
			valid := append(append([]string{"kind"}, netKeys...), modKeys...)
			hint := spell.Hint(k, valid, strconv.Quote)
			if hint != "" {
				hint = "; " + hint
			}
			return fmt.Errorf("unknown key %q for model %s%s (valid: %s)", k, c.Kind(), hint, strings.Join(valid, ", "))
		}
	}
	type plain Config
	p := (*plain)(c)
	if err := decodeStrict(net, p); err != nil {
		return err
	}
	return decodeStrict(mod, c.Model)
}

// decodeStrict decodes the object obj onto v, refusing unknown fields.
func decodeStrict(obj map[string]json.RawMessage, v any) error {
	if len(obj) == 0 {
		return nil
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
