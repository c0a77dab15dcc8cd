"""`python -m csq demo`: write the demo center into the store."""
from __future__ import annotations

import argparse

from csq.cli.common import print_json, writing


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `demo` command."""
    p = sub.add_parser("demo", parents=[common], help="write the demo data set")
    p.add_argument("--months", type=int, default=24)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--force", action="store_true", help="replace existing data with the demo data")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    """Write the demo center into the store (kept as is when it already holds data, unless --force)."""
    from csq.demo import generate as demo

    with writing(args) as store:
        if demo.store_has_records(store) and not args.force:
            msg = f"{store.path} already holds data; nothing was changed. Use --force to replace it with demo data."
            print_json({"status": "kept", "message": msg}) if args.json else print(msg)
            return 0
        if args.force:
            demo.reset_records(store)
        counts = demo.generate(store, months=args.months, seed=args.seed, scale=args.scale)
    if args.json:
        print_json({"status": "created", "counts": counts})
    else:
        print(f"Demo data written to {store.path}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    return 0
