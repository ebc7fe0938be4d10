"""Hidden checks of problem 5 (bonus), LoRA: random sizes, ranks, alphas, dtypes, bias or not.

The driver ``drivers/lora.py`` builds the student's ``LoRALinear`` around a layer with the weights
chosen here and returns plain data; expected values are computed here in float64 from those
weights and from the A the module reports (any random init of A is allowed: only "A is not zero"
is checked). Tolerances: 1e-10 (float64) and 1e-4 (float32), relative to the largest entry of the
expected value. The training check uses a budget (1000 Adam steps, lr 0.02, 2% of the base layer's
error) that a normal or uniform init of A of any scale from 1e-3 to 1 meets with a margin of 10 or
more on these problems (worst final error about 0.15% of the base layer's, over 40 random problems
per init), and so does a small random B (std 0.02). A frozen A leaves most of the error.

Messages describe the layer by dtype, bias and input shape, never by its sizes or values, and
never repeat what the student's module reported (shapes, dtypes, type and parameter names, counts:
the driver runs next to the student's code, so all of it is text the student's code can choose).
"""

from pathlib import Path

import numpy as np
import pytest

from autograder.checks import assert_close
from autograder.checks.plugin import import_file

pytestmark = [pytest.mark.problem("lora"), pytest.mark.call_timeout(30)]

PUBLIC = Path(__file__).parents[1] / "public"  # the helpers the public checks share with these
lora_layers = import_file("_ps1_linalg_lora_layers", PUBLIC / "lora_layers.py")
layer, linear, trained_loss = lora_layers.layer, lora_layers.linear, lora_layers.trained_loss
TRAIN_STEPS, TRAIN_LR, TRAIN_FRACTION = lora_layers.TRAINING_BUDGET
TOL = {"float32": 1e-4, "float64": 1e-10}


def setup(rng, dtype=np.float32, bias: bool = True):
    """A random layer and rank: (weight, bias, r, n_in, n_out)."""
    n_in, n_out = int(rng.integers(8, 49)), int(rng.integers(4, 41))
    r = int(rng.integers(1, min(n_in, n_out, 8) + 1))
    weight, b = layer(rng, n_in, n_out, dtype, bias)
    return weight, b, r, n_in, n_out


def describe(dtype, bias: bool, x_dims: int = 2) -> str:
    return (f"a {np.dtype(dtype).name} layer {'with' if bias else 'without'} bias"
            f"{' on a 3-D input (batch, sequence, in)' if x_dims == 3 else ''}")


def close(actual, expected, dtype, what: str) -> None:
    """``actual`` within TOL[dtype] of ``expected``, relative to expected's largest entry."""
    if actual is None:
        raise AssertionError(f"{what} is not a tensor")
    expected = np.asarray(expected, np.float64)
    scale = max(float(np.max(np.abs(expected))), 1e-300) if expected.size else 1.0
    tol = TOL[np.dtype(dtype).name]
    assert_close(np.asarray(actual, np.float64) / scale, expected / scale, rtol=0, atol=tol,
                 what=f"{what} (divided by the largest entry of the expected value)")


def input_for(rng, n_in: int, dtype, dims: int = 2):
    shape = (int(rng.integers(2, 9)), n_in) if dims == 2 else (3, int(rng.integers(2, 6)), n_in)
    return rng.standard_normal(shape).astype(dtype)


def get_a(result, r: int, n_in: int, what: str) -> np.ndarray:
    a = result["A"]
    if a is None or a.shape != (r, n_in):
        raise AssertionError(f"{what}: the module's A is {'missing' if a is None else 'of another shape'}; "
                             f"expected a tensor of shape (r, in_features)")
    return np.asarray(a, np.float64)


def expected_output(x, weight, bias, a, b, scale):
    x64 = np.asarray(x, np.float64)
    return linear(x64, weight, bias) + scale * (x64 @ a.T) @ np.asarray(b, np.float64).T


CONFIGS = [(np.float32, True, 2), (np.float64, False, 2), (np.float64, True, 3)]


# ---------------------------------------------------------------------------- initialization


@pytest.mark.weight(2)
def test_initial_output_equals_base(student, rng):
    """LoRALinear: at initialization the output equals the base layer's (float32 and float64)."""
    driver = student.driver("lora")
    for dtype, bias, dims in CONFIGS:
        weight, b, r, n_in, _ = setup(rng, dtype, bias)
        x = input_for(rng, n_in, dtype, dims)
        alpha = float(rng.choice([1.0, r, 2.0 * r, 16.0]))
        out = driver.forward(weight, b, r, alpha, int(rng.integers(2**31)), x)
        what = f"LoRALinear(base, r, alpha)(x) at initialization for {describe(dtype, bias, dims)}"
        assert out["output"] is not None, f"{what} did not return a tensor"
        assert out["output"].dtype == dtype, f"{what} has another dtype; keep the base layer's dtype"
        close(out["output"], linear(x, weight, b), dtype, what + " (it must equal base(x): B = 0)")


