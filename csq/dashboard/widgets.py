"""Widgets every page shares: a csq error with its fix, tables with thousands separators, the empty-store screen."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from csq.core import roles
from csq.core.i18n import t
from csq.dashboard import cache, state
from csq.demo import generate as demo
from csq.errors import CsqError
from csq.store import Store


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


def table(where: Any, rows: Iterable[dict], key: str, **kw: Any) -> Any:
    """Return where.dataframe(rows) with whole-number columns shown with thousands separators (1,234)."""
    rows = list(rows)
    config = {c: st.column_config.NumberColumn(format="localized") for c in (rows[0] if rows else {})
              if all(isinstance(r[c], int) and not isinstance(r[c], bool) for r in rows)}
    config.update(kw.pop("column_config", None) or {})
    kw.setdefault("hide_index", True)
    kw.setdefault("width", "stretch")
    return where.dataframe(rows, column_config=config, key=key, **kw)


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
                demo.generate(v.store, role=v.role)
            state.data_changed()  # pick the demo's months as the default period
            st.rerun()
