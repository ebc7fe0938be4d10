"""Attack: leave busy threads and a background process running after the module is imported."""
import subprocess
import sys
import threading


def _spin():
    while True:
        pass


for _ in range(4):
    threading.Thread(target=_spin, daemon=False).start()
subprocess.Popen([sys.executable, "-c", "while True: pass", "autograder-attack-busy-threads"])

ANSWER = 42


def add(a, b):
    return a + b


def safe_div(a, b):
    return a / b
