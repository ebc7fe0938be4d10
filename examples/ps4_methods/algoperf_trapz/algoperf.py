"""Sample: the AlgoPerf score by the trapezoidal rule on 100 points, as AlgoPerf's own code.

Problem 6 (bonus): performance profiles and the AlgoPerf score (statement, "Problem 6")."""

from __future__ import annotations

import numpy as np


def performance_ratios(times) -> np.ndarray:
    """r[s, w] = t[s, w] / min over s' of t[s', w] for times t (S submissions x W workloads), where
    t = inf means "did not reach the target"; a workload that no submission reaches gives r = inf
    for every submission. Returns a float64 (S, W) array."""
    t = np.asarray(times, dtype=np.float64)
    if t.ndim != 2 or np.any(np.isnan(t)) or np.any(t <= 0):
        raise ValueError("times must be an (S, W) array of positive numbers or inf")
    best = t.min(axis=0)
    with np.errstate(invalid="ignore"):
        r = t / best
    r[:, ~np.isfinite(best)] = np.inf
    return r


def performance_profile(times, taus) -> np.ndarray:
    """rho[s, k] = (number of workloads w with r[s, w] <= taus[k]) / W, a float64 (S, len(taus)) array."""
    r = performance_ratios(times)
    taus = np.asarray(taus, dtype=np.float64).reshape(-1)
    return np.mean(r[:, :, None] <= taus[None, None, :], axis=1)


def algoperf_score(times, tau_max: float = 4.0) -> np.ndarray:
    """The exact normalised area under each performance profile from tau = 1 to tau_max:
    score[s] = (1 / (tau_max - 1)) * integral_1^tau_max rho_s(tau) dtau, a float64 array of shape (S,).
    """
    if not tau_max > 1:
        raise ValueError("tau_max must be greater than 1")
    taus = np.linspace(1.0, tau_max, 100)  # as AlgoPerf's scoring code
    rho = performance_profile(times, taus)
    return np.trapezoid(rho, taus, axis=1) / (tau_max - 1.0)
