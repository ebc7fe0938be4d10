"""The ``student`` object checks use: ``student.<module>.<name>`` reaches the sandboxed submission.

Attribute access and calls become requests to the child process; results come back as plain data.
"""

from __future__ import annotations

from autograder.sandbox.process import SandboxedProcess


class StudentSubmission:
    """``student.matrix_chain`` is the student's module ``matrix_chain.py``."""

    def __init__(self, process: SandboxedProcess, timeout: float):
        self._process = process
        self._timeout = timeout

    def __getattr__(self, module: str) -> StudentModule:
        if module.startswith("_"):
            raise AttributeError(module)
        return StudentModule(self._process, module, self._timeout)

    @property
    def output(self) -> str:
        """What the student's code has printed so far (tail)."""
        return self._process.output_tail()


class StudentModule:
    """``module.name`` is a function proxy for a callable, or the value of a module-level constant."""

    def __init__(self, process: SandboxedProcess, module: str, timeout: float):
        self._process = process
        self._module = module
        self._timeout = timeout

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        is_callable, value = self._process.get(self._module, name, timeout=self._timeout)
        if is_callable:
            return StudentFunction(self._process, self._module, name, self._timeout)
        return value


class StudentFunction:
    """Calling it runs the student's function in the child with the check's time limit."""

    def __init__(self, process: SandboxedProcess, module: str, name: str, timeout: float):
        self._process = process
        self._module = module
        self.__name__ = name
        self._timeout = timeout

    def __call__(self, *args, **kwargs):
        return self._process.call(self._module, self.__name__, args, kwargs, timeout=self._timeout)

    def __repr__(self) -> str:
        return f"<student function {self._module}.{self.__name__}>"
