"""Widgets every page shares: a csq error with its fix, tables (blank empty cells, thousands separators), the
empty-store screen."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import streamlit as st

from csq.core import roles
from csq.core.i18n import t
from csq.dashboard import cache, state
from csq.demo import generate as demo
from csq.errors import CsqError
from csq.store import Store

EMPTY = ""  # what an empty table cell shows: nothing


def show_error(exc: CsqError) -> None:
    """Render a csq error with what to do about it."""
    st.error(f"{exc.message}\n\n{exc.fix}" if exc.fix else exc.message)


@contextmanager
def reported() -> Iterator[None]:
    """Run the block; a csq error raised in it is shown once, with its fix, and the block ends there."""
    try:
        yield
    except CsqError as exc:
        show_error(exc)


def store_or_stop(lang: str) -> Store:
    """Return the shared Store, or show why it cannot be opened (busy, unreadable) and stop the run."""
    try:
        return cache.get_store()
    except CsqError as exc:
        st.title(t("app_title", lang))
        show_error(exc)
        st.stop()
        raise  # unreachable: st.stop() ends the run


def missing(value: object) -> bool:
    """Return True for a value a table shows as an empty cell: None, NaN, NaT or pandas' NA."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array in a cell is a value
        return False


def _records(rows: Iterable[dict] | pa.Table) -> list[dict]:
    """Return the rows as dicts with every missing value as None (an Arrow table row by row)."""
    rows = rows.to_pylist() if isinstance(rows, pa.Table) else list(rows)
    return [{k: None if missing(x) else x for k, x in r.items()} for r in rows]


def _whole_numbers(rows: list[dict]) -> list[str]:
    """Return the columns whose values (missing ones aside) are all whole numbers, not booleans."""
    names = list(dict.fromkeys(k for r in rows for k in r))
    return [c for c in names if any(r.get(c) is not None for r in rows)
            and all(r.get(c) is None or (isinstance(r[c], int) and not isinstance(r[c], bool)) for r in rows)]


def _no_nan(t: pa.Table) -> pa.Table:
    """Return the Arrow table with NaN in its float columns made null, so they show as empty cells too."""
    for i, fld in enumerate(t.schema):
        if pa.types.is_floating(fld.type):
            col = t.column(i)
            t = t.set_column(i, fld, pc.if_else(pc.is_nan(col), pa.scalar(None, fld.type), col))
    return t


def table(where: Any, rows: Iterable[dict] | pa.Table, key: str, **kw: Any) -> Any:
    """Return where.dataframe(rows), every page's grid: empty cells blank (never 'None'), whole numbers as 1,234."""
    if isinstance(rows, pa.Table):  # kept in Arrow: a long list is not turned into Python objects
        data: Any = _no_nan(rows)
        ints = [f.name for f in rows.schema if pa.types.is_integer(f.type)]
    else:
        data = _records(rows)
        ints = _whole_numbers(data)
    config = {c: st.column_config.NumberColumn(format="localized") for c in ints}
    config.update(kw.pop("column_config", None) or {})
    kw.setdefault("hide_index", True)
    kw.setdefault("width", "stretch")
    kw.setdefault("placeholder", EMPTY)
    return where.dataframe(data, column_config=config, key=key, **kw)


def fixed_table(where: Any, rows: Iterable[dict] | pa.Table, **kw: Any) -> Any:
    """Return where.table(rows): a static table that wraps long text; missing values are blank cells."""
    rows = [{k: EMPTY if x is None else x for k, x in r.items()} for r in _records(rows)]
    return where.table(rows, **kw)


def first_run(v: state.View) -> None:
    """Render the empty-store screen: how to import, and the demo data button for roles that may import."""
    st.title(t("app_title", v.lang))
    st.subheader(t("empty_title", v.lang))
    st.markdown(t("empty_body", v.lang))
    if not roles.may(v.role, "import"):
        st.info(t("no_permission_demo", v.lang))
        return
    if st.button(t("load_demo", v.lang), key="load_demo", type="primary"):
        with reported():
            with st.spinner(t("loading_demo", v.lang)):
                with v.writing() as store:
                    demo.generate(store, role=v.role)
            state.data_changed()  # pick the demo's months as the default period
            st.rerun()
