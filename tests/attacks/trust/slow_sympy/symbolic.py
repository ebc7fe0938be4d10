import sympy

HALF = sympy.Pow(10, sympy.Pow(10, sympy.Integer("9" * 1999), evaluate=False), evaluate=False)
