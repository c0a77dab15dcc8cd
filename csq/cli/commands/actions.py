"""`python -m csq actions [--verify]`: the improvement-action register, and the effect check of every action."""
from __future__ import annotations

import argparse
from datetime import date

from csq.cli.common import open_for, print_json
from csq.cli.numbers import effect_object

_LIST_FIELDS = ("action_id", "title", "cause_category", "indicator", "scope", "owner", "start_date", "due_date",
                "completed_at", "pdca_stage", "status", "overdue")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `actions` command."""
    p = sub.add_parser("actions", parents=[common], help="list improvement actions; --verify checks their effect")
    p.add_argument("--verify", action="store_true",
                   help="compare each action's indicator in its scope before and after, with a verdict")
    p.set_defaults(func=cmd_actions)


def _iso(value: object) -> object:
    """Return dates as YYYY-MM-DD, other values unchanged."""
    return value.isoformat() if isinstance(value, date) else value


def cmd_actions(args: argparse.Namespace) -> int:
    """Print the register, or with --verify one effect check per (non-cancelled) action; return 0."""
    from csq.improvement.actions import list_actions
    from csq.improvement.effect import check_all

    store = open_for(args, read_only=True)
    try:
        if args.verify:
            checks = check_all(store)
        else:
            actions = list_actions(store)
    finally:
        store.close()
    if args.verify:
        if args.json:
            print_json([effect_object(c.as_json()) for c in checks])
            return 0
        if not checks:
            print("No actions yet. Import them with `python -m csq import FILE --kind actions`.")
        for c in checks:
            b, a = c.before.as_json(), c.after.as_json()
            p = "" if c.p_value is None else f"  p={c.p_value:.4f} ({c.test})"
            net = f"  {c.net.describe()}" if c.net else ""
            rest = ""
            if c.comparison:
                rb, ra = c.comparison.before, c.comparison.after
                rest = f"  rest of center n={rb.n}/{ra.n}"
            print(f"{c.action_id:<10} {c.verdict:<17} {c.method:<12} {c.indicator or '-'} [{c.scope or 'all'}]  "
                  f"before {b['value']!s:.8} (n={b['n']}, {b['from']}..{b['to']})  "
                  f"after {a['value']!s:.8} (n={a['n']}, {a['from']}..{a['to']}){rest}{p}{net}")
        return 0
    if args.json:
        print_json([{k: _iso(a.get(k)) for k in _LIST_FIELDS} for a in actions])
        return 0
    if not actions:
        print("No actions yet. Import them with `python -m csq import FILE --kind actions`.")
    for a in actions:
        flag = "  OVERDUE" if a["overdue"] else ""
        print(f"{a['action_id']:<10} {a['pdca_stage']:<6} {a['status']:<12} due {_iso(a['due_date']) or '-':<10} "
              f"{a['owner'] or '-'}  {a['title']}{flag}")
    return 0
