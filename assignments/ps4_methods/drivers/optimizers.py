"""Driver for problem 5: runs optimizer classes on small deterministic problems, returns data.

Trusted harness code. In a grading run it executes in the sandboxed child next to the student's
``adaptive2.py`` (``trajectory``, ``first_step``, ``lstsq_losses``) and returns plain data only. The
checks also import this file in the trusted parent and run the *same* builders and loops with
``torch.optim.Adadelta`` or the reference ``Shampoo`` (``run_trajectory``) for the expected values.
Nothing here is secret: seeds and settings are arguments.
"""

from __future__ import annotations

import importlib

import numpy as np
import torch

FROZEN = "frozen"  # requires_grad=False: never has a gradient, must never change


def _dtype(name: str) -> torch.dtype:
    if name not in ("float32", "float64"):
        raise ValueError(f"unsupported dtype {name!r}")
    return getattr(torch, name)


def build_problem(dtype: str, seed: int):
    """A small tanh network (a matrix, a bias, a second matrix), a 3-D tensor fitted linearly, and a
    frozen vector; fully determined by ``seed``. Returns ``(params, loss_fn)``."""
    dt = _dtype(dtype)
    g = torch.Generator().manual_seed(int(seed))

    def draw(*shape, scale=1.0):
        return (torch.randn(*shape, generator=g, dtype=torch.float64) * scale).to(dt)

    x, y = draw(24, 6), draw(24, 3)
    z, w = draw(12, 5), draw(2, 5)
    params = {"W1": draw(6, 5, scale=0.4), "b1": draw(5, scale=0.1), "W2": draw(5, 3, scale=0.4),
              "T": draw(2, 3, 4, scale=0.3), FROZEN: draw(3)}
    for name, p in params.items():
        p.requires_grad_(name != FROZEN)

    def loss_fn():
        out = torch.tanh(x @ params["W1"] + params["b1"]) @ params["W2"]
        return ((out - y) ** 2).mean() + ((params["T"].reshape(2, 12) @ z - w) ** 2).mean()

    return params, loss_fn


def _groups(params: dict, groups):
    if groups is None:
        return [p for p in params.values()]
    first = [p for name, p in params.items() if name in ("W1", "b1")]
    second = [p for name, p in params.items() if name not in ("W1", "b1")]
    return [dict(groups[0], params=first), dict(groups[1], params=second)]


def run_trajectory(factory, *, defaults: dict, groups=None, dtype: str = "float64", steps: int = 20,
                   seed: int = 0) -> dict:
    """``steps`` steps of ``factory(params, **defaults)`` on ``build_problem(dtype, seed)``; with
    ``groups`` (two dicts of options) the first layer and the rest are two parameter groups.
    Returns ``{"params": {name: array (steps + 1, *shape)}, "losses": array (steps,)}``."""
    params, loss_fn = build_problem(dtype, seed)
    optimizer = factory(_groups(params, groups), **defaults)
    snapshots = [{n: p.detach().clone().numpy() for n, p in params.items()}]
    losses = []
    for _ in range(int(steps)):
        for p in params.values():
            p.grad = None
        loss = loss_fn()
        loss.backward()
        losses.append(float(loss.detach()))
        optimizer.step()
        snapshots.append({n: p.detach().clone().numpy() for n, p in params.items()})
    return {"params": {n: np.stack([s[n] for s in snapshots]) for n in params},
            "losses": np.array(losses)}


def _student(name: str):
    if name not in ("Adadelta", "Shampoo"):
        raise ValueError(f"unknown optimizer {name!r}")
    return getattr(importlib.import_module("adaptive2"), name)


def trajectory(name: str, defaults: dict, groups=None, dtype: str = "float64", steps: int = 20,
               seed: int = 0) -> dict:
    """``run_trajectory`` with the student's ``adaptive2.<name>`` (runs in the sandbox)."""
    return run_trajectory(_student(name), defaults=defaults, groups=groups, dtype=dtype, steps=steps,
                          seed=seed)


def first_step(name: str, W, G, defaults: dict):
    """One step of the student's optimizer on the single parameter W with gradient G (numpy arrays,
    float64); returns W_before - W_after as a numpy array."""
    w = torch.tensor(np.asarray(W), dtype=torch.float64, requires_grad=True)
    optimizer = _student(name)([w], **defaults)
    w.grad = torch.tensor(np.asarray(G), dtype=torch.float64)
    optimizer.step()
    return np.asarray(W) - w.detach().numpy()


def lstsq_losses(name: str, defaults: dict, rows: int, cols: int, samples: int, steps: int, seed: int,
                 dtype: str = "float32") -> list:
    """Losses of ``steps`` steps of the student's optimizer on f(W) = ||A W - B||_F^2 / (2 samples) from
    W = 0 (first entry: the loss at W = 0), B = A W* + small noise with W* of spectral norm about 1."""
    dt = _dtype(dtype)
    g = torch.Generator().manual_seed(int(seed))
    a = torch.randn(samples, rows, generator=g, dtype=torch.float64)
    target = torch.randn(rows, cols, generator=g, dtype=torch.float64) / (rows**0.5 + cols**0.5)
    b = (a @ target + 0.01 * torch.randn(samples, cols, generator=g, dtype=torch.float64)).to(dt)
    a = a.to(dt)
    w = torch.zeros(rows, cols, dtype=dt, requires_grad=True)
    optimizer = _student(name)([w], **defaults)
    losses = []
    for _ in range(int(steps)):
        w.grad = None
        loss = ((a @ w - b) ** 2).sum() / (2 * samples)
        loss.backward()
        losses.append(float(loss.detach()))
        optimizer.step()
    with torch.no_grad():
        losses.append(float(((a @ w - b) ** 2).sum() / (2 * samples)))
    return losses
