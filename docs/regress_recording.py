"""Regress unit activity on the task variables of an rnntrain recording
(Mante et al. 2013 style): one least-squares fit per time step and unit of
rates[trial, t, unit] on the z-scored task variables of each trial.

    rnntrain eval -checkpoint RUN -trials 500 -record rec.npz
    python3 docs/regress_recording.py rec.npz
"""
import sys

import numpy as np

d = np.load(sys.argv[1] if len(sys.argv) > 1 else "rec.npz")
rates = d["rates"]  # [trials, T, N] float32
names = sorted(k[len("task/"):] for k in d.files if k.startswith("task/"))
X = np.stack([d["task/" + k] for k in names] + [d["choice"]], axis=1).astype(float)  # [trials, K]
names.append("choice")
keep = np.all(np.isfinite(X), axis=1) & (d["scored"] == 1)  # drop catch trials
X, R = X[keep], rates[keep].astype(float)
varies = X.std(axis=0) > 0  # drop variables the task does not vary
X, names = X[:, varies], [n for n, v in zip(names, varies) if v]
X = (X - X.mean(axis=0)) / X.std(axis=0)
X1 = np.column_stack([np.ones(len(X)), X])  # intercept first
beta = np.einsum("kn,ntu->tku", np.linalg.pinv(X1), R)  # [T, 1+K, N]
fit = np.einsum("nk,tku->ntu", X1, beta)
r2 = 1 - ((R - fit) ** 2).sum() / ((R - R.mean(axis=0)) ** 2).sum()
# Each variable's regression axis: its coefficients over units at the
# step where their norm is largest.
for k, name in enumerate(names, start=1):
    norms = np.linalg.norm(beta[:, k, :], axis=1)
    t = int(np.argmax(norms))
    print(f"{name:16s} max |beta| {norms[t]:.4f} at step {t}")
print(f"R^2 {r2:.3f} over {len(X)} trials, {R.shape[1]} steps, {R.shape[2]} units")
