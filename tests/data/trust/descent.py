import numpy as np


def descend(problem, x0, steps):
    # BEGIN SOLUTION
    x = np.array(x0, dtype=float)
    for _ in range(steps):
        x = x - 0.1 * problem.grad(x)
    return x
    # END SOLUTION
