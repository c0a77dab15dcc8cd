"""Benchmarks of `python -m csq bench`: import against DuckDB's reader, SLA clocks, page renders."""
