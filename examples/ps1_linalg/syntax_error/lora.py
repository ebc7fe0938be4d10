# A correct lora.py written differently from the reference: the base kept under another name,
# a normal init of A, and forward through torch.nn.functional.linear with the merged weight.
"""LoRA."""

import torch
import torch.nn.functional as F


class LoRALinear(torch.nn.Module):
    def __init__(self, base, r, alpha=1.0):
        super().__init__()
        base.requires_grad_(False)
        self.frozen = base
        self.scale = alpha / r
        w = base.weight
        self.A = torch.nn.Parameter(torch.randn(r, w.shape[1], dtype=w.dtype, device=w.device) / r)
        self.B = torch.nn.Parameter(w.new_zeros(w.shape[0], r))

    def merged_weight(self):
        return self.frozen.weight + self.scale * self.B @ self.A

    def forward(self, x):
        return F.linear(x, self.merged_weight(), self.frozen.bias)
