"""Hidden checks of problem 3 (bonus), Muon: Newton–Schulz by singular values, Muon by behaviour.

``newton_schulz(G, k)`` maps G = U diag(s) Vᵀ to U diag(p^k(s / (||G||_F + 1e-7))) Vᵀ with
p(x) = a x + b x³ + c x⁵. The checks look at exactly that: the result stays in G's singular subspaces
with a diagonal core, and its singular values are the scalar iteration's (any operation order, and
iterating on the wide side or not, gives the same up to rounding). Inputs have singular values of at
least 0.005 ||G||_F, where five steps land in [0.68, 1.16]; the band checked is [0.65, 1.2].

Muon's update must be -c * newton_schulz(N) for the momentum direction N the statement defines
(SGD-style or lerp-style buffers give the same direction), with one positive factor c per matrix
between 0.1 lr and 10 lr (lr itself, or lr scaled by a shape factor), after decoupled weight decay.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch

from autograder.checks import expect_type

pytestmark = pytest.mark.problem("muon")

BAND = (0.65, 1.2)
NS = (3.4445, -4.7750, 2.0315)
SUBSPACE_TOL = 1e-4  # float32 results: about 1e-6
SINGULAR_VALUE_TOL = 1e-4
DIRECTION_TOL = 1e-5  # float64 throughout: about 1e-13


def _load_driver():
    root = next(f for f in Path(__file__).resolve().parents if (f / "problemset.toml").is_file())
    spec = importlib.util.spec_from_file_location("_ps2_optimizers_driver_hidden_muon",
                                                  root / "drivers" / "optimizers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DRIVER = _load_driver()


def scalar_iteration(x: np.ndarray, steps: int) -> np.ndarray:
    a, b, c = NS
    for _ in range(steps):
        x = a * x + b * x**3 + c * x**5
    return x


def with_spectrum(rng, rows: int, cols: int, spectrum: np.ndarray) -> np.ndarray:
    k = min(rows, cols)
    u, _ = np.linalg.qr(rng.standard_normal((rows, k)))
    v, _ = np.linalg.qr(rng.standard_normal((cols, k)))
    return (u * spectrum) @ v.T


def ns_inputs(rng):
    """(description, matrix) pairs: Gaussian wide, tall and square, and ill-conditioned ones, each
    with singular values of at least 0.005 ||G||_F."""
    cases = [("a random wide matrix", rng.standard_normal((24, 40))),
             ("a random tall matrix", rng.standard_normal((48, 20))),
             ("a random square matrix", with_spectrum(rng, 16, 16, rng.uniform(0.2, 1.0, 16))),
             ("an ill-conditioned wide matrix (condition number 30)",
              with_spectrum(rng, 12, 36, np.logspace(0, -np.log10(30), 12))),
             ("an ill-conditioned tall matrix (condition number 100)",
              with_spectrum(rng, 30, 10, np.logspace(0, -2, 10)))]
    for what, G in cases:
        s = np.linalg.svd(G, compute_uv=False)
        if s.min() < 0.005 * np.linalg.norm(G):
            raise RuntimeError(f"check input {what} is too ill-conditioned (a bug in the check)")
    return cases


def call_newton_schulz(student, G: torch.Tensor, steps: int, what: str) -> torch.Tensor:
    X = student.muon.newton_schulz(G, steps=steps)
    expect_type(X, torch.Tensor, f"newton_schulz on {what}")
    if tuple(X.shape) != tuple(G.shape) or X.dtype != G.dtype:
        raise AssertionError(f"newton_schulz on {what} returned shape {tuple(X.shape)} and dtype "
                             f"{X.dtype}; expected G's shape {tuple(G.shape)} and dtype {G.dtype}")
    if not torch.isfinite(X).all():
        raise AssertionError(f"newton_schulz on {what} returned non-finite values")
    return X


def core(G: np.ndarray, X: np.ndarray, what: str) -> np.ndarray:
    """Uᵀ X V for G = U S Vᵀ; fails unless X = U (Uᵀ X V) Vᵀ with a diagonal core."""
    u, _, vh = np.linalg.svd(G, full_matrices=False)
    e = u.T @ X @ vh.T
    size = np.linalg.norm(X)
    outside = np.linalg.norm(X - u @ e @ vh) / size
    off = np.linalg.norm(e - np.diag(np.diag(e))) / size
    if outside > SUBSPACE_TOL or off > SUBSPACE_TOL:
        raise AssertionError(f"newton_schulz on {what} does not keep G's singular vectors (relative "
                             f"parts {max(outside, off):.2g} outside U diag(.) Vᵀ; tolerance "
                             f"{SUBSPACE_TOL:g}): each step must be X <- a X + (b A + c A²) X with A = X Xᵀ")
    return np.diag(e)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.weight(0.5)
def test_newton_schulz_band_and_vectors(student, rng, dtype):
    """newton_schulz: five steps keep G's singular vectors and put its singular values in [0.65, 1.2]."""
    for what, G in ns_inputs(rng):
        X = call_newton_schulz(student, torch.tensor(G, dtype=dtype), 5, what)
        d = core(G, X.double().numpy(), what)
        if d.min() < BAND[0] or d.max() > BAND[1]:
            raise AssertionError(f"after five steps on {what} the singular values of newton_schulz's "
                                 f"result range over [{d.min():.3f}, {d.max():.3f}]; they should lie in "
                                 f"{list(BAND)} (coefficients, normalization by ||G||_F?)")


