"""Sample submission: SVRG recomputes the (unchanged) full gradient at every inner step: the
iterates are right, the oracle cost is m times too high; SGD, SAG and SAGA are correct."""

import numpy as np


def sgd(problem, x0, lr, n_steps, rng):
    x = np.array(x0, dtype=float)
    iterates = [x]
    for _ in range(n_steps):
        i = rng.integers(problem.m)
        x = x - lr * problem.grad_i(x, i)
        iterates.append(x)
    return np.array(iterates)


def _table(problem, x):
    table = np.array([problem.grad_i(x, i) for i in range(problem.m)])
    return table, table.mean(axis=0)


def sag(problem, x0, lr, n_steps, rng):
    x = np.array(x0, dtype=float)
    table, average = _table(problem, x)
    iterates = [x]
    for _ in range(n_steps):
        i = rng.integers(problem.m)
        g = problem.grad_i(x, i)
        average = average + (g - table[i]) / problem.m
        table[i] = g
        x = x - lr * average
        iterates.append(x)
    return np.array(iterates)


def saga(problem, x0, lr, n_steps, rng):
    x = np.array(x0, dtype=float)
    table, average = _table(problem, x)
    iterates = [x]
    for _ in range(n_steps):
        j = rng.integers(problem.m)
        g = problem.grad_i(x, j)
        x = x - lr * (g - table[j] + average)
        average = average + (g - table[j]) / problem.m
        table[j] = g
        iterates.append(x)
    return np.array(iterates)


def svrg(problem, x0, lr, n_epochs, epoch_length, rng):
    snapshot = np.array(x0, dtype=float)
    snapshots = [snapshot]
    for _ in range(n_epochs):
        y = snapshot
        for _ in range(epoch_length):
            i = rng.integers(problem.m)
            full = problem.grad(snapshot)  # MISTAKE: the same full gradient, recomputed at every step
            y = y - lr * (problem.grad_i(y, i) - problem.grad_i(snapshot, i) + full)
        snapshot = y
        snapshots.append(snapshot)
    return np.array(snapshots)
