"""Workloads of problem set 2's timing checks (the [[timing]] entries of problemset.toml): Adam and
AdamW must update whole tensors at once.

The timed call builds the student's optimizer on fresh random float32 parameters and runs two steps
with fresh random gradients (construction, state allocation and the update: all of the student's
code). The baseline is ``torch.optim.Adam``/``AdamW`` of the same implementation family: the default
per-parameter loop on CPU (``foreach=False``), ``foreach=True`` on CUDA. The parameter update of every
timed call is checked against ``torch.optim`` computed here, elementwise within 1e-4 of its largest
entry (float32).

An implementation with tensor operations per parameter (the reference, or ``torch._foreach_*``) takes
0.8-1.3x the baseline's time; a Python loop over elements takes thousands of times longer and is
stopped by the deadline. Threshold (in the manifest): 5x on CPU (temporaries cost fresh pages in
the sandbox, which torch.optim's in-place loop avoids: a correct step with temporaries measured
3.2-3.5x), and 3x on CUDA against foreach, with few large tensors so that a per-parameter loop
pays few kernel launches (the CUDA variant is not calibrated yet: measure it with
benchmarks/timing_checks.py on a GPU machine before relying on it).
"""

import torch

from autograder.timing import Workload


def optimizer_inputs(gen, device, shapes, weight_decay, dtype="float32"):
    """Parameters and two gradients per parameter, and the optimizer's options."""
    import torch

    def draw():
        return [torch.from_numpy(gen.standard_normal(s, dtype=dtype)).to(device) for s in shapes]

    params, first, second = draw(), draw(), draw()
    return params, first, second, {"lr": 1e-2, "betas": (0.9, 0.999), "weight_decay": weight_decay}


def two_steps(factory, params, first, second, options):
    """The timed call: construct the optimizer, then step with each gradient in turn."""
    for p in params:
        p.requires_grad_(True)

    def run():
        optimizer = factory(params, **options)
        for p, g in zip(params, first, strict=True):
            p.grad = g
        optimizer.step()
        for p, g in zip(params, second, strict=True):
            p.grad = g
        optimizer.step()
        return params

    return run


def parameter_update(out, params, first, second, options):
    """What is compared: each parameter after the two steps minus before."""
    return [p.detach() - p0 for p, p0 in zip(out, params, strict=True)]


def torch_adam(params, **options):
    """torch.optim.Adam: foreach on CUDA, the per-parameter loop on CPU."""
    return torch.optim.Adam(params, foreach=params[0].is_cuda, **options)


def torch_adamw(params, **options):
    """torch.optim.AdamW: foreach on CUDA, the per-parameter loop on CPU."""
    return torch.optim.AdamW(params, foreach=params[0].is_cuda, **options)


ADAM = Workload(name="torch.optim.Adam", inputs=optimizer_inputs, baseline=torch_adam,
                setup=two_steps, result=parameter_update, output="params")
ADAMW = Workload(name="torch.optim.AdamW", inputs=optimizer_inputs, baseline=torch_adamw,
                 setup=two_steps, result=parameter_update, output="params")
