"""Hidden checks of problem 3 (bonus), Muon: Newton–Schulz by singular values, Muon by behaviour.

``newton_schulz(G, k)`` maps G = U diag(s) Vᵀ to U diag(p^k(s / (||G||_F + 1e-7))) Vᵀ with
p(x) = a x + b x³ + c x⁵. The checks look at exactly that: the result stays in G's singular subspaces
with a diagonal core, and its singular values are the scalar iteration's (any operation order, and
iterating on the wide side or not, gives the same up to rounding). Inputs have singular values of at
least 0.005 ||G||_F, where five steps land in [0.68, 1.16]; the band checked is [0.65, 1.2].

Muon's update must be -c * newton_schulz(N) for the momentum direction N the statement defines
(SGD-style or lerp-style buffers give the same direction), with one positive factor c = s * lr per
matrix, s between 0.1 and 10 and the same for matrices of one shape (lr itself, or lr scaled by a
shape factor), after decoupled weight decay. newton_schulz(N) there is the student's own when it
gives a usable result (a mistake in newton_schulz is charged by its own checks, not again by
Muon's), and the reference's is accepted too. Messages name what was tested, never a size or a value
computed from the student's results.
"""

from pathlib import Path

import numpy as np
import pytest
import torch

from autograder.checks import StudentError, expect_type
from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("muon")

BAND = (0.65, 1.2)
NS = (3.4445, -4.7750, 2.0315)
SUBSPACE_TOL = 1e-4  # float32 results: about 1e-6
SINGULAR_VALUE_TOL = 1e-4
DIRECTION_TOL = 1e-5  # float64 throughout: about 1e-13


PSET = next(f for f in Path(__file__).resolve().parents if (f / "problemset.toml").is_file())
# drivers/optimizers.py, imported here in the grader (trusted code) for the shared builders
DRIVER = import_file("_ps2_stochastic_optimizers_driver", PSET / "drivers" / "optimizers.py")


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
        raise AssertionError(f"newton_schulz on {what} returned a tensor of another shape or dtype than "
                             f"G's; return G's shape and dtype")
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
        raise AssertionError(f"newton_schulz on {what} does not keep G's singular vectors (more than "
                             f"{SUBSPACE_TOL:g} of the result lies outside U diag(.) Vᵀ): each step must "
                             f"be X <- a X + (b A + c A²) X with A = X Xᵀ")
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
                                 f"result leave {list(BAND)} (coefficients, normalization by ||G||_F?)")


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
                    f"iteration s <- a s + b s³ + c s⁵ started at s/(||G||_F + 1e-7) by more than "
                    f"{SINGULAR_VALUE_TOL:g}; check the coefficients, the normalization and that "
                    f"exactly `steps` iterations are done")


def test_muon_least_squares_hidden(student, rng):
    """Muon: a wide least-squares problem without Nesterov; the loss falls below 5% of its start."""
    seed = int(rng.integers(2**31))
    losses = student.driver("optimizers").muon_lstsq(16, 40, 80, 120, seed, {"nesterov": False, "lr": 0.03})
    losses = np.asarray(losses, dtype=np.float64)
    assert losses.shape == (121,) and np.all(np.isfinite(losses)), \
        "Muon(nesterov=False) produced non-finite losses on a least-squares problem"
    ratio = losses[-1] / losses[0]
    assert ratio <= 0.05, ("after 120 steps of Muon(nesterov=False, lr=0.03) the loss is above 5% of "
                           "its initial value (a correct Muon reaches about 1%)")


def momentum_directions(grads, momentum: float, nesterov: bool) -> list[np.ndarray]:
    """The matrices N_k that Muon orthogonalizes (SGD-style buffer; a lerp-style one only rescales);
    ``None`` in ``grads`` is a step without gradient: the buffer waits, and N is None."""
    buf = None
    out = []
    for g in grads:
        if g is None:
            out.append(None)
            continue
        buf = g.copy() if buf is None else momentum * buf + g
        out.append(g + momentum * buf if nesterov else buf.copy())
    return out


def orthogonalized(student, reference, n: np.ndarray, steps: int) -> list[np.ndarray]:
    """newton_schulz(n, steps): the student's own result when it is usable, and the reference's."""
    candidates = []
    try:
        mine = student.muon.newton_schulz(torch.tensor(n), steps=steps)
        usable = isinstance(mine, torch.Tensor) and tuple(mine.shape) == n.shape
        if usable and bool(torch.isfinite(mine).all()):
            mine = mine.double().numpy()
            if np.linalg.norm(mine) > 0:
                candidates.append(mine)
    except StudentError:
        pass  # newton_schulz's own checks charge for it
    candidates.append(reference.muon.newton_schulz(torch.tensor(n), steps).numpy())
    return candidates


