"""Optimizer trajectories: ``drivers/optimizers.py`` imported in the grader (to run torch.optim or the
reference on the same problems), and the comparison of a student's trajectory with the expected one.

Shared by the public and hidden checks of ps4_methods (released with the public checks, so nothing
secret here).
"""

from pathlib import Path

import numpy as np

from autograder.checks.plugin import import_file


def optimizers_driver():
    """drivers/optimizers.py, imported here in the grader to run torch.optim on the same problems."""
    root = next(folder for folder in Path(__file__).resolve().parents
                if (folder / "problemset.toml").is_file())
    return import_file("_autograder_ps4_methods_optimizers_driver", root / "drivers" / "optimizers.py")


def first_divergence(got: dict, want: dict, rtol: float, what: str):
    """None if every parameter agrees at every step within rtol * (largest entry), else a message."""
    got = got.get("params") if isinstance(got, dict) else None
    if not isinstance(got, dict) or set(got) != set(want["params"]):
        return f"{what}: no trajectory came back"
    steps = len(want["losses"])
    for name, e in want["params"].items():
        a = got[name]
        if not isinstance(a, np.ndarray) or a.shape != e.shape or a.dtype != e.dtype:
            return f"{what}: parameter {name} changed shape or dtype; update parameters in place"
    for k in range(1, steps + 1):
        for name, e_all in want["params"].items():
            a, e = got[name][k].astype(float), e_all[k].astype(float)
            diff = float(np.max(np.abs(a - e))) if np.all(np.isfinite(a)) else np.inf
            if not diff <= rtol * max(float(np.max(np.abs(e))), 1e-300):
                hint = (" (it has no gradient: leave it alone)" if name == "frozen" else
                        ": the first update already differs, check the formula" if k == 1 else "")
                return (f"{what}: parameter {name} first differs from the expected values after step {k} "
                        f"of {steps} (tolerance {rtol:g} relative to its largest entry){hint}")
    return None
