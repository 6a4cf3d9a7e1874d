// Package checkpoints saves and loads the state of a training run as
// safetensors files that Python reads without rnntrain.
//
// # Overview
//
// A Checkpoint is a Meta (format version, model and task names, step, the
// resolved run config, metrics, random-stream states, scalar optimizer
// state and the checksums of the files the network is built from) plus
// named tensors: the model's parameters (FromParams) and the
// optimizer's per-parameter state under OptimizerPrefix. Save writes one
// file atomically; Load reads and validates one; RestoreParams copies the
// parameters back into a model after checking that every name, shape and
// dtype fits. SaveRun keeps a run directory: one file per saved step
// (StepPath, listed by Steps), the latest under a fixed name (LatestPath),
// and the last K step files. LockRun takes a run directory's advisory lock
// so that only one process writes it at a time, and Holder reports who
// holds it.
//
// # File format
//
// A file is a safetensors file: an 8-byte little-endian header length N, N
// bytes of JSON header padded with spaces to a multiple of 8, then the
// tensor data. The header maps each tensor name to
// {"dtype": "F32"|"F64", "shape": [...], "data_offsets": [begin, end]},
// offsets counted from the start of the data, and "__metadata__" to a
// string-to-string map with four keys: "format_version" (VersionKey, the
// decimal FormatVersion), "rnntrain" (MetaKey, Meta as JSON), and the
// SHA-256 in hex of the tensor data section, "rnntrain_data_sha256"
// (DataSumKey), and of the "rnntrain" string, "rnntrain_meta_sha256"
// (MetaSumKey). Load verifies both when present, so that a corrupted file
// is refused instead of loading as other weights; files written before the
// checksums were added lack them and load unverified. Tensor data
// are little-endian, row-major, contiguous, F64 tensors first and then F32,
// each group by name, so every tensor is aligned to its element size and the
// bytes depend only on the checkpoint. docs/checkpoints.md in the
// repository gives the tensor names per model and Python loaders.
//
// # Shapes & layout
//
// A parameter (autodiff.Param, a Rows×Cols matrix) is stored under its
// Name with shape [Rows, Cols], the layout of its PyTorch counterpart,
// except that a vector (Param.Vector: a bias, a threshold, an initial
// state) is stored 1-D as [Cols], as torch stores biases. A matrix with one
// row stays 2-D: the readout weight of one output is [1, N], as
// torch.nn.Linear(N, 1) holds it. Shape gives the stored shape and
// RestoreParams applies the same rule. Optimizer state of parameter p is
// stored with Shape(p) under OptimizerTensorName(p.Name, slot), for example
// "optimizer/gru.weight_hh_l0.exp_avg", so the parameters alone are the
// tensors whose names do not start with OptimizerPrefix.
//
// Files of format 1 and 2 stored every one-row parameter as [Cols] and
// named optimizer state "optim.…". Unmarshal renames their optimizer
// tensors, and RestoreParams and CopyTensor accept [Cols] for a one-row
// matrix in them, so older checkpoints load, evaluate and resume.
//
// # Invariants & aliasing
//
// Tensors own their data: FromParams and Load copy, and RestoreParams
// copies into the parameters' existing buffers. Marshal and Save do not
// modify the checkpoint. Values are stored bit for bit, NaN payloads and
// infinities included; loading never rejects non-finite values, so a
// diverged model can be inspected.
//
// # Errors & panics
//
// Every I/O, format and mismatch problem is an error that names the file
// and what was expected. A file in a newer format gives a *VersionError,
// one whose data or metadata do not match their checksum a *ChecksumError; a
// checkpoint that does not fit a model gives a *MismatchError listing every
// problem at once, and a run directory whose lock a live process holds a
// *LockedError. NewTensor, CopyTensor and StepPath panic on programmer
// errors (data length not matching the shape, negative step), with
// messages prefixed "checkpoints:".
package checkpoints
