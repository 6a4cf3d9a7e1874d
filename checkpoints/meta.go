package checkpoints

import (
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// FormatVersion is the checkpoint format this package writes, and the
// newest it reads. It changes only when a file written by the new code would
// be misread by the old; fields added to Meta do not change it.
//
// Version 3 stores a one-row matrix as [1, Cols] (the readout weight of one
// output is [1, N], as torch.nn.Linear's) where versions 1 and 2 stored
// every one-row parameter as [Cols], and names optimizer state
// "optimizer/…" where they named it "optim.…"; Unmarshal and RestoreParams
// read the older files (legacy.go).
const FormatVersion = 3

// Metadata keys under the safetensors "__metadata__" map.
const (
	// MetaKey holds the whole Meta as one JSON string.
	MetaKey = "rnntrain"
	// VersionKey holds the format version as a decimal string, so that a
	// reader can check it without parsing Meta.
	VersionKey = "format_version"
	// DataSumKey holds the SHA-256 of the tensor data section (every byte
	// after the header) as 64 lowercase hex digits.
	DataSumKey = "rnntrain_data_sha256"
	// MetaSumKey holds the SHA-256 of the UTF-8 bytes of the MetaKey string
	// as 64 lowercase hex digits.
	MetaSumKey = "rnntrain_meta_sha256"

	metadataKey = "__metadata__"
)

// OptimizerPrefix starts the name of every tensor of optimizer state, so
// that a loader keeps only the parameters by dropping the names that start
// with it. RestoreParams ignores these tensors; parameter names are dotted
// and never contain '/'.
const OptimizerPrefix = "optimizer/"

// OptimizerTensorName returns the name under which the optimizer slot slot
// (PyTorch's state key: "exp_avg", "exp_avg_sq", "exp_inf",
// "momentum_buffer") of parameter param is stored:
// "optimizer/<param>.<slot>", for example
// "optimizer/gru.weight_hh_l0.exp_avg". The tensor has the parameter's
// stored shape (Shape).
func OptimizerTensorName(param, slot string) string {
	return OptimizerPrefix + param + "." + slot
}

// Meta is everything in a checkpoint that is not a tensor. It is stored as
// one JSON object under the metadata key MetaKey.
type Meta struct {
	// FormatVersion is the format the file was written in. Save always
	// writes the current FormatVersion.
	FormatVersion int `json:"format_version"`
	// Model names the network kind ("leaky", "gru", ...) for humans and
	// tools; Config is authoritative.
	Model string `json:"model"`
	// Task names the task trained on.
	Task string `json:"task"`
	// Step is the number of optimizer steps taken when the file was saved.
	Step int `json:"step"`
	// Stage is the curriculum stage (0 for the first or only one).
	Stage int `json:"stage"`
	// Config is the full resolved run configuration, as JSON.
	Config json.RawMessage `json:"config,omitempty"`
	// Metrics are the values (loss, accuracy, ...) at save time. Non-finite
	// values are allowed.
	Metrics Metrics `json:"metrics,omitempty"`
	// RNG holds the state of each named random stream, as produced by the
	// generator's MarshalBinary (math/rand/v2 PCG or ChaCha8). JSON encodes
	// the bytes as base64.
	RNG map[string][]byte `json:"rng,omitempty"`
	// Optimizer is the optimizer's scalar state (kind, step count,
	// hyper-parameters) as JSON; its per-parameter tensors are stored as
	// tensors under OptimizerPrefix.
	Optimizer json.RawMessage `json:"optimizer,omitempty"`
	// Created is when the checkpoint was made (RFC 3339 in the file). Save
	// fills in the current time if it is zero.
	Created time.Time `json:"created"`
	// Files holds the SHA-256, as 64 lowercase hex digits, of each file
	// the run was built from and is rebuilt from whenever the checkpoint
	// is loaded (a connectivity mask, a data file), by the config key
	// naming it ("model.rec_mask"; an MNIST file by its directory's key and
	// its name, "task.settings.mnist_dir/train-images-idx3-ubyte.gz"), so
	// that a file changed since is not taken for the one trained with.
	Files map[string]string `json:"files,omitempty"`
	// ElapsedS is the wall-clock time, in seconds, the run had spent
	// training when the checkpoint was saved, summed over the processes
	// that trained it (a resumed run continues from it). 0 when not
	// recorded (files written before it was stored).
	ElapsedS float64 `json:"elapsed_s,omitempty"`
}

// SetRNG stores the state of the random stream src under name, replacing any
// earlier state of that name.
func (m *Meta) SetRNG(name string, src encoding.BinaryMarshaler) error {
	b, err := src.MarshalBinary()
	if err != nil {
		return fmt.Errorf("save random stream %q: %w", name, err)
	}
	if m.RNG == nil {
		m.RNG = make(map[string][]byte)
	}
	m.RNG[name] = b
	return nil
}

// RestoreRNG sets dst to the state stored under name. It fails if the stream
// is missing or its state does not fit dst (for example a ChaCha8 state
// restored into a PCG).
func (m *Meta) RestoreRNG(name string, dst encoding.BinaryUnmarshaler) error {
	b, ok := m.RNG[name]
	if !ok {
		return fmt.Errorf("restore random stream %q: not in checkpoint (has %s)", name, sortedKeys(m.RNG))
	}
	if err := dst.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("restore random stream %q into %T: %w", name, dst, err)
	}
	return nil
}

// Metrics maps a metric's name to its value. Unlike a plain
// map[string]float64 it survives JSON with NaN and ±Inf, which it writes as
// the strings "NaN", "+Inf" and "-Inf" (Python's float() reads all three).
type Metrics map[string]float64

// MarshalJSON implements json.Marshaler.
func (ms Metrics) MarshalJSON() ([]byte, error) {
	if ms == nil {
		return []byte("null"), nil
	}
	out := make(map[string]json.RawMessage, len(ms))
	for k, v := range ms {
		switch {
		case math.IsNaN(v):
			out[k] = json.RawMessage(`"NaN"`)
		case math.IsInf(v, 1):
			out[k] = json.RawMessage(`"+Inf"`)
		case math.IsInf(v, -1):
			out[k] = json.RawMessage(`"-Inf"`)
		default:
			out[k] = json.RawMessage(strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON implements json.Unmarshaler. It accepts numbers and the
// strings "NaN", "+Inf", "Inf" and "-Inf".
func (ms *Metrics) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		*ms = nil
		return nil
	}
	out := make(Metrics, len(raw))
	for k, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			switch s {
			case "NaN":
				out[k] = math.NaN()
			case "+Inf", "Inf":
				out[k] = math.Inf(1)
			case "-Inf":
				out[k] = math.Inf(-1)
			default:
				return fmt.Errorf("metric %q: want a number, NaN, +Inf or -Inf, got %q", k, s)
			}
			continue
		}
		var v float64
		if err := json.Unmarshal(r, &v); err != nil {
			return fmt.Errorf("metric %q: want a number, got %s", k, r)
		}
		out[k] = v
	}
	*ms = out
	return nil
}
