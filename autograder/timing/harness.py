"""The trusted timing harness: runs in the sandboxed child, next to the student's code; returns data.

The parent (``autograder.timing.runner``) sends this file's source like a driver, to a freshly started
child, and calls three functions, one request each:

- ``probe(want_gpu)`` first of all: what the sandbox offers (CUDA or not). Loading this module is the
  first thing the fresh child does, so the clock and the type objects below are captured before any
  student code has run in the process.
- ``control(plan)`` loads the workload (trusted code: input generator, baseline, best known
  implementation) and times the trusted sides alone, while the student's module is still not
  imported: the parent's yardstick for "how long do the baseline, the input generation and the
  output inspection take in a clean process".
- ``measure(plan)`` imports the student's module and times student (S), baseline (B) and best (F)
  interleaved (the order rotates through every permutation), on fresh inputs each repetition (each
  side gets its own copy), and snapshots every output right after its call.

Nothing here decides anything: student code shares this process and could tamper with it. It reports
raw per-repetition segment timings, the exact types and dtypes of the outputs and a sample of their
values; the parent recomputes the expected values itself and cross-checks the timings against its
own wall clock, the child's CPU time and the clean control.
"""

from __future__ import annotations

import gc
import importlib
import itertools
import os
import sys
import time

import numpy as np

# Captured when this module is loaded, i.e. before the student's module is imported in this process:
# a student who replaces time.perf_counter_ns, numpy.array or numpy.ndarray later does not reach these.
_clock = time.perf_counter_ns
_cpu_clock = time.process_time_ns  # CPU time of every thread of this process
_ndarray = np.ndarray
_np_array = np.array
_np_scalars = (np.float64, np.float32, np.float16)
_default_rng = np.random.default_rng

_STATE: dict = {}
_MIN_FLUSH = 64 << 20


def sample_index(probe: int, rep: int, size: int, k: int) -> np.ndarray | None:
    """Which entries of an output of ``size`` entries are sent back for repetition ``rep``
    (all when ``size <= k``). The parent draws the same ones for the expected values."""
    if size <= k:
        return None
    return np.random.default_rng([int(probe), int(rep), int(size)]).integers(0, size, k)


# ---------------------------------------------------------------------------- entry points


def probe(want_gpu: bool = False) -> dict:
    """What this sandbox offers. Imports torch only when a GPU could be used."""
    info = {"numpy": np.__version__, "torch": None, "cuda": False, "gpu": "",
            "threads_env": os.environ.get("OMP_NUM_THREADS", "")}
    # Without a GPU device node there is no GPU: do not pay for importing torch to find that out.
    devices = ("/dev/nvidiactl", "/dev/nvidia0", "/dev/kfd")
    if want_gpu and any(os.path.exists(d) for d in devices):
        try:
            import torch
        except ImportError:
            return info
        info["torch"] = str(torch.__version__)
        try:
            if torch.cuda.is_available():
                info["cuda"] = True
                info["gpu"] = str(torch.cuda.get_device_name(0))
        except Exception:  # noqa: BLE001 - no usable GPU is an answer, not an error
            info["cuda"] = False
    return info


def control(plan: dict) -> dict:
    """Load the workload, pin threads, and time the trusted sides alone (no student code loaded)."""
    _load(plan)
    result = _run(plan, plan["sides"], None)
    result.update(device=_STATE["device"], pinned=_STATE["pinned"], flush_bytes=_STATE["flush_bytes"])
    return result


def measure(plan: dict) -> dict:
    """Import the student's module and time it against the trusted sides, interleaved."""
    begin = _clock()
    if not _STATE:
        raise RuntimeError("timing harness: control() must run first")
    module_name, _, name = str(plan["target"]).rpartition(".")
    module = importlib.import_module(module_name)
    if not hasattr(module, name):
        return {"missing": f"{module_name}.py does not define {name}"}
    target = getattr(module, name)
    imported = _clock()
    result = _run(plan, plan["sides"], target)
    result["import"] = imported - begin
    result["elapsed"] = _clock() - begin
    return result


# ---------------------------------------------------------------------------- set-up


