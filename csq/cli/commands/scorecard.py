"""`python -m csq scorecard`: the composite 0–100 score, grade and rank per agent or team."""
from __future__ import annotations

import argparse

from csq.cli.common import open_for, print_json
from csq.cli.numbers import scorecard_object
from csq.metrics.filters import Filter


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the scorecard command to the CLI."""
    p = sub.add_parser("scorecard", parents=[common], help="agent or team composite scorecard (SPEC §6)")
    p.add_argument("--by", required=True, choices=["agent", "team"])
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the scorecard; return the exit code."""
    from csq.evaluation import scorecard
    from csq.metrics import choices

    f = Filter.from_pairs(args.date_from, args.date_to, [])
    store = open_for(args, read_only=True)
    try:
        months = choices.catalog(store).months
        # The same previous period as the Evaluation page: None when it would reach before the first data.
        rows = scorecard.scorecard(store, f, args.by, f.previous(months[0]) if months else None)
    finally:
        store.close()
    if args.json:
        print_json([scorecard_object(r) for r in rows])
        return 0
    print(f"{'rank':>5}  {args.by:<20}{'score':>7}  {'grade':<9}{'n':>7}  components")
    for r in rows:
        rank = str(r["rank"]) if r["rank"] is not None else "-"
        score = f"{r['score']:.1f}" if r["score"] is not None else "no data"
        parts = " ".join(f"{k}={r['points_' + k]:.0f}" for k in scorecard.COMPONENTS if r["points_" + k] is not None)
        print(f"{rank:>5}  {r[args.by]!s:<20}{score:>7}  {r['grade'] or '-'!s:<9}{r['n']:>7}  {parts}")
    return 0
