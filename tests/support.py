"""Shared test helpers: paths to the shared samples, a store snapshot, and running the CLI."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
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


def run_cli(*args: str, db: Path, env: dict[str, str] | None = None, timeout: int = 300
            ) -> subprocess.CompletedProcess[str]:
    """Run `python -m csq ARGS --db DB` from the project root; return the finished process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "csq", *args, "--db", str(db)], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def cli_json(*args: str, db: Path) -> object:
    """Run a CLI command with --json and return its decoded output (asserting exit code 0)."""
    proc = run_cli(*args, "--json", db=db)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return json.loads(proc.stdout)
