"""`python -m csq bench`: the import and page benchmarks."""
from __future__ import annotations

import argparse
from pathlib import Path

from csq.cli.common import print_json


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `bench` command."""
    p = sub.add_parser("bench", parents=[common], help="import speed benchmark")
    p.add_argument("--tickets", type=int, default=1_000_000)
    p.add_argument("--render", nargs="+", metavar="PATH",
                   help="instead: time pages (e.g. / /monitoring) in headless Chromium on the --db store")
    p.set_defaults(func=cmd_bench)


def cmd_bench(args: argparse.Namespace) -> int:
    """Time importing a generated ticket CSV against DuckDB's own read_csv."""
    from csq.bench.imports import run_bench

    if args.render:
        from csq.bench.render import render_times

        result: dict[str, object] = {"store": args.db, **render_times(Path(args.db), args.render)}
    else:
        result = run_bench(args.tickets)
    print_json(result) if args.json else print("\n".join(f"{k}: {v}" for k, v in result.items()))
    return 0
