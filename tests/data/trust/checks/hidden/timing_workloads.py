from autograder.timing import Workload


def chain_inputs(gen, device, n):
    return ([gen.random((n, n)) - 0.5 for _ in range(3)] + [gen.random(n) - 0.5],)


def left_to_right(mats):
    out = mats[0]
    for m in mats[1:]:
        out = out @ m
    return out


def right_to_left(mats):
    out = mats[-1]
    for m in reversed(mats[:-1]):
        out = m @ out
    return out


CHAIN = Workload(name="left to right", inputs=chain_inputs, baseline=left_to_right, best=right_to_left)
