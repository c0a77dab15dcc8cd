"""`python -m csq.dashboard.profile --db PATH PAGE`: one page's server time and DuckDB time, cold then warm.

The benchmark (csq.bench.pages) runs this once per page, each in a new process, so "cold" is the page's first
run after a server start: its caches are empty and the store has just been opened. "Warm" is the same page
run again with the same filters, as a rerun after a click is. It runs the real app.py through Streamlit's
AppTest, so the time is what the server spends on the page, its tables and figures included.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from streamlit.testing.v1 import AppTest

from csq.store.connection import QUERIES

APP = Path(__file__).resolve().parents[2] / "app.py"
PAGES = {"/": None, "/monitoring": "app_pages/monitoring.py", "/evaluation": "app_pages/evaluation.py",
         "/improvement": "app_pages/improvement.py", "/satisfaction": "app_pages/satisfaction.py",
         "/telephony": "app_pages/telephony.py", "/callbacks": "app_pages/callbacks.py",
         "/import": "app_pages/import.py", "/settings": "app_pages/settings.py", "/audit": "app_pages/audit.py"}


@dataclass(frozen=True)
class PageRun:
    """One run of a page: server seconds, seconds waiting on DuckDB, queries run, and whether it raised."""

    server_s: float
    query_s: float
    queries: int
    error: str | None


def _run(at: AppTest) -> PageRun:
    """Return the cost of one run of the app as it stands (its page and filters)."""
    s0, q0, t0 = QUERIES.seconds, QUERIES.queries, time.perf_counter()
    at.run()
    server = time.perf_counter() - t0
    error = "; ".join(str(e.value)[:200] for e in at.exception) or None
    return PageRun(round(server, 4), round(QUERIES.seconds - s0, 4), QUERIES.queries - q0, error)


def profile(db: Path, path: str, role: str = "admin") -> dict[str, object]:
    """Return the page's cold and warm runs (and the home page's first run, which a switch needs first)."""
    os.environ["CSQ_DB"], os.environ["CSQ_ROLE"] = str(db), role
    at = AppTest.from_file(str(APP), default_timeout=1800)
    home = _run(at)  # AppTest can only switch pages after a first run; on "/" that run is the cold one
    if PAGES[path] is None:
        cold = home
    else:
        at.switch_page(PAGES[path])
        cold = _run(at)
    warm = _run(at)
    return {"page": path, "home_first": asdict(home), "cold": asdict(cold), "warm": asdict(warm)}


def main(argv: list[str] | None = None) -> int:
    """Print one page's profile as JSON; return the exit code (1 when a run raised)."""
    parser = argparse.ArgumentParser(prog="python -m csq.dashboard.profile")
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("page", choices=list(PAGES))
    args = parser.parse_args(argv)
    out = profile(args.db, args.page)
    print(json.dumps(out))
    return 1 if out["cold"]["error"] or out["warm"]["error"] else 0  # type: ignore[index]


if __name__ == "__main__":
    sys.exit(main())