@pytest.mark.weight(2)
def test_factors_shapes_dtypes_and_init(student, rng):
    """LoRALinear: A (r x in, random) and B (out x r, zero) are Parameters in the base's dtype."""
    driver = student.driver("lora")
    for dtype, bias, _ in CONFIGS[:2]:
        weight, b, r, n_in, n_out = setup(rng, dtype, bias)
        info = driver.structure(weight, b, r, None, int(rng.integers(2**31)))
        what = f"LoRALinear(base, r) for {describe(dtype, bias)}"
        assert info["is_module"], f"{what} is not a torch.nn.Module: subclass torch.nn.Module"
        for name, shape in (("A", (r, n_in)), ("B", (n_out, r))):
            assert info[f"{name}_kind"] == "Parameter", (
                f"{what}: {name} is not a Parameter; make it a torch.nn.Parameter attribute")
            value = info[name]
            assert value.shape == shape, (f"{what}: {name} has another shape than "
                                          f"{'(r, in_features)' if name == 'A' else '(out_features, r)'}")
            assert value.dtype == dtype, (f"{what}: {name} has another dtype than the base weight; "
                                          f"create it in the base weight's dtype")
        assert np.all(info["B"] == 0), f"{what}: B is not zero at initialization"
        assert np.all(np.isfinite(info["A"])) and np.any(info["A"] != 0), (
            f"{what}: A is zero or not finite at initialization; initialize it randomly")
        assert np.array_equal(info["base_weight"], weight), (
            f"{what} changed the base layer's weight; leave W0 as it is")


@pytest.mark.weight(2)
def test_only_lora_factors_are_trainable(student, rng):
    """LoRALinear: exactly A and B are trainable, r (in + out) numbers; the base is frozen."""
    driver = student.driver("lora")
    for dtype, bias, _ in CONFIGS[:2]:
        weight, b, r, n_in, n_out = setup(rng, dtype, bias)
        info = driver.structure(weight, b, r, 1.0, int(rng.integers(2**31)))
        what = f"LoRALinear(base, r) for {describe(dtype, bias)}"
        frozen = {"weight": False, "bias": False if bias else None}
        assert info["base_requires_grad"] == frozen, (
            f"{what}: the base layer's parameters still require gradients: freeze them with "
            f"requires_grad_(False)")
        trainable = {name: p["numel"] for name, p in info["parameters"].items() if p["requires_grad"]}
        assert set(trainable) == {"A", "B"}, (
            f"{what}: the trainable parameters are not exactly A and B; freeze everything else")
        count = sum(trainable.values())
        assert count == r * (n_in + n_out), (
            f"{what} does not train exactly r (in_features + out_features) numbers")


@pytest.mark.weight(2)
def test_gradients_reach_only_a_and_b(student, rng):
    """LoRALinear: after backward, A and B have gradients (B's is right), the base has none."""
    driver = student.driver("lora")
    for dtype, bias, dims in CONFIGS:
        weight, b, r, n_in, n_out = setup(rng, dtype, bias)
        x = input_for(rng, n_in, dtype, dims)
        upstream = rng.standard_normal(x.shape[:-1] + (n_out,)).astype(dtype)
        alpha = float(rng.choice([1.0, r, 2.0 * r]))
        result = driver.gradients(weight, b, r, alpha, int(rng.integers(2**31)), x, upstream)
        what = f"a backward pass through LoRALinear for {describe(dtype, bias, dims)}"
        assert result["base_weight_grad"] is None and result["base_bias_grad"] is None, (
            f"after {what} the base layer's weight or bias has a gradient: freeze them "
            f"(requires_grad_(False)) so that no gradient is computed for them")
        assert result["A_grad"] is not None and result["B_grad"] is not None, (
            f"after {what} A or B has no gradient: they must be Parameters that take part in "
            f"forward")
        a = get_a(result, r, n_in, what)
        # d/dB of sum(G * (alpha/r) x A^T B^T) = (alpha/r) G^T (x A^T), summed over the batch.
        g = np.asarray(upstream, np.float64).reshape(-1, n_out)
        xa = np.asarray(x, np.float64).reshape(-1, n_in) @ a.T
        close(result["B_grad"], alpha / r * g.T @ xa, dtype, f"B.grad after {what}")


# ---------------------------------------------------------------------------- forward and merge


