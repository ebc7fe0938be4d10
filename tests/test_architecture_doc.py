"""docs/architecture.md stays true: every ``file:function`` it names exists, and every top-level
package or module of the engine has a place in the import-layers contract (one left out would be
free to import anything)."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "autograder"
DOC = ROOT / "docs" / "architecture.md"
HOP = re.compile(r"`((?:autograder/)?[\w/]+\.py):([\w.]+)`")


def _defined(path: Path, dotted: str) -> bool:
    """Whether ``path`` defines ``dotted`` (a function, a class, or ``Class.method``)."""
    body = ast.parse(path.read_text()).body
    for part in dotted.split("."):
        found = next((node for node in body if isinstance(node, ast.FunctionDef | ast.ClassDef)
                      and node.name == part), None)
        if found is None:
            return False
        body = found.body
    return True


def test_every_hop_the_architecture_page_names_exists():
    hops = HOP.findall(DOC.read_text())
    assert len(hops) >= 20  # the page walks one submission through the engine
    missing = [f"{file}:{name}" for file, name in hops
               if not (ENGINE / file.removeprefix("autograder/")).is_file()
               or not _defined(ENGINE / file.removeprefix("autograder/"), name)]
    assert not missing, f"docs/architecture.md names what does not exist: {missing}"


def test_every_engine_package_has_a_layer():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    [layers] = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    placed = {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}
    engine = {f"autograder.{p.stem}" for p in ENGINE.glob("*.py") if p.stem not in ("__init__", "__main__")}
    engine |= {f"autograder.{p.parent.name}" for p in ENGINE.glob("*/__init__.py")}
    assert engine - placed == set(), "add these to a layer in pyproject.toml [tool.importlinter]"
    assert placed - engine == set(), "the contract names packages that do not exist"
    documented = DOC.read_text()
    for name in engine:
        assert f"`{name.removeprefix('autograder.')}" in documented, f"{name} is not on the page"
