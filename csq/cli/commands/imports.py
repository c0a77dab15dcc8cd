"""`python -m csq import | batches | rollback`: load export files as batches, list them, undo one."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from csq.cli.common import open_for, print_json, writing
from csq.core.kinds import KINDS
from csq.errors import InputRefused

if TYPE_CHECKING:
    from csq.ingest.importer import ImportResult


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `import`, `batches`, `rollback` commands."""
    p = sub.add_parser("import", parents=[common], help="import export files")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--kind", required=True, choices=list(KINDS))
    g = p.add_mutually_exclusive_group()
    g.add_argument("--mapping", metavar="MAP.json")
    g.add_argument("--preset", metavar="NAME")
    p.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    p.add_argument("--skip-bad-rows", action="store_true", help="load the good rows, reject the bad ones")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("batches", parents=[common], help="list import batches")
    p.set_defaults(func=cmd_batches)

    p = sub.add_parser("rollback", parents=[common], help="undo one import batch exactly")
    p.add_argument("batch_id", type=int, metavar="BATCH_ID")
    p.set_defaults(func=cmd_rollback)


def cmd_import(args: argparse.Namespace) -> int:
    """Import files as one all-or-nothing run: if any file is refused, none is written."""
    from csq.ingest.importer import import_files
    from csq.ingest.mapping import get_preset, load_mapping_file

    with writing(args) as store:
        mapping = None
        if args.mapping:
            mapping = load_mapping_file(args.mapping, args.kind)
        elif args.preset:
            mapping = get_preset(store, args.preset)
            if mapping.kind and mapping.kind != args.kind:
                raise InputRefused(f"Preset {args.preset!r} is for {mapping.kind}, not {args.kind}.",
                                   f"Use --kind {mapping.kind} or another preset.")
        results = import_files(store, [Path(f) for f in args.files], args.kind, mapping,
                               dry_run=args.dry_run, skip_bad_rows=args.skip_bad_rows)
    if args.json:
        print_json([r.as_dict() for r in results])
    else:
        for r in results:
            _print_import(r)
    return 2 if any(r.status == "refused" for r in results) else 0


def _print_import(r: ImportResult) -> None:
    """Print one file's import report as text; return nothing."""
    if r.status == "duplicate":
        print(f"{r.file}: duplicate of batch {r.batch_id} (nothing loaded)")
    else:
        print(f"{r.file}: {r.status}" + (f" (batch {r.batch_id})" if r.batch_id else ""))
    print(f"  read {r.rows_read}, loaded {r.rows_loaded}, replaced {r.rows_replaced}, "
          f"collapsed {r.rows_collapsed}, rejected {r.rows_rejected}")
    if r.message:
        print(f"  {r.message}")
    for field_name, vals in r.unknown_values.items():
        shown = ", ".join(f"{k!r}×{v}" for k, v in list(vals.items())[:10])
        print(f"  unknown {field_name} values mapped to a default: {shown}")
    for e in [e for e in r.errors if e.row or e.column][:20]:
        where = ", ".join(x for x in (f"row {e.row}" if e.row else "", f"column {e.column}" if e.column else "") if x)
        print(f"  - {where + ': ' if where else ''}{e.message}")
    if r.error_count > 20:
        print(f"  … and {r.error_count - 20} more problem(s); use --json for the first 1000.")
    if r.fix:
        print(f"  What to do: {r.fix}")


def cmd_batches(args: argparse.Namespace) -> int:
    """List every import batch, marking names that no sign-in verified; return the exit code."""
    from csq.store.batches import list_batches

    store = open_for(args, read_only=True)
    try:
        batches = list_batches(store)
    finally:
        store.close()
    if args.json:
        print_json([b.as_dict() for b in batches])
        return 0
    if not batches:
        print("No batches yet. Import a file with `python -m csq import FILE --kind tickets`.")
    for b in batches:
        who = b.user_name if b.user_verified else f"{b.user_name} (unverified)"
        print(f"{b.batch_id:>5}  {b.created_at:%Y-%m-%d %H:%M}  {b.status:<11} {b.kind:<9} {b.rows_loaded:>8} rows "
              f"(replaced {b.rows_replaced})  {who}  {b.source}")
    if any(not b.user_verified for b in batches):
        print("(unverified: the name was asserted by $CSQ_USER or the OS user, or recorded before csq kept "
              "where names come from; only a sign-in through the identity provider verifies it)")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Roll back one batch."""
    from csq.store.batches import rollback

    with writing(args) as store:
        result = rollback(store, args.batch_id)
    if args.json:
        print_json({"status": "rolled_back", **result})
    else:
        print(f"Batch {args.batch_id} rolled back: {result['rows_removed']} rows removed, "
              f"{result['rows_restored']} earlier versions restored.")
    return 0
