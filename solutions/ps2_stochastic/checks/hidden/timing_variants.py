"""Submissions for ``benchmarks/timing_checks.py``: how often ps2_stochastic's timing checks get it wrong.

Text appended to a copy of the reference module named by the key. ``SLOW``: slow but correct (every
timing check of that module must fail it); ``ALTERNATIVES``: correct and fast, written another way
(every timing check of that module must pass it). Benchmark input kept with the hidden checks, so
never released; the grader neither collects nor imports it.
"""

SLOW = {"adaptive.py": '''

def _adam_step(optimizer, closure, decoupled):  # slow but correct: a Python loop over elements
    loss = None
    if closure is not None:
        with torch.enable_grad():
            loss = closure()
    for group in optimizer.param_groups:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay = group["weight_decay"]
        for p in group["params"]:
            if p.grad is None:
                continue
            state = optimizer.state[p]
            if len(state) == 0:
                state["step"] = torch.tensor(0.0)
                state["exp_avg"] = torch.zeros_like(p)
                state["exp_avg_sq"] = torch.zeros_like(p)
            state["step"] += 1
            t = state["step"].item()
            x, g = p.view(-1), p.grad.reshape(-1)
            m, v = state["exp_avg"].view(-1), state["exp_avg_sq"].view(-1)
            for i in range(x.numel()):
                gi = g[i].item()
                if weight_decay != 0:
                    if decoupled:
                        x[i] = x[i] * (1 - lr * weight_decay)
                    else:
                        gi = gi + weight_decay * x[i].item()
                m[i] = beta1 * m[i] + (1 - beta1) * gi
                v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
                denom = (v[i] / (1 - beta2**t)).sqrt() + eps
                x[i] = x[i] - lr / (1 - beta1**t) * m[i] / denom
    return loss
'''}
