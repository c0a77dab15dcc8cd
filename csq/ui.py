"""The one module that imports streamlit: the shared store, cached queries, and page helpers."""
from __future__ import annotations

from typing import Any

import pyarrow as pa
import streamlit as st

from csq import batches, indicators
from csq.errors import CsqError
from csq.filters import Filter
from csq.store import Store, open_store

CACHE_TTL = 600


@st.cache_resource(show_spinner=False)
def get_store() -> Store:
    """Return the process-wide Store (one connection; every query takes its own cursor)."""
    return open_store()


@st.cache_data(ttl=CACHE_TTL, max_entries=256, show_spinner=False)
def kpis(_store: Store, version: int, f: Filter, by: tuple[str, ...] = (),
         keys: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Return indicator rows for the filter, cached on the filter and the store's data version."""
    return indicators.compute(_store, f, by=by, indicators=keys)


@st.cache_data(ttl=CACHE_TTL, max_entries=16, show_spinner=False)
def record_counts(_store: Store, version: int) -> dict[str, int]:
    """Return current row counts per record kind, cached on the data version."""
    return batches.record_counts(_store)


@st.cache_data(ttl=CACHE_TTL, max_entries=16, show_spinner=False)
def as_of(_store: Store, version: int) -> Any:
    """Return the store's "as of" timestamp, cached on the data version."""
    return indicators.as_of(_store)


def show_error(exc: CsqError) -> None:
    """Render a csq error with what to do about it."""
    st.error(f"{exc.message}\n\n{exc.fix}" if exc.fix else exc.message)


def arrow_frame(table: pa.Table) -> Any:
    """Return an Arrow table in the form st.dataframe shows."""
    return table