def _load(plan: dict) -> None:
    namespace: dict = {"__name__": "autograder_timing_workload"}
    exec(compile(plan["workload"], "<timing workload>", "exec"), namespace)  # noqa: S102 - trusted
    _STATE.clear()
    _STATE.update(workload=namespace, sizes=dict(plan["sizes"]), output=plan["output"],
                  threads=int(plan["threads"]), max_values=int(plan["max_values"]))
    device = plan["device"]
    # Make one set of inputs first: a workload that imports torch only for some sizes has done so
    # now, and torch's functions are captured below, still before any student code.
    namespace["INPUTS"](_default_rng(0), device, **_STATE["sizes"])
    torch = sys.modules.get("torch")
    _STATE["torch"] = None
    if torch is not None:
        # Captured before the student's module is imported: patching torch.Tensor.to later does not
        # change how the harness copies outputs.
        _STATE["torch"] = {
            "Tensor": torch.Tensor, "Parameter": torch.nn.Parameter,
            "detach": torch.Tensor.detach, "clone": torch.Tensor.clone, "to": torch.Tensor.to,
            "numpy": torch.Tensor.numpy, "float64": torch.float64,
            "get_threads": torch.get_num_threads, "set_threads": torch.set_num_threads,
        }
    _STATE["pinned"] = _pin(_STATE["threads"])
    _STATE["flush_bytes"] = 0
    if device == "cuda":
        if torch is None or not torch.cuda.is_available():
            raise RuntimeError("timing harness: CUDA was asked for but is not available")
        props = torch.cuda.get_device_properties(0)
        flush = max(2 * int(getattr(props, "L2_cache_size", 0) or 0), _MIN_FLUSH)
        _STATE["flush_bytes"] = flush
        _STATE["timer"] = CudaTimer.from_torch(torch, flush)
    else:
        _STATE["timer"] = CpuTimer()
    _STATE["device"] = device


def _pin(threads: int) -> dict:
    """The same thread count for every side: torch's intra-op pool and (if threadpoolctl is
    installed) the BLAS/OpenMP pools; OMP_NUM_THREADS etc. were set by the engine at start."""
    pinned = {"threads": threads, "torch": None, "threadpoolctl": False,
              "env": os.environ.get("OMP_NUM_THREADS", "")}
    t = _STATE.get("torch")
    if t is not None:
        t["set_threads"](threads)
        pinned["torch"] = t["get_threads"]()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return pinned
    _STATE["limiter"] = threadpool_limits(limits=threads)
    pinned["threadpoolctl"] = True
    return pinned


class CpuTimer:
    """perf_counter_ns around the call; the decisive time is the wall time. Returns
    ``(out, decisive_ns, wall_ns, cpu_ns)``; cpu_ns counts every thread of the process."""

    device = "cpu"

    def __init__(self, clock=None, cpu_clock=None):
        self.clock = clock or _clock
        self.cpu_clock = cpu_clock or _cpu_clock

    def time(self, thunk):
        c0 = self.cpu_clock()
        t0 = self.clock()
        out = thunk()
        t1 = self.clock()
        c1 = self.cpu_clock()
        return out, t1 - t0, t1 - t0, c1 - c0


