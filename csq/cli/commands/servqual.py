"""`python -m csq servqual`: SERVQUAL dimension E, P, gap and n, and the weighted and unweighted gap."""
from __future__ import annotations

import argparse
import sys

from csq.cli.common import filter_for, open_for, print_json
from csq.cli.numbers import servqual_object


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the servqual command to the CLI."""
    p = sub.add_parser("servqual", parents=[common], help="SERVQUAL gaps per dimension (SPEC §6)")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM")
    p.add_argument("--where", action="append", metavar="FIELD=VALUE")
    p.set_defaults(func=run)


def _fmt(x: object, sign: bool = False) -> str:
    """Return a number with two decimals (signed for gaps), or 'no data'."""
    if x is None:
        return "no data"
    return f"{float(x):+.2f}" if sign else f"{float(x):.2f}"  # type: ignore[arg-type]


def run(args: argparse.Namespace) -> int:
    """Print the SERVQUAL summary for the period; return the exit code."""
    from csq.evaluation import servqual

    f = filter_for(args)
    if f.conditions():
        print("note: SERVQUAL responses carry no ticket fields, so a --where condition matches no response.",
              file=sys.stderr)
    store = open_for(args, read_only=True)
    try:
        result = servqual.summary(store, f)
    finally:
        store.close()
    if args.json:
        print_json(servqual_object(result))
        return 0
    print(f"{'dimension':<16}{'E':>8}{'P':>8}{'gap':>8}{'n':>7}")
    for d in result["dimensions"]:  # type: ignore[union-attr]
        print(f"{d['dimension']:<16}{_fmt(d['expectation']):>8}{_fmt(d['perception']):>8}"
              f"{_fmt(d['gap'], True):>8}{d['n']:>7}")
    print(f"unweighted gap {_fmt(result['unweighted_gap'], True)} · weighted gap {_fmt(result['weighted_gap'], True)}"
          f" · respondents {result['respondents']}")
    return 0
