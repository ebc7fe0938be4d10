"""Oracles counted by the judge: the student's code calls an object that stays in the parent, where
every call is counted; the child gets a stand-in and can neither reach nor rewrite the counter."""

import numpy as np
import pytest

from autograder.checks import Oracle
from autograder.sandbox import errors
from autograder.sandbox.process import SandboxedProcess

MODULE = '''
import gc, sys
import numpy as np

def descend(problem, x0, steps):
    x = np.array(x0, dtype=float)
    for _ in range(steps):
        x = x - 0.1 * problem.grad(x)
    return x

def describe(problem):
    return [type(problem).__name__, problem.n, problem.scale.tolist(), problem.calls]

def forge(problem, x0):
    """Every trick a student has to lower the count: none of them reaches the parent's counter."""
    problem.grad(x0)
    for attempt in (lambda: setattr(problem, "calls", 0),
                    lambda: problem.reset(),
                    lambda: setattr(type(problem), "calls", 0)):
        try:
            attempt()
        except Exception:
            pass
    found = [o for o in gc.get_objects()
             if isinstance(getattr(o, "__dict__", None), dict) and "_secret" in o.__dict__]
    return [problem.calls, len(found)]

def refused(problem):
    out = []
    for member in ("target", "__dict__", "_secret", "reset"):
        try:
            getattr(problem, member)()
            out.append(member + ": served")
        except Exception as exc:
            out.append(member + ": " + type(exc).__name__)
    return out

def bad_argument(problem):
    return problem.grad(np.zeros(7))

def keep(problem):
    global KEPT
    KEPT = problem
    return problem.n

def use_kept():
    return KEPT.grad(np.zeros(3)).tolist()

def call_it(f, x):
    return f(x)

def mixed(problem):
    """Calls that cross packed (float64 arrays, ints, floats) and calls that cannot (keywords,
    float32, lists): each is served, counted and answered the same way."""
    packed = problem.grad(np.array([1.0, 2.0, 3.0]))
    general = [problem.grad(x=np.ones(3)), problem.grad(np.ones(3, dtype=np.float32)),
               problem.grad([1.0, 0.0, 0.0])]
    return [packed.tolist(), type(packed).__name__, packed.flags.writeable,
            [g.tolist() for g in general], problem(np.ones(3))]
'''


class Quadratic:
    """f(x) = 1/2 ||x||^2 scaled; counts its gradients."""

    def __init__(self, n: int):
        self.n = n
        self.scale = np.arange(1.0, n + 1)
        self.calls = 0
        self._secret = "hidden"

    def grad(self, x):
        x = np.asarray(x, dtype=float)
        if x.shape != (self.n,):
            raise ValueError(f"x must have shape ({self.n},)")
        self.calls += 1
        return self.scale * x

    def reset(self):
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return float(0.5 * np.sum(self.scale * np.asarray(x) ** 2))


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    folder = tmp_path_factory.mktemp("oracle_submission")
    (folder / "sub.py").write_text(MODULE)
    with SandboxedProcess(folder) as process:
        yield process


def test_each_call_of_the_students_code_is_counted_in_the_parent(sandbox):
    problem = Quadratic(3)
    oracle = Oracle(problem, methods=("grad",), attributes=("n",))
    x = sandbox.call("sub", "descend", (oracle, [1.0, 1.0, 1.0], 17), {}, timeout=30)
    assert problem.calls == 17 and oracle.counts == {"grad": 17}
    assert np.allclose(x, (1 - 0.1 * problem.scale) ** 17)


def test_packed_and_general_calls_are_served_and_counted_alike(sandbox):
    problem = Quadratic(3)
    oracle = Oracle(problem, methods=("grad", "__call__"))
    assert sandbox.call("sub", "mixed", (oracle,), {}, timeout=30) == [
        [1.0, 4.0, 9.0], "ndarray", True, [[1.0, 2.0, 3.0]] * 2 + [[1.0, 0.0, 0.0]], 3.0]
    assert oracle.counts == {"grad": 4, "__call__": 1} and problem.calls == 5


def test_the_stand_in_has_the_declared_attributes_and_live_properties(sandbox):
    problem = Quadratic(4)
    problem.calls = 5
    oracle = Oracle(problem, attributes=("n", "scale"), properties=("calls",))
    assert sandbox.call("sub", "describe", (oracle,), {}, timeout=30) == [
        "Quadratic", 4, [1.0, 2.0, 3.0, 4.0], 5]


def test_the_student_cannot_lower_the_count(sandbox):
    problem = Quadratic(2)
    oracle = Oracle(problem, methods=("grad",), properties=("calls",))
    _, counters_found = sandbox.call("sub", "forge", (oracle, [1.0, 2.0]), {}, timeout=30)
    assert problem.calls == 1 and oracle.counts["grad"] == 1 and counters_found == 0


def test_members_not_declared_are_refused(sandbox):
    problem = Quadratic(2)
    oracle = Oracle(problem, methods=("grad",))
    assert sandbox.call("sub", "refused", (oracle,), {}, timeout=30) == [
        "target: AttributeError", "__dict__: AttributeError", "_secret: AttributeError",
        "reset: AttributeError"]
    assert problem._secret == "hidden" and oracle.counts == {}


def test_the_targets_own_errors_reach_the_student_as_builtin_exceptions(sandbox):
    oracle = Oracle(Quadratic(3), methods=("grad",))
    with pytest.raises(errors.StudentException) as caught:
        sandbox.call("sub", "bad_argument", (oracle,), {}, timeout=30)
    assert "ValueError: x must have shape (3,)" in caught.value.message


def test_a_stand_in_kept_for_a_later_call_is_not_served(sandbox):
    problem = Quadratic(3)
    assert sandbox.call("sub", "keep", (Oracle(problem, methods=("grad",), attributes=("n",)),), {},
                        timeout=30) == 3
    with pytest.raises(errors.StudentCrashed):
        sandbox.call("sub", "use_kept", (), {}, timeout=30)
    assert problem.calls == 0


def test_a_callable_oracle(sandbox):
    problem = Quadratic(2)
    value = sandbox.call("sub", "call_it", (Oracle(problem, methods=("__call__",)), [1.0, 1.0]), {},
                         timeout=30)
    assert value == pytest.approx(1.5) and problem.calls == 1


def test_an_oracle_declares_only_members_the_target_has():
    with pytest.raises(ValueError, match="no 'hess'"):
        Oracle(Quadratic(2), methods=("hess",))
    with pytest.raises(ValueError, match="dunders"):
        Oracle(Quadratic(2), methods=("__getattribute__",))
