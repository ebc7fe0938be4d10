"""Sample: Adadelta accumulates the scaled update lr * delta in u (right only when lr = 1).

Problem 5: Adadelta and Shampoo, as torch.optim optimizers (statement, "Problem 5").

Subclass torch.optim.Optimizer; do not use torch.optim's own optimizers (or any other library's).
"""

from __future__ import annotations

import torch
from torch.optim import Optimizer


class Adadelta(Optimizer):
    """Adadelta exactly as torch.optim.Adadelta (statement, "Adadelta"), for any parameter shapes.

    Per parameter, with g its gradient (negated if maximize, plus weight_decay * theta):
    v <- rho v + (1 - rho) g^2;  delta = sqrt(u + eps) / sqrt(v + eps) * g;
    u <- rho u + (1 - rho) delta^2;  theta <- theta - lr * delta.
    State per parameter: ``self.state[p]["square_avg"]`` (v) and ``["acc_delta"]`` (u).
    """

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, maximize: bool = False):
        if not 0.0 <= lr or not 0.0 <= rho <= 1.0 or not 0.0 <= eps or not 0.0 <= weight_decay:
            raise ValueError("Adadelta needs lr >= 0, 0 <= rho <= 1, eps >= 0, weight_decay >= 0")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize))

    @torch.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns closure() if given, else None."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = -p.grad if group["maximize"] else p.grad
                if wd != 0:
                    g = g.add(p, alpha=wd)
                state = self.state[p]
                if not state:
                    state["square_avg"] = torch.zeros_like(p)
                    state["acc_delta"] = torch.zeros_like(p)
                v, u = state["square_avg"], state["acc_delta"]
                v.mul_(rho).addcmul_(g, g, value=1 - rho)
                delta = u.add(eps).sqrt_().div_(v.add(eps).sqrt_()).mul_(g)
                delta.mul_(lr)
                u.mul_(rho).addcmul_(delta, delta, value=1 - rho)  # accumulates lr * delta
                p.add_(delta, alpha=-1.0)
        return loss


def matrix_inverse_root(A: torch.Tensor, p: int, eps: float = 0.0) -> torch.Tensor:
    """(A + eps I)^(-1/p) for a symmetric positive semi-definite A, by torch.linalg.eigh: eigenvalues
    below 0 (rounding) are clamped to 0 before eps is added. Same dtype and shape as A."""
    lam, Q = torch.linalg.eigh(A)
    lam = lam.clamp(min=0) + eps
    return (Q * lam.pow(-1.0 / p)) @ Q.T


class Shampoo(Optimizer):
    """Shampoo (statement, "Shampoo"). For a parameter with gradient G (a matrix; a tensor of 3 or
    more dimensions as G.reshape(shape[0], -1)):
    L <- beta L + (1 - beta) G G^T,  R <- beta R + (1 - beta) G^T G  (both start at zero),
    W <- W - lr (L + eps I)^(-1/4) G (R + eps I)^(-1/4),
    the two roots recomputed at steps 1, 1 + f, 1 + 2f, ... (f = precondition_frequency) and reused in
    between. A vector (or scalar) parameter: v <- beta v + (1 - beta) g^2, W <- W - lr (v + eps)^(-1/2) g.
    Weight decay is decoupled: W <- W (1 - lr weight_decay) before the update.
    """

    def __init__(self, params, lr: float = 1e-3, beta: float = 0.999, eps: float = 1e-12,
                 precondition_frequency: int = 1, weight_decay: float = 0.0):
        if not 0.0 <= lr or not 0.0 <= beta < 1.0 or not 0.0 <= eps or precondition_frequency < 1:
            raise ValueError("Shampoo needs lr >= 0, 0 <= beta < 1, eps >= 0, precondition_frequency >= 1")
        super().__init__(params, dict(lr=lr, beta=beta, eps=eps, weight_decay=weight_decay,
                                      precondition_frequency=precondition_frequency))

    @torch.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns closure() if given, else None."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, beta, eps = group["lr"], group["beta"], group["eps"]
            freq, wd = group["precondition_frequency"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                G = p.grad.reshape(p.shape[0], -1) if p.ndim >= 3 else p.grad
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    if G.ndim == 2:
                        state["L"] = torch.zeros(G.shape[0], G.shape[0], dtype=p.dtype, device=p.device)
                        state["R"] = torch.zeros(G.shape[1], G.shape[1], dtype=p.dtype, device=p.device)
                    else:
                        state["v"] = torch.zeros_like(p)
                refresh = state["step"] % freq == 0
                state["step"] += 1
                if G.ndim == 2:
                    state["L"].mul_(beta).add_(G @ G.T, alpha=1 - beta)
                    state["R"].mul_(beta).add_(G.T @ G, alpha=1 - beta)
                    if refresh:
                        state["L_root"] = matrix_inverse_root(state["L"], 4, eps)
                        state["R_root"] = matrix_inverse_root(state["R"], 4, eps)
                    update = state["L_root"] @ G @ state["R_root"]
                else:
                    state["v"].mul_(beta).addcmul_(G, G, value=1 - beta)
                    if refresh:
                        state["v_root"] = state["v"].add(eps).pow(-0.5)
                    update = state["v_root"] * G
                if wd != 0:
                    p.mul_(1 - lr * wd)
                p.add_(update.reshape(p.shape), alpha=-lr)
        return loss