def test_newton_schulz_iteration(student, rng):
    """newton_schulz: after 1, 2 and 3 steps the singular values are the quintic's iterates of s/||G||_F."""
    for what, G in ns_inputs(rng)[::2]:
        s = np.linalg.svd(G, compute_uv=False) / (np.linalg.norm(G) + 1e-7)
        for steps in (1, 2, 3):
            X = call_newton_schulz(student, torch.tensor(G), steps, what)
            got = np.sort(np.linalg.svd(X.numpy(), compute_uv=False))
            want = np.sort(scalar_iteration(s, steps))
            worst = float(np.max(np.abs(got - want)))
            if worst > SINGULAR_VALUE_TOL:
                raise AssertionError(
                    f"newton_schulz(G, steps={steps}) on {what}: the singular values differ from the "
                    f"iteration s <- a s + b s³ + c s⁵ started at s/(||G||_F + 1e-7) by up to {worst:.2g} "
                    f"(tolerance {SINGULAR_VALUE_TOL:g}); check the coefficients, the normalization and "
                    f"that exactly `steps` iterations are done")


def test_muon_least_squares_hidden(student, rng):
    """Muon: a wide least-squares problem without Nesterov; the loss falls below 5% of its start."""
    seed = int(rng.integers(2**31))
    losses = student.driver("optimizers").muon_lstsq(16, 40, 80, 120, seed, {"nesterov": False, "lr": 0.03})
    losses = np.asarray(losses, dtype=np.float64)
    assert losses.shape == (121,) and np.all(np.isfinite(losses)), \
        "Muon(nesterov=False) produced non-finite losses on a least-squares problem"
    ratio = losses[-1] / losses[0]
    assert ratio <= 0.05, (f"after 120 steps of Muon(nesterov=False, lr=0.03) the loss is {ratio:.3g} of "
                           f"its initial value; expected at most 0.05")


def momentum_directions(grads, momentum: float, nesterov: bool) -> list[np.ndarray]:
    """The matrices N_k that Muon orthogonalizes (SGD-style buffer; a lerp-style one only rescales)."""
    buf = np.zeros_like(grads[0])
    out = []
    for g in grads:
        buf = momentum * buf + g
        out.append(g + momentum * buf if nesterov else buf.copy())
    return out


def judge_updates(reference, run: dict, w0, grads, *, lr, momentum, nesterov, weight_decay, what):
    """Each step must be W_k = W_{k-1} (1 - lr wd) - c O_k with O_k = newton_schulz(N_k) and one c in
    [0.1 lr, 10 lr] for all steps."""
    history = run.get("w") if isinstance(run, dict) else None
    if not isinstance(history, np.ndarray) or history.shape != (len(grads) + 1, *np.shape(w0)):
        raise AssertionError(f"{what}: the driver returned no history of the parameter")
    if not np.all(np.isfinite(history)):
        raise AssertionError(f"{what}: the parameter became non-finite")
    scales = []
    for k, n in enumerate(momentum_directions(grads, momentum, nesterov), start=1):
        o = reference.muon.newton_schulz(torch.tensor(n), 5).numpy()
        r = history[k - 1] * (1 - lr * weight_decay) - history[k]
        c = float(np.sum(r * o) / np.sum(o * o))
        residual = np.linalg.norm(r - c * o) / max(np.linalg.norm(r), 1e-300)
        if residual > DIRECTION_TOL or not c > 0:
            raise AssertionError(
                f"{what}: step {k} is not W <- W (1 - lr weight_decay) - c newton_schulz(N) with c > 0 "
                f"(relative residual {residual:.2g}, tolerance {DIRECTION_TOL:g}); check the momentum "
                f"buffer, the Nesterov direction and where weight decay is applied")
        scales.append(c / lr)
    if not (0.1 <= min(scales) and max(scales) <= 10 and max(scales) <= 1.001 * min(scales)):
        raise AssertionError(f"{what}: the steps are newton_schulz(N) scaled by {min(scales):.3g} lr to "
                             f"{max(scales):.3g} lr; expected one factor per matrix between 0.1 lr and 10 lr")


def random_run(rng, rows, cols, steps):
    w0 = rng.standard_normal((rows, cols))
    grads = [rng.standard_normal((rows, cols)) for _ in range(steps)]
    return w0, grads


def test_muon_nesterov_direction(student, reference, rng):
    """Muon: with Nesterov momentum each step is -lr * newton_schulz(G + momentum * B)."""
    w0, grads = random_run(rng, 12, 20, 4)
    options = dict(lr=0.02, momentum=0.95, nesterov=True, weight_decay=0.0)
    run = student.driver("optimizers").muon_updates(w0, grads, options)
    judge_updates(reference, run, w0, grads, **options, what="Muon(nesterov=True)")


def test_muon_plain_momentum_skips_gradless(student, reference, rng):
    """Muon: without Nesterov each step is -lr * newton_schulz(B); a parameter without .grad is untouched."""
    w0, grads = random_run(rng, 24, 10, 4)
    spare = rng.standard_normal((6, 6))
    options = dict(lr=0.05, momentum=0.9, nesterov=False, weight_decay=0.1)
    run = student.driver("optimizers").muon_updates(w0, grads, options, spare)
    judge_updates(reference, run, w0, grads, **options, what="Muon(nesterov=False)")
    if not isinstance(run.get("spare"), np.ndarray) or not np.array_equal(run["spare"], spare):
        raise AssertionError("Muon changed a parameter whose .grad is None; such parameters must be "
                             "skipped (weight decay included)")


def test_muon_decoupled_weight_decay(student, reference, rng):
    """Muon: weight decay is decoupled: W <- W (1 - lr * weight_decay) before the orthogonalized step."""
    w0, grads = random_run(rng, 16, 24, 3)
    options = dict(lr=0.05, momentum=0.95, nesterov=True, weight_decay=0.2)
    run = student.driver("optimizers").muon_updates(w0, grads, options)
    judge_updates(reference, run, w0, grads, **options, what="Muon(weight_decay=0.2)")
