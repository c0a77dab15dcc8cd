"""Engines beside DuckDB for the indicator queries (SPEC §6 `kpi --engine`, §9 past one machine).

`compute_on(engine)` returns the compute() to run: DuckDB's own (csq.metrics.engine), or chDB's
(csq.engines.chdb_engine), which runs the same SQL, translated by sqlglot (csq.engines.dialect), on an
in-process ClickHouse over a Parquet snapshot of the store (csq.engines.snapshot). chDB is an optional
dependency (requirements-engine.txt): only chdb_engine imports it, and only when that engine is asked for.
"""
from __future__ import annotations

from collections.abc import Callable

from csq.errors import InputRefused

ENGINES = ("duckdb", "chdb")


def compute_on(engine: str) -> Callable[..., list]:
    """Return the compute() of an engine (same arguments and Results as csq.metrics.engine.compute).

    Raises InputRefused (exit 2) for an unknown engine, and for chdb when chDB is not installed.
    """
    if engine == "duckdb":
        from csq.metrics.engine import compute
        return compute
    if engine != "chdb":
        raise InputRefused(f"Unknown engine {engine!r}.", f"Use one of: {', '.join(ENGINES)}.")
    try:
        from csq.engines.chdb_engine import compute as on_chdb
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("chdb", "sqlglot"):
            raise   # a fault of csq's own, not a missing optional package
        raise InputRefused(f"The chdb engine is not installed here ({exc.name or exc}).",
                           "pip install -r requirements-engine.txt, or run without --engine chdb.") from exc
    return on_chdb
