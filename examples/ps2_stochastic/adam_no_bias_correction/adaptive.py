"""Sample submission: Adam forgets the bias corrections 1 - beta1**t and 1 - beta2**t (AdamW has them).

Every Adam check fails; Adagrad, RMSprop and AdamW are right: 3 of the 4 optimizers, 37.5 of 50."""

import torch
from torch.optim import Optimizer


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10):
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["sum"] = torch.full_like(p, group["initial_accumulator_value"])
                state["step"] += 1
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * p
                state["sum"] += g * g
                lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
                p -= lr * g / (state["sum"].sqrt() + group["eps"])
        return loss


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            alpha = group["alpha"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["v"] = torch.zeros_like(p)
                    state["mean"] = torch.zeros_like(p)
                    state["buffer"] = torch.zeros_like(p)
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * p
                state["v"] = alpha * state["v"] + (1 - alpha) * g * g
                if group["centered"]:
                    state["mean"] = alpha * state["mean"] + (1 - alpha) * g
                    denom = (state["v"] - state["mean"] ** 2).sqrt() + group["eps"]
                else:
                    denom = state["v"].sqrt() + group["eps"]
                if group["momentum"] > 0:
                    state["buffer"] = group["momentum"] * state["buffer"] + g / denom
                    p -= group["lr"] * state["buffer"]
                else:
                    p -= group["lr"] * g / denom
        return loss


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["m"] = torch.zeros_like(p)
                    state["v"] = torch.zeros_like(p)
                    state["v_max"] = torch.zeros_like(p)
                state["step"] += 1
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * p
                state["m"] = beta1 * state["m"] + (1 - beta1) * g
                state["v"] = beta2 * state["v"] + (1 - beta2) * g * g
                v = state["v"]
                if group["amsgrad"]:
                    state["v_max"] = torch.maximum(state["v_max"], v)
                    v = state["v_max"]
                p -= group["lr"] * state["m"] / (v.sqrt() + group["eps"])
        return loss


class AdamW(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["m"] = torch.zeros_like(p)
                    state["v"] = torch.zeros_like(p)
                    state["v_max"] = torch.zeros_like(p)
                state["step"] += 1
                t = state["step"]
                g = p.grad
                p *= 1 - group["lr"] * group["weight_decay"]
                state["m"] = beta1 * state["m"] + (1 - beta1) * g
                state["v"] = beta2 * state["v"] + (1 - beta2) * g * g
                v = state["v"]
                if group["amsgrad"]:
                    state["v_max"] = torch.maximum(state["v_max"], v)
                    v = state["v_max"]
                m_hat = state["m"] / (1 - beta1**t)
                v_hat = v / (1 - beta2**t)
                p -= group["lr"] * m_hat / (v_hat.sqrt() + group["eps"])
        return loss
