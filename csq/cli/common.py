"""What every command shares: opening the store named by --db, JSON output, and reporting an error."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from csq.errors import CsqError, InputRefused
from csq.metrics import writer
from csq.store import Store, open_store

if TYPE_CHECKING:
    from csq.metrics.filters import Filter


def print_json(obj: object) -> None:
    """Print an object as indented JSON on stdout (UTF-8 kept readable)."""
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def open_for(args: argparse.Namespace, read_only: bool = False) -> Store:
    """Return the store named by --db (read-only for commands that only read)."""
    return open_store(Path(args.db), read_only=read_only)


@contextmanager
def writing(args: argparse.Namespace) -> Iterator[Store]:
    """Yield the store named by --db open for writing for this command (csq.metrics.writer.writing)."""
    with writer.writing(Path(args.db)) as store:
        yield store


def out_format(out: str | None, example: str) -> str | None:
    """Return the file format --out asks for (csv or xlsx), or raise InputRefused before anything is written."""
    if out is None:
        return None
    path = Path(out)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise InputRefused(f"Cannot write {out}: the file must end in .csv or .xlsx.", f"Use e.g. --out {example}.")
    if not path.parent.is_dir():
        raise InputRefused(f"Cannot write {out}: the folder {path.parent} does not exist.", "Create it first.")
    return fmt


def filter_for(args: argparse.Namespace, by: Sequence[str] = ()) -> Filter:
    """Return the Filter of --from, --to and --where, refused by the personal-field rule of SPEC §10.

    NotAllowed (exit 2) when it or the grouping `by` uses customer_id, customer_name or customer_phone and the
    process role ($CSQ_ROLE) sees them masked.
    """
    from csq.metrics.filters import Filter

    f = Filter.from_pairs(getattr(args, "date_from", None), getattr(args, "date_to", None), args.where or [])
    return f.for_role(None, by)


def report_error(args: argparse.Namespace, exc: CsqError) -> None:
    """Print a refusal on stderr (and as a JSON object on stdout with --json)."""
    if getattr(args, "json", False):
        print_json({"status": "error", "exit_code": exc.exit_code, "message": exc.message, "fix": exc.fix})
    print(f"error: {exc.message}" + (f"\n  What to do: {exc.fix}" if exc.fix else ""), file=sys.stderr)
