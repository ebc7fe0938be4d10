"""Check strength: mutation testing of a problem set's reference solution against its own checks.

    python benchmarks/check_strength.py PSET [--problem P] [--limit N] [--seed S] [--jobs J]
                                             [--ids ID ...] [--list] [--json FILE]

Each mutant is the reference with one small change inside a ``# BEGIN SOLUTION`` region (the code a
student writes). It is graded by the real grader, ``autograder.grading.grade.grade_submission``, as a
submission made of the reference modules with the mutant's module changed; a mutant is **killed**
when its problem's score drops below the unmutated reference's (graded the same way first). A mutant
that survives is either a hole in the checks or **equivalent** (it computes what the statement asks,
e.g. ``<`` for ``<=`` where ties cannot occur); equivalent survivors are reviewed by hand and listed,
with one line of reason each, beside the problem set in
``solutions/<pset>/checks/hidden/equivalent_mutants.toml`` (never released), keyed by the mutant's
id. The score is the share of non-equivalent mutants killed.

Printed per problem: mutants generated, graded (the sample), killed, surviving, equivalent, the
percentage of non-equivalent graded mutants killed, and each survivor's diff; then the wall time.

Mutation operators. They are cosmic-ray's (``cosmic_ray.operators``, used as a library: its
``MutationVisitor`` applies one occurrence of one operator to a parso tree and gives the source
back; cosmic-ray's own runner needs a test command per mutant and a work database, which the real
grader replaces here), restricted to the standard set (mutmut's map of swaps rather than cosmic-ray's
every-operator-to-every-operator matrix, whose bit-shift and bit-or mutants of float code crash at
once and only inflate the kill rate):

- arithmetic: ``+ -``, ``- +``, ``* /``, ``/ *``, ``// /``, ``% /``, ``** *``; and ``@ *`` (ours:
  cosmic-ray has no matrix-product operator);
- comparison: ``== !=``, ``!= ==``, ``< <=``, ``<= <``, ``> >=``, ``>= >``, ``is`` / ``is not``;
- boolean and unary: ``and``/``or`` swapped, ``True``/``False`` swapped, ``not`` added to an
  ``if``/``while`` condition, ``not`` removed, unary minus dropped;
- constants: every number +1 and -1 (which covers constant slice and index bounds);
- loops: a ``for`` loop run zero times, ``break``/``continue`` swapped;
- ours, absent from cosmic-ray: a statement removed (an assignment, an expression statement, a
  ``raise`` or an ``assert`` replaced by ``pass``), and a non-constant slice bound or index shifted
  by +1 and -1 (``seq[-n:]`` -> ``seq[(-n) + 1:]``, ``a[i]`` -> ``a[(i) - 1]``).

A mutant's id is stable under edits elsewhere in the file: ``module.function:operator:hash`` where
the hash is of the changed line before and after (with ``#2``, ``#3`` for repeats of the same line
and change in one function).

Cost. Grading one mutant takes several seconds (a sandboxed child, sympy decisions, timing checks),
so each mutant is graded on a narrowed copy of the problem set that holds only its problem's checks
(public, hidden and ``[[timing]]`` entries): the same grader and checks, without the other problems'
checks, whose scores a mutant of another module cannot change. ``--limit N`` grades a random sample
of N mutants per problem (fixed ``--seed``, so that runs before and after a change of the checks
grade the same mutants as long as the reference is unchanged); ``--jobs J`` grades J mutants at a
time (default 1: the machine is shared).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import difflib
import hashlib
import json
import multiprocessing
import random
import re
import shutil
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import parso.python.tree as pytree
from cosmic_ray.ast import ast_nodes, get_ast
from cosmic_ray.ast.ast_query import ASTQuery
from cosmic_ray.mutating import MutationVisitor
from cosmic_ray.operators.operator import Example, Operator
from cosmic_ray.plugins import get_operator

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.problemset import ProblemSet, load_problem_set  # noqa: E402

EQUIVALENT = "equivalent_mutants.toml"  # in a problem set's hidden checks: reviewed survivors, by id

# cosmic-ray's operators, by plugin name (core/...), with the short name used in mutant ids.
COSMIC_OPERATORS = [
    "ReplaceBinaryOperator_Add_Sub", "ReplaceBinaryOperator_Sub_Add",
    "ReplaceBinaryOperator_Mul_Div", "ReplaceBinaryOperator_Div_Mul",
    "ReplaceBinaryOperator_FloorDiv_Div", "ReplaceBinaryOperator_Mod_Div",
    "ReplaceBinaryOperator_Pow_Mul",
    "ReplaceComparisonOperator_Eq_NotEq", "ReplaceComparisonOperator_NotEq_Eq",
    "ReplaceComparisonOperator_Lt_LtE", "ReplaceComparisonOperator_LtE_Lt",
    "ReplaceComparisonOperator_Gt_GtE", "ReplaceComparisonOperator_GtE_Gt",
    "ReplaceComparisonOperator_Is_IsNot", "ReplaceComparisonOperator_IsNot_Is",
    "ReplaceAndWithOr", "ReplaceOrWithAnd", "ReplaceTrueWithFalse", "ReplaceFalseWithTrue",
    "AddNot", "ReplaceUnaryOperator_Delete_Not", "ReplaceUnaryOperator_USub_UAdd",
    "NumberReplacer", "ZeroIterationForLoop", "ReplaceBreakWithContinue", "ReplaceContinueWithBreak",
]


class ReplaceMatMult(Operator):
    """``a @ b`` -> ``a * b`` (cosmic-ray's binary operators leave ``@`` alone)."""

    def mutation_positions(self, node):
        if isinstance(node, pytree.Operator) and node.value == "@" and node.parent.type != "decorator":
            yield (node.start_pos, node.end_pos)

    def mutate(self, node, index):
        node.value = "*"
        return node

    @classmethod
    def examples(cls):
        return (Example("x = a @ b", "x = a * b"),)


_REMOVABLE = {"expr_stmt", "raise_stmt", "assert_stmt", "atom_expr", "power"}


class RemoveStatement(Operator):
    """A simple statement (assignment, expression, ``raise``, ``assert``) replaced by ``pass``."""

    def mutation_positions(self, node):
        if node.type in _REMOVABLE and node.parent is not None and node.parent.type == "simple_stmt":
            yield (node.start_pos, node.end_pos)

    def mutate(self, node, index):
        return pytree.Keyword("pass", node.start_pos, prefix=node.get_first_leaf().prefix)

    @classmethod
    def examples(cls):
        return (Example("x = 1", "pass"),)


def _subscript_targets(node):
    """The non-constant slice bounds and indices of a subscript trailer ``[...]``."""
    if node.type != "trailer" or node.children[0].value != "[":
        return []
    inner = node.children[1]
    parts = inner.children if inner.type == "subscript" else [inner]
    return [p for p in parts
            if p.type not in ("operator", "number", "sliceop", "subscriptlist", "string", "keyword")]


class ShiftSubscript(Operator):
    """A non-constant slice bound or index shifted by +1 and by -1 (off-by-one)."""

    def mutation_positions(self, node):
        for target in _subscript_targets(node):
            for _ in (1, -1):
                yield (target.start_pos, target.end_pos)

    def mutate(self, node, index):
        targets = _subscript_targets(node)
        target = targets[index // 2]
        delta = "+ 1" if index % 2 == 0 else "- 1"
        code = target.get_code(include_prefix=False)
        replacement = pytree.Name(f"({code}) {delta}", target.start_pos,
                                  prefix=target.get_first_leaf().prefix)
        parent = target.parent
        parent.children[parent.children.index(target)] = replacement
        replacement.parent = parent
        return node

    @classmethod
    def examples(cls):
        return (Example("x = a[i]", "x = a[(i) + 1]"),)


def operators() -> list[tuple[str, Operator]]:
    ops = [(name, get_operator(f"core/{name}")()) for name in COSMIC_OPERATORS]
    return ops + [("ReplaceMatMult", ReplaceMatMult()), ("RemoveStatement", RemoveStatement()),
                  ("ShiftSubscript", ShiftSubscript())]


@dataclasses.dataclass
class Mutant:
    id: str
    module: str
    line: int
    diff: str
    source: str


def solution_lines(source: str) -> set[int]:
    """1-based line numbers inside ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` regions."""
    lines, inside = set(), False
    for number, text in enumerate(source.splitlines(), start=1):
        stripped = text.strip()
        if stripped.startswith("# BEGIN SOLUTION"):
            inside = True
        elif stripped.startswith("# END SOLUTION"):
            inside = False
        elif inside:
            lines.add(number)
    return lines


def _docstring_lines(source: str) -> set[int]:
    """Lines of string-only expression statements (docstrings): no code to mutate there."""
    lines = set()
    for node in ast_nodes(get_ast(source)):
        if node.type == "simple_stmt" and node.children[0].type == "string":
            lines.update(range(node.start_pos[0], node.end_pos[0] + 1))
    return lines


def _inert(node) -> bool:
    """Code inside an f-string (a message's text) or a type annotation: changing it changes no
    result."""
    child = node
    while child is not None:
        parent = child.parent
        if child.type == "fstring" or (parent is not None and parent.type == "tfpdef"
                                       and child is not parent.children[0]):
            return True
        if parent is not None and parent.type == "funcdef":
            arrow = [i for i, c in enumerate(parent.children) if c.type == "operator" and c.value == "->"]
            if arrow and parent.children.index(child) == arrow[0] + 1:
                return True
        if parent is not None and parent.type == "annassign" and child is parent.children[1]:
            return True
        child = parent
    return False


def generate_mutants(path: Path, module: str) -> list[Mutant]:
    """Every mutant of the solution regions of ``path``, in a fixed order."""
    source = path.read_text()
    region = solution_lines(source) - _docstring_lines(source)
    mutants: list[Mutant] = []
    seen: dict[str, int] = {}
    for name, operator in operators():
        tree = get_ast(source)
        positions = [(node, start) for node in ast_nodes(tree)
                     for start, _end in operator.mutation_positions(node)]
        for occurrence, (node, start) in enumerate(positions):
            if start[0] not in region or _inert(node):
                continue
            mutated = MutationVisitor.mutate_code(source, operator, occurrence)
            if mutated is None or mutated == source:
                continue
            try:
                compile(mutated, str(path), "exec")
            except SyntaxError:
                continue
            before, after = _changed_lines(source, mutated)
            function = ASTQuery(node).get_definition_name() or "<module>"
            digest = hashlib.sha1(f"{before}\0{after}".encode()).hexdigest()[:8]
            base = f"{module}.{function}:{name}:{digest}"
            seen[base] = seen.get(base, 0) + 1
            mutant_id = base if seen[base] == 1 else f"{base}#{seen[base]}"
            diff = "\n".join(difflib.unified_diff(source.splitlines(), mutated.splitlines(),
                                                  f"a/{path.name}", f"b/{path.name}", n=1,
                                                  lineterm=""))
            mutants.append(Mutant(mutant_id, module, start[0], diff, mutated))
    return mutants


def _changed_lines(source: str, mutated: str) -> tuple[str, str]:
    a, b = source.splitlines(), mutated.splitlines()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            return " ".join(x.strip() for x in a[i1:i2]), " ".join(x.strip() for x in b[j1:j2])
    return "", ""


# --- the grader on a narrowed copy of the problem set ---------------------------------------------

def _check_file_problems(path: Path) -> set[str]:
    return set(re.findall(r"""mark\.problem\(\s*["']([^"']+)["']""", path.read_text()))


def narrowed_problem_set(pset: ProblemSet, problems: set[str], into: Path) -> Path:
    """A copy of the problem set whose check files and [[timing]] entries are only those of
    ``problems``; everything else (reference modules, drivers, given files, helpers) as it is."""
    root = into / pset.root.name
    shutil.copytree(pset.root, root, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for folder in (pset.public_checks, pset.hidden_checks):
        if not folder:
            continue
        for check in (root / folder).rglob("test_*.py"):
            if not _check_file_problems(check) & problems:
                check.unlink()
    manifest = root / "problemset.toml"
    manifest.write_text(_without_other_timing(manifest.read_text(), problems))
    return root


def _without_other_timing(text: str, problems: set[str]) -> str:
    """The manifest with the [[timing]] tables of other problems cut out (a table runs from its
    header to the next header)."""
    out, block, in_timing = [], [], False

    def flush():
        if block and (not in_timing or tomllib.loads("[[t]]\n" + "\n".join(block[1:]))["t"][0]
                      .get("problem") in problems):
            out.extend(block)

    for line in text.splitlines():
        if line.startswith("["):
            flush()
            block, in_timing = [line], line.strip() == "[[timing]]"
        else:
            block.append(line)
    flush()
    return "\n".join(out) + "\n"


def grade_scores(pset_root: str, modules: dict[str, str], problems: list[str]) -> dict:
    """Grade a submission made of ``modules`` (name -> source) with the problem set at
    ``pset_root``; return the problems' scores and the grader errors. Runs in a worker process."""
    from autograder.grading.grade import grade_submission

    pset = load_problem_set(Path(pset_root))
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        sub = Path(tmp) / "submission"
        sub.mkdir()
        for name, text in modules.items():
            (sub / f"{name}.py").write_text(text)
        result = grade_submission(pset, sub)
    scores = {p.id: p.score for p in result.problems if p.id in problems}
    failing = [f"{t.name}: {t.status}" for t in result.tests
               if t.status != "passed" and getattr(t, "problem", None) in problems]
    return {"scores": scores, "grader_errors": list(result.grader_errors), "failing": failing}


def load_equivalent(pset: ProblemSet) -> dict[str, str]:
    """The problem set's survivors reviewed as equivalent (id -> reason); none where it has no list."""
    path = pset.hidden_checks_dir / EQUIVALENT if pset.hidden_checks_dir else None
    if path is None or not path.is_file():
        return {}
    return dict(tomllib.loads(path.read_text()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pset", help="problem set id, e.g. ps1_linalg")
    parser.add_argument("--problem", action="append", help="only this problem (repeatable)")
    parser.add_argument("--limit", type=int, default=None, help="grade N random mutants per problem")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="mutants graded at a time")
    parser.add_argument("--ids", nargs="+", help="grade only these mutant ids")
    parser.add_argument("--list", action="store_true", help="list the mutants; grade nothing")
    parser.add_argument("--json", type=Path, help="write every graded mutant's outcome here")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    pset = load_problem_set(REPO / "solutions" / args.pset)
    equivalent = load_equivalent(pset)
    chosen = [p for p in pset.problems if not args.problem or p.id in args.problem]
    if not chosen:
        parser.error(f"no problem {args.problem} in {pset.id}; known: "
                     f"{', '.join(p.id for p in pset.problems)}")
    references = {m: (pset.root / f"{m}.py").read_text() for m in pset.modules}

    plan: dict[str, tuple[list[Mutant], list[Mutant]]] = {}
    for problem in chosen:
        mutants = generate_mutants(pset.root / f"{problem.module}.py", problem.module)
        sample = [m for m in mutants if not args.ids or m.id in args.ids]
        if args.limit is not None and len(sample) > args.limit:
            picked = set(id(m) for m in random.Random(f"{args.seed}:{problem.id}")
                         .sample(sample, args.limit))
            sample = [m for m in sample if id(m) in picked]
        plan[problem.id] = (mutants, sample)
        if args.list:
            print(f"== {problem.id}: {len(mutants)} mutants, {len(sample)} selected")
            for m in sample:
                print(f"  {m.id}  (line {m.line})")
    if args.list:
        return 0

    report: dict = {"pset": pset.id, "seed": args.seed, "limit": args.limit, "problems": {}}
    with tempfile.TemporaryDirectory(prefix="check-strength-") as tmp, \
            concurrent.futures.ProcessPoolExecutor(
                max_workers=args.jobs,
                # forkserver: this process has graded in-process (torch's thread pool exists), and a
                # worker forked from it once sat on a copied lock for 20 minutes
                mp_context=multiprocessing.get_context("forkserver")) as pool:
        for problem in chosen:
            mutants, sample = plan[problem.id]
            owners = [p.id for p in pset.problems if p.module == problem.module]
            narrowed = narrowed_problem_set(pset, set(owners), Path(tmp) / problem.id)
            t0 = time.perf_counter()
            base = grade_scores(str(narrowed), references, owners)
            baseline_s = time.perf_counter() - t0
            if base["grader_errors"] or base["failing"]:
                print(f"!! {problem.id}: the reference itself does not pass: "
                      f"{base['failing'] + base['grader_errors']}")
            futures = {pool.submit(grade_scores, str(narrowed),
                                   references | {m.module: m.source}, owners): m for m in sample}
            outcomes = []
            for future in concurrent.futures.as_completed(futures):
                m = futures[future]
                got = future.result()
                killed = any(got["scores"].get(p, 0.0) < base["scores"].get(p, 0.0) - 1e-9
                             for p in owners)
                outcomes.append((m, killed, got))
            outcomes.sort(key=lambda o: sample.index(o[0]))
            _print_problem(problem.id, mutants, outcomes, equivalent, baseline_s)
            report["problems"][problem.id] = {
                "generated": len(mutants),
                "graded": len(outcomes),
                "mutants": [{"id": m.id, "killed": k, "equivalent": m.id in equivalent,
                             "scores": g["scores"], "grader_errors": g["grader_errors"],
                             "failing": g["failing"], "diff": m.diff} for m, k, g in outcomes],
            }
    elapsed = time.perf_counter() - started
    graded = sum(len(p["mutants"]) for p in report["problems"].values())
    print(f"\n{graded} mutants graded in {elapsed:.0f} s "
          f"({elapsed / max(graded, 1):.1f} s per mutant, {args.jobs} at a time)")
    print(summary_table(report, equivalent))
    if args.json:
        report["elapsed_s"] = round(elapsed, 1)
        args.json.write_text(json.dumps(report, indent=1))
    return 0


def _print_problem(problem: str, mutants, outcomes, equivalent, baseline_s: float) -> None:
    print(f"\n== {problem}: {len(mutants)} generated, {len(outcomes)} graded "
          f"(reference graded in {baseline_s:.1f} s)")
    for m, killed, _got in outcomes:
        if killed:
            continue
        if m.id in equivalent:
            print(f"-- equivalent {m.id}: {equivalent[m.id]}")
            continue
        print(f"-- SURVIVED {m.id}")
        print("\n".join("   " + line for line in m.diff.splitlines()[2:]))
    for m, _killed, got in outcomes:
        if got["grader_errors"]:
            print(f"!! grader error with {m.id}: {got['grader_errors'][0][:300]}")


def summary_table(report: dict, equivalent: dict[str, str]) -> str:
    rows = ["| problem | generated | graded | killed | surviving | equivalent | killed of non-equivalent |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for pid, data in report["problems"].items():
        killed = sum(m["killed"] for m in data["mutants"])
        surviving = len(data["mutants"]) - killed
        eq = sum(1 for m in data["mutants"] if not m["killed"] and m["id"] in equivalent)
        relevant = len(data["mutants"]) - eq
        share = f"{100 * killed / relevant:.0f}%" if relevant else "-"
        rows.append(f"| {pid} | {data['generated']} | {len(data['mutants'])} | {killed} | {surviving} | "
                    f"{eq} | {share} |")
    return "\n".join(rows)


if __name__ == "__main__":
    raise SystemExit(main())
