"""Driver for problem 5 (bonus), LoRA: builds the student's ``LoRALinear`` around a given layer and
returns plain data (numpy arrays, numbers, strings, dicts).

Trusted harness code that runs in the sandbox next to the student's ``lora.py``. It decides
nothing: the checks compare what it returns with what they compute themselves from the inputs they
sent. Every input (the base layer's weight and bias, the inputs x, the seed for ``torch.manual_seed``
before ``LoRALinear`` is built, the training data) is an argument; nothing here is secret.

Each function builds ``base = torch.nn.Linear`` with exactly the given ``weight`` (out x in) and
``bias`` (out, or None for no bias), in the arrays' dtype, then ``LoRALinear(base, r)`` (``alpha``
None) or ``LoRALinear(base, r, alpha=alpha)``.
"""

import numpy as np
import torch


def _base(weight, bias) -> torch.nn.Linear:
    weight = torch.from_numpy(np.array(weight))
    out_features, in_features = weight.shape
    base = torch.nn.Linear(in_features, out_features, bias=bias is not None, dtype=weight.dtype)
    with torch.no_grad():
        base.weight.copy_(weight)
        if bias is not None:
            base.bias.copy_(torch.from_numpy(np.array(bias)))
    return base


def _build(weight, bias, r, alpha, seed):
    import lora

    base = _base(weight, bias)
    torch.manual_seed(int(seed))
    module = lora.LoRALinear(base, r) if alpha is None else lora.LoRALinear(base, r, alpha=alpha)
    return base, module


def _kind(value) -> str:
    if value is None:
        return "missing"
    if isinstance(value, torch.nn.Parameter):
        return "Parameter"
    if isinstance(value, torch.Tensor):
        return "Tensor"
    return type(value).__name__


def _array(value):
    """A tensor's values as a numpy array in its own dtype; None for anything that is not a tensor."""
    if not isinstance(value, torch.Tensor):
        return None
    return value.detach().cpu().clone().numpy()


def _set_B(module, B) -> None:
    """Give the module's ``B`` the values ``B`` (to test forward and merge with B != 0)."""
    if not isinstance(getattr(module, "B", None), torch.Tensor):
        raise AttributeError("LoRALinear has no tensor attribute B")
    with torch.no_grad():
        module.B.copy_(torch.from_numpy(np.array(B)))


def _output(module, x) -> dict:
    """``module(x)`` for x given as an array: its values, dtype and type."""
    out = module(torch.from_numpy(np.array(x)))
    return {"output": _array(out), "output_type": type(out).__name__}


def structure(weight, bias, r, alpha, seed) -> dict:
    """What ``LoRALinear(base, r, alpha)`` holds right after construction.

    Returns ``is_module`` (a ``torch.nn.Module``?), ``A_kind``/``B_kind`` ("Parameter", "Tensor",
    "missing" or a type name), ``A``/``B`` (arrays or None), ``parameters`` (for each of
    ``named_parameters()``: ``{"shape", "dtype", "requires_grad", "numel"}``), ``base_requires_grad``
    (``{"weight": bool, "bias": bool or None}``) and ``base_weight``/``base_bias`` (the base layer's
    values afterwards).
    """
    base, module = _build(weight, bias, r, alpha, seed)
    A, B = getattr(module, "A", None), getattr(module, "B", None)
    is_module = isinstance(module, torch.nn.Module)
    parameters = {}
    if is_module:
        for name, p in module.named_parameters():
            parameters[name] = {"shape": [int(s) for s in p.shape],
                                "dtype": str(p.dtype).removeprefix("torch."),
                                "requires_grad": bool(p.requires_grad), "numel": int(p.numel())}
    return {
        "is_module": is_module,
        "A_kind": _kind(A), "B_kind": _kind(B), "A": _array(A), "B": _array(B),
        "parameters": parameters,
        "base_requires_grad": {"weight": bool(base.weight.requires_grad),
                               "bias": None if base.bias is None else bool(base.bias.requires_grad)},
        "base_weight": _array(base.weight), "base_bias": _array(base.bias),
    }


def forward(weight, bias, r, alpha, seed, x, B=None) -> dict:
    """``module(x)`` right after construction, or after setting ``B`` to the given values.

    Returns ``A`` (the module's A, an array), ``output`` (an array, or None if forward did not return
    a tensor) and ``output_type``.
    """
    _, module = _build(weight, bias, r, alpha, seed)
    if B is not None:
        _set_B(module, B)
    return {"A": _array(getattr(module, "A", None)), **_output(module, x)}


def merged(weight, bias, r, alpha, seed, x, B) -> dict:
    """``merged_weight()`` and ``module(x)`` after setting ``B`` to the given values.

    Returns ``A``, ``merged`` (an array or None), ``merged_type``, ``output`` and ``output_type``.
    """
    _, module = _build(weight, bias, r, alpha, seed)
    _set_B(module, B)
    merged_weight = module.merged_weight()
    return {"A": _array(getattr(module, "A", None)), "merged": _array(merged_weight),
            "merged_type": type(merged_weight).__name__, **_output(module, x)}


def gradients(weight, bias, r, alpha, seed, x, upstream) -> dict:
    """One backward pass of ``(module(x) * upstream).sum()`` right after construction.

    Returns ``A``, ``A_grad``, ``B_grad`` (arrays, or None where ``.grad`` is None),
    ``base_weight_grad``/``base_bias_grad`` (likewise) and ``grads`` (for each of
    ``named_parameters()``: whether its ``.grad`` is set).
    """
    base, module = _build(weight, bias, r, alpha, seed)
    out = module(torch.from_numpy(np.array(x)))
    (out * torch.from_numpy(np.array(upstream))).sum().backward()
    A, B = getattr(module, "A", None), getattr(module, "B", None)
    return {
        "A": _array(A),
        "A_grad": _array(A.grad) if isinstance(A, torch.Tensor) else None,
        "B_grad": _array(B.grad) if isinstance(B, torch.Tensor) else None,
        "base_weight_grad": _array(base.weight.grad),
        "base_bias_grad": None if base.bias is None else _array(base.bias.grad),
        "grads": {name: p.grad is not None for name, p in module.named_parameters()},
    }


def train(weight, bias, r, alpha, seed, x, y, steps, lr) -> dict:
    """Fit ``module(x)`` to ``y`` (mean squared error) with ``torch.optim.Adam(lr)`` on the module's
    parameters that require gradients, for ``steps`` full-batch steps.

    Returns ``losses`` (array of ``steps + 1``: before each step and at the end), ``merged`` (the
    final ``merged_weight()``), ``output`` (the final ``module(x)``), ``A``, ``B`` and the base
    layer's final ``base_weight`` and ``base_bias``: the checks recompute the loss from these.
    """
    base, module = _build(weight, bias, r, alpha, seed)
    x, y = torch.from_numpy(np.array(x)), torch.from_numpy(np.array(y))
    params = [p for p in module.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=float(lr))
    losses = []
    for _ in range(int(steps)):
        optimizer.zero_grad()
        loss = ((module(x) - y) ** 2).mean()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    with torch.no_grad():
        losses.append(float(((module(x) - y) ** 2).mean()))
        return {"losses": np.array(losses), "merged": _array(module.merged_weight()),
                "output": _array(module(x)), "A": _array(getattr(module, "A", None)),
                "B": _array(getattr(module, "B", None)), "base_weight": _array(base.weight),
                "base_bias": None if base.bias is None else _array(base.bias)}
