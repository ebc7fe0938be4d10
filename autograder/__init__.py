"""Autograded problem sets for optimization and numerical linear algebra: release, check, grade."""

__version__ = "0.1.0"
