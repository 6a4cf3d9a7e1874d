package train

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// Footprint holds the sizes that decide how much memory a training run
// needs. Estimate turns them into bytes.
type Footprint struct {
	// Params is the number of scalar parameters.
	Params int
	// Hidden is the number of recurrent units N.
	Hidden int
	// Inputs and Outputs are the task's input and output sizes.
	Inputs, Outputs int
	// Matrices is the number of N×N recurrent matrices (1 for rate
	// networks, 3 for a GRU) and StateVars the number of per-unit state
	// variables; together they set what the tape keeps per unit and step.
	Matrices, StateVars int
	// Steps is the number of time steps of the longest trial.
	Steps int
	// Batch is the number of trials per update and EvalTrials the size of
	// the largest evaluation set.
	Batch, EvalTrials int
	// Window is the number of steps backpropagated together (the TBPTT or
	// FPTT window; 0 or more than Steps: the whole trial).
	Window int
}

// Memory is an estimate of a run's memory, in bytes, by part.
type Memory struct {
	Weights float64 // parameters, gradients and two optimizer moments
	Tape    float64 // activations kept for the backward pass of one window of a batch
	Data    float64 // the training batch and the evaluation set (inputs, targets, mask)
	Eval    float64 // the forward pass over the evaluation set
}

// Total is the sum of the parts.
func (m Memory) Total() float64 { return m.Weights + m.Tape + m.Data + m.Eval }

func (m Memory) String() string {
	return fmt.Sprintf("%s (weights and optimizer %s, activations of a batch %s, trial data %s, evaluation %s)",
		FormatBytes(m.Total()), FormatBytes(m.Weights), FormatBytes(m.Tape), FormatBytes(m.Data), FormatBytes(m.Eval))
}

// Estimate returns the memory a run of f needs, computed in float64 so
// that no size overflows. The tape keeps about 4·Matrices + 3·StateVars + 1
// float32 values per unit, trial and step (measured for the leaky and GRU
// layers: 7 and 16); the evaluation's forward pass about half of that.
func (f Footprint) Estimate() Memory {
	const word = 4 // float32
	steps, win := float64(max(f.Steps, 1)), float64(f.Steps)
	if f.Window > 0 && f.Window < f.Steps {
		win = float64(f.Window)
	}
	perUnit := float64(4*max(f.Matrices, 1) + 3*max(f.StateVars, 1) + 1)
	n, b, e := float64(f.Hidden), float64(f.Batch), float64(f.EvalTrials)
	io := float64(f.Inputs + 2*f.Outputs)
	return Memory{
		Weights: 4 * word * float64(f.Params),
		Tape:    word * win * b * (n*perUnit + float64(f.Outputs)*4),
		Data:    word * steps * (b + e) * io,
		Eval:    word * win * e * (n*perUnit/2 + float64(f.Outputs)),
	}
}

// FormatBytes formats a byte count with a binary unit: "512 B", "3.2 GiB".
func FormatBytes(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", b)
	}
	return fmt.Sprintf("%.3g %s", b, units[i])
}

// AvailableMemory returns the memory the kernel reports available for new
// allocations (MemAvailable in /proc/meminfo), in bytes, and false where it
// cannot tell (not Linux, an old kernel).
func AvailableMemory() (float64, bool) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	return memAvailable(b)
}

// memAvailable parses the MemAvailable line of /proc/meminfo ("kB").
func memAvailable(meminfo []byte) (float64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(meminfo))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) >= 2 && string(f[0]) == "MemAvailable:" {
			kb, err := strconv.ParseUint(string(f[1]), 10, 64)
			if err != nil {
				return 0, false
			}
			return float64(kb) * 1024, true
		}
	}
	return 0, false
}
