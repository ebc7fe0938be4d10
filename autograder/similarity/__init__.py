"""Similarity of submissions (``autograder similarity``): which pairs share unusually much code, per module.

``fingerprint`` turns Python source into normalised tokens and winnowed k-gram fingerprints;
``compare`` finds and scores pairs with the released starter code subtracted; ``html`` draws the
matching regions side by side. It informs a person; it never reads or changes a score.
"""
