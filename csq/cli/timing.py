"""`python -m csq.cli.timing RUNS ARGS…`: run one command RUNS times in this process; print the best seconds.

The benchmark (csq.bench.commands) uses it to time what a command does past Python's start-up, without
importing the command line itself (which lists the bench command: that would be a cycle).
"""
from __future__ import annotations

import contextlib
import io
import sys
import time

from csq.cli.main import main as run_command


def main(argv: list[str]) -> int:
    """Print the best wall seconds of RUNS calls of the command in argv[1:]; return its exit code."""
    runs, args, times, code = int(argv[0]), argv[1:], [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            code = run_command(args)
        times.append(time.perf_counter() - t0)
    print(min(times))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
