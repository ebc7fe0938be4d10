"""Attack: leave busy threads and a background process running after the module is imported."""
import subprocess
import sys
import threading


def _spin():
    # Busy in C with the GIL released (hashing a large block), as numpy or torch threads would be:
    # the cores are taken, the interpreter is not (a Python loop holding the GIL would make the
    # student's own calls crawl, which tests how slow the student's code is, not the grader).
    import hashlib

    block = b"x" * (16 << 20)
    while True:
        hashlib.sha256(block).digest()


for _ in range(4):
    threading.Thread(target=_spin, daemon=False).start()
subprocess.Popen([sys.executable, "-c", "while True: pass", "autograder-attack-busy-threads"])

ANSWER = 42


def add(a, b):
    return a + b


def safe_div(a, b):
    return a / b
