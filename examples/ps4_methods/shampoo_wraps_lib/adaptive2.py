"""Sample: Shampoo delegates to torch_optimizer.Shampoo, which the problem bans.

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
                u.mul_(rho).addcmul_(delta, delta, value=1 - rho)
                p.add_(delta, alpha=-lr)
        return loss


def matrix_inverse_root(A: torch.Tensor, p: int, eps: float = 0.0) -> torch.Tensor:
    """(A + eps I)^(-1/p) for a symmetric positive semi-definite A, by torch.linalg.eigh: eigenvalues
    below 0 (rounding) are clamped to 0 before eps is added. Same dtype and shape as A."""
    lam, Q = torch.linalg.eigh(A)
    lam = lam.clamp(min=0) + eps
    return (Q * lam.pow(-1.0 / p)) @ Q.T


class Shampoo(Optimizer):
    """Shampoo by delegating to the torch-optimizer package (banned by the problem)."""

    def __init__(self, params, lr: float = 1e-3, beta: float = 0.999, eps: float = 1e-12,
                 precondition_frequency: int = 1, weight_decay: float = 0.0):
        import torch_optimizer

        self._inner = torch_optimizer.Shampoo(params, lr=lr, epsilon=eps, update_freq=precondition_frequency,
                                              weight_decay=weight_decay)
        self.param_groups = self._inner.param_groups
        self.state = self._inner.state

    def step(self, closure=None):
        return self._inner.step(closure)
