# Sample: Adam/AdamW count steps per group, not per parameter.
"""Problem 2 — adaptive methods: Adagrad, RMSprop, Adam and AdamW as ``torch.optim`` optimizers.

Each class is a subclass of ``torch.optim.Optimizer`` with PyTorch's constructor arguments, defaults
and update rule, so that it can replace ``torch.optim.<Name>`` in a training loop and produce the same
iterates. The constructors are written for you; implement ``step``.

Conventions (see README.md for the formulas and what the checks compare):

- ``step(closure=None)`` runs under ``torch.no_grad()``; when a ``closure`` is given it is called
  once, with gradients enabled, before the update, and ``step`` returns its value (else ``None``).
- Parameters whose ``.grad`` is ``None`` are skipped: no state, no update, no weight decay.
- Every per-parameter quantity (step count, accumulators, moments) lives in ``self.state[p]`` as
  tensors (the step count may be a tensor or a Python number), so that ``state_dict()`` and
  ``load_state_dict()`` of the base class save and restore a run exactly.
- Hyperparameters are read from each parameter group (``group["lr"]``, ...), never from the
  constructor's arguments: groups may differ.
- ε is added *outside* the square root, as PyTorch does. The lecture slides put it inside the root
  for Adagrad and RMSprop; here we follow PyTorch so that your iterates can be compared with it.
- The update uses tensor operations only (no ``.numpy()``, no Python loops over elements), so that it
  runs on the tensors' device, CPU or GPU. ``torch._foreach_*`` operations are allowed.
- Forbidden: ``torch.optim``'s own optimizers (``torch.optim.Adam``, ...), its functional API
  (``torch.optim._functional``, ``torch.optim.adam.adam``, ...) and fused kernels
  (``torch._fused_*``). Using any of them scores zero for the whole problem.
"""

from __future__ import annotations

import torch
from torch.optim import Optimizer


