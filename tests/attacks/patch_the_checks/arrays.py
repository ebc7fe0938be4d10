import numpy


def double(x):
    return numpy.zeros_like(x)
