"""Driver for problems 2 and 3: runs optimizer classes on small deterministic problems, returns data.

Trusted harness code. In a grading run it executes in the sandboxed child next to the student's
``adaptive.py`` / ``muon.py`` (``trajectory``, ``muon_lstsq``, ``muon_updates``) and returns plain
data only. The checks also import this file in the trusted parent and run the *same* problem builders
and loops with ``torch.optim``'s optimizers (``run_trajectory``) to get the expected trajectories, and
use ``first_divergence`` to compare. Nothing here is secret: seeds and settings are arguments.
"""

from __future__ import annotations

import importlib
import io

import numpy as np
import torch

# The network's parameters are layer1.weight, layer1.bias, layer2.weight, layer2.bias and, when asked
# for, two tensors without gradients:
FROZEN = "frozen"  # requires_grad=False: never has a gradient
UNUSED = "unused"  # requires_grad=True but not used by the loss: its .grad stays None
N_IN, N_HIDDEN, N_OUT, N_SAMPLES = 5, 8, 3, 32


def _dtype(name: str) -> torch.dtype:
    if name not in ("float32", "float64"):
        raise ValueError(f"unsupported dtype {name!r}")
    return getattr(torch, name)


def build_network(dtype: str, seed: int, extra: bool = False):
    """A two-layer tanh network and a fixed regression batch, fully determined by ``seed``.

    Returns ``(params, loss_fn)``: ``params`` maps names to leaf tensors (the four layer tensors,
    plus ``frozen`` and ``unused`` when ``extra``), ``loss_fn()`` is the mean squared error.
    """
    dt = _dtype(dtype)
    g = torch.Generator().manual_seed(int(seed))

    def draw(*shape, scale=1.0):
        return (torch.randn(*shape, generator=g, dtype=torch.float64) * scale).to(dt)

    x = draw(N_SAMPLES, N_IN)
    teacher = draw(N_IN, N_OUT)
    y = torch.sin(x.double() @ teacher.double()).to(dt) + draw(N_SAMPLES, N_OUT, scale=0.1)
    params = {
        "layer1.weight": draw(N_IN, N_HIDDEN, scale=N_IN**-0.5),
        "layer1.bias": draw(N_HIDDEN, scale=0.1),
        "layer2.weight": draw(N_HIDDEN, N_OUT, scale=N_HIDDEN**-0.5),
        "layer2.bias": draw(N_OUT, scale=0.1),
    }
    if extra:
        params[FROZEN] = draw(4)
        params[UNUSED] = draw(2, 3)
    for name, p in params.items():
        p.requires_grad_(name != FROZEN)

    def loss_fn():
        hidden = torch.tanh(x @ params["layer1.weight"] + params["layer1.bias"])
        out = hidden @ params["layer2.weight"] + params["layer2.bias"]
        return ((out - y) ** 2).mean()

    return params, loss_fn


def _param_groups(params: dict, groups):
    """The optimizer's ``params`` argument: a plain list, or (``groups`` given) two groups, the first
    layer in one and the second layer (with the extra tensors) in the other, each with its options."""
    if groups is None:
        return list(params.values())
    if len(groups) != 2:
        raise ValueError("groups must hold two dicts of options")
    first = [p for name, p in params.items() if name.startswith("layer1.")]
    second = [p for name, p in params.items() if not name.startswith("layer1.")]
    return [dict(groups[0], params=first), dict(groups[1], params=second)]


