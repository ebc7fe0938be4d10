"""LoRA checks' layers: a base layer drawn as ``torch.nn.Linear`` draws it, its output in float64,
the loss a trained LoRA layer reaches (recomputed here from the parameters it left), and the
training budget the statement states.

Shared by the public and hidden checks of ps1_linalg (released with the public checks, so nothing
secret here: sizes and seeds are the checks' arguments).
"""

import numpy as np

# The training check's budget: Adam steps, learning rate, and the final error as a share of the base layer's.
TRAINING_BUDGET = (1000, 0.02, 0.02)


def layer(rng, n_in: int, n_out: int, dtype=np.float32, bias: bool = True):
    """A weight (out x in) and bias drawn as torch.nn.Linear draws them: uniform in +-1/sqrt(in)."""
    bound = 1 / np.sqrt(n_in)
    weight = rng.uniform(-bound, bound, (n_out, n_in)).astype(dtype)
    return weight, (rng.uniform(-bound, bound, n_out).astype(dtype) if bias else None)


def linear(x, weight, bias):
    """The base layer's output x W^T + b, in float64."""
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
