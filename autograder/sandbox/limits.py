"""What every sandboxed child starts with, cold or warm: its resource limits, its environment and
the engine folder it imports from. Used between fork and exec (cold) and in the template's forked
worker (``sandbox.zygote``): one definition, so both kinds of child are confined alike.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

import autograder

ENGINE_ROOT = str(Path(autograder.__file__).resolve().parent.parent)  # the child imports this engine
OUTPUT_LIMIT = 64 << 20  # RLIMIT_FSIZE: the child's captured stdout/stderr and any file it writes
MAX_PROCESSES = 256


def child_limits(memory_bytes: int | None, dedicated_uid: bool, gpu: bool = False,
                  cgroup_procs: str | None = None) -> None:
    """Runs in the child between fork and exec; the limits (and the CPU-accounting cgroup) are
    inherited by everything it starts."""
    if cgroup_procs is not None:
        with open(cgroup_procs, "w") as f:
            f.write(str(os.getpid()))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_LIMIT, OUTPUT_LIMIT))
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
    if memory_bytes:
        # The address space bounds numpy and CPU torch; CUDA reserves tens of GiB of address space
        # (inaccessible, not counted by RLIMIT_DATA) at start, so with a GPU the private writable
        # memory is bounded instead.
        limit = resource.RLIMIT_DATA if gpu else resource.RLIMIT_AS
        resource.setrlimit(limit, (memory_bytes, memory_bytes))
    if dedicated_uid:  # counts every process and thread of the uid: a fork bomb stops here
        resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))


def child_environment(workdir: str) -> dict[str, str]:
    """A minimal environment: no grader secrets, seeds or paths; one thread per BLAS by default."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": workdir,
        "TMPDIR": workdir,
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": os.environ.get("AUTOGRADER_CHILD_THREADS", "1"),
        "MKL_NUM_THREADS": os.environ.get("AUTOGRADER_CHILD_THREADS", "1"),
        "OPENBLAS_NUM_THREADS": os.environ.get("AUTOGRADER_CHILD_THREADS", "1"),
        # A fixed threshold (glibc's default starts here but moves with each process's history):
        # every child then gets large arrays from the system the same way, so that moving the same
        # data costs a student's child and the trusted timing child the same (timing checks). A
        # threshold of 32 MiB (arrays from the heap) made it depend on each heap's fragmentation.
        "MALLOC_MMAP_THRESHOLD_": "131072",
    }
