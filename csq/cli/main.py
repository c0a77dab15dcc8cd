"""The command line of SPEC §6: a thin layer over the csq library, one module per command in csq/cli/commands."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from csq.cli.commands import (
    actions,
    bench,
    callbacks,
    demo,
    imports,
    kpi,
    notify,
    qa_sample,
    report,
    scorecard,
    servqual,
    settings,
    spc,
    staffing,
    watch,
)
from csq.cli.common import report_error
from csq.errors import CsqError
from csq.store.connection import default_db_path

COMMANDS = (demo, imports, kpi, servqual, scorecard, spc, actions, report, settings, bench, staffing, qa_sample,
            watch, notify, callbacks)


def common_options(defaults: bool) -> argparse.ArgumentParser:
    """Return a parent parser holding --db and --json; without defaults, for the copy each command gets.

    The main parser and every command both accept the options, so `--json kpi` and `kpi --json` work alike.
    The command's copy must not have defaults of its own: argparse would write them over what the main parser
    read before the command name (argparse.SUPPRESS leaves an option out of the namespace unless it is given).
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=str(default_db_path()) if defaults else argparse.SUPPRESS,
                        help="store path (default data/csq.duckdb or $CSQ_DB)")
    common.add_argument("--json", action="store_true", default=False if defaults else argparse.SUPPRESS,
                        help="machine-readable output on stdout")
    return common


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every command."""
    parser = argparse.ArgumentParser(prog="python -m csq", description="csq service-quality store and indicators",
                                     parents=[common_options(defaults=True)])
    sub = parser.add_subparsers(dest="command", required=True)
    per_command = common_options(defaults=False)
    for command in COMMANDS:
        command.register(sub, per_command)
    return parser


def _run(args: argparse.Namespace) -> int:
    """Return the exit code of the command args name, reporting a csq error or an interrupt on the way."""
    try:
        return args.func(args)
    except CsqError as exc:
        report_error(args, exc)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted; the store is unchanged by the unfinished step.", file=sys.stderr)
        return 1


def _discard_stdout() -> None:
    """Return nothing; point stdout at the null device so the exit flush of unread output cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file (e.g. redirected in-process): nothing to flush
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (0 ok, 2 refused, 3 store busy, 1 unexpected).

    A reader that stops early (`python -m csq kpi | head`) is not an error: the command has done its work,
    so the rest of the output is dropped and the exit code is 0, without a traceback.
    """
    try:
        try:
            return _run(build_parser().parse_args(argv))
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()
        return 0
