"""Attack: return objects that claim to equal anything."""


class Liar(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__

    def __float__(self):
        return 42.0

    def __index__(self):
        return 42


class Whatever:
    def __eq__(self, other):
        return True

    def __array__(self, *args, **kwargs):
        import numpy

        return numpy.zeros(3)

    def __float__(self):
        return 0.0


ANSWER = Liar(0)


def add(a, b):
    return Whatever()


def safe_div(a, b):
    return a / b
