"""`python -m csq notify [--quarter 2025Q1] [--dry-run]` (SPEC §9): the report and new alerts by e-mail or webhook."""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from csq.operations.notify import Outcome


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `notify` command."""
    p = sub.add_parser("notify", parents=[common], help="send the quarterly report and new alerts (for cron)")
    p.add_argument("--quarter", metavar="YYYYQN", help="send this quarter's report (default: the latest complete "
                                                       "quarter's, once)")
    p.add_argument("--dry-run", action="store_true", help="print what would be sent; send and record nothing")
    p.add_argument("--config", metavar="FILE.toml",
                   help="the configuration holding [csq_notify] (default $CSQ_CONFIG or .streamlit/secrets.toml)")
    p.set_defaults(func=cmd_notify)


def cmd_notify(args: argparse.Namespace) -> int:
    """Send (or with --dry-run show) each channel's new alerts; return 0, or 1 with the reason when a send failed."""
    from pathlib import Path

    from csq.cli.common import open_for, print_json, writing
    from csq.core.months import Period
    from csq.operations import notify
    from csq.operations.config import config_path, load_config

    cfg = load_config(config_path(args.config))
    notify.check_secrets(cfg)
    if args.quarter:
        Period.quarter(args.quarter)   # a bad quarter is refused before the store is opened
    if args.dry_run:
        store = open_for(args, read_only=True)
        try:
            outcomes = [notify.Outcome(c, m) for c, m in
                        notify.messages(store, cfg, notify.plan(store, cfg, args.quarter)).items()]
        finally:
            store.close()
    else:
        with writing(args) as store:
            # Held for the run: what is judged new, the send and its ledger rows see one state of the store.
            outcomes = notify.deliver(store, cfg, notify.messages(store, cfg, notify.plan(store, cfg, args.quarter)))
    if args.json:
        print_json({"dry_run": args.dry_run, "config": str(cfg.path or Path()),
                    "channels": [o.as_dict(args.dry_run) for o in outcomes]})
    else:
        for o in outcomes:
            _print(o, args.dry_run)
    failed = [o for o in outcomes if o.error]
    for o in failed:   # the exit code of csq.errors.NotSent; stdout keeps one JSON object
        print(f"error: {o.channel}: {o.error}", file=sys.stderr)
    return 1 if failed else 0


def _print(o: Outcome, dry_run: bool) -> None:
    """Print one channel's outcome: what it was (or would be) sent, or that nothing was new."""
    if o.message is None:
        print(f"{o.channel}: nothing new to send.")
        return
    head = "would send" if dry_run else ("NOT sent" if o.error else "sent")
    print(f"{o.channel}: {head}: {o.message.subject}")
    for f in o.message.files:
        print(f"  attached: {f.name} ({len(f.data):,} bytes)")
    if dry_run:
        print("  " + o.message.text.replace("\n", "\n  "))
