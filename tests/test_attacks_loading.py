"""Attacks that need something built at test time (a compiled module, a damaged zip, a problem set
with a class ban): each gets its honest score, and one broken submission never stops a batch.
The corpus folders in tests/attacks/ are graded by tests/test_attacks.py."""

from __future__ import annotations

import importlib.machinery
import json
import os
import py_compile
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from autograder.grading.batch import grade_batch
from autograder.grading.grade import grade_submission
from autograder.problemset import load_problem_set
from autograder.sandbox.compiled import compiled_kind, remove_compiled
from autograder.sandbox.confine import Confinement, prepare_workdir

from .conftest import TOY_COURSE

TOY = TOY_COURSE / "solutions" / "toy"
STUB = '"""Arrays."""\n\n\ndef double(x):\n    raise NotImplementedError("double")\n'

# A real CPython extension module: double(x) = x * 2, with none of it visible as source.
EXTENSION_C = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>
static PyObject *twice(PyObject *self, PyObject *x) {
    PyObject *two = PyLong_FromLong(2);
    PyObject *out = PyNumber_Multiply(x, two);
    Py_DECREF(two);
    return out;
}
static PyMethodDef methods[] = {{"double", twice, METH_O, "2 * x"}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "arrays", NULL, -1, methods};
PyMODINIT_FUNC PyInit_arrays(void) { return PyModule_Create(&module); }
"""


def _honest(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for module in ("arith.py", "arrays.py"):
        shutil.copyfile(TOY / module, folder / module)
    return folder


def _build_extension(into: Path) -> Path:
    source = into / "arrays_ext.c"
    source.write_text(EXTENSION_C)
    target = into / f"arrays{importlib.machinery.EXTENSION_SUFFIXES[0]}"
    subprocess.run(["gcc", "-shared", "-fPIC", "-O0", f"-I{sysconfig.get_paths()['include']}",
                    str(source), "-o", str(target)], check=True, capture_output=True)
    source.unlink()
    return target


# ---------------------------------------------------------------- compiled code in a submission

def test_a_compiled_extension_that_shadows_the_source_is_refused(toy, tmp_path):
    folder = _honest(tmp_path / "shadow")
    (folder / "arrays.py").write_text(STUB)
    extension = _build_extension(folder)
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import arrays; "
             "print(arrays.__file__.endswith('.so'), arrays.double(21))")
    shown = subprocess.run([sys.executable, "-c", probe, str(folder)], capture_output=True, text=True,
                           check=True).stdout.split()
    assert shown == ["True", "42"]  # the attack is real: Python imports it before arrays.py
    result = grade_submission(toy, folder)
    assert result.status == "not_graded" and result.score == 0
    assert result.output == (f"{extension.name} is a compiled module or library: a submission is "
                             f"source code only (.py files); remove it and resubmit")


def test_a_compiled_library_is_refused_whatever_its_name(toy, tmp_path):
    folder = _honest(tmp_path / "renamed")
    _build_extension(tmp_path).rename(folder / "notes.txt")
    result = grade_submission(toy, folder)
    assert result.status == "not_graded"
    assert result.output.startswith("notes.txt is a compiled library or program:")


def test_python_bytecode_is_refused_as_pyc_and_under_any_other_name(toy, tmp_path):
    cheat = tmp_path / "helpers_src.py"
    cheat.write_text("import numpy\n\ndef double(x):\n    return numpy.multiply(x, 2)\n")
    for name in ("helpers.pyc", "data/helpers.dat"):
        folder = _honest(tmp_path / name.replace("/", "_"))
        (folder / "arrays.py").write_text("from helpers import double\n")
        (folder / name).parent.mkdir(exist_ok=True)
        py_compile.compile(str(cheat), cfile=str(folder / name), doraise=True)
        result = grade_submission(toy, folder)
        assert result.status == "not_graded", name
        assert result.output.startswith(f"{name} is ") and "source code only" in result.output


def test_compiled_code_in_a_zip_is_refused(toy, tmp_path):
    extension = _build_extension(tmp_path)
    archive = tmp_path / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(TOY / "arith.py", "arith.py")
        z.writestr("arrays.py", STUB)
        z.write(extension, f"lib/{extension.name}")
    result = grade_submission(toy, archive)
    assert result.status == "not_graded"
    assert result.output.startswith(f"lib/{extension.name} is a compiled module or library")


def test_a_pycache_folder_is_left_out_not_refused(toy, tmp_path):
    """Running one's code leaves __pycache__ behind: it is never copied, so never imported."""
    folder = _honest(tmp_path / "cached")
    (folder / "__pycache__").mkdir()
    py_compile.compile(str(TOY / "arrays.py"), cfile=str(folder / "__pycache__" / "x.cpython-311.pyc"))
    assert grade_submission(toy, folder).full_marks


