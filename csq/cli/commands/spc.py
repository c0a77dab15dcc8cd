"""`python -m csq spc`: the monthly control chart of one indicator (SPEC §6), the same code as the pages."""
from __future__ import annotations

import argparse

from csq.errors import InputRefused
from csq.metrics.control_limits import CHART_CHOICES


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `spc` subcommand to the CLI parser."""
    p = sub.add_parser("spc", parents=[common], help="control chart of one indicator by month")
    p.add_argument("--indicator", required=True, metavar="KEY", help="an indicator key of SPEC §3, e.g. csat_rate")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM")
    p.add_argument("--where", action="append", metavar="FIELD=VALUE")
    p.add_argument("--chart", choices=CHART_CHOICES, default="auto",
                   help="auto (default): Laney p′ for rates, XmR for the rest; p: the classic p-chart")
    p.add_argument("--baseline", metavar="YYYY-MM:YYYY-MM",
                   help="the months the limits come from, frozen for later months (default: every month shown)")
    p.set_defaults(func=cmd_spc)


def cmd_spc(args: argparse.Namespace) -> int:
    """Print one line (or JSON object) per month, the chart and why, and each broken rule with its months; return 0."""
    from csq.cli.common import filter_for, open_for, print_json
    from csq.cli.numbers import spc_objects
    from csq.metrics.display import format_value
    from csq.metrics.indicators import INDICATORS
    from csq.metrics.spc import Baseline, chart_for
    from csq.metrics.spc_words import chart_reason, explain, signal_lines, spc_json

    key = args.indicator.strip()
    if key not in INDICATORS:
        raise InputRefused(f"Unknown indicator {key!r}.", f"Use one of: {', '.join(INDICATORS)}.")
    f = filter_for(args)
    baseline = Baseline.parse(args.baseline)
    store = open_for(args, read_only=True)
    try:
        chart = chart_for(store, f, key, args.chart, baseline)
    finally:
        store.close()
    if args.json:
        print_json(spc_objects(spc_json(chart), key))
        return 0
    points = chart.points
    if not points:
        print(f"No data for {key} under {f.describe()}.")
        return 0
    print(f"{key} · {f.describe()}")
    print(f"{'month':<8} {'value':>12} {'n':>9} {'centre':>12} {'lcl':>12} {'ucl':>12}  signals")
    for p in points:
        cells = [format_value(key, x) if x is not None else "-" for x in (p.value, p.center, p.lcl, p.ucl)]
        print(f"{p.month:<8} {cells[0]:>12} {p.n:>9,} {cells[1]:>12} {cells[2]:>12} {cells[3]:>12}  "
              f"{', '.join(p.signals) or '-'}")
    print(chart_reason(chart))
    for line in signal_lines(chart):
        print("  " + line)
    for p in points:
        if p.partial:
            print("  " + explain(p))
    if chart.reason == "few_months":
        print("Fewer than 3 months with data: no control limits yet.")
    return 0