def judge_parameter(student, reference, history: np.ndarray, grads: list, *, lr, momentum, nesterov,
                    weight_decay, ns_steps=5, what: str) -> list[float]:
    """Each step with a gradient must be W_k = W_{k-1} (1 - lr wd) - c O_k, O_k = newton_schulz(N_k);
    a step without one must leave W as it is. Returns the factors c / lr."""
    if not isinstance(history, np.ndarray) or history.shape != (len(grads) + 1, *np.shape(grads[0])):
        raise AssertionError(f"{what}: the driver returned no history of the parameter")
    if not np.all(np.isfinite(history)):
        raise AssertionError(f"{what}: the parameter became non-finite")
    scales = []
    for k, n in enumerate(momentum_directions(grads, momentum, nesterov), start=1):
        if n is None:
            if not np.array_equal(history[k], history[k - 1]):
                raise AssertionError(f"{what}: a step at which the parameter had no gradient changed it; "
                                     f"skip parameters whose .grad is None (no update, no weight decay, "
                                     f"the momentum buffer unchanged)")
            continue
        r = history[k - 1] * (1 - lr * weight_decay) - history[k]
        best = None
        for o in orthogonalized(student, reference, n, ns_steps):
            c = float(np.sum(r * o) / np.sum(o * o))
            residual = np.linalg.norm(r - c * o) / max(np.linalg.norm(r), 1e-300)
            if residual <= DIRECTION_TOL and c > 0:
                best = c
                break
        if best is None:
            raise AssertionError(
                f"{what}: a step is not W <- W (1 - lr weight_decay) - c newton_schulz(N, ns_steps) with "
                f"c > 0 (tolerance {DIRECTION_TOL:g} relative); check the momentum buffer, the Nesterov "
                f"direction, ns_steps, where weight decay is applied and that parameters without a "
                f"gradient leave their buffer alone")
        scales.append(best / lr)
    if scales and not (0.1 <= min(scales) and max(scales) <= 10 and max(scales) <= 1.001 * min(scales)):
        raise AssertionError(f"{what}: the steps are newton_schulz(N) times a factor that is not one "
                             f"s * lr with s between 0.1 and 10 for all steps (is lr read from the "
                             f"parameter's group at every step?)")
    return scales


def judge_updates(student, reference, run: dict, w0, grads, *, what, **options):
    history = run.get("w") if isinstance(run, dict) else None
    return judge_parameter(student, reference, history, grads, what=what, **options)


def random_run(rng, rows, cols, steps):
    w0 = rng.standard_normal((rows, cols))
    grads = [rng.standard_normal((rows, cols)) for _ in range(steps)]
    return w0, grads


def test_muon_nesterov_direction(student, reference, rng):
    """Muon: with Nesterov momentum each step is -lr * newton_schulz(G + momentum * B)."""
    w0, grads = random_run(rng, 12, 20, 4)
    options = dict(lr=0.02, momentum=0.95, nesterov=True, weight_decay=0.0)
    run = student.driver("optimizers").muon_updates(w0, grads, options)
    judge_updates(student, reference, run, w0, grads, **options, what="Muon(nesterov=True)")


def test_muon_plain_momentum_skips_gradless(student, reference, rng):
    """Muon: without Nesterov each step is -lr * newton_schulz(B); a parameter without .grad is untouched."""
    w0, grads = random_run(rng, 24, 10, 4)
    spare = rng.standard_normal((6, 6))
    options = dict(lr=0.05, momentum=0.9, nesterov=False, weight_decay=0.1)
    run = student.driver("optimizers").muon_updates(w0, grads, options, spare)
    judge_updates(student, reference, run, w0, grads, **options, what="Muon(nesterov=False)")
    if not isinstance(run.get("spare"), np.ndarray) or not np.array_equal(run["spare"], spare):
        raise AssertionError("Muon changed a parameter whose .grad is None; such parameters must be "
                             "skipped (weight decay included)")


