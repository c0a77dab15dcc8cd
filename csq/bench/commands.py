"""The reading commands a script or cron job runs, against one full-scan aggregate of the same store.

Each command is timed twice: as a process (`python -m csq …`, start-up included, as cron sees it; CPU from
the operating system's count for finished children) and in one process called again and again
(csq.cli.timing, the best of a few calls), which is the work the command does past start-up and what the
ratio is taken on.
"""
from __future__ import annotations

import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from csq.bench.timing import aggregate_tickets, best
from csq.store import open_store

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("kpi", "--by", "month"),
    ("kpi", "--by", "team"),
    ("kpi", "--by", "month", "--where", "channel=phone"),
    ("spc", "--indicator", "frt_sla_rate"),
    ("scorecard", "--by", "agent"),
    ("actions", "--verify"),
)


@dataclass(frozen=True)
class CommandCost:
    """One command: process wall and CPU seconds, in-process seconds, and those against the aggregate."""

    command: str
    process_wall_s: float
    process_cpu_s: float
    in_process_s: float
    vs_aggregate: float | None


def _process(args: tuple[str, ...], db: Path) -> tuple[float, float]:
    """Return (wall s, CPU s) of `python -m csq ARGS --db DB --json` run as its own process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "csq", *args, "--db", str(db), "--json"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def _in_process(args: tuple[str, ...], db: Path, runs: int = 3) -> float:
    """Return the best wall seconds of the command called `runs` times in one process (csq.cli.timing)."""
    out = subprocess.run([sys.executable, "-m", "csq.cli.timing", str(runs), *args, "--db", str(db), "--json"],
                         check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def command_costs(db: Path) -> tuple[float, list[CommandCost]]:
    """Return (one full-scan aggregate in seconds, each command's cost) on the store at db."""
    store = open_store(db, read_only=True)
    try:
        floor = best(lambda: aggregate_tickets(store))
    finally:
        store.close()
    out = []
    for args in COMMANDS:
        wall, cpu = _process(args, db)
        inside = _in_process(args, db)
        out.append(CommandCost(" ".join(args), round(wall, 3), round(cpu, 3), round(inside, 3),
                               round(inside / floor, 1) if floor else None))
    return floor, out
