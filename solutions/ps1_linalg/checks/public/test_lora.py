"""Public checks of problem 5 (bonus), LoRA: initialization, frozen base, training on a small example.

Your ``LoRALinear`` runs in the sandbox through the driver ``drivers/lora.py``, which builds it
around a layer with the weights these checks choose and returns plain data. The hidden checks add
other sizes, float64 layers, layers without bias, 3-D inputs, the forward formula with B != 0,
gradients and ``merged_weight``. See "What is checked" in README.md.
"""

from pathlib import Path

import numpy as np
import pytest

from autograder.checks import assert_close
from autograder.checks.plugin import import_file

pytestmark = [pytest.mark.problem("lora"), pytest.mark.call_timeout(30)]

lora_layers = import_file("_ps1_linalg_lora_layers", Path(__file__).parent / "lora_layers.py")
layer, linear, trained_loss = lora_layers.layer, lora_layers.linear, lora_layers.trained_loss
TRAIN_STEPS, TRAIN_LR, TRAIN_FRACTION = lora_layers.TRAINING_BUDGET


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
