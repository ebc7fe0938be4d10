"""Forbidden shortcuts: find uses of banned APIs in a submission's syntax tree (never running it).

A problem's manifest entry lists ``banned`` dotted-name patterns (``torch.optim.*``) and ``allowed``
exceptions (``torch.optim.Optimizer``). Imports, aliases, attribute chains, ``getattr`` with a
literal and ``__import__``/``importlib.import_module`` with a literal are resolved to dotted names.
The runtime tripwire in the child (``sandbox.child``) catches what a static scan cannot see.
"""

from __future__ import annotations

import ast
import fnmatch
import hashlib
from dataclasses import dataclass
from pathlib import Path

from autograder.problemset import ProblemSet


@dataclass(frozen=True)
class Finding:
    """One use of a banned API: which, where, and the problem it costs."""

    problem: str
    name: str
    where: str
    how: str  # "static" (seen in the source) or "runtime" (the tripwire fired)

    @property
    def message(self) -> str:
        seen = "used" if self.how == "runtime" else "referenced"
        return (f"banned API {self.name} {seen} at {self.where}: this problem asks you to implement "
                f"it yourself, so it scores zero")


def is_banned(name: str, banned: tuple[str, ...], allowed: tuple[str, ...]) -> bool:
    if any(name == a or name.startswith(a + ".") for a in allowed):
        return False
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in banned)


def scan_submission(pset: ProblemSet, root: Path) -> list[Finding]:
    """Findings for every problem with a ban: in its own module and in any helper module."""
    problem_modules = {p.module for p in pset.problems}
    given = {Path(g).as_posix() for g in pset.given}
    ours = _problem_set_files(pset)
    files = [p for p in sorted(root.rglob("*.py")) if p.relative_to(root).as_posix() not in given
             and hashlib.sha256(p.read_bytes()).hexdigest() not in ours]
    findings = []
    for problem in pset.problems:
        if not problem.banned:
            continue
        for path in files:
            if path.stem in problem_modules and path.stem != problem.module:
                continue  # another problem's module answers for that problem only
            for name, line in dotted_names(path.read_text(errors="replace"), str(path)):
                if is_banned(name, problem.banned, problem.allowed):
                    where = f"{path.relative_to(root).as_posix()}, line {line}"
                    findings.append(Finding(problem.id, name, where, "static"))
    return findings


def _problem_set_files(pset: ProblemSet) -> set[str]:
    """Content hashes of the checks, drivers and generated files that ship with the problem set:
    a student who hands in the whole released folder hands these in too; they are not their code.
    By content, not by name, so a student's own file called tests/x.py is still scanned."""
    folders = [pset.public_checks_dir, pset.drivers_dir, pset.hidden_checks_dir]
    files = [f for d in folders if d and d.is_dir() for f in d.rglob("*.py")]
    files += [f for f in (pset.root / "conftest.py",) if f.is_file()]
    hashes = {hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    from autograder.release.pipeline import conftest

    hashes |= {hashlib.sha256(data).hexdigest() for data in conftest(pset).values()}
    return hashes


def dotted_names(source: str, filename: str) -> list[tuple[str, int]]:
    """Every dotted name the module refers to through imports, with its line."""
    try:
        tree = ast.parse(source, filename)
    except SyntaxError:
        return []  # the checks report the syntax error; nothing here can be used either
    aliases: dict[str, str] = {}
    names: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name.split(".")[0]] = \
                    alias.name if alias.asname else alias.name.split(".")[0]
                names.append((alias.name, node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                aliases[alias.asname or alias.name] = full
                names.append((full, node.lineno))
    for node in ast.walk(tree):
        resolved = _resolve(node, aliases)
        if resolved:
            names.append((resolved, node.lineno))
        if isinstance(node, ast.Call):
            imported = _dynamic_import(node)
            if imported:
                names.append((imported, node.lineno))
    return names


def _resolve(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """``torch.optim.Adam`` / ``o.Adam`` / ``getattr(o, "Adam")`` -> the full dotted name."""
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, aliases)
        return f"{base}.{node.attr}" if base else None
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)):
        base = _resolve(node.args[0], aliases)
        return f"{base}.{node.args[1].value}" if base else None
    return None


def _dynamic_import(node: ast.Call) -> str | None:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) \
        else ""
    if name in ("__import__", "import_module") and node.args and isinstance(node.args[0], ast.Constant) \
            and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def runtime_findings(pset: ProblemSet, tripped: set[str]) -> list[Finding]:
    """The tripwire's observations, attributed to every problem that bans the name."""
    return [Finding(p.id, name, "run time", "runtime")
            for p in pset.problems for name in sorted(tripped) if is_banned(name, p.banned, p.allowed)]


def apply_findings(records: list, findings: list[Finding]) -> None:
    """Each check of a problem with a finding scores zero and says why (records are CheckRecords)."""
    by_problem: dict[str, Finding] = {}
    for finding in findings:
        by_problem.setdefault(finding.problem, finding)
    for record in records:
        finding = by_problem.get(record.problem)
        if finding is not None and record.status != "skipped":
            record.status, record.fraction = "failed", 0.0
            record.message = finding.message
