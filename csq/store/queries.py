"""Long SQL kept in .sql files beside the code that runs it, filled in with bound fragments, run to Arrow."""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import cache
from importlib import resources

import pyarrow as pa

from csq.store.connection import QUERIES, Store

# A token is {name}; SQL text here never needs braces otherwise.
_TOKEN = re.compile(r"\{(\w+)\}")

Part = str | tuple[str, list[object]]

# Tokens a caller may leave out: the engine narrows them when a query needs no ticket fields.
_DEFAULTS: dict[str, Part] = {"ticket_source": "tickets_current"}


@cache
def _text(package: str, name: str) -> str:
    """Return the text of <package>/sql/<name>.sql."""
    return resources.files(package).joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


class SqlFiles:
    """The .sql files of one package (its `sql/` folder): `load` returns one, `render` fills in its tokens."""

    def __init__(self, package: str) -> None:
        self.package = package

    def load(self, name: str) -> str:
        """Return the text of the package's sql/<name>.sql."""
        return _text(self.package, name)

    def render(self, name: str, **parts: Part) -> tuple[str, list[object]]:
        """Return (sql, params): the file's {tokens} replaced, params collected in the order they appear."""
        params: list[object] = []

        def fill(m: re.Match[str]) -> str:
            part = parts[m.group(1)] if m.group(1) in parts else _DEFAULTS[m.group(1)]
            if isinstance(part, tuple):
                params.extend(part[1])
                return part[0]
            return part

        return _TOKEN.sub(fill, self.load(name)), params


# What runs one bound indicator query to Arrow: `arrow` below on the store's DuckDB by default; the optional
# chDB engine (csq.engines) passes its own, so the same SQL runs there.
Runner = Callable[[Store, str, list[object], "dict[str, pa.Table] | None"], pa.Table]


def arrow(store: Store, sql: str, params: list[object], register: dict[str, pa.Table] | None = None) -> pa.Table:
    """Return a bound query's result as Arrow, run on its own cursor with any Arrow tables registered on it."""
    cur, started = store.cursor(), time.perf_counter()
    try:
        for name, table in (register or {}).items():
            cur.register(name, table)
        # The relation API hands Arrow over without the extra copy a DB-API result makes.
        return cur.sql(sql, params=params).to_arrow_table()
    finally:
        cur.close()
        QUERIES.add(started)
