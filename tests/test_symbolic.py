"""A student's sympy answer cannot stall or exhaust the grader: trees are rebuilt without evaluation,
and what checks compute from them runs under ``decide`` (a deadline and a memory cap)."""

import signal

import pytest
import sympy

from autograder.checks.symbolic import Undecided, decide
from autograder.sandbox.process import SandboxedProcess

HOSTILE = '''
import sympy
TOWER = sympy.Pow(10, sympy.Pow(10, sympy.Integer("9" * 1999), evaluate=False), evaluate=False)
WIDE = sympy.Add(*[sympy.Symbol(f"x{i}") ** i for i in range(2000)], evaluate=False)
'''


@pytest.fixture(autouse=True)
def _no_hang():
    """If the protections failed, the test fails after a minute instead of hanging CI."""
    def fail(*_):
        raise AssertionError("the grader hung on a student's expression")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile_sympy")
    (folder / "answers.py").write_text(HOSTILE)
    with SandboxedProcess(folder) as process:
        yield {name: process.get("answers", name, timeout=60)[1] for name in ("TOWER", "WIDE")}


def test_a_power_tower_arrives_as_a_tree_not_a_number(hostile):
    tower = hostile["TOWER"]
    assert isinstance(tower, sympy.Pow) and isinstance(tower.exp, sympy.Pow)
    assert len(str(tower.exp.exp)) == 1999


def test_evaluating_it_is_stopped_at_the_deadline(hostile):
    with pytest.raises(Undecided, match="could not be judged within 2 s"):
        decide(lambda e: float(sympy.N(e - 1, 30)), hostile["TOWER"], timeout=2)


def test_a_decision_that_needs_too_much_memory_is_stopped():
    def hog():
        return len(bytearray(3 << 30))

    with pytest.raises(Undecided, match="MemoryError"):
        decide(hog, memory_bytes=256 << 20)


def test_decisions_return_plain_data_and_report_the_childs_errors(hostile):
    assert decide(lambda e: len(e.args), hostile["WIDE"]) == 2000
    assert decide(lambda: bool(sympy.simplify(sympy.sin(1) ** 2 + sympy.cos(1) ** 2 - 1) == 0))
    with pytest.raises(Undecided, match="ZeroDivisionError"):
        decide(lambda: 1 / 0)
    with pytest.raises(Undecided, match="not data"):
        decide(lambda: sympy.Symbol("x"))


def test_the_grader_keeps_working_after_a_killed_decision(hostile):
    with pytest.raises(Undecided):
        decide(lambda e: str(sympy.N(e, 50)), hostile["TOWER"], timeout=1)
    assert decide(lambda: 2 + 2) == 4


def _decider_pid(expression):
    import os

    return [os.getpid(), str(expression)]


def _fails_once(marker):
    import os

    if not os.path.exists(marker):
        open(marker, "w").close()
        raise ValueError("first time")
    return "second time"


def test_a_decision_is_remembered_for_equal_expressions_but_a_failure_is_not(tmp_path):
    x = sympy.Symbol("x")
    first = decide(_decider_pid, sympy.Add(x, 1, evaluate=False))
    again = decide(_decider_pid, sympy.Add(x, 1, evaluate=False))  # an equal tree, built anew
    other = decide(_decider_pid, sympy.Add(x, 2, evaluate=False))
    assert first == again and first[0] != other[0]  # no second child for the same question
    with pytest.raises(Undecided, match="first time"):
        decide(_fails_once, str(tmp_path / "marker"))
    assert decide(_fails_once, str(tmp_path / "marker")) == "second time"


def _sleeps_then_answers():
    import time

    time.sleep(1.5)
    return "answered"


def test_the_budget_is_cpu_time_so_a_slow_machine_does_not_undecide_an_honest_answer():
    """Waiting (as on a machine whose cores are busy) costs no CPU: an honest decision that takes
    longer in wall time than its budget is still made; the wall clock is only a distant backstop."""
    assert decide(_sleeps_then_answers, timeout=1) == "answered"
