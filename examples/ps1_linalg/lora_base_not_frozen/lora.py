# The base layer is not frozen: its weight and bias keep requires_grad=True, get gradients and count
# as trainable parameters. Everything else is right.
"""LoRA."""

import math

import torch


class LoRALinear(torch.nn.Module):
    def __init__(self, base, r, alpha=1.0):
        super().__init__()
        self.base = base  # wrong: base.requires_grad_(False) is missing
        self.r, self.alpha = r, alpha
        w = base.weight
        self.A = torch.nn.Parameter(torch.empty(r, base.in_features, dtype=w.dtype, device=w.device))
        torch.nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
        self.B = torch.nn.Parameter(torch.zeros(base.out_features, r, dtype=w.dtype, device=w.device))

    def forward(self, x):
        return self.base(x) + (self.alpha / self.r) * ((x @ self.A.T) @ self.B.T)

    def merged_weight(self):
        return self.base.weight + (self.alpha / self.r) * (self.B @ self.A)
