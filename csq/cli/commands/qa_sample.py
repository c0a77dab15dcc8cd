"""`python -m csq qa-sample --week 2026-W05`: draw, store and print (or write) the week's QA sample (SPEC §4d, §6)."""
from __future__ import annotations

import argparse
from pathlib import Path

from csq.errors import InputRefused


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `qa-sample` command."""
    p = sub.add_parser("qa-sample", parents=[common], help="draw the week's QA sample per agent (SPEC §4d)")
    p.add_argument("--week", required=True, metavar="YYYY-Www", help="ISO week, e.g. 2026-W05")
    p.add_argument("--per-agent", type=int, default=None, metavar="N",
                   help="tickets per agent (default: the qa_sample_per_agent setting, 5; new agents get twice)")
    p.add_argument("--seed", type=int, default=1, help="seed of the draw (default 1); the same seed draws the same")
    p.add_argument("--out", metavar="FILE.csv|FILE.xlsx", help="also write the sample for evaluators")
    p.add_argument("--replace", action="store_true",
                   help="draw a week that already has a sample again (the earlier draw is kept, marked replaced)")
    p.add_argument("--stored", action="store_true", help="print (or write) the week's stored sample; draw nothing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Draw (or read) the sample, print it and write --out; return the exit code."""
    from csq.cli.common import open_for, out_format, print_json, writing
    from csq.core.privacy import sees_masked
    from csq.evaluation import sampling

    fmt = out_format(args.out, "sample.xlsx")  # refused before the store is opened: a typo draws nothing
    week = sampling.Week.parse(args.week).label
    unmask = not sees_masked(None)
    if args.stored:
        store = open_for(args, read_only=True)
        try:
            found = sampling.stored(store, week)
            if found is None:
                raise InputRefused(f"Week {week} has no QA sample.", f"Draw it: python -m csq qa-sample --week {week}.")
            data = sampling.sample_export(store, week, fmt, unmask) if fmt else None
        finally:
            store.close()
    else:
        with writing(args) as store:
            found = sampling.draw(store, week, args.per_agent, args.seed, args.replace)
            data = sampling.sample_export(store, week, fmt, unmask) if fmt else None
    if data is not None:
        Path(args.out).write_bytes(data)
    if args.json:
        print_json([t.as_json() for t in found.tickets])
        return 0
    r = found.rules
    print(f"QA sample {found.week}: {len(found.tickets)} tickets (draw {found.draw_id}, seed {r.seed}, {r.per_agent} "
          f"per agent, ×{r.new_agent_factor} for agents hired < {r.new_agent_days} days; drawn by {found.drawn_by} "
          f"{found.drawn_at:%Y-%m-%d %H:%M})" + (f"; replaces draw {found.replaced}" if found.replaced else ""))
    print(f"{'agent':<20}{'#':>3}  {'reason':<10}ticket_id")
    for t in found.tickets:
        print(f"{t.agent:<20}{t.pick:>3}  {t.reason:<10}{t.ticket_id}")
    if data is not None:
        print(f"Written to {args.out} ({len(data):,} bytes).")
    return 0
