"""Problem 5 (bonus) — LoRA: low-rank adaptation of a linear layer.

A pretrained layer y = x W0^T + b (W0 of shape out x in) is fine-tuned by learning a low-rank update
instead of W0 itself: W = W0 + (alpha / r) B A with B (out x r) and A (r x in), r << min(out, in).
Only A and B are trained: r (in + out) numbers instead of out * in.

Conventions (see README.md for the details and what the checks test):

- ``base`` is a ``torch.nn.Linear`` (with or without bias, float32 or float64); its weight and bias
  are frozen (``requires_grad`` False) and never change.
- ``A`` and ``B`` are ``torch.nn.Parameter`` attributes of the module, in the base's dtype and on its
  device: ``A`` random (any distribution with finite variance), ``B`` zero, so that the module
  computes exactly what ``base`` computes until training changes ``B``.
- ``forward`` accepts any input of shape (..., in_features), as ``torch.nn.Linear`` does.
"""

from __future__ import annotations

import math

import torch


class LoRALinear(torch.nn.Module):
    """``base`` plus a trainable low-rank update: forward(x) = base(x) + (alpha / r) x A^T B^T.

    Args:
        base: the pretrained ``torch.nn.Linear(in_features, out_features)``; frozen here.
        r: the rank of the update, a positive int.
        alpha: the scale of the update (default 1.0); the update is multiplied by alpha / r.

    Attributes:
        base: the wrapped layer (its parameters have ``requires_grad`` False).
        A: ``torch.nn.Parameter`` of shape (r, in_features), random.
        B: ``torch.nn.Parameter`` of shape (out_features, r), zeros.
        r, alpha: as given.
    """

    def __init__(self, base: torch.nn.Linear, r: int, alpha: float = 1.0):
        super().__init__()
        raise NotImplementedError('__init__: not implemented yet. See README.md (ps1_linalg).')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """base(x) + (alpha / r) x A^T B^T, for x of shape (..., in_features)."""
        raise NotImplementedError('forward: not implemented yet. See README.md (ps1_linalg).')

    def merged_weight(self) -> torch.Tensor:
        """The weight of the equivalent plain layer: W0 + (alpha / r) B A, of shape (out, in).

        ``forward(x)`` equals ``x @ merged_weight().T + base.bias`` (without the bias if the base
        has none), up to rounding.
        """
        raise NotImplementedError('merged_weight: not implemented yet. See README.md (ps1_linalg).')
