"""`python -m csq staffing`: Erlang C agents and headcount per weekday and half-hour against who answered (SPEC §4e)."""
from __future__ import annotations

import argparse

from csq.cli.common import filter_for, open_for, print_json

_WEEKDAYS = ("", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `staffing` command."""
    p = sub.add_parser("staffing", parents=[common], help="Erlang C staffing per weekday and half-hour (SPEC §4e)")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM")
    p.add_argument("--target", type=float, default=0.8, help="service-level target, a fraction (default 0.8)")
    p.add_argument("--within", type=float, default=None,
                   help="seconds the target counts within (default: the service_level_s setting, 20)")
    p.add_argument("--shrinkage", type=float, default=0.3, help="share of paid time off the phones (default 0.3)")
    p.add_argument("--weeks", type=int, default=8, help="weeks of calls the forecast averages (default 8)")
    p.add_argument("--volume", type=float, default=0.0, metavar="PERCENT",
                   help="what-if: change the forecast volume by this many percent (e.g. 10)")
    p.add_argument("--aht", type=float, default=None, metavar="SECONDS", help="what-if: one AHT for every interval")
    p.set_defaults(func=run, where=None)


def run(args: argparse.Namespace) -> int:
    """Print the staffing table; return the exit code."""
    from csq.cli.numbers import staffing_object
    from csq.telephony.staffing import WhatIf, staffing

    f = filter_for(args)
    store = open_for(args, read_only=True)
    try:
        table = staffing(store, f, args.weeks, WhatIf(args.target, args.within, args.shrinkage, args.volume / 100,
                                                      args.aht))
    finally:
        store.close()
    if args.json:
        print_json([staffing_object(i.as_json()) for i in table.intervals])
        return 0
    if table.start is None:
        print("No inbound calls in the period.")
        return 0
    print(f"Calls {table.start} to {table.end} (last {table.weeks} weeks) · target {table.what_if.target:.0%} within "
          f"{table.within_s:g} s · shrinkage {table.what_if.shrinkage:.0%}")
    print(f"{'day':<4}{'interval':>9}{'calls':>8}{'AHT s':>8}{'agents':>7}{'SL':>7}{'ASA s':>7}{'occ':>6}"
          f"{'heads':>7}{'answered':>9}{'gap':>6}")
    for i in table.intervals:
        print(f"{_WEEKDAYS[i.weekday]:<4}{i.interval:>9}{i.calls:>8.1f}{_n(i.aht_s, 0):>8}{_n(i.agents, 0):>7}"
              f"{_p(i.service_level):>7}{_n(i.asa_s, 1):>7}{_p(i.occupancy):>6}{_n(i.headcount, 1):>7}"
              f"{i.answered_by:>9.1f}{_n(i.gap, 1):>6}")
    return 0


def _n(x: float | None, places: int) -> str:
    """Return a number with `places` decimals, or '–'."""
    return "–" if x is None else f"{x:.{places}f}"


def _p(x: float | None) -> str:
    """Return a fraction as a whole percentage, or '–'."""
    return "–" if x is None else f"{x:.0%}"
