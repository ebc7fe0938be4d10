"""The timing harness's child half: stages one call, runs it, hands its output back. No clock.

The parent (``autograder.timing.runner``) sends this file's source like a driver to two children:
the student's sandboxed child (with the workload's ``setup`` only: how the target is called) and a
clean trusted child that never imports student code (with the whole workload: baseline and best known
implementation). Per call, three requests, each timed by the parent from outside (its own clock
and the child's CPU time from /proc):

- ``stage(side, args, device)``: the call's inputs arrive (moved to ``device``) and its thunk is built;
- ``go()``: the thunk runs (on CUDA followed by a device-wide synchronize): the measured interval;
- ``fetch()``: the output, as host arrays with their type, dtype and device, for the parent to check.

Nothing here measures, counts, decides or is secret: in the student's child, the student's code can
rewrite all of it, and gains nothing (work moved into ``stage`` or ``fetch`` is counted by the parent
as well, against the same phases of the trusted child).
"""

from __future__ import annotations

import gc
import importlib
import os

import numpy as np

_STATE: dict = {}
_MIN_FLUSH = 64 << 20


def prepare(plan: dict) -> dict:
    """Pin threads, load the workload (trusted child) or the setup and the target (student's child),
    and say what the process offers (CUDA or not)."""
    _STATE.clear()
    _STATE["device"] = "cpu"
    namespace: dict = {"__name__": "autograder_timing_workload"}
    if plan.get("source"):
        exec(compile(plan["source"], "<timing workload>", "exec"), namespace)  # noqa: S102 - trusted
    _STATE["setup"] = namespace.get("SETUP") or _default_setup
    _STATE["impls"] = {"B": namespace.get("BASELINE"), "F": namespace.get("BEST")}
    info = {"cuda": False, "gpu": "", "pinned": _pin(int(plan.get("threads", 1)), plan.get("torch", False))}
    if plan.get("want_gpu"):
        info.update(_probe_gpu())
    target = plan.get("target")
    if target:
        module_name, _, name = str(target).rpartition(".")
        module = importlib.import_module(module_name)
        if not hasattr(module, name):
            return dict(info, missing=f"{module_name}.py does not define {name}")
        _STATE["impls"] = {"S": getattr(module, name)}
    return info


def use_device(device: str) -> None:
    """Where staged inputs go; on CUDA, the buffer that flushes the L2 cache between calls."""
    _STATE["device"] = device
    if device == "cuda":
        import torch

        props = torch.cuda.get_device_properties(0)
        flush = max(2 * int(getattr(props, "L2_cache_size", 0) or 0), _MIN_FLUSH)
        _STATE["flush"] = torch.empty(flush // 4, dtype=torch.float32, device="cuda")


def stage(side: str, args: list) -> None:
    """Inputs of the next call, moved to the device, and the thunk that makes the call."""
    args = [_to_device(a, _STATE["device"]) for a in args]
    _STATE["thunk"] = _STATE["setup"](_STATE["impls"][side], *args)
    _STATE["args"] = args  # alive until the output is fetched: no buffer reuse across sides
    if "flush" in _STATE:
        _STATE["flush"].zero_()
        _synchronize()


def go() -> None:
    """The measured call."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        _STATE["out"] = _STATE.pop("thunk")()
        _synchronize()
    finally:
        if enabled:
            gc.enable()


def fetch() -> dict:
    """The last call's output: for each leaf, its kind, dtype, device and values on the host."""
    out = _STATE.pop("out", None)
    _STATE.pop("args", None)
    return {"leaves": [_describe(leaf) for leaf in _leaves(out)][:10_000]}


# ---------------------------------------------------------------------------- helpers


def _default_setup(impl, *args):
    return lambda: impl(*args)


def _pin(threads: int, want_torch: bool) -> dict:
    """One thread count for every side: torch's pool and, where installed, the BLAS/OpenMP pools
    (OMP_NUM_THREADS and friends were set by the engine at start)."""
    pinned = {"threads": threads, "env": os.environ.get("OMP_NUM_THREADS", "")}
    if want_torch:
        import torch

        torch.set_num_threads(threads)
        pinned["torch"] = torch.get_num_threads()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return pinned
    _STATE["limiter"] = threadpool_limits(limits=threads)
    return pinned


def _probe_gpu() -> dict:
    if not any(os.path.exists(d) for d in ("/dev/nvidiactl", "/dev/nvidia0")):
        return {}
    try:
        import torch

        if torch.cuda.is_available():
            return {"cuda": True, "gpu": str(torch.cuda.get_device_name(0))}
    except Exception:  # noqa: BLE001 - no usable GPU is an answer, not an error
        pass
    return {}


def _synchronize() -> None:
    if _STATE["device"] == "cuda":
        import torch

        torch.cuda.synchronize()


def _to_device(value, device: str):
    if device == "cpu":
        return value
    if type(value).__module__ == "torch":
        return value.to(device)
    if type(value) is list:
        return [_to_device(v, device) for v in value]
    if type(value) is tuple:
        return tuple(_to_device(v, device) for v in value)
    if type(value) is dict:
        return {k: _to_device(v, device) for k, v in value.items()}
    return value


def _leaves(value, depth: int = 0) -> list:
    if type(value) in (list, tuple) and depth < 4:
        return [leaf for v in value for leaf in _leaves(v, depth + 1)]
    return [value]


def _describe(leaf) -> dict:
    kind = type(leaf)
    if kind is np.ndarray:
        return {"kind": "ndarray", "dtype": str(leaf.dtype), "device": "cpu", "values": leaf}
    if kind.__module__ == "torch" and kind.__name__ in ("Tensor", "Parameter"):
        import torch

        host = leaf.detach().to("cpu")
        if host.dtype == torch.bfloat16:
            host = host.float()
        return {"kind": "tensor", "dtype": str(leaf.dtype).removeprefix("torch."),
                "device": str(leaf.device).split(":")[0], "values": host.numpy()}
    if kind is float:
        return {"kind": "float", "dtype": "float64", "device": "cpu", "values": np.asarray(leaf)}
    if isinstance(leaf, np.generic) and kind.__module__ == "numpy" and leaf.dtype.kind == "f":
        return {"kind": "numpy scalar", "dtype": str(leaf.dtype), "device": "cpu",
                "values": np.asarray(leaf)}
    return {"kind": f"{kind.__module__}.{kind.__qualname__}"[:200], "dtype": "", "device": "",
            "values": None}
