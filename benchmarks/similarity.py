"""How `autograder similarity` scales: a benchmark, not a timed test.

Writes N synthetic submissions of ps1_linalg's five modules, each made from the reference by
mutation (every parameter and local renamed, about a fifth of the statements dropped, random
statements inserted, every line re-laid out by ``ast.unparse``), plants copy pairs (one submission's
module renamed and reformatted again under another name), then times ``find_similar`` end to end:
reading every submission through the grader's unpacking, fingerprinting, candidates, exact regions.
It prints the seconds and where the planted pairs rank.

    python benchmarks/similarity.py                   # 200 submissions x 5 modules
    python benchmarks/similarity.py --submissions 400 --common 1.0   # no common-code filter
"""

from __future__ import annotations

import argparse
import ast
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.problemset import load_problem_set  # noqa: E402
from autograder.similarity.compare import find_similar, starter_files  # noqa: E402

PSET = "ps1_linalg"
MODULES = ("matrix_chain", "svd_norms", "trace", "rates", "lora")
_OPS = (ast.Add(), ast.Sub(), ast.Mult(), ast.Div(), ast.Pow(), ast.MatMult(), ast.FloorDiv())


class _Mutate(ast.NodeTransformer):
    """Rename parameters and assigned names; drop and insert statements in function bodies."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.names = rng, {}

    def _new(self, name: str) -> str:
        return self.names.setdefault(name, f"{self.rng.choice('abcdefghxyzuvw')}{self.rng.randrange(10**6)}")

    def visit_arg(self, node):
        node.arg = self._new(node.arg)
        return node

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Store) or node.id in self.names:
            node.id = self._new(node.id)
        return node

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        body = [s for i, s in enumerate(node.body) if i == 0 or self.rng.random() > 0.2] or node.body[:1]
        grown = []
        for statement in body:
            grown.append(statement)
            if self.rng.random() < 0.3:
                grown.append(self._statement(node))
        node.body = grown
        return node

    def _statement(self, function) -> ast.stmt:
        names = [a.arg for a in function.args.args] or ["x"]
        target = ast.Name(self._new(f"t{self.rng.randrange(10**6)}"), ast.Store())
        value = self._expression(names, depth=self.rng.randint(1, 3))
        if self.rng.random() < 0.3:
            test = ast.Compare(self._expression(names, 1), [ast.Gt()], [ast.Constant(0)])
            return ast.If(test, [ast.Assign([target], value)], [])
        return ast.Assign([target], value)

    def _expression(self, names: list[str], depth: int) -> ast.expr:
        if depth == 0:
            return ast.Name(self.rng.choice(names), ast.Load()) if self.rng.random() < 0.7 \
                else ast.Constant(self.rng.randint(1, 9))
        kind = self.rng.random()
        if kind < 0.6:
            return ast.BinOp(self._expression(names, depth - 1), self.rng.choice(_OPS),
                             self._expression(names, depth - 1))
        if kind < 0.8:
            call = self.rng.choice(["len", "abs", "np.sum", "np.max", "float"])
            func = ast.parse(call, mode="eval").body
            return ast.Call(func, [self._expression(names, depth - 1)], [])
        return ast.Subscript(self._expression(names, depth - 1), ast.Constant(self.rng.randint(0, 3)),
                             ast.Load())


def mutate(source: str, rng: random.Random) -> str:
    tree = _Mutate(rng).visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree))


def write_submissions(root: Path, count: int, planted: int, seed: int) -> list[tuple[str, str, str]]:
    """``count`` submission folders under ``root``; returns the planted (module, original, copy)."""
    rng = random.Random(seed)
    reference = {m: (REPO / "solutions" / PSET / f"{m}.py").read_text() for m in MODULES}
    names = [f"student{i:03d}" for i in range(count)]
    for name in names:
        (root / name).mkdir(parents=True)
        for module, text in reference.items():
            (root / name / f"{module}.py").write_text(mutate(text, rng))
    plants = []
    for original, copy in zip(names[:planted], rng.sample(names[planted:], planted), strict=True):
        module = rng.choice(MODULES)
        text = (root / original / f"{module}.py").read_text()
        (root / copy / f"{module}.py").write_text(mutate_names_only(text, rng))
        plants.append((module, *sorted((original, copy))))
    return plants


def mutate_names_only(source: str, rng: random.Random) -> str:
    """A copy disguised: every name changed and the layout rewritten, nothing else."""
    mutator = _Mutate(rng)
    mutator.visit_FunctionDef = lambda node: mutator.generic_visit(node)  # no drops, no inserts
    return ast.unparse(mutator.visit(ast.parse(source)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--planted", type=int, default=10, help="copy pairs planted (default 10)")
    parser.add_argument("--common", type=float, default=0.1, help="as `similarity --common`")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    released = load_problem_set(REPO / "assignments" / PSET)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        plants = write_submissions(root, args.submissions, args.planted, args.seed)
        made = time.perf_counter() - start
        start = time.perf_counter()
        report = find_similar(released, sorted(root.iterdir()), starter=starter_files(released),
                              common_fraction=args.common)
        seconds = time.perf_counter() - start
    ranks = {(p.module, p.a, p.b): i for i, p in enumerate(report.pairs, 1)}
    found = sorted(ranks.get(plant, 0) for plant in plants)
    pairs = sum(m.pairs for m in report.modules)
    print(f"{args.submissions} submissions x {len(MODULES)} modules ({pairs} pairs of files), "
          f"written in {made:.1f} s")
    print(f"similarity: {seconds:.2f} s; {len(report.pairs)} pairs at or above "
          f"{100 * report.min_similarity:.0f}%")
    print(f"planted copies: {sum(r > 0 for r in found)} of {len(plants)} found, ranks {found}")


if __name__ == "__main__":
    main()
