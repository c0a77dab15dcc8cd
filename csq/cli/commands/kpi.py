"""`python -m csq kpi`: indicators for a period, filters and grouping."""
from __future__ import annotations

import argparse

from csq.cli.common import open_for, print_json
from csq.errors import InputRefused


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `kpi` command."""
    p = sub.add_parser("kpi", parents=[common], help="indicators for a period, filters and grouping")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM")
    p.add_argument("--by", nargs="+", action="extend", metavar="FIELD",
                   help="month, channel, team, type, category, priority, agent")
    p.add_argument("--where", action="append", metavar="FIELD=VALUE")
    p.add_argument("--indicators", metavar="KEY,KEY")
    p.set_defaults(func=cmd_kpi)


def cmd_kpi(args: argparse.Namespace) -> int:
    """Print indicators for a period, filters and grouping."""
    from csq.metrics.display import format_value
    from csq.metrics.engine import compute
    from csq.metrics.filters import Filter
    from csq.metrics.indicators import INDICATORS

    keys = [k.strip() for k in args.indicators.split(",")] if args.indicators else None
    if keys:
        unknown = [k for k in keys if k not in INDICATORS]
        if unknown:
            raise InputRefused(f"Unknown indicator(s): {', '.join(unknown)}.", f"Use keys from: {', '.join(INDICATORS)}.")
    by = [b for part in (args.by or []) for b in part.split(",") if b]
    f = Filter.from_pairs(args.date_from, args.date_to, args.where or [])
    store = open_for(args, read_only=True)
    try:
        rows = compute(store, f, by=by, indicators=keys)
    finally:
        store.close()
    if args.json:
        print_json([r.as_json() for r in rows])
        return 0
    for row in rows:
        group = " · ".join(f"{g}={row.group(g)}" for g in by) or "all"
        print(f"[{group}]")
        for key in keys or list(INDICATORS):
            print(f"  {key:<32} {format_value(key, row.value(key)):>14}   n={row.n(key)}")
    return 0
