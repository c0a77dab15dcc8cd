"""Cached reads for the pages: the process-wide store, and results keyed on (store, data version, arguments)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import streamlit as st

from csq.metrics import choices, engine, sla, writer
from csq.metrics.choices import Catalog
from csq.metrics.filters import Filter
from csq.store import Store, batches, published, settings
from csq.store.connection import default_db_path
from csq.store.settings import Target

CACHE_TTL = 600

# The cache key of a store's state: which store, and its data version (bumped by every import, rollback and
# settings change). The path is part of it, so two stores in one process never share cached results.
Version = tuple[str, int]


def data_version(store: Store) -> Version:
    """Return the cache key of the store's current data: (resolved path, data version)."""
    return (str(store.home.resolve()), store.data_version())


# A few copies stay open: a session keeps the one its last run read until its next run (csq.store.published).
@st.cache_resource(show_spinner=False, max_entries=4)
def _copy_at(path: str, origin: str) -> Store:
    snap = next(s for s in published.snapshots(Path(origin)) if str(s.path) == path)
    return published.open_snapshot(snap, Path(origin))


def get_store() -> Store:
    """Return a read-only Store on the newest published copy of $CSQ_DB or data/csq.duckdb (SPEC §9).

    The dashboard never holds the store's own lock: every run reads the copy that was newest when it began,
    and writes go through View.writing(). Each copy has one connection and a cursor per query.
    """
    db = default_db_path()
    return _copy_at(str(writer.newest_copy(db).path), str(db))


@st.cache_data(ttl=CACHE_TTL, max_entries=512, show_spinner=False)
def _kpis(_store: Store, version: Version, f: Filter, by: tuple[str, ...],
          keys: tuple[str, ...] | None, clock: str) -> list[dict[str, Any]]:
    return engine.compute(_store, f, by=by, indicators=keys, clock=clock)


def kpis(store: Store, version: Version, f: Filter, by: tuple[str, ...] = (),
         keys: tuple[str, ...] | None = None, clock: str = "calendar") -> list[dict[str, Any]]:
    """Return indicator rows for the filter on a clock, cached on the filter, clock and the data version."""
    return _kpis(store, version, f, by, keys, clock)


@st.cache_data(ttl=CACHE_TTL, max_entries=16, show_spinner=False)
def record_counts(_store: Store, version: Version) -> dict[str, int]:
    """Return current row counts per record kind, cached on the data version."""
    return batches.record_counts(_store)


@st.cache_data(ttl=CACHE_TTL, max_entries=16, show_spinner=False)
def store_catalog(_store: Store, version: Version) -> Catalog:
    """Return the filter choices, cached on the data version."""
    return choices.catalog(_store)


@st.cache_data(ttl=CACHE_TTL, max_entries=16, show_spinner=False)
def as_of(_store: Store, version: Version) -> datetime | None:
    """Return the store's "as of" timestamp, cached on the data version."""
    return sla.as_of(_store)


@st.cache_data(ttl=CACHE_TTL, max_entries=16, show_spinner=False)
def targets(_store: Store, version: Version) -> dict[str, Target]:
    """Return the targets, cached on the data version (settings changes bump it)."""
    return settings.targets(_store)


@st.cache_data(ttl=CACHE_TTL, max_entries=256, show_spinner=False)
def _cached_by_name(_store: Store, version: Version, name: str, _fn: Callable[..., Any], args: tuple[Any, ...],
                    kwargs: tuple[tuple[str, Any], ...]) -> Any:
    return _fn(_store, *args, **dict(kwargs))


def cached(store: Store, version: Version, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Return fn(store, *args, **kwargs), cached on fn's qualified name, its arguments and the data version.

    Arguments are part of the key, so anything that changes the result (filter, language, an unmask flag
    derived from the role) must be passed in, never read inside fn from global state. Functions do not
    pickle, so fn is keyed by its name.
    """
    return _cached_by_name(store, version, f"{fn.__module__}.{fn.__qualname__}", fn, args,
                           tuple(sorted(kwargs.items())))
