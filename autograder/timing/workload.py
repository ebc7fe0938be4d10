"""What a timing check times: trusted functions that make inputs, compute the baseline, and say how
a target is called — written by the check author as plain module-level functions.

In the parent, ``inputs`` makes every call's inputs and ``result`` turns outputs into what is
compared; the whole source goes to the trusted child that runs the baseline and the best known
implementation; only ``setup`` (how the target is called) goes to the student's child. They may use
``np``, ``math`` and ``torch`` (imported at module level of the workload only when a function names
it; import torch inside a function that needs it only sometimes) and each other, nothing else: no
closures, no other globals of the check file (the check file's secrets stay in the parent).
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
    - ``setup(impl, *args)`` (optional): returns the thunk that is timed; default
      ``lambda: impl(*args)``. For stateful code: build the object and run its steps inside the thunk,
      so that all of the student's code is timed. It is the only workload function that runs in the
      student's process, so it uses only np, math and torch (no other workload function).
    - ``result(out, *args)`` (optional): what is compared, from the thunk's return value and the
      untouched inputs (e.g. the parameter update ``p_after - p_before`` of an optimizer); computed in
      the parent, on CPU copies of both.
    - ``output``: what the student's call must return, checked by exact type in the parent:
      ``"array"`` (exactly ``numpy.ndarray`` / ``torch.Tensor``, the inputs' dtype, shape and device),
      ``"scalar"`` (``float``, a numpy float scalar, or a 0-d array or tensor, no lower precision
      than the expected value) or ``"params"`` (tensors the setup owns, their dtype unchanged).
    """

    name: str  # the baseline's name in messages, e.g. "left-to-right evaluation"
    inputs: Callable
    baseline: Callable
    best: Callable | None = None
    best_name: str = "best known"
    setup: Callable | None = None
    result: Callable | None = None
    helpers: tuple[Callable, ...] = ()
    output: str = "array"

    def __post_init__(self):
        if self.output not in OUTPUTS:
            raise ValueError(f"Workload.output must be one of {OUTPUTS}, not {self.output!r}")
        # Built (and validated) once, when the check module is imported: the source sent to the
        # children is then the source of these very function objects, even if the file changes later.
        object.__setattr__(self, "_source", self._build_source())
        if self.setup is not None:
            others = _global_names(self.setup) - _ALLOWED
            if others:
                raise TypeError(f"workload setup {self.setup.__name__} uses {', '.join(sorted(others))}: "
                                f"it runs in the student's process alone, with only np, math and torch")

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
            unknown = _global_names(fn) - _ALLOWED - names
            if unknown:
                raise TypeError(f"workload function {fn.__name__} uses the globals "
                                f"{', '.join(sorted(unknown))}: only np, math, torch and the other "
                                f"workload functions (pass helpers=...) exist in the child")
            uses_torch |= "torch" in _global_names(fn)
            parts.append(textwrap.dedent(inspect.getsource(fn)))
        header = ["import math", "import numpy as np", "import numpy"]
        if uses_torch:
            header.append("import torch")
        roles = [f"{role.upper()} = {fn.__name__}" for role, fn in self._functions().items()]
        return "\n".join(header) + "\n\n\n" + "\n\n".join(parts) + "\n\n" + "\n".join(roles) + "\n"

    @property
    def uses_torch(self) -> bool:
        return "\nimport torch\n" in self._source

    @property
    def setup_source(self) -> str:
        """What the student's child gets: the ``setup`` function alone (how the target is called),
        or nothing for the default call ``target(*inputs)``. Never the inputs, baseline or best."""
        if self.setup is None:
            return ""
        header = ["import math", "import numpy as np", "import numpy"]
        if "torch" in _global_names(self.setup):
            header.append("import torch")
        return ("\n".join(header) + "\n\n\n" + textwrap.dedent(inspect.getsource(self.setup))
                + f"\n\nSETUP = {self.setup.__name__}\n")

    # ------------------------------------------------------------------------ in the parent

    def compared(self, leaves: list[dict], inputs: tuple) -> list:
        """The values one side's output is judged on: the ``result`` hook applied in the parent to
        the fetched output and the parent's own copy of the inputs, or the output's leaves."""
        values = [leaf.get("values") for leaf in leaves]
        if self.result is None or any(type(v) is not np.ndarray for v in values):
            return values
        out = [_like(leaf) for leaf in leaves]
        return [_host64(v) for v in _leaves(self.result(out[0] if len(out) == 1 else out, *_copy(inputs)))]


def _global_names(fn) -> set[str]:
    """The module globals ``fn`` reads, in its own code and in the functions and lambdas nested in it
    (``inspect.getclosurevars`` sees the outer code only)."""
    names, codes = set(), [fn.__code__]
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes.extend(c for c in code.co_consts if inspect.iscode(c))
    return {n for n in names if n in fn.__globals__}


def _like(leaf: dict):
    """A fetched leaf as the type it had (a tensor again where it was one), on the CPU."""
    if leaf.get("kind") == "tensor":
        import torch

        return torch.from_numpy(np.array(leaf["values"]))
    return leaf["values"]


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
