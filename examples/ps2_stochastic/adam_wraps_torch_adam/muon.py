"""Problem 3 (bonus) — Muon: momentum whose update is orthogonalized by a Newton–Schulz iteration.

For a matrix G = U S Vᵀ (thin SVD), Shampoo's preconditioned step (G Gᵀ)^(-1/4) G (Gᵀ G)^(-1/4)
equals U Vᵀ: every singular value of the step set to one. Muon approximates U Vᵀ with a few steps of
a quintic Newton–Schulz iteration instead of an SVD, and applies it to a momentum buffer.

Conventions (see README.md for the formulas and what the checks compare):

- ``newton_schulz(G, steps)`` takes and returns a 2-D ``torch.Tensor`` of the same shape and dtype.
- ``Muon`` is a ``torch.optim.Optimizer`` for 2-D parameters (weight matrices). Parameters whose
  ``.grad`` is ``None`` are skipped; state lives in ``self.state[p]``; ``step(closure=None)``
  behaves as in PyTorch (the closure is called with gradients enabled, its value returned).
- Forbidden, as in problem 2: ``torch.optim``'s own optimizers (``torch.optim.Muon`` included), its
  functional API and fused kernels.
"""

from __future__ import annotations

import torch
from torch.optim import Optimizer

NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)


def newton_schulz(G: torch.Tensor, steps: int = 5) -> torch.Tensor:
    """Approximate the orthogonal factor U Vᵀ of ``G = U S Vᵀ`` by the quintic Newton–Schulz iteration.

    With (a, b, c) = NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)::

        X <- G / (||G||_F + 1e-7)            (so that every singular value is at most 1)
        repeat ``steps`` times:
            A <- X Xᵀ
            X <- a X + (b A + c A A) X

    Each step maps every singular value s of X to a s + b s³ + c s⁵ and keeps the singular vectors.
    If G has more rows than columns, iterate on Gᵀ (so that A is the smaller Gram matrix) and transpose
    the result back.

    Args:
        G: a 2-D tensor, float32 or float64 (compute in that dtype; a half-precision G may be
            computed in float32).
        steps: number of iterations (an int ≥ 0).

    Returns:
        A tensor with G's shape and dtype whose singular vectors are G's and whose nonzero singular
        values lie roughly in [0.7, 1.1] after five steps (see README.md for the band checked).
    """
    if G.ndim != 2:
        raise ValueError(f"newton_schulz expects a 2-D tensor; got shape {tuple(G.shape)}")
    a, b, c = NS_COEFFICIENTS
    X = G if G.dtype in (torch.float32, torch.float64) else G.float()
    tall = X.size(0) > X.size(1)
    if tall:
        X = X.mT
    X = X / (torch.linalg.matrix_norm(X) + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        B = b * A + c * (A @ A)
        X = a * X + B @ X
    if tall:
        X = X.mT
    return X.to(G.dtype).contiguous()


class Muon(Optimizer):
    r"""Muon (Jordan et al. 2024) for 2-D parameters.

    At each step, for each parameter :math:`W` with gradient :math:`G`::

        B <- momentum * B + G                           (B starts at 0)
        N = G + momentum * B    if nesterov else  B
        O = newton_schulz(N, ns_steps)
        W <- W * (1 - lr * weight_decay)                (decoupled weight decay)
        W <- W - lr * O
    """

    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, weight_decay=0.0, ns_steps=5):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"Invalid momentum: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay,
                        ns_steps=ns_steps)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        """One Muon update of every parameter that has a gradient; returns ``closure()`` or None."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, momentum, weight_decay = group["lr"], group["momentum"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.ndim != 2:
                    raise ValueError(f"Muon updates 2-D parameters only; got shape {tuple(p.shape)}")
                state = self.state[p]
                if len(state) == 0:
                    state["momentum_buffer"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                buf = state["momentum_buffer"]
                buf.mul_(momentum).add_(p.grad)
                update = p.grad.add(buf, alpha=momentum) if group["nesterov"] else buf
                ortho = newton_schulz(update, group["ns_steps"])
                p.mul_(1 - lr * weight_decay)
                p.add_(ortho, alpha=-lr)
        return loss
