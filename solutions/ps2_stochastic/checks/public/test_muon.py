"""Public checks of problem 3 (bonus), Muon: Newton–Schulz on one random matrix, Muon on least squares.

``newton_schulz`` is judged by the singular values of its result (the band the coefficients give
after five steps), never by bit equality; ``Muon`` by its behaviour, not by matching
``torch.optim.Muon`` step for step.
"""

from pathlib import Path

import numpy as np
import pytest
import torch

from autograder.checks import expect_type
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("muon")

BAND = (0.65, 1.2)  # five steps from singular values >= 0.005 ||G||_F give [0.68, 1.16]


PSET = next(f for f in Path(__file__).resolve().parents if (f / "problemset.toml").is_file())
# drivers/optimizers.py, imported here in the grader (trusted code) for the shared builders
DRIVER = import_file("_ps2_stochastic_optimizers_driver", PSET / "drivers" / "optimizers.py")


@pytest.mark.weight(0.5)
@pytest.mark.parametrize("shape, dtype", [((16, 32), torch.float32), ((40, 24), torch.float64)],
                         ids=["wide-float32", "tall-float64"])
def test_newton_schulz_band(student, rng, shape, dtype):
    """newton_schulz: keeps shape and dtype; five steps put every singular value in [0.65, 1.2]."""
    G = torch.tensor(rng.standard_normal(shape), dtype=dtype)
    X = student.muon.newton_schulz(G, steps=5)
    expect_type(X, torch.Tensor, "newton_schulz(G, steps=5)")
    assert tuple(X.shape) == shape, f"newton_schulz(G) returned shape {tuple(X.shape)} for G of shape {shape}"
    assert X.dtype == dtype, f"newton_schulz(G) returned {X.dtype} for G of dtype {dtype}"
    assert torch.isfinite(X).all(), "newton_schulz(G) returned non-finite values"
    sv = torch.linalg.svdvals(X.double()).numpy()
    assert BAND[0] <= sv.min() and sv.max() <= BAND[1], (
        f"after five steps the singular values of newton_schulz(G) should lie in {list(BAND)}; they "
        f"range over [{sv.min():.4f}, {sv.max():.4f}] (check the coefficients and the normalization "
        f"by the Frobenius norm)")


def test_muon_least_squares(student):
    """Muon: 100 steps with default arguments reduce a matrix least-squares loss below 5% of its start."""
    losses = student.driver("optimizers").muon_lstsq(32, 16, 64, 100, 0, {})
    losses = np.asarray(losses, dtype=np.float64)
    assert losses.shape == (101,) and np.all(np.isfinite(losses)), \
        "Muon produced non-finite losses on the least-squares problem"
    ratio = losses[-1] / losses[0]
    assert ratio <= 0.05, (f"after 100 steps of Muon() the loss is {ratio:.3g} of its initial value; "
                           f"expected at most 0.05 (is the update subtracted, scaled by lr, and "
                           f"orthogonalized?)")