def test_muon_decoupled_weight_decay(student, reference, rng):
    """Muon: weight decay is decoupled: W <- W (1 - lr * weight_decay) before the orthogonalized step."""
    w0, grads = random_run(rng, 16, 24, 3)
    options = dict(lr=0.05, momentum=0.95, nesterov=True, weight_decay=0.2)
    run = student.driver("optimizers").muon_updates(w0, grads, options)
    judge_updates(student, reference, run, w0, grads, **options, what="Muon(weight_decay=0.2)")


# Two groups whose every option differs from the other's and from the constructor's.
MUON_DEFAULTS = dict(lr=0.03, momentum=0.95, nesterov=True, weight_decay=0.05, ns_steps=4)
MUON_GROUPS = [dict(lr=0.02, momentum=0.9, nesterov=False, weight_decay=0.1, ns_steps=5),
               dict(lr=0.06, momentum=0.8, nesterov=True, weight_decay=0.0, ns_steps=3)]


def test_muon_options_per_group(student, reference, rng):
    """Muon: lr, momentum, nesterov, weight_decay and ns_steps are read from each parameter group"""
    steps = 4
    w0 = {name: rng.standard_normal((10, 14)) for name in ("first", "second")}
    grads = {name: rng.standard_normal((steps, 10, 14)) for name in w0}
    groups = [(["first"], MUON_GROUPS[0]), (["second"], MUON_GROUPS[1])]
    run = student.driver("optimizers").muon_run(w0, grads, MUON_DEFAULTS, groups=groups)
    history = run.get("w") if isinstance(run, dict) else None
    if not isinstance(history, dict) or set(history) != set(w0):
        raise AssertionError("Muon with two parameter groups: the driver returned no history")
    scales = []
    for (names, options), which in zip(groups, ("first", "second"), strict=True):
        scales += judge_parameter(student, reference, history[names[0]], list(grads[names[0]]),
                                  what=f"Muon, the {which} of two parameter groups", **options)
    if max(scales) > 1.001 * min(scales):
        raise AssertionError("Muon with two parameter groups of equal shapes: the steps are not "
                             "newton_schulz(N) times one s * lr with each group's lr; read lr from the "
                             "parameter's group")


def test_muon_interface(student, reference, rng):
    """Muon: step(closure), a state_dict() reload, gradients missing on some steps, p.grad kept"""
    steps, save_load_at = 7, 3
    w0 = {"always": rng.standard_normal((12, 8)), "sometimes": rng.standard_normal((8, 12)),
          "never": rng.standard_normal((5, 5))}
    grads = {name: rng.standard_normal((steps, *w.shape)) for name, w in w0.items()}
    absent = {"sometimes": [1, 3, 4], "never": list(range(steps))}
    options = dict(lr=0.04, momentum=0.9, nesterov=True, weight_decay=0.1)
    run = student.driver("optimizers").muon_run(w0, grads, options, absent=absent,
                                                save_load_at=save_load_at, closure=True)
    history = run.get("w") if isinstance(run, dict) else None
    if not isinstance(history, dict) or set(history) != set(w0):
        raise AssertionError("Muon.step(closure): the driver returned no history")
    calls, returned = run.get("calls"), run.get("returned")
    if not isinstance(calls, np.ndarray) or calls.shape != (steps,) or not np.all(calls == 1):
        raise AssertionError("Muon.step(closure) did not call the closure exactly once per step; call it "
                             "once, before the update, with gradients enabled")
    if not isinstance(returned, np.ndarray) or not np.array_equal(returned, np.arange(steps) + 0.5):
        raise AssertionError("Muon.step(closure) returned something other than the closure's value at "
                             "some step; return what closure() returned")
    if not np.array_equal(history["never"], np.broadcast_to(w0["never"], history["never"].shape)):
        raise AssertionError("Muon changed a parameter that never had a gradient; skip parameters whose "
                             ".grad is None (weight decay included)")
    for name in ("always", "sometimes"):
        given = [None if k in absent.get(name, ()) else grads[name][k] for k in range(steps)]
        judge_parameter(student, reference, history[name], given,
                        what=f"Muon with a state_dict() reload after step {save_load_at}", **options)
    after = run.get("grads_after")
    for name in ("always", "sometimes"):
        got = after.get(name) if isinstance(after, dict) else None
        present = [k for k in range(steps) if k not in absent.get(name, ())]
        if not isinstance(got, np.ndarray) or not np.array_equal(got[present], grads[name][present]):
            raise AssertionError("Muon.step() changed p.grad; leave the gradient as it was (compute the "
                                 "Nesterov direction with grad.add(...), not grad.add_(...))")
