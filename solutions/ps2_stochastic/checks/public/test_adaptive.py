"""Public checks of problem 2, adaptive methods: each optimizer with its default arguments.

Your optimizer runs in the sandbox on a small two-layer network (``drivers/optimizers.py``); this
check runs ``torch.optim``'s optimizer of the same name here, on the same network, and feeds yours
the same gradient at every step (so that rounding differences cannot grow through the loss). The
parameters must agree after every step: ``|x - x_torch| <= 1e-10 * max|x_torch|`` (float64).
"""

import functools
from pathlib import Path

import pytest
import torch

from autograder.checks.plugin import import_file

pytestmark = pytest.mark.problem("adaptive")

RTOL_FLOAT64 = 1e-10

PSET = next(f for f in Path(__file__).resolve().parents if (f / "problemset.toml").is_file())
# drivers/optimizers.py, imported here in the grader (trusted code) for the shared builders
DRIVER = import_file("_ps2_stochastic_optimizers_driver", PSET / "drivers" / "optimizers.py")


def judge(student, name: str, what: str, **plan) -> None:
    """Run torch.optim.<name> here and the student's <name> in the sandbox on its gradients; compare."""
    factory = functools.partial(getattr(torch.optim, name), foreach=False)
    expected = DRIVER.run_trajectory(factory, record_grads=True, **plan)
    actual = student.driver("optimizers").trajectory(name, grads=expected["grads"], **plan)
    message = DRIVER.first_divergence(actual, expected, rtol=RTOL_FLOAT64, what=what,
                                      save_load_at=plan.get("save_load_at"))
    assert message is None, message


def test_adagrad_defaults(student):
    """Adagrad: default arguments match torch.optim.Adagrad over 50 steps (float64)."""
    judge(student, "Adagrad", "Adagrad()", defaults={}, steps=50, seed=0)


def test_rmsprop_defaults(student):
    """RMSprop: default arguments match torch.optim.RMSprop over 50 steps (float64)."""
    judge(student, "RMSprop", "RMSprop()", defaults={}, steps=50, seed=0)


def test_adam_defaults(student):
    """Adam: default arguments match torch.optim.Adam over 50 steps (float64)."""
    judge(student, "Adam", "Adam()", defaults={}, steps=50, seed=0)


def test_adamw_defaults(student):
    """AdamW: default arguments (weight_decay=1e-2) match torch.optim.AdamW over 50 steps (float64)."""
    judge(student, "AdamW", "AdamW()", defaults={}, steps=50, seed=0)
