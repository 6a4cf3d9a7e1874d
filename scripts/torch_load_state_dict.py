#!/usr/bin/python3
"""Load an rnntrain checkpoint's tensors into the PyTorch modules they mirror,
with strict load_state_dict (any missing, extra or mis-shaped tensor fails):

- readout.weight [O, N] and readout.bias [O] into torch.nn.Linear(N, O), also
  for one output (O = 1), and the Linear's output checked against numpy (a
  low-rank network that reads out itself has none, and is said so);
- rnn.* into torch.nn.RNN(I, N) and gru.* into torch.nn.GRU(I, N) when the
  checkpoint holds that model.

Usage: /usr/bin/python3 scripts/torch_load_state_dict.py CHECKPOINT...
(a .safetensors file each; Debian packages python3-torch, python3-numpy).
Prints one line per module loaded and exits non-zero on any failure.
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs"))
from load_checkpoint import load  # noqa: E402


def state(tensors, prefix):
    """The tensors under prefix, prefix stripped, as torch tensors."""
    return {k[len(prefix):]: torch.from_numpy(v.copy()) for k, v in tensors.items() if k.startswith(prefix)}


def main(path):
    tensors, meta = load(path)
    if "readout.weight" not in tensors:
        # The low-rank model with rates = "tanh" reads out itself through
        # lowrank.wo and lowrank.so (docs/checkpoints.md), which no torch
        # module mirrors.
        own = ", ".join(k for k in tensors if k.endswith((".wo", ".so"))) or "its own tensors"
        print(f"{meta['model']} {meta['task']} step {meta['step']}: no readout.weight "
              f"(the network reads out through {own}); nothing to load into torch.nn.Linear")
        return
    w = tensors["readout.weight"]
    outputs, hidden = w.shape
    linear = torch.nn.Linear(hidden, outputs, dtype=torch.from_numpy(w.copy()).dtype)
    result = linear.load_state_dict(state(tensors, "readout."))  # strict
    r = np.random.default_rng(1).standard_normal((5, hidden)).astype(w.dtype)
    with torch.no_grad():
        got = linear(torch.from_numpy(r)).numpy()
    want = r @ w.T + tensors["readout.bias"]
    if not np.allclose(got, want, rtol=1e-5, atol=1e-6):
        raise SystemExit(f"torch.nn.Linear output differs from numpy by {np.abs(got - want).max()}")
    print(f"{meta['model']} {meta['task']} step {meta['step']}: "
          f"torch.nn.Linear({hidden}, {outputs}).load_state_dict({result}); weight {tuple(linear.weight.shape)}, "
          f"output matches numpy")
    for name, module in (("rnn", torch.nn.RNN), ("gru", torch.nn.GRU)):
        if meta["model"] != name:
            continue
        s = state(tensors, name + ".")
        n, i = s["weight_hh_l0"].shape[1], s["weight_ih_l0"].shape[1]
        m = module(i, n, dtype=s["weight_hh_l0"].dtype)
        print(f"torch.nn.{module.__name__}({i}, {n}).load_state_dict({m.load_state_dict(s)})")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        main(arg)
