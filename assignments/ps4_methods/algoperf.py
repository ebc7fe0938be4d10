"""Problem 6 (bonus): performance profiles and the AlgoPerf score (statement, "Problem 6")."""

from __future__ import annotations

import numpy as np


def performance_ratios(times) -> np.ndarray:
    """r[s, w] = t[s, w] / min over s' of t[s', w] for times t (S submissions x W workloads), where
    t = inf means "did not reach the target"; a workload that no submission reaches gives r = inf
    for every submission. Returns a float64 (S, W) array."""
    raise NotImplementedError('performance_ratios: not implemented yet. See README.md (ps4_methods).')


def performance_profile(times, taus) -> np.ndarray:
    """rho[s, k] = (number of workloads w with r[s, w] <= taus[k]) / W, a float64 (S, len(taus)) array."""
    raise NotImplementedError('performance_profile: not implemented yet. See README.md (ps4_methods).')


def algoperf_score(times, tau_max: float = 4.0) -> np.ndarray:
    """The exact normalised area under each performance profile from tau = 1 to tau_max:
    score[s] = (1 / (tau_max - 1)) * integral_1^tau_max rho_s(tau) dtau, a float64 array of shape (S,).
    """
    raise NotImplementedError('algoperf_score: not implemented yet. See README.md (ps4_methods).')
