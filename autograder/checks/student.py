"""The ``student`` object checks use: ``student.<module>.<name>`` reaches the sandboxed submission.

Attribute access and calls become requests to the child process; results come back as plain data.
"""

from __future__ import annotations

from pathlib import Path

from autograder.sandbox.process import SandboxedProcess


class StudentSubmission:
    """``student.matrix_chain`` is the student's module ``matrix_chain.py``;
    ``student.driver("lora").train(...)`` runs a function of ``drivers/lora.py`` in the sandbox."""

    def __init__(self, process: SandboxedProcess, timeout: float, drivers_dir: Path | None = None):
        self._process = process
        self._timeout = timeout
        self._drivers_dir = drivers_dir

    def driver(self, name: str) -> StudentDriver:
        """A trusted harness that exercises stateful student objects in the child (see docs)."""
        path = (self._drivers_dir or Path("/nonexistent")) / f"{name}.py"
        if not path.is_file():
            raise FileNotFoundError(f"no driver {path}")
        return StudentDriver(self._process, name, path.read_text(), self._timeout)

    def __getattr__(self, module: str) -> StudentModule:
        if module.startswith("_"):
            raise AttributeError(module)
        return StudentModule(self._process, module, self._timeout)

    @property
    def output(self) -> str:
        """What the student's code has printed so far (tail)."""
        return self._process.output_tail()


class StudentDriver:
    """``driver.function(*args)`` runs that driver function next to the student's code."""

    def __init__(self, process: SandboxedProcess, name: str, source: str, timeout: float):
        self._process = process
        self._name = name
        self._source = source
        self._timeout = timeout

    def __getattr__(self, function: str):
        if function.startswith("_"):
            raise AttributeError(function)

        def call(*args, **kwargs):
            return self._process.drive(self._name, self._source, function, args, kwargs,
                                       timeout=self._timeout)

        call.__name__ = function
        return call


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
