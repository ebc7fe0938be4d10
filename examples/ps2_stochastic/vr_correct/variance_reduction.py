"""A correct submission written differently from the reference: running sums instead of averages,
rng.choice instead of rng.integers, lists of rows stacked at the end."""

import numpy as np


def sgd(problem, x0, lr, n_steps, rng):
    xs = [np.asarray(x0, dtype=float).copy()]
    for i in rng.integers(problem.m, size=n_steps):  # all draws at once: the same numbers
        xs.append(xs[-1] - lr * problem.grad_i(xs[-1], i))
    return np.vstack(xs)


def sag(problem, x0, lr, n_steps, rng):
    x = np.asarray(x0, dtype=float).copy()
    memory = [problem.grad_i(x, i) for i in range(problem.m)]
    total = np.sum(memory, axis=0)
    xs = [x.copy()]
    for _ in range(n_steps):
        i = rng.choice(problem.m)
        new = problem.grad_i(x, i)
        total += new - memory[i]
        memory[i] = new
        x -= (lr / problem.m) * total
        xs.append(x.copy())
    return np.vstack(xs)


def saga(problem, x0, lr, n_steps, rng):
    x = np.asarray(x0, dtype=float).copy()
    memory = np.stack([problem.grad_i(x, i) for i in range(problem.m)])
    total = memory.sum(axis=0)
    xs = np.zeros((n_steps + 1, problem.n))
    xs[0] = x
    for k in range(n_steps):
        j = rng.choice(problem.m)
        new = problem.grad_i(x, j)
        x = x - lr * (new - memory[j] + total / problem.m)
        total += new - memory[j]
        memory[j] = new
        xs[k + 1] = x
    return xs


def svrg(problem, x0, lr, n_epochs, epoch_length, rng):
    snapshots = [np.asarray(x0, dtype=float).copy()]
    for _ in range(n_epochs):
        anchor = snapshots[-1]
        mu = problem.grad(anchor)
        x = anchor.copy()
        t = 0
        while t < epoch_length:
            i = rng.choice(problem.m)
            correction = mu - problem.grad_i(anchor, i)
            x = x - lr * (problem.grad_i(x, i) + correction)
            t += 1
        snapshots.append(x)
    return np.array(snapshots)