def test_compiled_files_a_child_wrote_are_removed_before_the_next_child_starts(tmp_path):
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "arrays.py").write_text("x = 1\n")
    _build_extension(workdir)
    (workdir / "sub").mkdir()
    py_compile.compile(str(workdir / "arrays.py"), cfile=str(workdir / "sub" / "blob.bin"))
    (workdir / "__pycache__").mkdir()
    (workdir / "__pycache__" / "arrays.cpython-311.pyc").write_bytes(b"anything")
    (workdir / "link.so").symlink_to("/nonexistent")
    prepare_workdir(workdir, Confinement(bubblewrap=False, drop_uid=False), 0)
    left = sorted(p.relative_to(workdir).as_posix() for p in workdir.rglob("*"))
    assert left == ["arrays.py", "sub"]
    assert remove_compiled(workdir) == []


@pytest.mark.parametrize("name, head, kind", [
    ("arrays.py", b"import numpy\n", None),
    ("notes.txt", "é\r\n".encode() + b"x" * 20, None),
    ("data.npy", b"\x93NUMPY\x01\x00", None),
    ("x.so.1", b"", "a compiled module or library"),
    ("a.dylib", b"", "a compiled module or library"),
    ("y.bin", b"\xcf\xfa\xed\xfe" + b"\0" * 12, "a compiled library or program"),
    ("z", importlib.util.MAGIC_NUMBER + b"\0" * 12, "Python bytecode"),
])
def test_compiled_code_is_recognised_by_name_and_content(name, head, kind):
    assert compiled_kind(name, head) == kind


# ---------------------------------------------------------------- a class behind the tripwire

CLASS_BEHIND = '''"""Attack: torch.optim.SGD found as a subclass of the allowed base class. The tripwire wraps
torch.optim.SGD in a recording subclass; the class found here is the original behind it."""

import numpy as np
import torch
from torch.optim import Optimizer

_SGD = next(c for c in Optimizer.__subclasses__() if c.__name__ == "SGD")


def double(x):
    """Return 2 * x: one SGD step of size 1 along the gradient -x."""
    p = torch.tensor(np.asarray(x), dtype=torch.float64, requires_grad=True)
    p.grad = -p.detach().clone()
    _SGD([p], lr=1.0).step()
    return p.detach().numpy()
'''


@pytest.mark.slow
def test_a_banned_class_reached_behind_the_tripwire_zeroes_the_problem(tmp_path):
    course = tmp_path / "toy"
    shutil.copytree(TOY, course)
    manifest = (course / "problemset.toml").read_text()
    manifest = manifest.replace("call_timeout = 2", 'call_timeout = 60\npreload = ["torch"]')
    toy_ban = 'banned = ["numpy.multiply", "numpy.linalg.*"]\nallowed = ["numpy.linalg.norm"]'
    manifest = manifest.replace(toy_ban, 'banned = ["torch.optim.*"]\nallowed = ["torch.optim.Optimizer"]')
    assert 'banned = ["torch.optim.*"]' in manifest
    (course / "problemset.toml").write_text(manifest)
    pset = load_problem_set(course)
    folder = _honest(tmp_path / "behind")
    (folder / "arrays.py").write_text(CLASS_BEHIND)
    result = grade_submission(pset, folder)
    assert {p.id: p.score for p in result.problems} == {"arith": 6, "arrays": 0}
    static = [(f["name"], f["review"]) for f in result.findings if f["how"] == "static"]
    assert ("torch.optim.Optimizer.__subclasses__", False) in static
    assert all("banned API torch.optim.Optimizer.__subclasses__" in t.output
               for t in result.tests if t.problem == "arrays")


