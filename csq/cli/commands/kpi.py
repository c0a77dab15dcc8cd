"""`python -m csq kpi`: indicators for a period, filters and grouping."""
from __future__ import annotations

import argparse
from datetime import datetime

from csq.cli.common import filter_for, open_for, print_json
from csq.cli.numbers import kpi_object
from csq.errors import InputRefused

BY_HELP = ("group by one or more of: month, day (YYYY-MM-DD), week (ISO week, YYYY-Www), channel, team, type, "
           "category, priority, agent, queue (calls only)")
# SPEC §6 names only ticket fields for --where; queue is a field of calls alone. Under it (or grouped by it) the
# indicators of every other kind show no data rather than their unfiltered figures, and the text output says so.
CALLS_ONLY_NOTE = ("{fields} is a field of calls only: indicators of other record kinds show no data under it "
                   "(a count shows 0).")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `kpi` command."""
    p = sub.add_parser("kpi", parents=[common], help="indicators for a period, filters and grouping")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM")
    p.add_argument("--by", nargs="+", action="extend", metavar="FIELD", help=BY_HELP)
    p.add_argument("--where", action="append", metavar="FIELD=VALUE")
    p.add_argument("--indicators", metavar="KEY,KEY")
    p.add_argument("--clock", choices=["calendar", "business"], default="calendar",
                   help="clock of the duration indicators frt_*, art_*: calendar time (default), or the business "
                        "time of each ticket's SLA rule less pauses (SPEC §4a)")
    p.add_argument("--engine", choices=["duckdb", "chdb"], default="duckdb",
                   help="where the indicator queries run: the store's DuckDB (default), or chDB, an in-process "
                        "ClickHouse, over a Parquet snapshot of the store (pip install -r requirements-engine.txt)")
    p.set_defaults(func=cmd_kpi)


def effective_period(date_from: str | None, date_to: str | None, months: tuple[str, ...]
                     ) -> tuple[str | None, str | None]:
    """Return the (from, to) months a run covers: the ones given, else the data's first and last month."""
    return (date_from or (months[0] if months else None)), (date_to or (months[-1] if months else None))


def period_line(date_from: str | None, date_to: str | None, months: tuple[str, ...], as_of: datetime | None
                ) -> str:
    """Return the first line of the text output: the period, which bounds come from the data, and the "as of" time."""
    first, last = effective_period(date_from, date_to, months)
    if first is None and last is None:
        period = "all months (the store holds no dated record yet)"
    else:
        from_data = [w for w, given in (("first", date_from), ("last", date_to)) if not given]
        period = f"{first or '…'} to {last or '…'}"
        period += f" ({' and '.join(from_data)} month with data)" if from_data and months else ""
    moment = f"as of {as_of:%Y-%m-%d %H:%M} (the latest ticket time)" if as_of else "as of: no ticket yet"
    return f"Period {period} · {moment}"


def cmd_kpi(args: argparse.Namespace) -> int:
    """Print indicators for a period, filters and grouping."""
    from csq.engines import compute_on
    from csq.metrics.asof import as_of
    from csq.metrics.choices import catalog
    from csq.metrics.display import format_value
    from csq.metrics.filters import CALL_ONLY_FIELDS
    from csq.metrics.indicators import CLOCK_NOTE, INDICATORS

    keys = [k.strip() for k in args.indicators.split(",")] if args.indicators else None
    if keys:
        unknown = [k for k in keys if k not in INDICATORS]
        if unknown:
            raise InputRefused(f"Unknown indicator(s): {', '.join(unknown)}.", f"Use keys from: {', '.join(INDICATORS)}.")
    by = [b for part in (args.by or []) for b in part.split(",") if b]
    f = filter_for(args, by)
    compute = compute_on(args.engine)   # refused (exit 2) before the store is opened when chDB is missing
    store = open_for(args, read_only=True)
    try:
        rows = compute(store, f, by=by, indicators=keys, clock=args.clock)
        months, moment = catalog(store).months, as_of(store)
    finally:
        store.close()
    first, last = effective_period(f.period_from, f.period_to, months)
    if args.json:
        print_json([_with_period(kpi_object(r.as_json()), by, first, last) for r in rows])
        return 0
    print(period_line(f.period_from, f.period_to, months, moment))
    if args.clock == "business":
        print(f"Durations (frt_*, art_*) on the business clock. {CLOCK_NOTE[0]}")
    calls_only = [x for x in CALL_ONLY_FIELDS if x in f.conditions() or x in by]
    if calls_only and any(INDICATORS[k].kind != "calls" for k in keys or INDICATORS):
        print(CALLS_ONLY_NOTE.format(fields=", ".join(calls_only)))
    for row in rows:
        group = " · ".join(f"{g}={row.group(g)}" for g in by) or "all"
        print(f"[{group}]")
        for key in keys or list(INDICATORS):
            print(f"  {key:<32} {format_value(key, row.value(key)):>14}   n={row.n(key)}")
    return 0


def _with_period(obj: dict[str, object], by: list[str], first: str | None, last: str | None) -> dict[str, object]:
    """Return a kpi object with "from" and "to" (the effective period) placed after its group fields."""
    groups = {k: obj[k] for k in by if k in obj}
    return {**groups, "from": first, "to": last, **{k: v for k, v in obj.items() if k not in groups}}
