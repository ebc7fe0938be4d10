"""A correct submission written differently from the reference: ``torch._foreach_*`` operations over
each group's tensors, moments updated as ``beta * m + (1 - beta) * g`` and ``sqrt(v / bc2)`` instead of
PyTorch's ``lerp`` and ``sqrt(v) / sqrt(bc2)``. Mathematically the same update, rounded differently."""


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
        loss = _call_closure(closure)
        for group in self.param_groups:
            def init(st, p):
                st["step"] = torch.zeros(())
                st["m"] = torch.zeros_like(p)
                st["v"] = torch.zeros_like(p)
                st["v_max"] = torch.zeros_like(p)

            params, grads, states = _with_grads(group, self.state, init)
            beta1, beta2 = group["betas"]
            lr, wd = group["lr"], group["weight_decay"]
            if not params:
                continue
            if wd and self.decoupled:
                torch._foreach_mul_(params, 1 - lr * wd)
            elif wd:
                grads = torch._foreach_add(grads, params, alpha=wd)
            ms = [st["m"] for st in states]
            vs = [st["v"] for st in states]
            torch._foreach_mul_(ms, beta1)
            torch._foreach_add_(ms, grads, alpha=1 - beta1)
            torch._foreach_mul_(vs, beta2)
            torch._foreach_addcmul_(vs, grads, grads, value=1 - beta2)
            for p, st in zip(params, states, strict=True):
                st["step"] += 1
                t = int(st["step"])
                v = st["v"]
                if group["amsgrad"]:
                    st["v_max"] = torch.maximum(st["v_max"], v)
                    v = st["v_max"]
                denom = (v / (1 - beta2**t)).sqrt() + group["eps"]
                p.sub_(lr * (st["m"] / (1 - beta1**t)) / denom)
        return loss


class Adam(_AdamBase):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


class AdamW(_AdamBase):
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


