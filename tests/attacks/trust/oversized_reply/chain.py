import numpy as np


def product(mats):
    return np.zeros(80_000_000)  # 640 MB
