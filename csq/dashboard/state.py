"""The View every page renders, handed from app.py to the page script of the same run, and the language."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import streamlit as st

from csq.core import roles
from csq.core.i18n import DEFAULT_LANG, LANGS, t
from csq.dashboard import cache
from csq.metrics import writer
from csq.metrics.choices import Catalog
from csq.metrics.filters import Filter
from csq.store import Store
from csq.store.settings import Target

_VIEW = "_csq_view"
URL_LOADED = "_csq_url_loaded"


@dataclass(frozen=True)
class View:
    """What every page renders: language, filter, the previous period's filter, role, and the store."""

    lang: str
    filter: Filter
    previous: Filter | None
    role: str
    store: Store
    version: cache.Version
    catalog: Catalog
    user: str = ""

    def tr(self, key: str, **fmt: object) -> str:
        """Return UI text in the view's language."""
        return t(key, self.lang, **fmt)

    def kpis(self, f: Filter, by: tuple[str, ...] = (), keys: tuple[str, ...] | None = None,
             clock: str = "calendar") -> list[dict[str, Any]]:
        """Return indicator rows for a filter (durations on `clock`), cached on the store's data version."""
        return cache.kpis(self.store, self.version, f, by, keys, clock)

    def cached(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Return fn(store, *args, **kwargs), cached on its name, arguments and the data version."""
        return cache.cached(self.store, self.version, fn, *args, **kwargs)

    def targets(self) -> dict[str, Target]:
        """Return the targets, cached on the data version."""
        return cache.targets(self.store, self.version)

    def as_of(self) -> datetime | None:
        """Return the data's "as of" moment, cached on the data version."""
        return cache.as_of(self.store, self.version)

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """Yield the store open for writing for one change; every write from a page goes through here.

        SPEC §9: the dashboard takes the write lock only for its own transaction. The data this run shows stay
        those of `self.version`; the next rerun reads the new version.
        """
        with writer.writing(self.store.home, f"csq dashboard ({self.user or 'local user'})") as store:
            yield store

    def may(self, what: str) -> bool:
        """Return True when the view's role may do `what` (a roles.may() permission)."""
        return roles.may(self.role, what)


def publish(v: View) -> None:
    """Make `v` the View of this run; app.py calls it before it runs the page script."""
    st.session_state[_VIEW] = v


def view(needs: str | None = None) -> View:
    """Return the View app.py built for this run; refuse and stop when its role lacks `needs`.

    Every page runs through app.py's st.navigation, which refuses a page the role may not use before the
    page's code runs; the check here holds the same line inside the page as well.
    """
    v: View = st.session_state[_VIEW]
    if needs is not None and not v.may(needs):
        st.error(t("not_allowed", v.lang, role=v.role))
        st.stop()
    return v


def current_lang() -> str:
    """Return the language: the widget's value, else the URL's `lang`, else Chinese."""
    if "lang" not in st.session_state:
        wanted = st.query_params.get("lang")
        st.session_state["lang"] = wanted if wanted in LANGS else DEFAULT_LANG
    return str(st.session_state["lang"])


def data_changed() -> None:
    """Re-read the period and filters from the URL on the next run, so new or removed months are picked up."""
    st.session_state.pop(URL_LOADED, None)
