"""Submissions for ``benchmarks/timing_checks.py``: how often ps1_linalg's timing checks get it wrong.

Text appended to a copy of the reference module named by the key. ``SLOW``: slow but correct (every
timing check of that module must fail it); ``ALTERNATIVES``: correct and fast, written another way
(every timing check of that module must pass it). Benchmark input kept with the hidden checks, so
never released; the grader neither collects nor imports it.
"""

SLOW = {
    "matrix_chain.py": '''

def chain_product(mats):  # slow but correct: left to right
    out = mats[0]
    for m in mats[1:]:
        out = out @ m
    return out
''',
    "trace.py": '''

def trace_inner(A, B):  # slow but correct: forms A^T B
    return float((A.T @ B).trace())


def trace_of_product(mats):  # slow but correct: the product in the given order
    out = mats[0]
    for m in mats[1:]:
        out = out @ m
    return float(out.trace())
''',
}

ALTERNATIVES = {
    "matrix_chain.py": '''

def chain_product(mats):  # correct and fast, written differently: numpy picks the order
    import numpy as np
    return np.linalg.multi_dot(list(mats))
''',
    "trace.py": '''

def trace_inner(A, B):  # correct and fast, written differently
    import numpy as np
    return float(np.einsum("ij,ij->", A, B))
''',
}