class CudaTimer:
    """CUDA events on the harness's own stream around the call, the L2 cache flushed before it, and
    a device-wide synchronize *before* the end event, so that work left on any stream (a side
    stream, an asynchronous kernel) is inside the measured interval. Host wall time is taken too."""

    device = "cuda"

    def __init__(self, *, synchronize, event, record, elapsed, flush, stream, clock=None,
                 cpu_clock=None):
        self.synchronize, self.event, self.record = synchronize, event, record
        self.elapsed, self.flush, self.stream = elapsed, flush, stream
        self.clock = clock or _clock
        self.cpu_clock = cpu_clock or _cpu_clock

    @classmethod
    def from_torch(cls, torch, flush_bytes: int) -> CudaTimer:
        buffer = torch.empty(max(flush_bytes // 4, 1), dtype=torch.float32, device="cuda")
        zero = torch.Tensor.zero_
        return cls(synchronize=torch.cuda.synchronize, event=torch.cuda.Event,
                   record=torch.cuda.Event.record, elapsed=torch.cuda.Event.elapsed_time,
                   flush=lambda: zero(buffer), stream=torch.cuda.current_stream())

    def time(self, thunk):
        self.flush()  # writes >= 2x L2: no side finds its data in cache from the previous call
        self.synchronize()
        start, end = self.event(enable_timing=True), self.event(enable_timing=True)
        c0 = self.cpu_clock()
        w0 = self.clock()
        self.record(start, self.stream)
        out = thunk()
        self.synchronize()  # all streams of the device, before the end event
        self.record(end, self.stream)
        self.synchronize()
        w1 = self.clock()
        c1 = self.cpu_clock()
        return out, int(round(self.elapsed(start, end) * 1e6)), w1 - w0, c1 - c0


# ---------------------------------------------------------------------------- the loop


def _default_setup(impl, *args):
    return lambda: impl(*args)


def _run(plan: dict, sides: list[str], target) -> dict:
    workload = _STATE["workload"]
    impls = {"S": target, "B": workload["BASELINE"], "F": workload.get("BEST")}
    setup = workload.get("SETUP") or _default_setup
    orders = list(itertools.permutations(sides))
    timer = _STATE["timer"]
    budget = int(float(plan.get("budget_s", 1e9)) * 1e9)
    min_reps = int(plan.get("min_reps", 1))
    reps: list[dict] = []
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    begin = _clock()
    try:
        for r in range(int(plan["reps"])):
            g0 = _clock()
            inputs = workload["INPUTS"](_default_rng([int(plan["seed"]), r]), _STATE["device"],
                                        **_STATE["sizes"])
            g1 = _clock()
            record = {"gen": g1 - g0, "order": "".join(orders[r % len(orders)]), "sides": {}}
            alive = []  # every output stays alive to the end of the repetition: no buffer reuse
            for side in orders[r % len(orders)]:
                p0 = _clock()
                args = _clone(inputs)
                thunk = setup(impls[side], *args)
                p1 = _clock()
                out, decisive, wall, cpu = timer.time(thunk)
                q0 = _clock()
                info = _inspect(out, inputs, int(plan["probe"]), r)
                if side == "S":
                    info["threads_changed"] = _threads_changed()
                q1 = _clock()
                alive.append((args, out))
                record["sides"][side] = dict(info, prep=p1 - p0, call=decisive, wall=wall, cpu=cpu,
                                             post=q1 - q0)
            reps.append(record)
            del alive
            if r + 1 >= min_reps and _clock() - begin > budget:
                break
    finally:
        if was_enabled:
            gc.enable()
    return {"reps": reps, "loop": _clock() - begin}


def _threads_changed() -> bool:
    t = _STATE.get("torch")
    if t is None:
        return False
    if t["get_threads"]() != _STATE["threads"]:
        t["set_threads"](_STATE["threads"])
        return True
    return False


def _clone(value):
    """A private copy for one side: the student cannot change what the baseline sees."""
    kind = type(value)
    if kind is _ndarray:
        return value.copy()
    t = _STATE.get("torch")
    if t is not None and kind is t["Tensor"]:
        return t["clone"](t["detach"](value))
    if kind is list:
        return [_clone(v) for v in value]
    if kind is tuple:
        return tuple(_clone(v) for v in value)
    if kind is dict:
        return {k: _clone(v) for k, v in value.items()}
    return value


def _leaves(value, depth: int = 0) -> list:
    if type(value) in (list, tuple) and depth < 4:
        return [leaf for v in value for leaf in _leaves(v, depth + 1)]
    return [value]


def _type_name(value) -> str:
    try:
        kind = type(value)
        return f"{kind.__module__}.{kind.__qualname__}"[:200]
    except Exception:  # noqa: BLE001 - a hostile class
        return "?"


def _describe_leaf(leaf, rule: str) -> dict:
    """Exact-type check of one output leaf (identity with the types captured at load time: a
    subclass, a lazy tensor or an object pretending to be an array fails)."""
    t = _STATE.get("torch")
    kind = type(leaf)
    info = {"type": _type_name(leaf), "ok": False, "dtype": "", "shape": [], "device": "cpu"}
    if kind is _ndarray:
        info.update(ok=rule in ("array", "params") or leaf.ndim == 0, dtype=str(leaf.dtype),
                    shape=list(leaf.shape))
    elif t is not None and kind in (t["Tensor"], t["Parameter"]):
        info.update(ok=rule in ("array", "params") or leaf.ndim == 0,
                    dtype=str(leaf.dtype).removeprefix("torch."), shape=list(leaf.shape),
                    device=str(leaf.device))
    elif rule == "scalar" and kind is float:
        info.update(ok=True, dtype="float64")
    elif rule == "scalar" and kind in _np_scalars:
        info.update(ok=True, dtype=str(leaf.dtype))
    return info


def _host64(leaf) -> np.ndarray:
    t = _STATE.get("torch")
    if t is not None and type(leaf) in (t["Tensor"], t["Parameter"]):
        host = t["to"](t["detach"](leaf), device="cpu", dtype=t["float64"])
        return _np_array(t["numpy"](host), dtype=np.float64).reshape(-1)
    return _np_array(leaf, dtype=np.float64).reshape(-1)


def _inspect(out, inputs, probe_seed: int, rep: int) -> dict:
    """Right after the call: exact types, dtypes, shapes and a snapshot of the values (taken now, so
    that work still running in a background thread or on another stream is not waited for)."""
    rule = _STATE["output"]
    leaves = _leaves(out)
    described = [_describe_leaf(leaf, rule) for leaf in leaves]
    info = {"types": [d["type"] for d in described], "type_ok": all(d["ok"] for d in described),
            "dtypes": [d["dtype"] for d in described], "shapes": [d["shape"] for d in described],
            "devices": [d["device"] for d in described], "values": None, "size": 0, "finite": False}
    if not info["type_ok"] or len(leaves) > 10_000:
        info["type_ok"] = False
        return info
    result = _STATE["workload"].get("RESULT")
    checked = _leaves(result(out, *inputs)) if result else leaves
    full = [_host64(leaf) for leaf in checked]
    values = np.concatenate(full) if full else np.zeros(0)
    index = sample_index(probe_seed, rep, values.size, _STATE["max_values"])
    info.update(size=int(values.size), finite=bool(np.isfinite(values).all()),
                values=values if index is None else values[index])
    return info
