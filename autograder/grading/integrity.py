"""Forbidden shortcuts: find uses of banned APIs in a submission's syntax tree (never running it).

A problem's manifest entry lists ``banned`` dotted-name patterns (``torch.optim.*``) and ``allowed``
exceptions (``torch.optim.Optimizer``); ``autograder.banned_names`` says what a pattern covers.
The scan is the decider. It resolves every name the code reaches to a dotted name: imports, aliases
made by assignment (``o = torch.optim``, ``A = torch.optim.Adam``, in the scope Python would use),
attribute chains, ``getattr`` and ``__import__``/``importlib.import_module`` with literals, names
brought in by ``from m import *``. A banned name, a banned module used as a value (``torch.optim``
passed or stored), or an introspection step from near a ban (``torch.optim.Optimizer.__subclasses__``,
``numpy.__dict__``) zeroes the problem. Access it cannot resolve (``getattr`` with a computed name,
``vars``, ``globals``, ``__dict__`` on an unknown object, ``sys.modules``, ``importlib``, ``exec``,
``eval``, ``compile``, ...) in a module of a problem with a ban is a finding for review: reported to
the instructor, not zeroing. Code that never runs during grading does not count: the body of
``if __name__ == "__main__":`` (unless the module rebinds ``__name__``) and type annotations that only
name things (never evaluated under ``from __future__ import annotations``, and naming a class is not
using it; one with a call or an assignment in it is scanned as code) — unless the submission holds
access the scan cannot follow (which could run the block or read the annotation back).

The runtime tripwire (``sandbox.tripwire``) runs in the child, which the student controls: its
report may add findings, never clear or outweigh one of the scan's. Compiled files never reach the
child (``sandbox.compiled``), so what the child imports is source this scan has read.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from autograder.banned_names import covers, holds_banned, is_banned, is_banned_module
from autograder.grading.outcome import CheckOutcome
from autograder.problemset import ProblemSet
from autograder.release.pipeline import conftest
from autograder.status import Status

# Steps from an object to others the scan cannot name: from near a ban they reach banned objects.
ESCAPES = frozenset({
    "__dict__", "__globals__", "__subclasses__", "__bases__", "__base__", "__mro__", "__wrapped__",
    "__closure__", "__code__", "__func__", "__self__", "__getattribute__", "__builtins__",
    "__loader__", "__spec__", "__annotations__", "__kwdefaults__", "__defaults__",
})
# Names whose use is access the scan cannot resolve (covered like ban patterns: "importlib" covers
# importlib.util.spec_from_file_location). Literal getattr and imports are resolved instead.
DYNAMIC = (
    "builtins.getattr", "builtins.vars", "builtins.globals", "builtins.locals", "builtins.exec",
    "builtins.eval", "builtins.compile", "builtins.__import__", "builtins.breakpoint",
    "sys.modules", "sys._getframe", "sys.path", "sys.meta_path", "sys.path_hooks",
    "sys.path_importer_cache", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
    "importlib", "runpy", "zipimport", "ctypes", "_ctypes", "cffi", "pickle.load", "pickle.loads",
    "pickle.Unpickler", "_pickle", "marshal", "inspect.currentframe", "inspect.stack",
    "inspect.getmembers", "inspect.getmembers_static", "inspect.getattr_static",
    "inspect.getmodule", "operator.attrgetter", "operator.methodcaller", "types.FunctionType",
    "types.CodeType", "types.ModuleType", "typing.get_type_hints", "inspect.get_annotations",
)
_BUILTINS = frozenset(dir(builtins)) | {"__builtins__"}
_ATTR_BUILTINS = {"builtins.getattr", "builtins.hasattr", "builtins.setattr", "builtins.delattr"}


@dataclass(frozen=True)
class Finding:
    """One use of a banned API (or, with ``review``, access the scan could not resolve)."""

    problem: str
    name: str
    where: str
    how: str  # "static" (seen in the source) or "runtime" (the tripwire fired)
    review: bool = False  # for an instructor to look at; does not change the score
    why: str = ""

    @property
    def message(self) -> str:
        if self.review:
            return (f"for review: {self.why or self.name} at {self.where}; the grader cannot tell "
                    f"what it reaches, so an instructor will look at it (the score is unchanged)")
        if not self.name:
            return (f"{self.where.split(',')[0]} could not be scanned for banned APIs ({self.why}): "
                    f"simplify it; until then this problem scores zero")
        seen = "used" if self.how == "runtime" else "referenced"
        how = f" ({self.why})" if self.why else ""
        return (f"banned API {self.name} {seen} at {self.where}{how}: this problem asks you to "
                f"implement it yourself, so it scores zero")


@dataclass(frozen=True)
class Reference:
    """A name the code reaches, resolved to a dotted name, or access the scan cannot resolve."""

    name: str  # dotted ("torch.optim.Adam"); "" for unresolved dynamic access
    line: int
    value: bool = False  # the object itself is passed, stored or returned (not looked into)
    bound: bool = False  # named by an import or bound to a plain name (an alias): only a ban counts
    note: str = ""  # unresolved dynamic access: what it is
    unscannable: bool = False  # the file is nested too deeply for the scan to read it
    in_main: bool = False  # inside ``if __name__ == "__main__":`` or an inert annotation: never runs


def scan_submission(pset: ProblemSet, root: Path) -> list[Finding]:
    """Findings for every problem with a ban: in its own module and in any helper module."""
    problem_modules = {p.module for p in pset.problems}
    given = {Path(g).as_posix() for g in pset.given}
    ours = _problem_set_files(pset)
    if not any(p.banned for p in pset.problems):
        return []
    files, paths = [], {}
    for path in sorted(root.rglob("*.py")):
        if path.is_symlink() or not path.is_file():
            continue
        paths[_module_name(path.relative_to(root))] = path  # every module counts for reaching through
        data = path.read_bytes()
        if path.relative_to(root).as_posix() not in given and hashlib.sha256(data).hexdigest() not in ours:
            files.append(path)  # the student's own code
    modules = _Modules(paths)
    scanned = {path: modules.scan(path)[0] for path in files}
    findings: list[tuple[Finding, bool]] = []
    for problem in pset.problems:
        if not problem.banned:
            continue
        for path in files:
            if path.stem in problem_modules and path.stem != problem.module:
                continue  # another problem's module answers for that problem only
            rel = path.relative_to(root).as_posix()
            refs = [replace(ref, name=name) for ref in scanned[path]
                    for name in (sorted(_through_modules(ref.name, modules)) if ref.name else [""])]
            for ref in refs:
                judged = judge(ref, problem.banned, problem.allowed)
                if judged is not None:
                    name, review, why = judged
                    finding = Finding(problem.id, name, f"{rel}, line {ref.line}", "static", review, why)
                    if (finding, ref.in_main) not in findings:
                        findings.append((finding, ref.in_main))
    # Code under `if __name__ == "__main__":` and inert annotations never run during grading, unless
    # the submission does something the scan cannot follow (which could make them run or read them
    # back): then they count like the rest.
    tricky = any(finding.review for finding, in_main in findings if not in_main)
    return [finding for finding, in_main in findings if tricky or not in_main]


def judge(ref: Reference, banned: tuple[str, ...], allowed: tuple[str, ...]) -> tuple[str, bool, str] | None:
    """(name shown, for review?, why) when ``ref`` is a finding under these bans, else None."""
    if ref.unscannable:
        return "", False, "nested too deeply to be scanned"
    if not ref.name:
        return ref.note, True, ref.note
    segments = ref.name.split(".")
    escape = next((i for i, s in enumerate(segments) if i and s in ESCAPES), None)
    if escape is not None:
        head = ".".join(segments[:escape])
        near = (is_banned(head, banned, allowed) or holds_banned(head, banned)
                or any(is_banned_module(".".join(segments[:i]), banned) for i in range(1, escape + 1)))
        step = segments[escape]
        if near:
            return ".".join(segments[:escape + 1]), False, f"{step} reaches banned names from {head}"
        return ".".join(segments[:escape + 1]), True, f"{step} of {head}"
    if is_banned(ref.name, banned, allowed):
        shortest = next(".".join(segments[:i]) for i in range(1, len(segments) + 1)
                        if is_banned(".".join(segments[:i]), banned, allowed))
        return shortest, False, ""
    if ref.bound:
        return None
    if ref.value and is_banned_module(ref.name, banned):
        return ref.name, False, f"the banned module {ref.name} used as a value"
    if ref.note:
        return ref.name, True, ref.note
    if any(ref.name == d or ref.name.startswith(d + ".") for d in DYNAMIC):
        return ref.name, True, f"{ref.name.removeprefix('builtins.')} (dynamic access)"
    if ref.value and holds_banned(ref.name, banned):
        return ref.name, True, f"{ref.name} passed around as a value"
    return None


def _problem_set_files(pset: ProblemSet) -> set[str]:
    """Content hashes of the checks, drivers and generated files that ship with the problem set:
    a student who hands in the whole released folder hands these in too; they are not their code.
    By content, not by name, so a student's own file called tests/x.py is still scanned."""
    folders = [pset.public_checks_dir, pset.drivers_dir, pset.hidden_checks_dir]
    files = [f for d in folders if d and d.is_dir() for f in d.rglob("*.py")]
    files += [f for f in (pset.root / "conftest.py",) if f.is_file()]
    hashes = {hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    hashes |= {hashlib.sha256(data).hexdigest() for data in conftest(pset).values()}
    return hashes


def references(source: bytes | str, filename: str) -> list[Reference]:
    """Every name the module reaches, resolved, and every access the scan cannot resolve."""
    return _scan_file(source, filename)[0]


def _scan_file(source: bytes | str, filename: str) -> tuple[list[Reference], _Exports]:
    """The module's references, and what its module-level names hold (for other modules that
    reach through it: ``import helpers; helpers.torch.optim.Adam``)."""
    try:
        tree = ast.parse(source, filename)  # bytes: the coding cookie is honoured as on import
        scan = _Scan(tree)
        for _ in range(8):  # aliases of aliases: until nothing new is learnt
            if not scan.learn():
                break
        module = scan.scopes[tree]
        return scan.emit(), _Exports(module.aliases, module.stars)
    except (SyntaxError, ValueError):
        return [], _Exports({}, [])  # the checks report the syntax error; it cannot run either
    except (RecursionError, MemoryError):  # the child may compile it with a higher recursion limit
        return [Reference("", 1, unscannable=True)], _Exports({}, [])


@dataclass(frozen=True)
class _Exports:
    aliases: dict[str, set[str]]
    stars: list[str]


class _Modules:
    """The submission's modules by dotted name, each scanned once, when first needed."""

    def __init__(self, paths: dict[str, Path]):
        self.paths = paths
        self.done: dict[Path, tuple[list[Reference], _Exports]] = {}

    def scan(self, path: Path) -> tuple[list[Reference], _Exports]:
        if path not in self.done:
            self.done[path] = _scan_file(path.read_bytes(), str(path))
        return self.done[path]

    def get(self, name: str) -> _Exports | None:
        path = self.paths.get(name)
        return None if path is None else self.scan(path)[1]


def _through_modules(name: str, modules: _Modules, depth: int = 0) -> set[str]:
    """``name`` with a prefix that is one of the submission's modules replaced by what that
    module's name holds (``helpers.np.multiply`` -> ``numpy.multiply``)."""
    segments = name.split(".")
    for i in range(len(segments) - 1, 0, -1):
        module = modules.get(".".join(segments[:i]))
        if module is None:
            continue
        held = module.aliases.get(segments[i]) or {f"{star}.{segments[i]}" for star in module.stars}
        if not held or depth > 8:
            return {name}
        rest = segments[i + 1:]
        return {found for target in held
                for found in _through_modules(".".join([target, *rest]), modules, depth + 1)}
    return {name}


def _module_name(rel: Path) -> str:
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


class _Scope:
    def __init__(self, node: ast.AST, parent: _Scope | None):
        self.node, self.parent = node, parent
        self.is_class = isinstance(node, ast.ClassDef)
        self.local: set[str] = set()
        self.globals: set[str] = set()
        self.aliases: dict[str, set[str]] = {}
        self.stars: list[str] = []


_SCOPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


class _Scan:
    """Scopes and their bound names (one pass), aliases (to a fixpoint), then references."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.scopes: dict[ast.AST, _Scope] = {}
        self.scope_of: dict[ast.AST, _Scope] = {}
        self.memo: dict[ast.AST, set[str]] | None = None
        self.binders: list[ast.AST] = []  # assignments and imports, for learn()
        self.rebinds_name = False  # the module assigns __name__
        self._bind_scopes(tree, None)
        self.skip: set[ast.AST] = set() if self.rebinds_name else set(_never_run_blocks(tree))
        self.skip |= _inert_annotations(tree)

    # -- scopes ------------------------------------------------------------------------------
    def _bind_scopes(self, node: ast.AST, scope: _Scope | None) -> None:
        stack = [(node, scope)]
        while stack:
            node, scope = stack.pop()
            if isinstance(node, _SCOPES):
                if scope is not None and not isinstance(node, ast.Lambda):
                    scope.local.add(node.name)
                inner = _Scope(node, scope)
                self.scopes[node] = inner
                if not isinstance(node, ast.Module | ast.ClassDef):
                    args = node.args
                    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
                        if arg is not None:
                            inner.local.add(arg.arg)
                # decorators, defaults, bases are evaluated in the enclosing scope
                outer = [*getattr(node, "decorator_list", []), *getattr(node, "bases", []),
                         *getattr(node, "keywords", [])]
                if not isinstance(node, ast.Module | ast.ClassDef):
                    args = node.args
                    outer += [d for d in [*args.defaults, *args.kw_defaults] if d is not None]
                    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
                    outer += [a.annotation for a in every if a is not None and a.annotation]
                    outer += [r for r in [getattr(node, "returns", None)] if r is not None]
                for child in outer:
                    self.scope_of[child] = scope
                    stack.append((child, scope))
                body = node.body if isinstance(node.body, list) else [node.body]
                for child in body:
                    stack.append((child, inner))
                self.scope_of[node] = scope or inner
                continue
            self.scope_of[node] = scope
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr | ast.Import | ast.ImportFrom):
                self.binders.append(node)
            if isinstance(node, ast.Global | ast.Nonlocal):
                scope.globals.update(node.names if isinstance(node, ast.Global) else ())
                self.rebinds_name |= "__name__" in node.names
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
                self._target(scope, node.id).local.add(node.id)
                self.rebinds_name |= node.id == "__name__"
            elif isinstance(node, ast.Import | ast.ImportFrom):
                for alias in node.names:
                    if alias.name != "*":
                        bound = alias.asname or alias.name.split(".")[0]
                        self._target(scope, bound).local.add(bound)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                scope.local.add(node.name)
            for child in ast.iter_child_nodes(node):
                stack.append((child, scope))

    def _target(self, scope: _Scope, name: str) -> _Scope:
        """The scope an assignment to ``name`` binds in (``global`` sends it to the module)."""
        if name in scope.globals:
            while scope.parent is not None:
                scope = scope.parent
        return scope

    def lookup(self, scope: _Scope, name: str) -> set[str]:
        first = True
        while scope is not None:
            if name in scope.globals:
                while scope.parent is not None:
                    scope = scope.parent
            if not (scope.is_class and not first):  # class bodies are not enclosing scopes
                if name in scope.aliases:
                    return scope.aliases[name]
                if name in scope.local:
                    return set()
            if scope.parent is None:
                found = {f"{m}.{name}" for m in scope.stars}
                if name in _BUILTINS:
                    found.add("builtins" if name == "__builtins__" else f"builtins.{name}")
                return found
            scope, first = scope.parent, False
        return set()

    # -- resolution --------------------------------------------------------------------------
    def resolve(self, node: ast.AST) -> set[str]:
        if self.memo is not None:  # aliases are settled once references are emitted
            if node not in self.memo:
                self.memo[node] = self._resolve(node)
            return self.memo[node]
        return self._resolve(node)

    def _resolve(self, node: ast.AST) -> set[str]:
        scope = self.scope_of.get(node)
        if isinstance(node, ast.Name):
            return self.lookup(scope, node.id) if scope is not None else set()
        if isinstance(node, ast.Attribute):
            return {f"{base}.{node.attr}" for base in self.resolve(node.value)}
        if isinstance(node, ast.NamedExpr):
            return self.resolve(node.value)
        if isinstance(node, ast.Call):
            funcs = self.resolve(node.func)
            literal = self._imported_by(node, funcs)
            if "builtins.__import__" in funcs and literal:
                fromlist = node.args[3] if len(node.args) > 3 else next(
                    (k.value for k in node.keywords if k.arg == "fromlist"), None)
                empty = isinstance(fromlist, ast.Constant) and not fromlist.value
                keep = fromlist is not None and not empty
                return {literal if keep else literal.split(".")[0]}
            if literal:
                return {literal}
            name = _literal(node.args[1]) if len(node.args) > 1 else None
            if "builtins.getattr" in funcs and name is not None:
                return {f"{base}.{name}" for base in self.resolve(node.args[0])}
        return set()

    def _imported_by(self, node: ast.Call, funcs: set[str] | None = None) -> str | None:
        """The module ``__import__``/``importlib.import_module`` with a literal name loads."""
        funcs = self.resolve(node.func) if funcs is None else funcs
        literal = _literal(node.args[0]) if node.args else None
        if literal and not literal.startswith(".") and funcs & {"builtins.__import__",
                                                                 "importlib.import_module"}:
            return literal
        return None

    def learn(self) -> bool:
        """One pass over the assignments to plain names: what each name may hold."""
        changed = False
        for node in self.binders:
            pairs: list[tuple[ast.expr, ast.expr]] = []
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    pairs += _pairs(target, node.value)
            elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and node.value is not None:
                pairs += _pairs(node.target, node.value)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                changed |= self._learn_import(node)
            for target, value in pairs:
                scope = self._target(self.scope_of[target], target.id)
                names = self.resolve(value)
                known = scope.aliases.setdefault(target.id, set())
                if not names <= known:
                    known |= names
                    changed = True
        return changed

    def _learn_import(self, node: ast.Import | ast.ImportFrom) -> bool:
        scope = self.scope_of[node]
        changed = False
        for alias in node.names:
            if isinstance(node, ast.Import):
                bound, full = (alias.asname, alias.name) if alias.asname else (alias.name.split(".")[0],) * 2
            elif node.level or not node.module:
                continue  # the submission's own modules: scanned in their own right
            elif alias.name == "*":
                if node.module not in scope.stars:
                    scope.stars.append(node.module)
                    changed = True
                continue
            else:
                bound, full = alias.asname or alias.name, f"{node.module}.{alias.name}"
            known = self._target(scope, bound).aliases.setdefault(bound, set())
            if full not in known:
                known.add(full)
                changed = True
        return changed

    # -- references --------------------------------------------------------------------------
    def emit(self) -> list[Reference]:
        self.out: list[Reference] = []
        self.memo = {}
        self._visit(self.tree, value=False)
        return self.out

    def _visit(self, node: ast.AST, value: bool = True) -> None:
        if node in self.skip:  # __main__ block, annotation: references are marked, scan_submission decides
            start = len(self.out)
            self.skip.discard(node)
            self._visit(node, value)
            self.out[start:] = [replace(ref, in_main=True) for ref in self.out[start:]]
            return
        if isinstance(node, ast.Attribute) and node.attr == "__name__" and isinstance(node.ctx, ast.Store):
            self.out.append(Reference("", node.lineno, note="assigns a module's __name__"))
        if isinstance(node, ast.Call):
            imported = self._imported_by(node)
            if imported:  # what __import__('a.b') loads, whatever it returns
                self.out.append(Reference(imported, node.lineno, bound=True))
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if isinstance(node, ast.Import):
                    self.out.append(Reference(alias.name, node.lineno, bound=True))
                elif node.module and not node.level:
                    self.out.append(Reference(f"{node.module}.{alias.name}", node.lineno, bound=True))
            return
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            aliased = all(isinstance(t, ast.Name) for t in targets) \
                and not self.scope_of[node].is_class  # a class attribute is reachable from outside
            for target in targets:
                if not isinstance(target, ast.Name):
                    self._visit(target, value=False)
            if isinstance(node, ast.AnnAssign):
                self._visit(node.annotation)
            if aliased and isinstance(node.value, ast.Name | ast.Attribute | ast.Call) \
                    and self.resolve(node.value):
                line = node.value.lineno  # an alias is followed where it is used; binding a ban counts
                self.out += [Reference(n, line, bound=True) for n in sorted(self.resolve(node.value))]
            else:
                self._visit(node.value)
            return
        if isinstance(node, ast.Name | ast.Attribute) or (isinstance(node, ast.Call) and self.resolve(node)):
            self._chain(node, value)
            return
        if isinstance(node, ast.Call):
            self._call(node)
            return
        for child in ast.iter_child_nodes(node):
            self._visit(child, value=not isinstance(node, ast.Expr | ast.Delete)
                        and not (isinstance(node, ast.Attribute)))

    def _chain(self, node: ast.AST, value: bool) -> None:
        names = self.resolve(node)
        line = getattr(node, "lineno", 1)
        if names:
            self.out += [Reference(n, line, value=value) for n in sorted(names)]
            return
        if isinstance(node, ast.Attribute):
            if node.attr in ESCAPES:
                self.out.append(Reference("", line, note=f"{node.attr} of an object the scan cannot name"))
            self._visit(node.value, value=False)
        elif isinstance(node, ast.Call):
            self._call(node)

    def _call(self, node: ast.Call) -> None:
        funcs = self.resolve(node.func)
        attr_name = _literal(node.args[1]) if len(node.args) > 1 else None
        if funcs & _ATTR_BUILTINS and attr_name is not None:
            if attr_name == "__name__" and "builtins.setattr" in funcs:
                self.out.append(Reference("", node.lineno, note="assigns a module's __name__"))
            if attr_name in ESCAPES:  # getattr(obj, "__dict__") on an object the scan cannot name
                self.out.append(Reference("", node.lineno,
                                          note=f"{attr_name} of an object the scan cannot name"))
        elif "builtins.getattr" in funcs and node.args:
            bases = self.resolve(node.args[0])
            for base in sorted(bases):  # a banned module as the base still zeroes (judge)
                self.out.append(Reference(base, node.lineno, value=True,
                                          note=f"getattr with a computed name on {base}"))
            if not bases:
                self.out.append(Reference("builtins.getattr", node.lineno,
                                          note="getattr with a computed name"))
            for child in [*node.args[int(bool(bases)):], *(k.value for k in node.keywords)]:
                self._visit(child, value=True)
            return
        else:
            self._visit(node.func, value=False)
        for child in [*node.args, *(k.value for k in node.keywords)]:
            self._visit(child, value=True)


def _pairs(target: ast.expr, value: ast.expr) -> list[tuple[ast.Name, ast.expr]]:
    """(name, value) for assignments the scan follows: ``o = x`` and ``a, b = x, y``."""
    if isinstance(target, ast.Name):
        return [(target, value)]
    if isinstance(target, ast.Tuple | ast.List) and isinstance(value, ast.Tuple | ast.List) \
            and len(target.elts) == len(value.elts):
        return [p for t, v in zip(target.elts, value.elts, strict=True) for p in _pairs(t, v)]
    return []


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _never_run_blocks(tree: ast.Module) -> list[ast.AST]:
    """The bodies of top-level ``if __name__ == "__main__":`` blocks: grading imports the module, so
    they never run (the caller skips none when the module rebinds ``__name__``)."""
    skipped = []
    for node in tree.body:
        if isinstance(node, ast.If) and _is_main_test(node.test):
            skipped += node.body
    return skipped


# What an annotation may hold and still only name things: evaluating it (without the __future__
# import) looks names up and subscripts them, and runs nothing the student wrote elsewhere.
_NAMING = (ast.Name, ast.Attribute, ast.Subscript, ast.Constant, ast.Tuple, ast.List, ast.BinOp,
           ast.BitOr, ast.Load, ast.Slice)


def _inert_annotations(tree: ast.Module) -> set[ast.AST]:
    """Annotations that run nothing: all of them under ``from __future__ import annotations``
    (never evaluated), else those made only of names, attributes, subscripts, constants and ``|``."""
    future = any(isinstance(node, ast.ImportFrom) and node.module == "__future__"
                 and any(a.name == "annotations" for a in node.names) for node in tree.body)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            annotation = node.annotation
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            annotation = node.returns
        elif isinstance(node, ast.AnnAssign):
            annotation = node.annotation
        else:
            continue
        if annotation is not None and (future or all(isinstance(n, _NAMING) for n in ast.walk(annotation))):
            found.add(annotation)
    return found


def _is_main_test(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and \
        any(_literal(s) == "__main__" for s in sides)


def runtime_findings(pset: ProblemSet, tripped: set[str]) -> list[Finding]:
    """The tripwire's observations, attributed to every problem that bans the name. They can only
    add to the scan's findings: the child that reports them may have been told to stay silent."""
    return [Finding(p.id, name, "run time", "runtime")
            for p in pset.problems for name in sorted(tripped) if is_banned(name, p.banned, p.allowed)]


def attribute_runtime(findings: list[Finding]) -> list[Finding]:
    """The tripwire says which banned names ran, not whose code ran them: a name that the scan found
    referenced in some problems' modules is theirs, and is only for review in every other problem
    that bans it (a ban never zeroes more than the code that uses it). A name the scan did not find
    anywhere stays attributed to every problem that bans it: nothing tells them apart."""
    static = [f for f in findings if f.how == "static" and not f.review]
    out = []
    for finding in findings:
        if finding.how == "runtime" and not finding.review:
            owners = {f.problem for f in static if covers(f.name, finding.name) or f.name == finding.name}
            if owners and finding.problem not in owners:
                finding = replace(finding, review=True,
                                  why=f"{finding.name} ran while code of another problem that references "
                                      f"it was loaded")
        out.append(finding)
    return out


def apply_findings(outcomes: list[CheckOutcome], findings: list[Finding]) -> None:
    """Each check of a problem with a finding scores zero and says why.
    Findings for review leave the score alone: they are reported in the result's findings. Runtime
    findings are first attributed (``attribute_runtime``), in place: the list is the one the result
    reports."""
    findings[:] = attribute_runtime(findings)
    by_problem: dict[str, Finding] = {}
    for finding in findings:
        if not finding.review:
            by_problem.setdefault(finding.problem, finding)
    for outcome in outcomes:
        finding = by_problem.get(outcome.problem)
        if finding is not None and outcome.counted:
            outcome.status, outcome.fraction = Status.FAILED, 0.0
            outcome.message = finding.message
