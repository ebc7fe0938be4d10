"""Adagrad and RMSprop as in adaptive_correct; Adam and AdamW right but written entry by entry: a
Python loop over every number of every parameter, thousands of times slower than tensor operations."""


import math

import torch
from torch.optim.optimizer import Optimizer


def _with_grads(group, state, init):
    """Parameters of ``group`` that have a gradient, their gradients and their (initialised) states."""
    params, grads, states = [], [], []
    for p in group["params"]:
        if p.grad is None:
            continue
        st = state[p]
        if not st:
            init(st, p)
        params.append(p)
        grads.append(p.grad)
        states.append(st)
    return params, grads, states


def _call_closure(closure):
    if closure is None:
        return None
    with torch.enable_grad():
        return closure()


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps))

    @torch.no_grad()
    def step(self, closure=None):
        loss = _call_closure(closure)
        for group in self.param_groups:
            def init(st, p, v=group["initial_accumulator_value"]):
                st["step"] = 0
                st["sum"] = torch.full_like(p, v)

            params, grads, states = _with_grads(group, self.state, init)
            if not params:
                continue
            if group["weight_decay"]:
                grads = torch._foreach_add(grads, params, alpha=group["weight_decay"])
            sums = [st["sum"] for st in states]
            torch._foreach_addcmul_(sums, grads, grads)
            denoms = torch._foreach_sqrt(sums)
            torch._foreach_add_(denoms, group["eps"])
            for p, g, d, st in zip(params, grads, denoms, states, strict=True):
                st["step"] += 1
                clr = group["lr"] / (1 + (st["step"] - 1) * group["lr_decay"])
                p.addcdiv_(g, d, value=-clr)
        return loss


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    @torch.no_grad()
    def step(self, closure=None):
        loss = _call_closure(closure)
        for group in self.param_groups:
            def init(st, p):
                st["step"] = 0
                st["v"] = torch.zeros_like(p)
                st["g_avg"] = torch.zeros_like(p)
                st["buf"] = torch.zeros_like(p)

            params, grads, states = _with_grads(group, self.state, init)
            if not params:
                continue
            alpha = group["alpha"]
            if group["weight_decay"]:
                grads = torch._foreach_add(grads, params, alpha=group["weight_decay"])
            vs = [st["v"] for st in states]
            torch._foreach_mul_(vs, alpha)
            torch._foreach_addcmul_(vs, grads, grads, value=1 - alpha)
            if group["centered"]:
                avgs = [st["g_avg"] for st in states]
                torch._foreach_mul_(avgs, alpha)
                torch._foreach_add_(avgs, grads, alpha=1 - alpha)
                var = torch._foreach_addcmul(vs, avgs, avgs, value=-1)
                denoms = torch._foreach_sqrt(var)
            else:
                denoms = torch._foreach_sqrt(vs)
            torch._foreach_add_(denoms, group["eps"])
            for st in states:
                st["step"] += 1
            if group["momentum"] > 0:
                bufs = [st["buf"] for st in states]
                torch._foreach_mul_(bufs, group["momentum"])
                torch._foreach_addcdiv_(bufs, grads, denoms)
                torch._foreach_add_(params, bufs, alpha=-group["lr"])
            else:
                torch._foreach_addcdiv_(params, grads, denoms, value=-group["lr"])
        return loss


class _AdamBase(Optimizer):
    decoupled = False

    def __init__(self, params, lr, betas, eps, weight_decay, amsgrad):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad))

    @torch.no_grad()
    def step(self, closure=None):
        # The update written entry by entry, as in the formulas: right, but a Python loop over
        # every number of every parameter.
        loss = _call_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st["step"] = 0
                    st["m"] = [0.0] * p.numel()
                    st["v"] = [0.0] * p.numel()
                    st["v_max"] = [0.0] * p.numel()
                st["step"] += 1
                t = st["step"]
                x, g = p.reshape(-1).tolist(), p.grad.reshape(-1).tolist()
                m, v, v_max = st["m"], st["v"], st["v_max"]
                for i in range(len(x)):
                    gi = g[i]
                    if wd and self.decoupled:
                        x[i] *= 1 - lr * wd
                    elif wd:
                        gi += wd * x[i]
                    m[i] = beta1 * m[i] + (1 - beta1) * gi
                    v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
                    vi = v[i]
                    if group["amsgrad"]:
                        v_max[i] = max(v_max[i], vi)
                        vi = v_max[i]
                    x[i] -= lr * (m[i] / (1 - beta1**t)) / (math.sqrt(vi / (1 - beta2**t)) + eps)
                p.copy_(torch.tensor(x, dtype=p.dtype).reshape(p.shape))
        return loss


class Adam(_AdamBase):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


class AdamW(_AdamBase):
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


