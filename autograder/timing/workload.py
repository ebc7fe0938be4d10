"""What a timing check times: trusted functions that make inputs, compute the baseline, and say how
a target is called — written by the check author as plain module-level functions.

The same function objects serve twice: in the trusted parent they compute the expected outputs
(from the same seeds), and their source is sent to the sandboxed child, where the harness times them
against the student's code. They may use ``np``, ``math`` and ``torch`` (imported at module level
of the workload only when a function names it; import torch inside a function that needs it only
sometimes) and each other, nothing else: no closures, no other globals of the check file (the check
file's secrets stay in the parent).
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

OUTPUTS = ("array", "scalar", "params")
_ALLOWED = frozenset({"np", "numpy", "math", "torch"})
_ROLES = ("inputs", "baseline", "best", "setup", "result")


@dataclass(frozen=True)
class Workload:
    """The trusted half of a timing check.

    - ``inputs(gen, device, **sizes)``: fresh inputs from a ``numpy.random.Generator``, as the tuple
      of positional arguments of one call (numpy arrays or torch tensors on ``device``, lists,
      tuples, dicts). Deterministic in ``gen``: the parent regenerates them for the expected values.
    - ``baseline``: the trusted implementation the student is compared with; it has the student's
      interface (a function, or for stateful code a factory such as an optimizer class).
    - ``best`` (optional): the best known trusted implementation; also timed, shown in the report, and
      the yardstick for "implausibly fast" (``Variant.max_speedup``).
    - ``expected`` (optional, parent only): computes the expected outputs; default ``best`` or else
      ``baseline``. Pick a fast one: it runs once per repetition in the parent.
    - ``setup(impl, *args)`` (optional): returns the thunk that is timed; default
      ``lambda: impl(*args)``. For stateful code: build the object and run its steps inside the thunk,
      so that all of the student's code is timed.
    - ``result(out, *args)`` (optional): what is compared, from the thunk's return value and the
      untouched inputs (e.g. the parameter update ``p_after - p_before`` of an optimizer); untimed.
    - ``output``: what the student's call must return, checked by exact type in the child:
      ``"array"`` (exactly ``numpy.ndarray`` / ``torch.Tensor``, the inputs' dtype, shape and device),
      ``"scalar"`` (``float``, a numpy float scalar, or a 0-d array or tensor, no lower precision
      than the expected value) or ``"params"`` (tensors the setup owns, their dtype unchanged).
    """

    name: str  # the baseline's name in messages, e.g. "left-to-right evaluation"
    inputs: Callable
    baseline: Callable
    best: Callable | None = None
    best_name: str = "best known"
    expected: Callable | None = None
    setup: Callable | None = None
    result: Callable | None = None
    helpers: tuple[Callable, ...] = ()
    output: str = "array"

    def __post_init__(self):
        if self.output not in OUTPUTS:
            raise ValueError(f"Workload.output must be one of {OUTPUTS}, not {self.output!r}")
        # Built (and validated) once, when the check module is imported: the source sent to the
        # child is then the source of these very function objects, even if the file changes later.
        object.__setattr__(self, "_source", self._build_source())

    def _functions(self) -> dict[str, Callable]:
        roles = {role: getattr(self, role) for role in _ROLES if getattr(self, role) is not None}
        return roles

    @property
    def source(self) -> str:
        """The workload as a module's source, for the child: the functions, then the role names."""
        return self._source

    def _build_source(self) -> str:
        functions = list(dict.fromkeys([*self._functions().values(), *self.helpers]))
        names = {f.__name__ for f in functions}
        uses_torch = False
        parts = []
        for fn in functions:
            if not inspect.isfunction(fn) or fn.__name__ == "<lambda>":
                raise TypeError(f"workload function {fn!r} must be a module-level def, not a lambda")
            free = inspect.getclosurevars(fn)
            if free.nonlocals:
                raise TypeError(f"workload function {fn.__name__} uses variables of an enclosing "
                                f"function ({', '.join(free.nonlocals)}); define it at module level")
            unknown = set(free.globals) - _ALLOWED - names
            if unknown:
                raise TypeError(f"workload function {fn.__name__} uses the globals "
                                f"{', '.join(sorted(unknown))}: only np, math, torch and the other "
                                f"workload functions (pass helpers=...) exist in the child")
            uses_torch |= "torch" in free.globals
            parts.append(textwrap.dedent(inspect.getsource(fn)))
        header = ["import math", "import numpy as np", "import numpy"]
        if uses_torch:
            header.append("import torch")
        roles = [f"{role.upper()} = {fn.__name__}" for role, fn in self._functions().items()]
        return "\n".join(header) + "\n\n\n" + "\n\n".join(parts) + "\n\n" + "\n".join(roles) + "\n"

    # ------------------------------------------------------------------------ in the parent

    def expected_outputs(self, sizes: dict, seed: int, probe: int, reps: int, max_values: int,
                         device: str = "cpu") -> list[dict]:
        """Per repetition, from the same seeds as the child: the expected values (sampled as the
        harness samples them), their dtype, shape and scale (greatest absolute value)."""
        from autograder.timing.harness import sample_index

        impl = self.expected or self.best or self.baseline
        setup = self.setup or (lambda fn, *args: (lambda: fn(*args)))
        out = []
        for r in range(reps):
            inputs = self.inputs(np.random.default_rng([int(seed), r]), device, **sizes)
            raw = setup(impl, *_copy(inputs))()
            value = self.result(raw, *inputs) if self.result else raw
            leaves = _leaves(value)
            arrays = [_host64(v) for v in leaves]
            flat = np.concatenate([a.reshape(-1) for a in arrays]) if arrays else np.zeros(0)
            index = sample_index(probe, r, flat.size, max_values)
            out.append({
                "values": flat if index is None else flat[index],
                "size": int(flat.size),
                "scale": float(np.max(np.abs(flat))) if flat.size else 0.0,
                "dtypes": [_dtype_name(v) for v in _leaves(raw)],
                "shapes": [list(np.shape(v)) if not _is_tensor(v) else list(v.shape) for v in _leaves(raw)],
            })
        return out


def _leaves(value, depth: int = 0) -> list:
    if type(value) in (list, tuple) and depth < 4:
        return [leaf for v in value for leaf in _leaves(v, depth + 1)]
    return [value]


def _is_tensor(value) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def _host64(value) -> np.ndarray:
    if _is_tensor(value):
        import torch

        return value.detach().to("cpu", torch.float64).numpy().reshape(-1)
    return np.asarray(value, dtype=np.float64).reshape(-1)


def _dtype_name(value) -> str:
    if _is_tensor(value):
        return str(value.dtype).removeprefix("torch.")
    if isinstance(value, float):
        return "float64"
    return str(np.asarray(value).dtype)


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if _is_tensor(value):
        return value.detach().clone()
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value