def _round_trip(state_dict):
    """What saving to disk and loading back does to a state dict (tensors and plain data only)."""
    buffer = io.BytesIO()
    torch.save(state_dict, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def _snapshot(params: dict) -> dict:
    return {name: p.detach().cpu().clone().numpy() for name, p in params.items()}


def run_trajectory(factory, *, defaults: dict, groups=None, dtype: str = "float64", steps: int = 100,
                   seed: int = 0, extra: bool = False, save_load_at: int | None = None,
                   closure: bool = False, grads: dict | None = None, record_grads: bool = False,
                   absent: dict | None = None) -> dict:
    """Run ``steps`` steps of ``factory(params, **defaults)`` on ``build_network(dtype, seed, extra)``.

    Each step computes the loss and its gradient at the current parameters, then calls the
    optimizer's ``step()`` (with ``closure``: ``step(closure)``, recording what it returns). When
    ``grads`` is given (``{name: array (steps, *shape)}``, as recorded by ``record_grads``), the
    gradient of step k is replaced by ``grads[name][k]`` (``None`` for names not in ``grads``): a
    *replay* of another run's gradients, which compares optimizers step for step without letting
    rounding differences feed back through the loss. After ``save_load_at`` steps the optimizer is
    replaced by a fresh one that loads the old one's ``state_dict()`` (saved and loaded through
    ``torch.save``/``torch.load``). ``absent`` (``{name: [step, ...]}``, steps counted from 0) lists
    the steps at which a parameter gets no gradient (its ``.grad`` is ``None`` for that ``step()``).

    Returns ``{"params": {name: array (steps + 1, *shape)}, "losses": array (steps,),
    "returned": array (steps,) or None, "grads": {name: array (steps, *shape)} or None,
    "grads_after": {name: array (steps, *shape)}}``; ``params[name][k]`` is the tensor after k steps,
    ``grads`` what each parameter's ``.grad`` held when ``step()`` was called (zeros where it was
    ``None``) and ``grads_after`` what it held when ``step()`` returned (NaN where it was ``None``).
    """
    params, loss_fn = build_network(dtype, seed, extra)
    optimizer = factory(_param_groups(params, groups), **defaults)
    snapshots = [_snapshot(params)]
    losses, returned, recorded, given = [], [], [], []
    skipped = {name: {int(k) for k in ks} for name, ks in (absent or {}).items()}
    step = [0]

    def closure_fn():
        for p in params.values():
            p.grad = None
        loss = loss_fn()
        loss.backward()
        if grads is not None:
            for name, p in params.items():
                p.grad = torch.tensor(grads[name][step[0]], dtype=p.dtype) if name in grads else None
        for name, p in params.items():
            if step[0] in skipped.get(name, ()):
                p.grad = None
        given.append({name: None if p.grad is None else p.grad.detach().clone().numpy()
                      for name, p in params.items() if p.requires_grad})
        losses.append(float(loss.detach()))
        return loss

    for k in range(int(steps)):
        step[0] = k
        if save_load_at is not None and k == save_load_at:
            state = _round_trip(optimizer.state_dict())
            optimizer = factory(_param_groups(params, groups), **defaults)
            optimizer.load_state_dict(state)
        if closure:
            value = optimizer.step(closure_fn)
            returned.append(_as_float(value))
        else:
            closure_fn()
            optimizer.step()
        snapshots.append(_snapshot(params))
        recorded.append({name: None if params[name].grad is None
                         else params[name].grad.detach().clone().numpy() for name in given[-1]})
    return {
        "params": {name: np.stack([s[name] for s in snapshots]) for name in params},
        "losses": np.array(losses, dtype=np.float64),
        "returned": np.array(returned, dtype=np.float64) if closure else None,
        "grads": _stack(given, 0.0) if record_grads else None,
        "grads_after": _stack(recorded, np.nan),
    }


def _stack(rows: list, fill: float) -> dict:
    """``{name: array (steps, *shape)}`` from per-step ``{name: array or None}`` (None as ``fill``);
    only names that hold an array at some step."""
    names = [name for name in (rows[0] if rows else {}) if any(r[name] is not None for r in rows)]
    out = {}
    for name in names:
        like = next(r[name] for r in rows if r[name] is not None)
        out[name] = np.stack([r[name] if r[name] is not None else np.full_like(like, fill) for r in rows])
    return out


def _as_float(value) -> float:
    """A step's return value as a float; NaN for anything that is not a number or a 1-element tensor."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value.detach())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return float("nan")


def _student_class(module: str, name: str):
    if module not in ("adaptive", "muon"):
        raise ValueError(f"unknown module {module!r}")
    return getattr(importlib.import_module(module), name)


def trajectory(name: str, defaults: dict, groups=None, dtype: str = "float64", steps: int = 100,
               seed: int = 0, extra: bool = False, save_load_at: int | None = None,
               closure: bool = False, grads: dict | None = None, module: str = "adaptive",
               absent: dict | None = None) -> dict:
    """``run_trajectory`` with the student's optimizer class ``module.name`` (runs in the sandbox)."""
    return run_trajectory(_student_class(module, name), defaults=defaults, groups=groups, dtype=dtype,
                          steps=steps, seed=seed, extra=extra, save_load_at=save_load_at,
                          closure=closure, grads=grads, absent=absent)


def first_divergence(actual: dict, expected: dict, *, rtol: float, what: str,
                     save_load_at: int | None = None, absent: dict | None = None,
                     groups: bool = False, reveal: bool = True) -> str | None:
    """Compare two ``run_trajectory`` results step by step (runs in the trusted parent).

    Parameter ``name`` after step k agrees when every element satisfies
    ``|actual - expected| <= rtol * max|expected|`` (max over that tensor at that step). Returns None
    if every parameter agrees at every step, else a message naming the parameter that differs and
    what that step tested; with ``reveal`` (public checks) also the step and by how much, without it
    (hidden checks) nothing computed from the student's values beyond a fixed category.
    """
    got = actual.get("params") if isinstance(actual, dict) else None
    want = expected["params"]
    if not isinstance(got, dict) or set(got) != set(want):
        return f"{what}: the driver returned no trajectory"
    steps = len(next(iter(want.values()))) - 1
    for name in want:
        a = got[name]
        if not isinstance(a, np.ndarray) or a.shape != want[name].shape:
            return f"{what}: parameter {name} changed shape"
        if a.dtype != want[name].dtype:
            return (f"{what}: parameter {name} changed dtype; update parameters in place in their own "
                    f"dtype")
    for k in range(1, steps + 1):
        for name, e_all in want.items():
            a, e = got[name][k], e_all[k]
            if not np.all(np.isfinite(a)):
                where = f" after step {k} of {steps}" if reveal else ""
                return f"{what}: parameter {name} is not finite{where} (torch.optim's is)"
            diff = np.abs(a.astype(np.float64) - e.astype(np.float64))
            scale = float(np.max(np.abs(e))) if e.size else 0.0
            worst = float(np.max(diff)) if diff.size else 0.0
            if worst <= rtol * max(scale, 1e-300):
                continue
            if reveal:
                relative = worst / scale if scale > 0 else float("inf")
                message = (f"{what}: parameter {name} first differs from torch.optim after step {k} of "
                           f"{steps}: greatest difference {worst:.3g}, {relative:.3g} relative to the "
                           f"parameter's largest entry (tolerance {rtol:g})")
            else:
                message = (f"{what}: parameter {name} differs from torch.optim by more than the "
                           f"tolerance ({rtol:g} of its largest entry)")
            skipped = sorted(int(s) for s in (absent or {}).get(name, ()))
            if name in (FROZEN, UNUSED):
                why = "requires_grad=False" if name == FROZEN else "not used by the loss"
                message += (f". {name} has no gradient ({why}): parameters whose .grad is None must be "
                            f"skipped, weight decay included")
            elif save_load_at is not None and k == save_load_at + 1:
                message += (". This is the first step after the optimizer was rebuilt from its "
                            "state_dict(): keep all per-parameter state in self.state[p]")
            elif k == 1 and groups:
                message += (". The very first update already differs: check the update formula and "
                            "that every option is read from the parameter's own group (group[\"lr\"], "
                            "...), not from the constructor's")
            elif k == 1:
                message += ". The very first update already differs: check the update formula"
            elif skipped and k - 1 >= skipped[0]:
                message += (f". {name} has no gradient on some steps: skip it on those steps (no "
                            f"update, no weight decay, no state change), and count each parameter's "
                            f"own steps in self.state[p]")
            elif not reveal:
                message += ". The first update agrees; a later one differs"
            return message
    return None


# ---------------------------------------------------------------------------- Muon


def lstsq_problem(rows: int, cols: int, samples: int, seed: int, dtype: str = "float32"):
    """Matrix least squares: f(W) = ||A W - B||_F^2 / (2 samples) with W of shape (rows, cols) and a
    solution of spectral norm 1, starting at W = 0. Returns ``(loss_fn, W)``, ``W`` the leaf tensor."""
    dt = _dtype(dtype)
    g = torch.Generator().manual_seed(int(seed))
    a = torch.randn(samples, rows, generator=g, dtype=torch.float64)
    u, _, vh = torch.linalg.svd(torch.randn(rows, cols, generator=g, dtype=torch.float64),
                                full_matrices=False)
    spectrum = torch.linspace(1.0, 0.1, min(rows, cols), dtype=torch.float64)
    target = (u * spectrum) @ vh
    b = a @ target + 0.01 * torch.randn(samples, cols, generator=g, dtype=torch.float64)
    a, b = a.to(dt), b.to(dt)
    w = torch.zeros(rows, cols, dtype=dt, requires_grad=True)

    def loss_fn():
        return ((a @ w - b) ** 2).sum() / (2 * samples)

    return loss_fn, w


def muon_lstsq(rows: int, cols: int, samples: int, steps: int, seed: int, defaults: dict,
               dtype: str = "float32") -> list[float]:
    """Losses of ``steps`` steps of the student's ``Muon(**defaults)`` on ``lstsq_problem``; the first
    entry is the loss at the start (W = 0)."""
    loss_fn, w = lstsq_problem(rows, cols, samples, seed, dtype)
    optimizer = _student_class("muon", "Muon")([w], **defaults)
    losses = []
    for _ in range(int(steps)):
        w.grad = None
        loss = loss_fn()
        loss.backward()
        losses.append(float(loss.detach()))
        optimizer.step()
    with torch.no_grad():
        losses.append(float(loss_fn()))
    return losses


def muon_updates(w0, grads: list, defaults: dict, spare=None) -> dict:
    """Feed the student's ``Muon(**defaults)`` the given gradients on a parameter starting at ``w0``.

    ``grads`` is a list of arrays of ``w0``'s shape; before step k the parameter's ``.grad`` is set to
    ``grads[k]``. A second parameter starting at ``spare`` (if given) never gets a gradient.
    Returns ``{"w": array (len(grads) + 1, *shape), "spare": array or None}``.
    """
    w = torch.tensor(np.asarray(w0)).requires_grad_(True)
    params = [w]
    other = None
    if spare is not None:
        other = torch.tensor(np.asarray(spare)).requires_grad_(True)
        params.append(other)
    optimizer = _student_class("muon", "Muon")(params, **defaults)
    history = [w.detach().clone().numpy()]
    for grad in grads:
        w.grad = torch.tensor(np.asarray(grad), dtype=w.dtype)
        optimizer.step()
        history.append(w.detach().clone().numpy())
    return {"w": np.stack(history), "spare": None if other is None else other.detach().clone().numpy()}


def muon_run(w0: dict, grads: dict, defaults: dict, groups=None, absent: dict | None = None,
             save_load_at: int | None = None, closure: bool = False) -> dict:
    """Feed the student's ``Muon`` given gradients on several parameters, with its whole interface.

    ``w0`` maps names to starting matrices; ``grads[name]`` is an array ``(steps, *shape)``: before
    step k each parameter's ``.grad`` is set to ``grads[name][k]``, or to ``None`` when k is listed in
    ``absent[name]``. ``groups`` (a list of ``(names, options)``) splits the parameters into groups
    with their own options (else one list). After ``save_load_at`` steps the optimizer is rebuilt from
    its ``state_dict()`` (through ``torch.save``/``torch.load``). With ``closure``, the gradients are
    set inside a closure passed to ``step`` that returns ``k + 0.5`` at step k.

    Returns ``{"w": {name: array (steps + 1, *shape)}, "returned": array (steps,) or None,
    "calls": array (steps,) of closure calls per step, "grads_after": {name: array (steps, *shape)}}``
    (``grads_after``: what ``.grad`` held when ``step()`` returned, NaN where it was ``None``).
    """
    params = {name: torch.tensor(np.asarray(w)).requires_grad_(True) for name, w in w0.items()}
    steps = len(next(iter(grads.values())))
    skipped = {name: {int(k) for k in ks} for name, ks in (absent or {}).items()}
    if groups is None:
        arg = list(params.values())
    else:
        arg = [dict(options, params=[params[n] for n in names]) for names, options in groups]
    factory = _student_class("muon", "Muon")
    optimizer = factory(arg, **defaults)
    history = {name: [p.detach().clone().numpy()] for name, p in params.items()}
    returned, calls, after = [], [], []
    step = [0, 0]

    def set_grads():
        step[1] += 1
        for name, p in params.items():
            k = step[0]
            p.grad = None if k in skipped.get(name, ()) else torch.tensor(np.asarray(grads[name][k]),
                                                                           dtype=p.dtype)
        return torch.tensor(step[0] + 0.5, dtype=torch.float64)

    for k in range(steps):
        step[0], step[1] = k, 0
        if save_load_at is not None and k == save_load_at:
            state = _round_trip(optimizer.state_dict())
            optimizer = factory(arg, **defaults)
            optimizer.load_state_dict(state)
        if closure:
            returned.append(_as_float(optimizer.step(set_grads)))
        else:
            set_grads()
            optimizer.step()
        calls.append(step[1])
        for name, p in params.items():
            history[name].append(p.detach().clone().numpy())
        after.append({name: None if p.grad is None else p.grad.detach().clone().numpy()
                      for name, p in params.items()})
    return {"w": {name: np.stack(h) for name, h in history.items()},
            "returned": np.array(returned, dtype=np.float64) if closure else None,
            "calls": np.array(calls, dtype=np.int64), "grads_after": _stack(after, np.nan)}
