"""`python -m csq bench`: the import, indicator and page benchmarks."""
from __future__ import annotations

import argparse
import tempfile
from dataclasses import asdict
from pathlib import Path

from csq.cli.common import print_json


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `bench` command."""
    p = sub.add_parser("bench", parents=[common], help="import, indicator and page speed benchmark")
    p.add_argument("--tickets", type=int, default=1_000_000)
    p.add_argument("--pages", action="store_true",
                   help="only the pages: each page's cold and warm run on a demo store of --tickets tickets")
    p.add_argument("--render", nargs="+", metavar="PATH",
                   help="instead: time pages (e.g. / /monitoring) in headless Chromium on the --db store")
    p.set_defaults(func=cmd_bench)


def _pages(tickets: int) -> dict[str, object]:
    """Return the page figures on a demo store of about `tickets` tickets, made in a temporary folder."""
    from csq.bench.commands import command_costs
    from csq.bench.pages import page_costs, page_store

    with tempfile.TemporaryDirectory(prefix="csq-bench-pages-") as tmp:
        db = Path(tmp) / "pages.duckdb"
        n = page_store(db, tickets)
        floors, costs = page_costs(db)
        _, commands = command_costs(db)
    return {"page_store_tickets": n, "ticket_scan_s": round(floors.scan_s, 4),
            "ticket_aggregate_s": round(floors.aggregate_s, 4),
            "ticket_aggregate_cold_s": round(floors.aggregate_cold_s, 4), "pages": [asdict(c) for c in costs],
            "commands": [asdict(c) for c in commands]}


def _print(result: dict[str, object]) -> None:
    """Print the figures as `key: value` lines and the pages as a table; return nothing."""
    pages, commands = result.pop("pages", None), result.pop("commands", None)
    print("\n".join(f"{k}: {v}" for k, v in result.items()))
    if commands:
        print(f"\n{'command':<34}{'process wall s':>15}{'process CPU s':>14}{'in process s':>13}{'÷ agg':>8}")
        for c in commands:  # type: ignore[union-attr]
            print(f"{c['command']:<34}{c['process_wall_s']:>15.3f}{c['process_cpu_s']:>14.3f}"
                  f"{c['in_process_s']:>13.3f}{c['vs_aggregate'] or 0:>8.1f}")
    if pages:
        print(f"\n{'page':<14}{'cold server s':>14}{'cold queries s':>16}{'queries':>9}{'÷ agg':>8}"
              f"{'warm server s':>15}{'warm queries s':>16}")
        for p in pages:  # type: ignore[union-attr]
            print(f"{p['page']:<14}{p['cold_server_s']:>14.3f}{p['cold_query_s']:>16.3f}{p['cold_queries']:>9}"
                  f"{p['cold_query_vs_aggregate'] or 0:>8.1f}{p['warm_server_s']:>15.3f}{p['warm_query_s']:>16.3f}"
                  + (f"  error: {p['error']}" if p["error"] else ""))
        print("(queries s: time waiting on DuckDB, summed over the page's threads; ÷ agg: cold queries against "
              "ticket_aggregate_cold_s, one full-scan aggregate of the tickets by month as a new process's first query)")


def cmd_bench(args: argparse.Namespace) -> int:
    """Time importing a generated ticket CSV against DuckDB's own read_csv, the indicators and every page."""
    if args.render:
        from csq.bench.render import render_times

        result: dict[str, object] = {"store": args.db, **render_times(Path(args.db), args.render)}
    elif args.pages:
        result = _pages(args.tickets)
    else:
        from csq.bench.imports import run_bench

        result = {**run_bench(args.tickets), **_pages(args.tickets)}
    print_json(result) if args.json else _print(result)
    errors = [p for p in result.get("pages", []) if p["error"]]  # type: ignore[union-attr]
    return 1 if errors else 0
