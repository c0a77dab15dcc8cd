"""The command line of SPEC §6: a thin layer over the csq library."""
from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from csq import commands
from csq.errors import CsqError, InputRefused, StoreBusy
from csq.store import Store, default_db_path, open_store

Handler = Callable[[argparse.Namespace], int]


def print_json(obj: object) -> None:
    """Print an object as indented JSON on stdout (UTF-8 kept readable)."""
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def open_for(args: argparse.Namespace, read_only: bool = False) -> Store:
    """Return the store named by --db (read-only for commands that only read)."""
    return open_store(Path(args.db), read_only=read_only)


def cmd_demo(args: argparse.Namespace) -> int:
    """Write the demo center into the store (kept as is when it already holds data, unless --force)."""
    from csq import demo

    store = open_for(args)
    try:
        if demo.store_has_records(store) and not args.force:
            msg = f"{store.path} already holds data; nothing was changed. Use --force to replace it with demo data."
            print_json({"status": "kept", "message": msg}) if args.json else print(msg)
            return 0
        if args.force:
            demo.reset_records(store)
        counts = demo.generate(store, months=args.months, seed=args.seed, scale=args.scale)
    finally:
        store.close()
    if args.json:
        print_json({"status": "created", "counts": counts})
    else:
        print(f"Demo data written to {store.path}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import files as one all-or-nothing run: if any file is refused, none is written."""
    from csq.importer import import_files
    from csq.mapping import get_preset, load_mapping_file

    store = open_for(args)
    try:
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
    finally:
        store.close()
    if args.json:
        print_json([r.as_dict() for r in results])
    else:
        for r in results:
            _print_import(r)
    return 2 if any(r.status == "refused" for r in results) else 0


def _print_import(r) -> None:
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
    """List every import batch."""
    from csq.batches import list_batches

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
        print(f"{b.batch_id:>5}  {b.created_at:%Y-%m-%d %H:%M}  {b.status:<11} {b.kind:<9} {b.rows_loaded:>8} rows "
              f"(replaced {b.rows_replaced})  {b.user_name}  {b.source}")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Roll back one batch."""
    from csq.batches import rollback

    store = open_for(args)
    try:
        result = rollback(store, args.batch_id)
    finally:
        store.close()
    if args.json:
        print_json({"status": "rolled_back", **result})
    else:
        print(f"Batch {args.batch_id} rolled back: {result['rows_removed']} rows removed, "
              f"{result['rows_restored']} earlier versions restored.")
    return 0


def cmd_kpi(args: argparse.Namespace) -> int:
    """Print indicators for a period, filters and grouping."""
    from csq.filters import Filter
    from csq.indicators import INDICATORS, compute
    from csq.format import format_value

    keys = [k.strip() for k in args.indicators.split(",")] if args.indicators else None
    if keys:
        unknown = [k for k in keys if k not in INDICATORS]
        if unknown:
            raise InputRefused(f"Unknown indicator(s): {', '.join(unknown)}.", f"Use keys from: {', '.join(INDICATORS)}.")
    by = [b for part in (args.by or []) for b in part.split(",") if b]
    f = Filter.from_pairs(args.date_from, args.date_to, args.where or [])
    store = open_for(args, read_only=True)
    try:
        rows = compute(store, f, by=by, indicators=keys)
    finally:
        store.close()
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        group = " · ".join(f"{g}={row[g]}" for g in by) or "all"
        print(f"[{group}]")
        for key in keys or list(INDICATORS):
            n = row.get("n", {}).get(key)
            print(f"  {key:<32} {format_value(key, row.get(key)):>14}   n={n if n is not None else '-'}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Time importing a generated ticket CSV against DuckDB's own read_csv."""
    from csq.bench import run_bench

    if args.render:
        from csq.render_bench import render_times

        result: dict[str, object] = {"store": args.db, **render_times(Path(args.db), args.render)}
    else:
        result = run_bench(args.tickets)
    print_json(result) if args.json else print("\n".join(f"{k}: {v}" for k, v in result.items()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=str(default_db_path()), help="store path (default data/csq.duckdb or $CSQ_DB)")
    common.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    parser = argparse.ArgumentParser(prog="python -m csq", description="csq service-quality store and indicators",
                                     parents=[common])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", parents=[common], help="write the demo data set")
    p.add_argument("--months", type=int, default=24)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--force", action="store_true", help="replace existing data with the demo data")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("import", parents=[common], help="import export files")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--kind", required=True, choices=["tickets", "surveys", "servqual", "qa", "training", "actions",
                                                      "agents"])
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

    p = sub.add_parser("kpi", parents=[common], help="indicators for a period, filters and grouping")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM")
    p.add_argument("--by", nargs="+", action="extend", metavar="FIELD",
                   help="month, channel, team, type, category, priority, agent")
    p.add_argument("--where", action="append", metavar="FIELD=VALUE")
    p.add_argument("--indicators", metavar="KEY,KEY")
    p.set_defaults(func=cmd_kpi)

    p = sub.add_parser("bench", parents=[common], help="import speed benchmark")
    p.add_argument("--tickets", type=int, default=1_000_000)
    p.add_argument("--render", nargs="+", metavar="PATH",
                   help="instead: time pages (e.g. / /monitoring) in headless Chromium on the --db store")
    p.set_defaults(func=cmd_bench)

    for info in pkgutil.iter_modules(commands.__path__):
        importlib.import_module(f"csq.commands.{info.name}").register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (0 ok, 2 refused, 3 store busy, 1 unexpected)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except StoreBusy as exc:
        _report_error(args, exc)
        return 3
    except CsqError as exc:
        _report_error(args, exc)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted; the store is unchanged by the unfinished step.", file=sys.stderr)
        return 1


def _report_error(args: argparse.Namespace, exc: CsqError) -> None:
    if getattr(args, "json", False):
        print_json({"status": "error", "exit_code": exc.exit_code, "message": exc.message, "fix": exc.fix})
    print(f"error: {exc.message}" + (f"\n  What to do: {exc.fix}" if exc.fix else ""), file=sys.stderr)