# ---------------------------------------------------------------- robust batches

def _zip(path: Path, members: dict[str, bytes], *, flags: int = 0) -> Path:
    """A zip of ``members``, with ``flags`` set in every header (zipfile would clear them)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local, central headers
        at = data.find(signature)
        while at != -1:
            data[at + offset] |= flags & 0xFF
            data[at + offset + 1] |= flags >> 8
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def _broken_submissions(root: Path) -> dict[str, tuple[Path, str]]:
    """Submissions that cannot be read, each with a phrase its one-line reason must hold."""
    arith = (TOY / "arith.py").read_bytes()
    bad_crc = _zip(root / "bad_crc.zip", {"arith.py": arith, "arrays.py": b"MARKER = 1\n"})
    data = bad_crc.read_bytes()
    bad_crc.write_bytes(data.replace(b"MARKER = 1", b"MARKER = 2", 1))
    non_utf8 = _zip(root / "non_utf8.zip", {"arith.py": arith, "notes-QQ.txt": b"hi"}, flags=0x800)
    non_utf8.write_bytes(non_utf8.read_bytes().replace(b"QQ", b"\xff\xfe"))
    loop = root / "loop"
    loop.symlink_to(loop)
    (root / "empty").mkdir()
    return {
        "bad_crc": (bad_crc, "damaged zip"),
        "clash": (_zip(root / "clash.zip", {"arith.py": arith, "arith.py/x.py": b""}),
                  "both a file and a folder named 'arith.py'"),
        "long": (_zip(root / "long.zip", {"arith.py": arith, "a" * 300 + ".py": b""}), "longer than 255"),
        "encrypted": (_zip(root / "encrypted.zip", {"arith.py": arith}, flags=0x1), "password-protected"),
        "non_utf8": (non_utf8, "not valid UTF-8"),
        "loop": (loop, "leads nowhere"),
        "empty": (root / "empty", "holds no files"),
        "missing": (root / "missing.zip", "does not exist"),
    }


def test_one_unreadable_submission_never_stops_the_batch(toy, tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    broken = _broken_submissions(root)
    honest = _honest(root / "honest")
    oddly_named = _honest(root / os.fsdecode(b"student-\xff\x1b[31m"))
    out = tmp_path / "results"
    outcome = grade_batch(toy, [path for path, _ in broken.values()] + [honest, oddly_named], out, jobs=1)
    by_source = {Path(r.source): r for r in outcome.results}
    assert len(outcome.results) == len(broken) + 2
    assert by_source[honest].full_marks and by_source[oddly_named].full_marks
    for name, (path, phrase) in broken.items():
        result = by_source[path]
        assert result.status == "not_graded" and result.score == 0, name
        assert phrase in result.output and "\n" not in result.output and "\x1b" not in result.output, \
            (name, result.output)
    written = [json.loads(p.read_text()) for p in out.glob("*/results.json")]
    assert len(written) == len(broken) + 2
    assert all("\x1b" not in p.name for p in out.iterdir())


def test_the_tripwire_wraps_fused_kernels_named_by_their_module_path():
    """torch._fused_adam_'s own name is torch._VariableFunctionsClass._fused_adam_: it is no
    re-export, so the tripwire (which only adds findings) still watches it."""
    probe = ("from autograder.sandbox import tripwire\n"
             "tripwire.arm(['torch.optim.*', 'torch._fused_*'], ['torch.optim.Optimizer'], '/nowhere')\n"
             "import numpy, torch\n"
             "print(hasattr(torch._fused_adam_, '__wrapped__'),"
             " hasattr(torch.optim.Optimizer, '__wrapped__'), torch.optim.Adam.__bases__[0].__name__)\n")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                           cwd=Path(__file__).resolve().parents[1]).stdout.split()
    assert shown == ["True", "False", "Adam"]  # Adam itself is replaced by a recording subclass
