"""Wall and CPU time of a command and of every process it starts, grandchildren included::

    python -m benchmarks.tree_cpu -- python -m sim.experiments.report <sweep_dir>

`/usr/bin/time` counts the children a process waited for; a report's figure processes are
children of a fork server, which is not waited for, so their CPU would be missed. This makes
itself the "subreaper" of the command's process tree (Linux), so that every descendant is
reparented to it and reaped here; the CPU is then the whole tree's.
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[1:] if argv[:1] == ["--"] else argv
    if not command:
        sys.exit("usage: python -m benchmarks.tree_cpu -- COMMAND [ARGS...]")
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    start = time.perf_counter()
    code = subprocess.call(command)
    while True:  # the orphaned descendants, reparented here
        try:
            os.wait()
        except ChildProcessError:
            break
    wall = time.perf_counter() - start
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"tree: {wall:.2f} s wall, {used.ru_utime:.2f} s user, {used.ru_stime:.2f} s sys, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        file=sys.stderr,
    )
    sys.exit(code)


if __name__ == "__main__":
    main()
