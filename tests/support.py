"""Shared test helpers: paths to the shared samples, a store snapshot, and running the CLI."""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from csq.store import Store

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLES = SHARED / "samples"
REAL = SHARED / "real"
MAPPINGS = Path(__file__).resolve().parent / "mappings"


def snapshot(store: Store) -> dict[str, str]:
    """Return a digest of every table's full content, so 'unchanged' can be asserted exactly."""
    tables = [r[0] for r in store.rows(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1")]
    out = {}
    for t in tables:
        rows = store.rows(f'SELECT CAST(x AS VARCHAR) FROM "{t}" x ORDER BY 1')
        out[t] = hashlib.sha256("\n".join(r[0] for r in rows).encode()).hexdigest()
    return out


def run_cli(*args: str, db: Path, env: dict[str, str] | None = None, timeout: int = 300, process: bool = False
            ) -> subprocess.CompletedProcess[str]:
    """Run `python -m csq ARGS --db DB` and return what it did (exit code, stdout, stderr).

    By default the command runs in this process (csq.cli.main.main, as `python -m csq` does), which saves a
    Python start-up per call. `process=True` runs a real child process: for exit codes of the file lock, which
    DuckDB holds per process, and wherever the test itself keeps the store open.
    """
    argv = [*args, "--db", str(db)]
    if process:
        full_env = {**os.environ, **(env or {})}
        return subprocess.run([sys.executable, "-m", "csq", *argv], cwd=ROOT, env=full_env,
                              capture_output=True, text=True, timeout=timeout)
    from csq.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse refuses bad arguments with exit code 2
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return subprocess.CompletedProcess(["python", "-m", "csq", *argv], code, out.getvalue(), err.getvalue())


def cli_json(*args: str, db: Path, process: bool = False) -> object:
    """Run a CLI command with --json and return its decoded output (asserting exit code 0)."""
    proc = run_cli(*args, "--json", db=db, process=process)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return json.loads(proc.stdout)


def kpi_rows(store: Store, f: object, by: Sequence[str] = (), indicators: Sequence[str] | None = None
             ) -> list[dict[str, object]]:
    """Return compute() as the SPEC §6 `kpi --json` objects, so tests read figures the way the CLI prints them."""
    from csq.metrics.engine import compute

    return [r.as_json() for r in compute(store, f, by, indicators)]  # type: ignore[arg-type]