@pytest.mark.weight(3)
def test_forward_formula(student, rng):
    """LoRALinear: forward(x) = base(x) + (alpha/r) x A^T B^T once B != 0 (alpha defaults to 1)."""
    driver = student.driver("lora")
    cases = [(np.float64, True, 2, "random"), (np.float32, False, 3, "random"),
             (np.float64, True, 3, None), (np.float32, True, 2, None)]
    for dtype, bias, dims, alpha_kind in cases:
        weight, b, r, n_in, n_out = setup(rng, dtype, bias)
        x = input_for(rng, n_in, dtype, dims)
        alpha = None if alpha_kind is None else float(rng.uniform(0.5, 4.0) * r)
        new_b = rng.standard_normal((n_out, r)).astype(dtype)
        out = driver.forward(weight, b, r, alpha, int(rng.integers(2**31)), x, new_b)
        what = (f"LoRALinear(base, r{'' if alpha is None else ', alpha'})(x) with B != 0 for "
                f"{describe(dtype, bias, dims)}")
        assert out["output"] is not None, f"{what} did not return a tensor"
        assert out["output"].shape == x.shape[:-1] + (n_out,), (
            f"{what} has another shape than (..., out_features) for x of shape (..., in_features)")
        assert out["output"].dtype == dtype, f"{what} has another dtype than x; keep the dtype"
        a = get_a(out, r, n_in, what)
        scale = (1.0 if alpha is None else alpha) / r
        hint = " (the default alpha is 1.0, so the update is scaled by 1/r)" if alpha is None else ""
        close(out["output"], expected_output(x, weight, b, a, new_b, scale), dtype, what + hint)


@pytest.mark.weight(2.5)
def test_merged_weight(student, rng):
    """LoRALinear: merged_weight() = W0 + (alpha/r) B A, and x merged^T + bias = forward(x)."""
    driver = student.driver("lora")
    for dtype, bias, alpha_kind in ((np.float64, True, "random"), (np.float32, False, None)):
        weight, b, r, n_in, n_out = setup(rng, dtype, bias)
        x = input_for(rng, n_in, dtype)
        alpha = None if alpha_kind is None else float(rng.uniform(0.5, 4.0) * r)
        new_b = rng.standard_normal((n_out, r)).astype(dtype)
        result = driver.merged(weight, b, r, alpha, int(rng.integers(2**31)), x, new_b)
        what = f"merged_weight() with B != 0 for {describe(dtype, bias)}"
        merged = result["merged"]
        assert merged is not None, f"{what} did not return a tensor"
        assert merged.shape == (n_out, n_in), (
            f"{what} has another shape than (out_features, in_features)")
        assert merged.dtype == dtype, f"{what} has another dtype than the base weight; keep the dtype"
        a = get_a(result, r, n_in, what)
        scale = (1.0 if alpha is None else alpha) / r
        expected = np.asarray(weight, np.float64) + scale * np.asarray(new_b, np.float64) @ a
        close(merged, expected, dtype, what)
        close(result["output"], linear(x, merged, b), dtype,
              f"forward(x) against x merged_weight()^T + bias for {describe(dtype, bias)}")


# ---------------------------------------------------------------------------- training


@pytest.mark.weight(3)
def test_training_fits_low_rank_changes(student, rng):
    """LoRALinear: 1000 Adam steps fit random rank-r changes of random layers."""
    driver = student.driver("lora")
    for bias in (True, False):
        weight, b, r, n_in, n_out = setup(rng, np.float32, bias)
        alpha = float(rng.choice([1.0, r, 2.0 * r, 16.0]))
        delta = rng.standard_normal((n_out, r)) @ rng.standard_normal((r, n_in)) / np.sqrt(r * n_in)
        x = rng.standard_normal((4 * n_in, n_in))
        y = linear(x, weight + delta, b)
        x, y = x.astype(np.float32), y.astype(np.float32)
        base_loss = float(np.mean((linear(x, weight, b) - y) ** 2))
        run = driver.train(weight, b, r, alpha, int(rng.integers(2**31)), x, y, TRAIN_STEPS, TRAIN_LR)
        final = trained_loss(run, x, y, weight, b, r, alpha)
        what = f"training LoRALinear on {describe(np.float32, bias)} towards a rank-r change"
        assert np.isfinite(final) and final <= TRAIN_FRACTION * base_loss, (
            f"after {what} with {TRAIN_STEPS} Adam steps (lr {TRAIN_LR}) the mean squared error is "
            f"{final / base_loss:.1%} of the base layer's; it must fall to {TRAIN_FRACTION:.0%}. "
            f"Check the forward formula and that A and B are trainable")
