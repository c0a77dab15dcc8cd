"""`python -m csq report --quarter 2025Q1 --out FILE.html|FILE.xlsx` (SPEC §6)."""
from __future__ import annotations

import argparse
from pathlib import Path

from csq.core.months import Period


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `report` command."""
    p = sub.add_parser("report", parents=[common], help="write the quarterly report as HTML (prints on A4) or Excel "
                                                        "(one sheet per table)")
    p.add_argument("--quarter", required=True, metavar="YYYYQN", help="e.g. 2025Q1")
    p.add_argument("--out", required=True, metavar="FILE.html|FILE.xlsx")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the report and say where; return the exit code."""
    from csq.cli.common import open_for, print_json
    from csq.overview import report

    out = Path(args.out)
    report.check_output(out)  # checked before the store is opened: a typo costs nothing
    Period.quarter(args.quarter)  # a bad quarter is refused before the store is opened
    store = open_for(args, read_only=True)
    try:
        rep = report.build(store, args.quarter, args.lang)
    finally:
        store.close()
    path = report.write(rep, out)
    cov = rep.coverage
    if args.json:
        print_json({"status": "written", "quarter": rep.quarter, "out": str(path), "bytes": path.stat().st_size,
                    "complete": not cov.partial, "months_with_data": list(cov.with_data), "running": cov.running,
                    "off_target": [f.key for f in rep.findings]})
    else:
        print(f"Quarterly report {rep.quarter} written to {path} ({path.stat().st_size:,} bytes).")
        if cov.partial:
            shown = ", ".join(cov.with_data) or "none"
            running = f"; {cov.running} is still in progress" if cov.running else ""
            print(f"The quarter is incomplete: months with data: {shown}{running}.")
    return 0
