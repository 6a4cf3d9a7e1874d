"""Read an rnntrain checkpoint with nothing but the Python standard library
and numpy (no rnntrain, no safetensors package).

    python3 load_checkpoint.py run/checkpoint.safetensors

prints the metadata and every tensor (parameters and optimizer state), one
per line: name<TAB>dtype<TAB>shape (JSON)<TAB>values (repr, row-major).

In your own code, for a run of the default model (rnntrain train -out run):

    from load_checkpoint import load
    params, meta = load("run/checkpoint.safetensors")
    w_rec = params["leaky.weight_hh"]   # [N, N] numpy array, read-only
    w_in = params["leaky.weight_ih"]    # [N, I]
    w_out = params["readout.weight"]    # [O, N], as torch.nn.Linear(N, O).weight
    print(meta["task"], meta["step"], meta["metrics"]["accuracy"], w_rec.shape, w_out.shape)

docs/checkpoints.md lists every model's tensor names and shapes.
"""
import hashlib
import json
import struct
import sys

import numpy as np

READS_VERSION = 3  # the newest checkpoint format this loader understands
DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8")}
OPTIMIZER = "optimizer/"  # the prefix of optimizer state tensors
# Formats 1 and 2 named optimizer state "optim.<param>.<slot>" and stored
# every one-row matrix 1-D; these are the matrices that can have one row
# (one output, one input), restored to [1, n].
LEGACY_OPTIMIZER = "optim."
LEGACY_MATRICES = ("readout.weight", "lowrank.wi")
# The SHA-256 (hex) of the tensor data section and of the "rnntrain"
# metadata string, in __metadata__; files written before rnntrain stored
# them have neither.
DATA_SHA256 = "rnntrain_data_sha256"
META_SHA256 = "rnntrain_meta_sha256"


def verify(path, metadata, body):
    """Raise ValueError if the tensor data or the metadata of the file at
    path do not hash to the SHA-256 stored in its metadata (if any), or if
    a metadata key is one byte away from a checksum key: such damage would
    otherwise turn the check off, as for a file without checksums."""
    for key in metadata:
        k = key.encode()
        for want in (DATA_SHA256, META_SHA256):
            w = want.encode()
            if k != w and len(k) == len(w) and sum(a != b for a, b in zip(k, w)) == 1:
                raise ValueError(f"{path}: __metadata__ has a key {key!r} where {want!r} "
                                 "is expected: the file is corrupt")
    for key, what, data in ((META_SHA256, "metadata", metadata["rnntrain"].encode()),
                            (DATA_SHA256, "tensor data", body)):
        want = metadata.get(key)
        if want is not None and hashlib.sha256(data).hexdigest() != want.lower():
            raise ValueError(f"{path}: the {what} do not match their checksum ({key}): "
                             "the file is corrupt or was changed after it was saved")


def load(path, optimizer=False, verify_checksums=True):
    """Return (tensors, meta) for the checkpoint at path.

    tensors maps each parameter name to a read-only numpy array of its
    stored shape and dtype (call .copy() for a writable one); with
    optimizer=True it also holds the optimizer state, named
    "optimizer/<parameter>.<slot>" (slot as in PyTorch: exp_avg,
    exp_avg_sq, momentum_buffer, ...). meta is the rnntrain metadata
    (format_version, model, task, step, stage, config, metrics, rng,
    optimizer, created, elapsed_s, and files when the run is built from
    files; docs/checkpoints.md) with metrics as Python floats (NaN and inf
    included).
    Older files (format 1 and 2) come back in the current names and shapes.
    The tensor data and metadata are checked against the SHA-256 stored
    with them, and a mismatch (or a checksum key one byte off) raises
    ValueError; verify_checksums=False skips the check.
    """
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__")
    version = int(metadata["format_version"])
    if version > READS_VERSION:
        raise ValueError(f"{path} has format version {version}; "
                         f"this loader reads versions <= {READS_VERSION}")
    body = memoryview(data)[8 + n:]
    if verify_checksums:
        verify(path, metadata, body)
    meta = json.loads(metadata["rnntrain"])
    # Non-finite metrics are stored as the strings "NaN", "+Inf", "-Inf".
    meta["metrics"] = {k: float(v) for k, v in meta.get("metrics", {}).items()}
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        flat = np.frombuffer(body[begin:end], dtype=DTYPES[info["dtype"]])
        arr = flat.reshape(info["shape"])
        if version <= 2:
            if name.startswith(LEGACY_OPTIMIZER):
                name = OPTIMIZER + name[len(LEGACY_OPTIMIZER):]
            base = name[len(OPTIMIZER):].rsplit(".", 1)[0] if name.startswith(OPTIMIZER) else name
            if base in LEGACY_MATRICES and arr.ndim == 1:
                arr = arr.reshape(1, -1)
        if optimizer or not name.startswith(OPTIMIZER):
            tensors[name] = arr
    return tensors, meta


def load_gru(tensors, prefix="gru."):
    """Return a torch.nn.GRU holding the GRU weights stored under prefix.

    The tensors are named and laid out as torch.nn.GRU's own parameters
    (weight_ih_l0 [3H, In], weight_hh_l0 [3H, H], bias_ih_l0 [3H],
    bias_hh_l0 [3H], gates in the order r, z, n), so load_state_dict takes
    them after the prefix is stripped.
    """
    import torch

    state = {name[len(prefix):]: torch.from_numpy(arr.copy())
             for name, arr in tensors.items() if name.startswith(prefix)}
    hidden, inputs = state["weight_hh_l0"].shape[1], state["weight_ih_l0"].shape[1]
    gru = torch.nn.GRU(inputs, hidden, batch_first=False,
                       dtype=state["weight_hh_l0"].dtype)
    gru.load_state_dict(state)  # strict: fails on any missing or extra name
    return gru


def main(path):
    tensors, meta = load(path, optimizer=True)
    for key in ("format_version", "model", "task", "step"):
        print(f"{key}\t{meta[key]}")
    for key, value in sorted(meta["metrics"].items()):
        print(f"metric\t{key}\t{value!r}")
    for name in sorted(tensors):
        arr = tensors[name]
        values = " ".join(repr(float(x)) for x in arr.ravel())
        dtype = "F32" if arr.dtype == DTYPES["F32"] else "F64"
        print(f"{name}\t{dtype}\t{json.dumps(list(arr.shape))}\t{values}")


if __name__ == "__main__":
    main(sys.argv[1])
