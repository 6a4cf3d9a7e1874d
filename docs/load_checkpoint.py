"""Read an rnntrain checkpoint with nothing but the Python standard library
and numpy (no rnntrain, no safetensors package).

    python3 load_checkpoint.py run/checkpoint.safetensors

prints the metadata and every tensor, one per line:
name<TAB>dtype<TAB>shape (JSON)<TAB>values (repr, row-major).

In your own code:

    from load_checkpoint import load
    tensors, meta = load("run/checkpoint.safetensors")
    w_rec = tensors["rnn.weight_hh_l0"]   # numpy array, read-only view
    print(meta["step"], meta["metrics"], meta["config"])
"""
import json
import struct
import sys

import numpy as np

READS_VERSION = 2  # the newest checkpoint format this loader understands
DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8")}


def load(path):
    """Return (tensors, meta) for the checkpoint at path.

    tensors maps each name to a read-only numpy array of the stored shape and
    dtype (call .copy() for a writable one); meta is the rnntrain metadata
    (format_version, model, task, step, config, metrics, rng, optimizer,
    created) with metrics as Python floats (NaN and inf included).
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
    meta = json.loads(metadata["rnntrain"])
    # Non-finite metrics are stored as the strings "NaN", "+Inf", "-Inf".
    meta["metrics"] = {k: float(v) for k, v in meta.get("metrics", {}).items()}
    body = memoryview(data)[8 + n:]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        flat = np.frombuffer(body[begin:end], dtype=DTYPES[info["dtype"]])
        tensors[name] = flat.reshape(info["shape"])
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
    tensors, meta = load(path)
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
