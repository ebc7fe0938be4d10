# B is initialized randomly, like A and like a transformer's weights (normal, std 0.02), instead of
# with zeros: at initialization the layer no longer computes what the pretrained one does.
# Everything else is right.
"""LoRA."""

import math

import torch


class LoRALinear(torch.nn.Module):
    def __init__(self, base, r, alpha=1.0):
        super().__init__()
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        self.r, self.alpha = r, alpha
        w = base.weight
        self.A = torch.nn.Parameter(torch.empty(r, base.in_features, dtype=w.dtype, device=w.device))
        torch.nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
        # Wrong: B must start at zero.
        self.B = torch.nn.Parameter(0.02 * torch.randn(base.out_features, r, dtype=w.dtype,
                                                       device=w.device))

    def forward(self, x):
        return self.base(x) + (self.alpha / self.r) * ((x @ self.A.T) @ self.B.T)

    def merged_weight(self):
        return self.base.weight + (self.alpha / self.r) * (self.B @ self.A)
