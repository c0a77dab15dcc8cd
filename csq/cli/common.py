"""What every command shares: opening the store named by --db, JSON output, and reporting an error."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from csq.errors import CsqError
from csq.store import Store, open_store


def print_json(obj: object) -> None:
    """Print an object as indented JSON on stdout (UTF-8 kept readable)."""
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def open_for(args: argparse.Namespace, read_only: bool = False) -> Store:
    """Return the store named by --db (read-only for commands that only read)."""
    return open_store(Path(args.db), read_only=read_only)


def report_error(args: argparse.Namespace, exc: CsqError) -> None:
    """Print a refusal on stderr (and as a JSON object on stdout with --json)."""
    if getattr(args, "json", False):
        print_json({"status": "error", "exit_code": exc.exit_code, "message": exc.message, "fix": exc.fix})
    print(f"error: {exc.message}" + (f"\n  What to do: {exc.fix}" if exc.fix else ""), file=sys.stderr)
