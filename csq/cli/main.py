"""The command line of SPEC §6: a thin layer over the csq library, one module per command in csq/cli/commands."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from csq.cli.commands import actions, bench, demo, imports, kpi, report, scorecard, servqual, spc
from csq.cli.common import report_error
from csq.errors import CsqError
from csq.store.connection import default_db_path

COMMANDS = (demo, imports, kpi, servqual, scorecard, spc, actions, report, bench)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=str(default_db_path()), help="store path (default data/csq.duckdb or $CSQ_DB)")
    common.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    parser = argparse.ArgumentParser(prog="python -m csq", description="csq service-quality store and indicators",
                                     parents=[common])
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (0 ok, 2 refused, 3 store busy, 1 unexpected)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CsqError as exc:
        report_error(args, exc)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted; the store is unchanged by the unfinished step.", file=sys.stderr)
        return 1
