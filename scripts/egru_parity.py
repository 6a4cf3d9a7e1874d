#!/usr/bin/python3
"""PyTorch EGRU written from the released code's equations (Subramoney et al.,
ICLR 2023; Efficient-Scalable-Machine-Learning/EvNN frameworks/pytorch/egru.py
EGRUScript), run on fixed small cases; writes the inputs, parameters, outputs
and gradients to layers/testdata/egru_parity.json, which
layers/egru_parity_test.go compares the Go EGRU against.

Layout is rnntrain's (torch.nn.GRU's): gates stacked (r, u, z) in weight_ih
[3N, I], weight_hh [3N, N], bias_ih, bias_hh [3N]; threshold [N].

    r  = σ(W_ir x + b_ir + W_hr y + b_hr)
    u  = σ(W_iu x + b_iu + W_hu y + b_hu)
    z  = tanh(W_iz x + b_iz + r ⊙ (W_hz y + b_hz))
    c̃  = u ⊙ c + (1 − u) ⊙ z
    o  = H(c̃ − ϑ)     backward: γ·max(0, 1 − ε|c̃ − ϑ|)
    y  = o ⊙ c̃;  c = c̃ − o ⊙ ϑ;  tr = 0.9 tr + 0.1 y
    loss = Σ proj ⊙ rates + λ (mean(o) − target)²

Usage: /usr/bin/python3 scripts/egru_parity.py [out.json]
(Debian packages python3-torch, python3-numpy.) Everything runs in float64;
the Go test compares its float64 layer to 1e-9 and its float32 layer to float32
precision.
"""
import json
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)


class Spike(torch.autograd.Function):
    """Heaviside step with EvNN's pseudo-derivative (SpikeFunction)."""

    @staticmethod
    def forward(ctx, v, gamma, eps):
        ctx.save_for_backward(v)
        ctx.gamma, ctx.eps = gamma, eps
        return (v > 0).to(v.dtype)

    @staticmethod
    def backward(ctx, g):
        (v,) = ctx.saved_tensors
        return g * ctx.gamma * torch.clamp(1 - ctx.eps * v.abs(), min=0), None, None


def egru(x, c0, p, steps, batch, gamma, eps, trace):
    n = p["threshold"].shape[0]
    c = c0.expand(batch, n)
    y = torch.zeros(batch, n)
    tr = torch.zeros(batch, n)
    rates, events, margin = [], [], float("inf")
    for t in range(steps):
        xt = x[t * batch:(t + 1) * batch]
        gi = xt @ p["weight_ih"].T + p["bias_ih"]
        gh = y @ p["weight_hh"].T + p["bias_hh"]
        r = torch.sigmoid(gi[:, :n] + gh[:, :n])
        u = torch.sigmoid(gi[:, n:2 * n] + gh[:, n:2 * n])
        z = torch.tanh(gi[:, 2 * n:] + r * gh[:, 2 * n:])
        ct = u * c + (1 - u) * z
        o = Spike.apply(ct - p["threshold"], gamma, eps)
        margin = min(margin, (ct - p["threshold"]).abs().min().item())
        y = o * ct
        c = ct - o * p["threshold"]
        tr = 0.9 * tr + 0.1 * y
        rates.append(tr if trace else y)
        events.append(o)
    return torch.cat(rates), c, torch.stack(events), margin


def case(name, seed, inputs, hidden, steps, batch, gamma, eps, trace, reg, target, scale):
    rng = np.random.default_rng(seed)

    def draw(*shape, s=1.0):
        return torch.tensor(s * rng.standard_normal(shape), requires_grad=True)

    p = {
        "weight_ih": draw(3 * hidden, inputs, s=scale / np.sqrt(inputs)),
        "weight_hh": draw(3 * hidden, hidden, s=scale / np.sqrt(hidden)),
        "bias_ih": draw(3 * hidden, s=0.3),
        "bias_hh": draw(3 * hidden, s=0.3),
        "threshold": torch.tensor(rng.beta(9 / 7, 3, hidden), requires_grad=True),
    }
    x = draw(steps * batch, inputs)
    c0 = draw(batch, hidden, s=0.5)
    proj = torch.tensor(rng.standard_normal((steps * batch, hidden)))
    rates, c, events, margin = egru(x, c0, p, steps, batch, gamma, eps, trace)
    loss = (proj * rates).sum()
    activity = events.mean()
    if reg > 0:
        loss = loss + reg * (activity - target) ** 2
    loss.backward()
    # A unit-step this close to its threshold could fire differently in
    # float32; the fixed cases keep every c̃ well away from ϑ.
    assert margin > 1e-4, f"{name}: c̃ within {margin} of ϑ"
    assert 0.05 < activity.item() < 0.95, f"{name}: activity {activity.item()}"
    flat = lambda t: t.detach().reshape(-1).tolist()
    out = {
        "name": name, "inputs": inputs, "hidden": hidden, "steps": steps, "batch": batch,
        "gamma": gamma, "eps": eps, "trace": trace, "activity_reg": reg, "activity_target": target,
        "x": flat(x), "c0": flat(c0), "proj": flat(proj),
        "params": {k: flat(v) for k, v in p.items()},
        "rates": flat(rates), "final_c": flat(c), "loss": loss.item(), "activity": activity.item(),
        "grad_x": flat(x.grad), "grad_c0": flat(c0.grad),
        "grads": {k: flat(v.grad) for k, v in p.items()},
    }
    return out


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "layers/testdata/egru_parity.json"
    cases = [
        case("plain", 1, 3, 8, 7, 2, 0.7, 1.0, False, 0.0, 0.05, 2.0),
        case("trace-reg-eps", 2, 2, 6, 9, 3, 0.5, 1.7, True, 3.0, 0.1, 2.0),
    ]
    with open(path, "w") as f:
        json.dump({"source": "scripts/egru_parity.py (PyTorch " + torch.__version__ + ", float64)", "cases": cases}, f)
        f.write("\n")
    for c in cases:
        print(f"{c['name']}: loss {c['loss']:.12g}, activity {c['activity']:.3f}")
    print("wrote", path)


if __name__ == "__main__":
    main()
