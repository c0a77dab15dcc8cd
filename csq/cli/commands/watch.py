"""`python -m csq watch DIR [--rules RULES.json] [--once]` (SPEC §9): import what lands in a folder, for cron or systemd."""
from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from csq.errors import InputRefused

if TYPE_CHECKING:
    from csq.operations.watch import Handled


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `watch` command."""
    from csq.operations.inbox import DEFAULT_INTERVAL_S, DEFAULT_SETTLE_S  # the standard library only

    p = sub.add_parser("watch", parents=[common], help="import every file that appears in a folder")
    p.add_argument("folder", metavar="DIR")
    p.add_argument("--rules", metavar="RULES.json", help="file-name patterns → kind and preset or mapping "
                                                         "(default DIR/rules.json; without one, kinds are detected)")
    p.add_argument("--once", action="store_true", help="import what is in DIR now and exit")
    p.add_argument("--interval", type=float, default=DEFAULT_INTERVAL_S, metavar="SECONDS",
                   help=f"seconds between rounds (default {DEFAULT_INTERVAL_S:g})")
    p.add_argument("--settle", type=float, default=DEFAULT_SETTLE_S, metavar="SECONDS",
                   help=f"a file must stay unchanged this long before it is taken (default {DEFAULT_SETTLE_S:g})")
    p.set_defaults(func=cmd_watch)


@contextlib.contextmanager
def _stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """Set `stop` on SIGTERM or SIGINT while the block runs (the file being imported is finished first)."""
    if threading.current_thread() is not threading.main_thread():
        yield   # signals reach the main thread only; a caller on another thread stops through the event
        return
    before = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


def cmd_watch(args: argparse.Namespace) -> int:
    """Watch DIR; return 0, or with --once 3 when a file stayed because the store was busy, 2 when one was refused."""
    from csq.operations.rules import rules_for
    from csq.operations.watch import Watcher, watch

    folder = Path(args.folder)
    if not folder.is_dir():
        raise InputRefused(f"{folder} is not a folder.", "Give the folder the exports are dropped into.")
    if args.interval <= 0 or args.settle < 0:
        raise InputRefused("--interval must be above 0 and --settle at least 0 seconds.",
                           "Write e.g. --interval 30 --settle 5.")
    rules = rules_for(folder, Path(args.rules) if args.rules else None)  # a bad rules file: exit 2, nothing moved
    stop = threading.Event()
    if not args.once:
        where = f"rules {rules.path}" if rules.path else "no rules file: kinds detected from the headers"
        print(f"Watching {folder} every {args.interval:g} s ({where}).", file=sys.stderr, flush=True)

    def show(h: Handled) -> None:
        """Print what became of one file as it happens: a JSON line with --json, else a line of text."""
        if args.json:
            print(json.dumps(h.as_dict(), ensure_ascii=False, default=str), flush=True)
        else:
            print(_line(h), flush=True)

    with _stopped_by_signals(stop):
        handled = watch(Watcher(folder, Path(args.db), rules, args.settle, stop=stop), args.once, args.interval, show)
    if not args.once:
        print("Stopped; every file taken was finished.", file=sys.stderr)
        return 0
    statuses = {h.status for h in handled}
    return 3 if "busy" in statuses else 2 if "refused" in statuses else 0


def _line(h: Handled) -> str:
    """Return one line saying what became of a file."""
    r = h.report
    if h.status == "busy":
        return f"{h.name}: left for the next round, the store is busy ({r.get('message')})"
    if h.status == "unmatched":
        return f"{h.name}: left alone, no rule matches its name"
    if h.status == "stopping":
        return f"{h.name}: left for the next run, the watcher was stopping"
    if h.status == "vanished":
        return f"{h.name}: imported ({r.get('status')}), but it was taken away before it could be moved"
    batch = f" (batch {r.get('batch_id')})" if r.get("batch_id") else ""
    text = f"{h.name}: {h.status}{batch} → {h.moved_to}"
    return text + (f"\n  {r['message']}" if r.get("message") else "")
