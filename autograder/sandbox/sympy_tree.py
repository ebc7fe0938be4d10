"""SymPy expressions as plain trees, rebuilt in the parent from an allow-list of classes.

``sympify``, ``parse_expr`` and ``eval(srepr(...))`` execute code, so expressions never cross as text
to be parsed: the child sends ``[class name, args...]`` and the parent rebuilds only known classes,
with evaluation off, so that building a tree costs time linear in its size.
"""

from __future__ import annotations

import sympy

from autograder.sandbox.errors import EncodeError, WireError

_MAX_NODES = 10_000
_MAX_DIGITS = 2_000

# Classes that may appear inside a tree node, by name. Atoms are handled separately below.
_FUNCTIONS = {
    cls.__name__: cls
    for cls in (
        sympy.Add, sympy.Mul, sympy.Pow, sympy.exp, sympy.log, sympy.factorial, sympy.Abs,
        sympy.sin, sympy.cos, sympy.tan, sympy.Min, sympy.Max, sympy.sign, sympy.gamma,
        sympy.floor, sympy.ceiling, sympy.Trace, sympy.Identity, sympy.MatMul, sympy.MatAdd,
        sympy.MatPow, sympy.Inverse, sympy.Transpose,
    )
}
_CONSTANTS = {
    "pi": sympy.pi, "E": sympy.E, "I": sympy.I, "oo": sympy.oo, "-oo": -sympy.oo,
    "zoo": sympy.zoo, "nan": sympy.nan, "EulerGamma": sympy.EulerGamma,
}
_NO_EVALUATE_KEYWORD = frozenset({"Trace", "Identity", "Inverse", "Transpose"})
_ASSUMPTIONS = ("positive", "negative", "integer", "real", "nonnegative", "nonzero")


def to_tree(expr) -> list:
    """Child side: an expression as nested lists of strings and ints."""
    count = [0]

    def walk(e):
        count[0] += 1
        if count[0] > _MAX_NODES:
            raise EncodeError("sympy expression is too large")
        if isinstance(e, sympy.MatrixSymbol):
            return ["MatrixSymbol", str(e.name), walk(e.rows), walk(e.cols)]
        if isinstance(e, sympy.Symbol):
            flags = [a for a in _ASSUMPTIONS if e.assumptions0.get(a) is True]
            return ["Symbol", e.name, flags]
        if isinstance(e, sympy.Integer):
            return ["Integer", str(int(e))]
        if isinstance(e, sympy.Rational):
            return ["Rational", str(e.p), str(e.q)]
        if isinstance(e, sympy.Float):
            return ["Float", sympy.srepr(e).split("'")[1], int(e._prec)]
        for name, value in _CONSTANTS.items():
            if e == value and type(e) is type(value):
                return ["Constant", name]
        name = type(e).__name__
        if name not in _FUNCTIONS:
            raise EncodeError(f"sympy class {name} is not supported in answers")
        return [name, *[walk(a) for a in e.args]]

    if not isinstance(expr, sympy.Basic):
        raise EncodeError("not a sympy expression")
    return walk(expr)


def from_tree(tree) -> sympy.Basic:
    """Parent side: rebuild an expression, accepting only allow-listed classes and atoms, without
    evaluating anything (what a check then computes from it runs under ``checks.symbolic.decide``)."""
    count = [0]

    def build(node):
        count[0] += 1
        if count[0] > _MAX_NODES or type(node) is not list or not node:
            raise WireError("bad sympy tree")
        kind, *args = node
        if kind == "Symbol":
            name, flags = _args(args, str, list)
            if not all(f in _ASSUMPTIONS for f in flags):
                raise WireError("bad symbol assumptions")
            return sympy.Symbol(name, **{f: True for f in flags})
        if kind == "MatrixSymbol":
            name, rows, cols = args if len(args) == 3 else (None, None, None)
            if type(name) is not str:
                raise WireError("bad matrix symbol")
            return sympy.MatrixSymbol(name, build(rows), build(cols))
        if kind == "Integer":
            (digits,) = _args(args, str)
            return sympy.Integer(_int(digits))
        if kind == "Rational":
            p, q = _args(args, str, str)
            return sympy.Rational(_int(p), _int(q))
        if kind == "Float":
            text, prec = _args(args, str, int)
            try:
                float(text)
            except ValueError:
                raise WireError("bad float") from None
            return sympy.Float(text, precision=min(max(prec, 1), 10_000))
        if kind == "Constant":
            (name,) = _args(args, str)
            if name not in _CONSTANTS:
                raise WireError("unknown constant")
            return _CONSTANTS[name]
        if kind not in _FUNCTIONS:
            raise WireError(f"sympy class {kind!r} is not allowed")
        built = [build(a) for a in args]
        if kind in _NO_EVALUATE_KEYWORD:  # these do not evaluate when constructed
            return _FUNCTIONS[kind](*built)
        return _FUNCTIONS[kind](*built, evaluate=False)  # 10**10**1999 stays a tree, not a number

    return build(tree)


def _args(args, *types):
    if len(args) != len(types) or not all(type(a) is t for a, t in zip(args, types, strict=True)):
        raise WireError("bad sympy tree node")
    return args


def _int(digits: str) -> int:
    if len(digits) > _MAX_DIGITS or not digits.lstrip("-").isdigit():
        raise WireError("bad integer in sympy tree")
    return int(digits)
