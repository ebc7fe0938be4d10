"""Public checks of problem 5 (bonus), LoRA: initialization, frozen base, training on a small example.

Your ``LoRALinear`` runs in the sandbox through the driver ``drivers/lora.py``, which builds it
around a layer with the weights these checks choose and returns plain data. The hidden checks add
other sizes, float64 layers, layers without bias, 3-D inputs, the forward formula with B != 0,
gradients and ``merged_weight``. See "What is checked" in README.md.
"""

import numpy as np
import pytest

from autograder.checks import assert_close

pytestmark = [pytest.mark.problem("lora"), pytest.mark.call_timeout(30)]

TRAIN_STEPS, TRAIN_LR, TRAIN_FRACTION = 1000, 0.02, 0.02


def layer(rng, n_in: int, n_out: int, dtype=np.float32, bias: bool = True):
    """A weight (out x in) and bias drawn as torch.nn.Linear draws them: uniform in +-1/sqrt(in)."""
    bound = 1 / np.sqrt(n_in)
    weight = rng.uniform(-bound, bound, (n_out, n_in)).astype(dtype)
    return weight, (rng.uniform(-bound, bound, n_out).astype(dtype) if bias else None)


def linear(x, weight, bias):
    out = np.asarray(x, np.float64) @ np.asarray(weight, np.float64).T
    return out if bias is None else out + np.asarray(bias, np.float64)

def trained_loss(run: dict, x, y, weight, bias, r: int, alpha: float) -> float:
    """The mean squared error of the trained layer, computed here from the parameters the training
    left (A, B, and the base layer's, which a correct LoRA leaves as they were) and the statement's
    forward formula, never from a loss the student's process reports; NaN when A or B is missing or
    of the wrong shape."""
    A, B = run.get("A"), run.get("B")
    n_out, n_in = np.shape(weight)
    if isinstance(run.get("base_weight"), np.ndarray) and run["base_weight"].shape == (n_out, n_in):
        weight = run["base_weight"]
        bias = run.get("base_bias") if bias is not None else None
    if not (isinstance(A, np.ndarray) and isinstance(B, np.ndarray)
            and A.shape == (r, n_in) and B.shape == (n_out, r)):
        return float("nan")
    x64 = np.asarray(x, np.float64)
    out = linear(x64, weight, bias) + (alpha / r) * (x64 @ A.astype(np.float64).T) @ B.astype(np.float64).T
    return float(np.mean((out - np.asarray(y, np.float64)) ** 2))



@pytest.mark.weight(1.5)
def test_initial_output_equals_base(student, rng):
    """LoRALinear: at initialization B is zero, A is not, and the output equals the base layer's."""
    weight, bias = layer(rng, 6, 4)
    x = rng.standard_normal((5, 6)).astype(np.float32)
    info = student.driver("lora").structure(weight, bias, 2, None, 0)
    assert info["is_module"], "LoRALinear(base, 2) is not a torch.nn.Module: subclass torch.nn.Module"
    for name, shape in (("A", (2, 6)), ("B", (4, 2))):
        value = info[name]
        assert value is not None, (f"LoRALinear(base, 2) has no tensor attribute {name}; it got "
                                   f"{info[name + '_kind']}")
        assert value.shape == shape, (f"for a layer with 6 inputs and 4 outputs and r = 2, {name} has "
                                      f"shape {value.shape}; expected {shape}")
    assert np.all(info["B"] == 0), "B is not zero at initialization: initialize B with zeros"
    assert np.any(info["A"] != 0) and np.all(np.isfinite(info["A"])), (
        "A is all zeros (or not finite) at initialization: initialize A randomly, else B A stays "
        "zero and B never gets a useful gradient")
    out = student.driver("lora").forward(weight, bias, 2, None, 0, x)
    assert out["output"] is not None, f"forward returned a {out['output_type']}; expected a tensor"
    assert_close(out["output"], linear(x, weight, bias), rtol=1e-5, atol=1e-5,
                 what="LoRALinear(base, 2)(x) at initialization (it must equal base(x))")


def test_only_lora_factors_are_trainable(student, rng):
    """LoRALinear: only A and B are trainable, r (in + out) numbers; the base is frozen."""
    weight, bias = layer(rng, 10, 7)
    info = student.driver("lora").structure(weight, bias, 3, 2.0, 0)
    trainable = {name: p["numel"] for name, p in info["parameters"].items() if p["requires_grad"]}
    assert info["base_requires_grad"] == {"weight": False, "bias": False}, (
        f"the base layer's parameters still require gradients ({info['base_requires_grad']}): "
        f"freeze them with requires_grad_(False)")
    assert set(trainable) == {"A", "B"}, (
        f"the trainable parameters (named_parameters() with requires_grad) are {sorted(trainable)}; "
        f"expected exactly A and B, registered as torch.nn.Parameter attributes")
    assert sum(trainable.values()) == 3 * (10 + 7), (
        f"LoRALinear(base, 3) on a 10 -> 7 layer trains {sum(trainable.values())} numbers; "
        f"expected r (in + out) = 51")


def test_training_fits_low_rank_change(student, rng):
    """LoRALinear: 1000 Adam steps fit a rank-4 change of a 32 -> 24 layer."""
    n_in, n_out, r, alpha = 32, 24, 4, 8.0
    weight, bias = layer(rng, n_in, n_out)
    delta = rng.standard_normal((n_out, r)) @ rng.standard_normal((r, n_in)) / np.sqrt(r * n_in)
    x = rng.standard_normal((4 * n_in, n_in))
    y = linear(x, weight + delta, bias)
    x, y = x.astype(np.float32), y.astype(np.float32)
    base_loss = float(np.mean((linear(x, weight, bias) - y) ** 2))
    run = student.driver("lora").train(weight, bias, r, alpha, 0, x, y, TRAIN_STEPS, TRAIN_LR)
    final = trained_loss(run, x, y, weight, bias, r, alpha)
    assert np.isfinite(final) and final <= TRAIN_FRACTION * base_loss, (
        f"after {TRAIN_STEPS} Adam steps (lr {TRAIN_LR}) on A and B the mean squared error is "
        f"{final:.3g}, {final / base_loss:.1%} of the base layer's {base_loss:.3g}; it must fall to "
        f"{TRAIN_FRACTION:.0%}. Check the forward formula and that A and B are trainable")