def _check_non_negative(**values) -> None:
    for name, value in values.items():
        if not 0.0 <= value:
            raise ValueError(f"Invalid {name}: {value}")


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan, Singer 2010), as ``torch.optim.Adagrad``.

    At step :math:`t = 1, 2, \dots`, for each parameter :math:`x` with gradient :math:`g`::

        g  <- g + weight_decay * x                      (if weight_decay != 0)
        lr_t = lr / (1 + (t - 1) * lr_decay)
        s  <- s + g * g                                 (s starts at initial_accumulator_value)
        x  <- x - lr_t * g / (sqrt(s) + eps)

    Everything is elementwise; ``t`` counts this parameter's own steps. Note that ``eps`` is added
    *outside* the square root, as in PyTorch; the lecture slides put it inside (sqrt(s + eps)).
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10):
        _check_non_negative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                            initial_accumulator_value=initial_accumulator_value, eps=eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        """One Adagrad update of every parameter that has a gradient; returns ``closure()`` or None."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
            weight_decay = group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = torch.tensor(0.0)
                    state["sum"] = torch.full_like(p, group["initial_accumulator_value"],
                                                   memory_format=torch.preserve_format)
                state["step"] += 1
                t = state["step"].item()
                grad = p.grad
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                clr = lr / (1 + (t - 1) * lr_decay)
                state["sum"].addcmul_(grad, grad, value=1)
                std = state["sum"].sqrt().add_(eps)
                p.addcdiv_(grad, std, value=-clr)
        return loss


class RMSprop(Optimizer):
    r"""RMSprop (Tieleman, Hinton 2012), as ``torch.optim.RMSprop``.

    At each step, for each parameter :math:`x` with gradient :math:`g` (all elementwise)::

        g  <- g + weight_decay * x                      (if weight_decay != 0)
        v  <- alpha * v + (1 - alpha) * g * g           (v starts at 0)
        if centered:
            a  <- alpha * a + (1 - alpha) * g           (a starts at 0)
            d  = sqrt(v - a * a) + eps
        else:
            d  = sqrt(v) + eps
        if momentum > 0:
            b  <- momentum * b + g / d                  (b starts at 0)
            x  <- x - lr * b
        else:
            x  <- x - lr * g / d

    As for Adagrad, ``eps`` is added *outside* the square root (PyTorch), not inside as on the slides.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False):
        _check_non_negative(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum)
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        """One RMSprop update of every parameter that has a gradient; returns ``closure()`` or None."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            weight_decay, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = torch.tensor(0.0)
                    state["square_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    if momentum > 0:
                        state["momentum_buffer"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    if centered:
                        state["grad_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["step"] += 1
                grad = p.grad
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                square_avg = state["square_avg"]
                square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
                if centered:
                    grad_avg = state["grad_avg"]
                    grad_avg.lerp_(grad, 1 - alpha)
                    avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
                else:
                    avg = square_avg.sqrt()
                avg.add_(eps)
                if momentum > 0:
                    buf = state["momentum_buffer"]
                    buf.mul_(momentum).addcdiv_(grad, avg)
                    p.add_(buf, alpha=-lr)
                else:
                    p.addcdiv_(grad, avg, value=-lr)
        return loss


class Adam(Optimizer):
    r"""Adam (Kingma, Ba 2014), as ``torch.optim.Adam``, with L2 weight decay and AMSGrad.

    At step :math:`t = 1, 2, \dots`, for each parameter :math:`x` with gradient :math:`g`
    (all elementwise; ``beta1, beta2 = betas``)::

        g  <- g + weight_decay * x                      (L2: if weight_decay != 0)
        m  <- beta1 * m + (1 - beta1) * g               (m, v start at 0)
        v  <- beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        if amsgrad:
            v_max <- max(v_max, v)                      (v_max starts at 0; the raw v, not v_hat)
            v_hat = v_max / (1 - beta2**t)
        else:
            v_hat = v / (1 - beta2**t)
        x  <- x - lr * m_hat / (sqrt(v_hat) + eps)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False):
        _check_non_negative(lr=lr, eps=eps, weight_decay=weight_decay)
        if not (0.0 <= betas[0] < 1.0 and 0.0 <= betas[1] < 1.0):
            raise ValueError(f"Invalid betas: {betas}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        """One Adam update of every parameter that has a gradient; returns ``closure()`` or None."""
        return _adam_step(self, closure, decoupled=False)


class AdamW(Optimizer):
    r"""AdamW (Loshchilov, Hutter 2017), as ``torch.optim.AdamW``: Adam with decoupled weight decay.

    The same as :class:`Adam` without the L2 term in the gradient; instead, first::

        x  <- x * (1 - lr * weight_decay)

    and then the Adam step above on the decayed ``x`` (with the undecayed gradient). Note the
    default ``weight_decay=1e-2``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        _check_non_negative(lr=lr, eps=eps, weight_decay=weight_decay)
        if not (0.0 <= betas[0] < 1.0 and 0.0 <= betas[1] < 1.0):
            raise ValueError(f"Invalid betas: {betas}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        """One AdamW update of every parameter that has a gradient; returns ``closure()`` or None."""
        return _adam_step(self, closure, decoupled=True)


def _adam_step(optimizer: Optimizer, closure, decoupled: bool):
    """Adam's update for all of ``optimizer``'s groups, weight decay as L2 or ``decoupled`` (AdamW).

    A helper that ``Adam.step`` and ``AdamW.step`` can share; use it, change it or delete it.
    Returns ``closure()`` when a closure is given, else None.
    """
    loss = None
    if closure is not None:
        with torch.enable_grad():
            loss = closure()
    for group in optimizer.param_groups:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
        group["step"] = group.get("step", 0) + 1  # one count per group
        for p in group["params"]:
            if p.grad is None:
                continue
            state = optimizer.state[p]
            if len(state) == 0:
                state["step"] = torch.tensor(0.0)
                state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                if amsgrad:
                    state["max_exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
            state["step"] += 1
            t = group["step"]
            grad = p.grad
            if weight_decay != 0:
                if decoupled:
                    p.mul_(1 - lr * weight_decay)
                else:
                    grad = grad.add(p, alpha=weight_decay)
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            bias_correction1 = 1 - beta1**t
            bias_correction2 = 1 - beta2**t
            step_size = lr / bias_correction1
            bias_correction2_sqrt = bias_correction2**0.5
            if amsgrad:
                max_exp_avg_sq = state["max_exp_avg_sq"]
                torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
                denom = (max_exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
            else:
                denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
            p.addcdiv_(exp_avg, denom, value=-step_size)
    return loss
