# Sample: SAGA steps with the average updated first (SAG's order), not the one from before the step.
"""Problem 1: stochastic gradient descent and three variance-reduced methods on a finite sum.

Each method minimises f(x) = (1/m) sum_i f_i(x) for a ``problems.FiniteSumLogistic`` (or any object
with the same ``m``, ``n``, ``grad_i`` and ``grad``), starting from ``x0`` with the constant step
``lr``, and returns its iterates as a float64 array. The contract that grading relies on (see
README.md, "Problem 1"):

- sampling: at each stochastic step draw exactly one index with ``i = rng.integers(problem.m)``
  (``rng.choice(problem.m)`` draws the same numbers), in the order of the steps; draw nothing else
  from ``rng``;
- oracle: reach the f_i only through ``problem.grad_i(x, i)`` (counts 1) and ``problem.grad(x)``
  (counts m), with exactly the budget each function's docstring states;
- ``x0`` is not modified; every returned row is a separate point (copy before updating in place).
"""

import numpy as np


def sgd(problem, x0, lr, n_steps, rng):
    """Stochastic gradient descent with a constant step.

    x_k = x_{k-1} - lr * grad_i(x_{k-1}, i_k),  i_k = rng.integers(problem.m),  k = 1..n_steps.

    Oracle budget: exactly n_steps ``grad_i`` calls. Returns the iterates x_0, ..., x_{n_steps} as an
    array of shape (n_steps + 1, problem.n); row 0 is x0.
    """
    x = np.array(x0, dtype=np.float64)
    iterates = np.empty((n_steps + 1, x.size))
    iterates[0] = x
    for k in range(1, n_steps + 1):
        i = rng.integers(problem.m)
        x = x - lr * problem.grad_i(x, i)
        iterates[k] = x
    return iterates


def sag(problem, x0, lr, n_steps, rng):
    """SAG (stochastic average gradient, Schmidt, Le Roux and Bach 2013).

    Keeps a table g_1..g_m of component gradients, built at x0 (g_i = grad_i(x0, i) for i = 0..m-1,
    in that order), and their average. Step k = 1..n_steps: draw i_k = rng.integers(problem.m), set
    g_{i_k} = grad_i(x_{k-1}, i_k), update the average in O(n) (average += (g_new - g_old) / m), then
    x_k = x_{k-1} - lr * average.

    Oracle budget: exactly m + n_steps ``grad_i`` calls (m for the table, 1 per step), no ``grad``.
    Returns the iterates x_0, ..., x_{n_steps}, shape (n_steps + 1, problem.n); row 0 is x0.
    """
    x = np.array(x0, dtype=np.float64)
    table = np.array([problem.grad_i(x, i) for i in range(problem.m)])
    average = table.mean(axis=0)
    iterates = np.empty((n_steps + 1, x.size))
    iterates[0] = x
    for k in range(1, n_steps + 1):
        i = rng.integers(problem.m)
        g = problem.grad_i(x, i)
        average = average + (g - table[i]) / problem.m
        table[i] = g
        x = x - lr * average
        iterates[k] = x
    return iterates


def saga(problem, x0, lr, n_steps, rng):
    """SAGA (Defazio, Bach and Lacoste-Julien 2014).

    Keeps the same table and average as SAG, built at x0. Step k = 1..n_steps: draw
    j = rng.integers(problem.m), compute g = grad_i(x_{k-1}, j) and the unbiased direction
    v = g - g_j + average (the table entry and average from before this step), take
    x_k = x_{k-1} - lr * v, then store g_j = g and update the average in O(n).

    Oracle budget: exactly m + n_steps ``grad_i`` calls (m for the table, 1 per step), no ``grad``.
    Returns the iterates x_0, ..., x_{n_steps}, shape (n_steps + 1, problem.n); row 0 is x0.
    """
    x = np.array(x0, dtype=np.float64)
    table = np.array([problem.grad_i(x, i) for i in range(problem.m)])
    average = table.mean(axis=0)
    iterates = np.empty((n_steps + 1, x.size))
    iterates[0] = x
    for k in range(1, n_steps + 1):
        j = rng.integers(problem.m)
        g = problem.grad_i(x, j)
        average = average + (g - table[j]) / problem.m
        x = x - lr * (g - table[j] + average)
        table[j] = g
        iterates[k] = x
    return iterates


def svrg(problem, x0, lr, n_epochs, epoch_length, rng):
    """SVRG (stochastic variance-reduced gradient, Johnson and Zhang 2013).

    The snapshot starts at x~_0 = x0. Epoch s = 1..n_epochs: compute the full gradient
    mu = problem.grad(x~_{s-1}) once; start the inner loop at y_0 = x~_{s-1}; for t = 1..epoch_length
    draw i_t = rng.integers(problem.m) and take
        y_t = y_{t-1} - lr * (grad_i(y_{t-1}, i_t) - grad_i(x~_{s-1}, i_t) + mu);
    the new snapshot is the last inner iterate, x~_s = y_{epoch_length}.

    Oracle budget: exactly n_epochs ``grad`` calls (m each) and 2 * n_epochs * epoch_length ``grad_i``
    calls. Returns the snapshots x~_0, ..., x~_{n_epochs}, shape (n_epochs + 1, problem.n); row 0 is
    x0.
    """
    snapshot = np.array(x0, dtype=np.float64)
    snapshots = np.empty((n_epochs + 1, snapshot.size))
    snapshots[0] = snapshot
    for s in range(1, n_epochs + 1):
        full = problem.grad(snapshot)
        y = snapshot.copy()
        for _ in range(epoch_length):
            i = rng.integers(problem.m)
            y = y - lr * (problem.grad_i(y, i) - problem.grad_i(snapshot, i) + full)
        snapshot = y
        snapshots[s] = snapshot
    return snapshots
