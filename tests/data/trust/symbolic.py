import sympy

# BEGIN SOLUTION: HALF = None
HALF = sympy.Rational(1, 2)
# END SOLUTION
