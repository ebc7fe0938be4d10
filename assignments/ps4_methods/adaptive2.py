"""Problem 5: Adadelta and Shampoo, as torch.optim optimizers (statement, "Problem 5").

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
        raise NotImplementedError('__init__: not implemented yet. See README.md (ps4_methods).')

    @torch.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns closure() if given, else None."""
        raise NotImplementedError('step: not implemented yet. See README.md (ps4_methods).')


def matrix_inverse_root(A: torch.Tensor, p: int, eps: float = 0.0) -> torch.Tensor:
    """(A + eps I)^(-1/p) for a symmetric positive semi-definite A, by torch.linalg.eigh: eigenvalues
    below 0 (rounding) are clamped to 0 before eps is added. Same dtype and shape as A."""
    raise NotImplementedError('matrix_inverse_root: not implemented yet. See README.md (ps4_methods).')


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
        raise NotImplementedError('__init__: not implemented yet. See README.md (ps4_methods).')

    @torch.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns closure() if given, else None."""
        raise NotImplementedError('step: not implemented yet. See README.md (ps4_methods).')
