def product(mats):
    # BEGIN SOLUTION
    out = mats[-1]
    for m in reversed(mats[:-1]):
        out = m @ out
    return out
    # END SOLUTION
