"""`python -m csq callbacks plan|due`: the quarter's seeded callback plan, the second callbacks due (SPEC §4d, §6)."""
from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `callbacks` command with its `plan` and `due` subcommands."""
    p = sub.add_parser("callbacks", parents=[common], help="customer callbacks: the quarter's plan, second ones due")
    actions = p.add_subparsers(dest="callbacks_action", required=True)
    plan = actions.add_parser("plan", parents=[common], help="draw and store the quarter's plan (SPEC §4d)")
    plan.add_argument("--quarter", required=True, metavar="YYYYQn", help="e.g. 2026Q1")
    plan.add_argument("--per-agent", type=int, default=None, metavar="N",
                      help="customers per engineer (default: the callbacks_per_agent setting, 5)")
    plan.add_argument("--seed", type=int, default=1, help="seed of the draw (default 1); the same seed draws the same")
    plan.add_argument("--out", metavar="FILE.csv|FILE.xlsx",
                      help="also write the callers' sheet (contact data unmasked only for admin, and audited)")
    plan.add_argument("--lang", choices=("zh", "en"), default="zh", help="headers of the --out sheet (default zh)")
    plan.add_argument("--replace", action="store_true",
                      help="the quarter has a different plan: withdraw its callbacks not yet made and draw them again")
    plan.set_defaults(func=run_plan)
    due = actions.add_parser("due", parents=[common], help="callbacks needing a second callback, due or overdue")
    due.set_defaults(func=run_due)


def run_plan(args: argparse.Namespace) -> int:
    """Draw (or find) the quarter's plan, print it and write --out; return the exit code."""
    from csq.callbacks import sheets
    from csq.callbacks.plan import make_plan
    from csq.cli.common import out_format, print_json, writing
    from csq.core.privacy import mask_id, sees_masked

    fmt = out_format(args.out, "plan.xlsx")  # refused before the store is opened: a typo draws nothing
    masked = sees_masked(None)
    with writing(args) as store:
        plan = make_plan(store, args.quarter, args.per_agent, args.seed, args.replace)
        data = None
        if fmt:
            data = (sheets.plan_export(plan.rows, fmt, args.lang, None) if masked
                    else sheets.caller_export(store, plan.quarter, fmt, args.lang, None))
    if data is not None:
        Path(args.out).write_bytes(data)
    if args.json:
        print_json([{**r.as_json(), "customer_id": mask_id(r.customer_id) if masked else r.customer_id}
                    for r in plan.rows])
        return 0
    what = {"planned": f"stored as batch {plan.batch_id}", "replaced":
            f"batch {plan.batch_id}: {plan.withdrawn} not yet made withdrawn, {plan.kept} made kept",
            "unchanged": "already stored; nothing written"}[plan.status]
    print(f"Callback plan {plan.quarter}: {len(plan.rows)} callbacks, {plan.per_agent} per engineer, seed {plan.seed} "
          f"({what}).")
    for agent, missing in sorted(plan.short.items()):
        print(f"  {agent}: {missing} fewer than {plan.per_agent} (not enough customers in the 12 months before)")
    print(f"{'planned_for':<12}{'callback_id':<18}{'agent':<16}customer_id")
    for r in plan.rows:
        shown = mask_id(r.customer_id) if masked else r.customer_id
        print(f"{r.planned_for!s:<12}{r.callback_id:<18}{r.agent:<16}{shown}")
    if data is not None:
        print(f"Written to {args.out} ({len(data):,} bytes)" + ("" if masked else ", contact data unmasked (audited)")
              + ".")
    return 0


def run_due(args: argparse.Namespace) -> int:
    """Print the callbacks needing a second callback that lack one; return the exit code."""
    from csq.callbacks.results import due
    from csq.cli.common import open_for, print_json
    from csq.core.privacy import sees_masked

    store = open_for(args, read_only=True)
    try:
        found = due(store, unmask=not sees_masked(None))
    finally:
        store.close()
    if args.json:
        print_json([d.as_json() for d in found])
        return 0
    if not found:
        print("No second callbacks due.")
        return 0
    print(f"{len(found)} second callbacks due ({sum(d.overdue for d in found)} overdue):")
    print(f"{'status':<9}{'due_by':<21}{'callback_id':<18}{'agent':<16}{'customer_id':<14}reasons")
    for d in found:
        print(f"{'overdue' if d.overdue else 'due':<9}{d.due_by:%Y-%m-%d %H:%M}{'':<5}{d.callback_id:<18}"
              f"{d.agent or '':<16}{d.customer_id:<14}{', '.join(d.reasons)}")
    return 0
