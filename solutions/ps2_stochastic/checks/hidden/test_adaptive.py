"""Hidden checks of problem 2, adaptive methods: every option against torch.optim, step for step.

Each check builds the driver's two-layer network from a secret seed, runs ``torch.optim.<Name>``
here (trusted) and records its gradients, then runs the student's class in the sandbox on the same
network with those gradients replayed step by step (so that rounding differences cannot grow
through the loss: what is compared is the optimizer alone). Every parameter must agree after every
step within ``rtol * max|x_torch|``: 1e-10 in float64, 1e-5 in float32. Measured with correct
implementations written differently from PyTorch (other operation orders, ``torch._foreach_*``):
at most 1e-14 (float64) and 1e-6 (float32) over these runs.

Weights: per optimizer, three float64 checks of weight 1 and two of weight 0.5 (float32, closure),
so that with its public check each optimizer is worth a quarter of the problem.
"""

import functools
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch

pytestmark = pytest.mark.problem("adaptive")

RTOL = {"float64": 1e-10, "float32": 1e-5}
STEPS = 150
SAVE_LOAD_AT = 60


def _load_driver():
    root = next(f for f in Path(__file__).resolve().parents if (f / "problemset.toml").is_file())
    spec = importlib.util.spec_from_file_location("_ps2_optimizers_driver_hidden",
                                                  root / "drivers" / "optimizers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DRIVER = _load_driver()


def judge(student, rng, name: str, what: str, *, closure: bool = False, **plan) -> None:
    """Compare the student's ``name`` with torch.optim's on the replayed gradients of a secret run."""
    plan.setdefault("steps", STEPS)
    plan["seed"] = int(rng.integers(2**31))
    factory = functools.partial(getattr(torch.optim, name), foreach=False)
    expected = DRIVER.run_trajectory(factory, record_grads=True, **plan)
    actual = student.driver("optimizers").trajectory(name, grads=expected["grads"], closure=closure,
                                                     **plan)
    if closure:
        judge_closure(actual, plan["steps"], what)
    rtol = RTOL[plan.get("dtype", "float64")]
    message = DRIVER.first_divergence(actual, expected, rtol=rtol, what=what,
                                      save_load_at=plan.get("save_load_at"))
    assert message is None, message


def judge_closure(actual: dict, steps: int, what: str) -> None:
    """step(closure) must call the closure once per step and return its value."""
    losses, returned = actual.get("losses"), actual.get("returned")
    if not isinstance(losses, np.ndarray) or not isinstance(returned, np.ndarray):
        raise AssertionError(f"{what}: the driver returned no record of the closure calls")
    if len(losses) != steps:
        raise AssertionError(f"{what}: step(closure) called the closure {len(losses)} times in {steps} "
                             f"steps; call it exactly once per step")
    for k, (value, loss) in enumerate(zip(returned, losses, strict=True), start=1):
        if not value == loss:
            raise AssertionError(f"{what}: step {k} returned something other than the closure's value "
                                 f"(None, another number or not a number); step(closure) must return "
                                 f"what closure() returned")


# ---------------------------------------------------------------------------- Adagrad


def test_adagrad_weight_decay_and_eps(student, rng):
    """Adagrad: weight_decay and eps match torch.optim.Adagrad over 150 steps (float64)."""
    judge(student, rng, "Adagrad", "Adagrad with weight_decay and eps",
          defaults=dict(lr=0.05, weight_decay=0.01, eps=1e-8))


def test_adagrad_lr_decay_and_initial_accumulator(student, rng):
    """Adagrad: lr_decay and initial_accumulator_value match torch.optim.Adagrad over 150 steps (float64)."""
    judge(student, rng, "Adagrad", "Adagrad with lr_decay and initial_accumulator_value",
          defaults=dict(lr=0.05, lr_decay=0.01, initial_accumulator_value=0.1))


def test_adagrad_groups_frozen_state_dict(student, rng):
    """Adagrad: two parameter groups, parameters without gradients, state_dict() reload mid-run."""
    judge(student, rng, "Adagrad", "Adagrad with two parameter groups",
          defaults=dict(lr=0.02, initial_accumulator_value=0.1),
          groups=[dict(lr=0.05, lr_decay=0.02), dict(weight_decay=0.05)],
          extra=True, save_load_at=SAVE_LOAD_AT)


@pytest.mark.weight(0.5)
def test_adagrad_float32(student, rng):
    """Adagrad: float32 parameters match torch.optim.Adagrad over 100 steps (rtol 1e-5)."""
    judge(student, rng, "Adagrad", "Adagrad in float32",
          defaults=dict(lr=0.05, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1),
          dtype="float32", steps=100)


@pytest.mark.weight(0.5)
def test_adagrad_closure(student, rng):
    """Adagrad: step(closure) evaluates the closure once per step and returns its loss."""
    judge(student, rng, "Adagrad", "Adagrad.step(closure)", defaults=dict(lr=0.05), steps=20,
          closure=True)


# ---------------------------------------------------------------------------- RMSprop


def test_rmsprop_alpha_weight_decay_eps(student, rng):
    """RMSprop: alpha, weight_decay and eps match torch.optim.RMSprop over 150 steps (float64)."""
    judge(student, rng, "RMSprop", "RMSprop with alpha, weight_decay and eps",
          defaults=dict(lr=3e-3, alpha=0.9, weight_decay=0.01, eps=1e-6))


def test_rmsprop_momentum_centered(student, rng):
    """RMSprop: momentum and centered=True match torch.optim.RMSprop over 150 steps (float64)."""
    judge(student, rng, "RMSprop", "RMSprop with momentum and centered=True",
          defaults=dict(lr=1e-3, momentum=0.9, centered=True))


def test_rmsprop_groups_frozen_state_dict(student, rng):
    """RMSprop: two parameter groups, parameters without gradients, state_dict() reload mid-run."""
    judge(student, rng, "RMSprop", "RMSprop with two parameter groups",
          defaults=dict(lr=1e-3),
          groups=[dict(momentum=0.5, centered=True), dict(weight_decay=0.05, alpha=0.95, lr=5e-4)],
          extra=True, save_load_at=SAVE_LOAD_AT)


@pytest.mark.weight(0.5)
def test_rmsprop_float32(student, rng):
    """RMSprop: float32 parameters match torch.optim.RMSprop over 100 steps (rtol 1e-5)."""
    judge(student, rng, "RMSprop", "RMSprop in float32",
          defaults=dict(lr=1e-3, momentum=0.9, centered=True, weight_decay=0.01),
          dtype="float32", steps=100)


@pytest.mark.weight(0.5)
def test_rmsprop_closure(student, rng):
    """RMSprop: step(closure) evaluates the closure once per step and returns its loss."""
    judge(student, rng, "RMSprop", "RMSprop.step(closure)", defaults=dict(lr=3e-3), steps=20,
          closure=True)


# ---------------------------------------------------------------------------- Adam


def test_adam_betas_weight_decay_eps(student, rng):
    """Adam: betas, eps and L2 weight_decay match torch.optim.Adam over 150 steps (float64)."""
    judge(student, rng, "Adam", "Adam with betas, eps and weight_decay",
          defaults=dict(lr=3e-3, betas=(0.85, 0.99), weight_decay=0.01, eps=1e-7))


def test_adam_amsgrad(student, rng):
    """Adam: amsgrad=True (PyTorch's form) matches torch.optim.Adam over 150 steps (float64)."""
    judge(student, rng, "Adam", "Adam with amsgrad=True", defaults=dict(lr=1e-2, amsgrad=True))


def test_adam_groups_frozen_state_dict(student, rng):
    """Adam: two parameter groups, parameters without gradients, state_dict() reload mid-run."""
    judge(student, rng, "Adam", "Adam with two parameter groups",
          defaults=dict(lr=3e-3),
          groups=[dict(lr=1e-3, amsgrad=True), dict(weight_decay=0.05, betas=(0.8, 0.99))],
          extra=True, save_load_at=SAVE_LOAD_AT)


@pytest.mark.weight(0.5)
def test_adam_float32(student, rng):
    """Adam: float32 parameters match torch.optim.Adam over 100 steps (rtol 1e-5)."""
    judge(student, rng, "Adam", "Adam in float32",
          defaults=dict(lr=3e-3, weight_decay=0.01, amsgrad=True), dtype="float32", steps=100)


@pytest.mark.weight(0.5)
def test_adam_closure(student, rng):
    """Adam: step(closure) evaluates the closure once per step and returns its loss."""
    judge(student, rng, "Adam", "Adam.step(closure)", defaults=dict(lr=3e-3), steps=20, closure=True)


# ---------------------------------------------------------------------------- AdamW


def test_adamw_decoupled_weight_decay(student, rng):
    """AdamW: decoupled weight_decay matches torch.optim.AdamW over 150 steps (float64)."""
    judge(student, rng, "AdamW", "AdamW with weight_decay", defaults=dict(lr=3e-3, weight_decay=0.1))


def test_adamw_amsgrad(student, rng):
    """AdamW: amsgrad=True (PyTorch's form) matches torch.optim.AdamW over 150 steps (float64)."""
    judge(student, rng, "AdamW", "AdamW with amsgrad=True", defaults=dict(lr=1e-2, amsgrad=True))


def test_adamw_groups_frozen_state_dict(student, rng):
    """AdamW: two parameter groups, parameters without gradients, state_dict() reload mid-run."""
    judge(student, rng, "AdamW", "AdamW with two parameter groups",
          defaults=dict(lr=3e-3),
          groups=[dict(lr=1e-3, amsgrad=True), dict(weight_decay=0.2, betas=(0.8, 0.99))],
          extra=True, save_load_at=SAVE_LOAD_AT)


@pytest.mark.weight(0.5)
def test_adamw_float32(student, rng):
    """AdamW: float32 parameters match torch.optim.AdamW over 100 steps (rtol 1e-5)."""
    judge(student, rng, "AdamW", "AdamW in float32",
          defaults=dict(lr=3e-3, weight_decay=0.1, amsgrad=True), dtype="float32", steps=100)


@pytest.mark.weight(0.5)
def test_adamw_closure(student, rng):
    """AdamW: step(closure) evaluates the closure once per step and returns its loss."""
    judge(student, rng, "AdamW", "AdamW.step(closure)", defaults=dict(lr=3e-3), steps=20, closure=True)
