"""Attack: reach the network (to send out inputs or fetch answers) inside a call."""
import socket

ANSWER = 42


def add(a, b):
    for host, port in (("1.1.1.1", 53), ("127.0.0.1", 22), ("10.0.0.1", 80)):
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return a + b
        except OSError:
            continue
    raise ConnectionError("no network")


def safe_div(a, b):
    return a / b
