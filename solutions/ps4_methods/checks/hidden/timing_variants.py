"""Submissions for ``benchmarks/timing_checks.py``: how often ps4_methods's timing checks get it wrong.

Text appended to a copy of the reference module named by the key. ``SLOW``: slow but correct (every
timing check of that module must fail it); ``ALTERNATIVES``: correct and fast, written another way
(every timing check of that module must pass it). Benchmark input kept with the hidden checks, so
never released; the grader neither collects nor imports it.
"""

SLOW = {"adaptive2.py": '''


@torch.no_grad()
def _slow_adadelta_step(self, closure=None):  # slow but correct: a Python loop over elements
    loss = None
    if closure is not None:
        with torch.enable_grad():
            loss = closure()
    for group in self.param_groups:
        lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if not state:
                state["square_avg"] = torch.zeros_like(p)
                state["acc_delta"] = torch.zeros_like(p)
            x, g = p.view(-1), p.grad.reshape(-1)
            v, u = state["square_avg"].view(-1), state["acc_delta"].view(-1)
            for i in range(x.numel()):
                gi = -g[i].item() if group["maximize"] else g[i].item()
                if wd != 0:
                    gi = gi + wd * x[i].item()
                v[i] = rho * v[i] + (1 - rho) * gi * gi
                delta = (u[i] + eps).sqrt() / (v[i] + eps).sqrt() * gi
                u[i] = rho * u[i] + (1 - rho) * delta * delta
                x[i] = x[i] - lr * delta
    return loss


Adadelta.step = _slow_adadelta_step
'''}
