"""The one module that imports streamlit: shared store, cached queries, sidebar filters synced to the URL."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pandas  # noqa: F401  (see below)
import plotly.graph_objects  # noqa: F401
import scipy.stats  # noqa: F401
import streamlit as st

from csq import audit as audit_log
from csq import auth, batches, catalog, indicators, roles, settings
from csq.errors import CsqError
from csq.filters import Filter
from csq.i18n import DEFAULT_LANG, LANGS, canonical_values, has_canonical_values, t, value_label
from csq.store import Store, current_user, default_db_path, open_store
from csq.values import canonical_value

# Imported here, on the main thread, because parallel fragments would otherwise import them for the first time
# in several threads at once, and Python then hands a half-initialised module to all but one of them.

CACHE_TTL = 600
LIST_KEYS = ("channel", "type", "team", "category", "priority", "agent")
_LOADED = "_csq_url_loaded"


# The cache key of a store's state: which store, and its data version (bumped by every import, rollback and
# settings change). The path is part of it, so two stores in one process never share cached results.
Version = tuple[str, int]


def data_version(store: Store) -> Version:
    """Return the cache key of the store's current data: (resolved path, data version)."""
    return (str(store.path.resolve()), store.data_version())


@dataclass(frozen=True)
class PageSpec:
    """One page of SPEC §7: its file, stable URL path, title text key, icon, and the permission it needs."""

    file: str
    url_path: str
    title: str
    icon: str
    needs: str | None = None  # a roles.may() permission, or None for every role


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "", "overview", ":material/dashboard:"),
    PageSpec("pages/monitoring.py", "monitoring", "monitoring", ":material/monitoring:"),
    PageSpec("pages/evaluation.py", "evaluation", "evaluation", ":material/fact_check:"),
    PageSpec("pages/improvement.py", "improvement", "improvement", ":material/autorenew:"),
    PageSpec("pages/satisfaction.py", "satisfaction", "satisfaction", ":material/sentiment_satisfied:"),
    PageSpec("pages/import.py", "import", "import", ":material/upload_file:", "import"),
    PageSpec("pages/settings.py", "settings", "settings", ":material/settings:", "target"),
    PageSpec("pages/audit.py", "audit", "audit", ":material/history:", "audit"),
)


def menu(role: str, root: Path) -> list[PageSpec]:
    """Return the built pages (files that exist) that `role` may use, in menu order."""
    return [p for p in PAGES if (root / p.file).exists() and (p.needs is None or roles.may(role, p.needs))]


def navigation_pages(role: str, lang: str, root: Path) -> list[Any]:
    """Return the st.Page list: the role's menu, plus the other built pages hidden (a direct URL is refused)."""
    shown = {p.file for p in menu(role, root)}
    return [st.Page(p.file, title=t(p.title, lang), icon=p.icon, url_path=p.url_path or None,
                    default=not p.url_path, visibility="visible" if p.file in shown else "hidden")
            for p in PAGES if (root / p.file).exists()]


def run_page(page: Any, role: str, lang: str) -> None:
    """Run the chosen page, or say that the role may not use it (the page's code never runs then)."""
    spec = next((p for p in PAGES if p.url_path == page.url_path), None)
    if spec is not None and spec.needs is not None and not roles.may(role, spec.needs):
        st.title(t(spec.title, lang))
        st.error(t("not_allowed", lang, role=role))
        return
    page.run()


@st.cache_resource(show_spinner=False)
def _store_at(path: str) -> Store:
    return open_store(path)


def store_or_stop(lang: str) -> Store:
    """Return the shared Store, or show why it cannot be opened (busy, unreadable) and stop the run."""
    try:
        return get_store()
    except CsqError as exc:
        st.title(t("app_title", lang))
        show_error(exc)
        st.stop()
        raise  # unreachable: st.stop() ends the run


def get_store() -> Store:
    """Return the process-wide Store for $CSQ_DB or data/csq.duckdb (one connection; a cursor per query)."""
    return _store_at(str(default_db_path()))


@st.cache_data(ttl=CACHE_TTL, max_entries=512, show_spinner=False)
def kpis(_store: Store, version: Version, f: Filter, by: tuple[str, ...] = (),
         keys: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Return indicator rows for the filter, cached on the filter and the store's data version."""
    return indicators.compute(_store, f, by=by, indicators=keys)


@st.cache_data(ttl=CACHE_TTL, max_entries=16, show_spinner=False)
def record_counts(_store: Store, version: Version) -> dict[str, int]:
    """Return current row counts per record kind, cached on the data version."""
    return batches.record_counts(_store)


@st.cache_data(ttl=CACHE_TTL, max_entries=16, show_spinner=False)
def store_catalog(_store: Store, version: Version) -> catalog.Catalog:
    """Return the filter choices, cached on the data version."""
    return catalog.catalog(_store)


@st.cache_data(ttl=CACHE_TTL, max_entries=16, show_spinner=False)
def as_of(_store: Store, version: Version) -> Any:
    """Return the store's "as of" timestamp, cached on the data version."""
    return indicators.as_of(_store)


@st.cache_data(ttl=CACHE_TTL, max_entries=16, show_spinner=False)
def targets(_store: Store, version: Version) -> dict[str, settings.Target]:
    """Return the targets, cached on the data version (settings changes bump it)."""
    return settings.targets(_store)


@dataclass(frozen=True)
class View:
    """What every page renders: language, filter, the previous period's filter, role, and the store."""

    lang: str
    filter: Filter
    previous: Filter | None
    role: str
    store: Store
    version: Version
    catalog: catalog.Catalog
    user: str = ""

    def tr(self, key: str, **fmt: object) -> str:
        """Return UI text in the view's language."""
        return t(key, self.lang, **fmt)


_VIEW_RUN = "_csq_view_run"


def _run_marker() -> object:
    """Return an object unique to the current script run (its cursor map, replaced at every run)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return None if ctx is None else ctx.cursors


def publish_view(v: View) -> None:
    """Make `v` the View of this run, for ui.view() in the page script."""
    st.session_state["view"] = v
    st.session_state[_VIEW_RUN] = _run_marker()


def show_error(exc: CsqError) -> None:
    """Render a csq error with what to do about it."""
    st.error(f"{exc.message}\n\n{exc.fix}" if exc.fix else exc.message)


def _options(key: str, cat: catalog.Catalog) -> list[str]:
    return canonical_values(key) if has_canonical_values(key) else list(cat.values.get(key, ()))


def _from_url(key: str, cat: catalog.Catalog) -> list[str]:
    allowed = _options(key, cat)
    out: list[str] = []
    for raw in st.query_params.get_all(key):
        value = raw
        if has_canonical_values(key) and raw not in allowed:
            from csq.fields import TICKETS

            value = canonical_value(TICKETS.field(key), raw) or raw  # a raw label like 电话 also works
        if value in allowed and value not in out:
            out.append(value)
    return out


@dataclass(frozen=True)
class Identity:
    """Who uses this session: the name the audit log records, the role, and whether it is local mode."""

    user: str
    role: str
    local: bool


def _secrets_section(name: str) -> Any:
    try:
        return st.secrets.get(name)
    except Exception:  # no secrets.toml at all: Streamlit raises rather than returning None
        return None


def identity(store: Store, lang: str) -> Identity:
    """Return the session's Identity: local mode without [auth], else the signed-in user (sign-in page if none)."""
    if not _secrets_section("auth"):
        return Identity(current_user(), roles.local_role(), True)
    if not st.user.is_logged_in:
        st.title(t("app_title", lang))
        st.info(t("sign_in_needed", lang))
        if st.button(t("sign_in", lang), key="sign_in", type="primary"):
            st.login()
        st.stop()
    claims = st.user.to_dict()
    if auth.token_expired(claims):
        st.logout()  # the identity token expired: sign in again rather than act on stale groups
        st.stop()
    config = auth.parse_config(_secrets_section("csq_auth"))
    who = Identity(auth.display_name(claims), auth.role_from_claims(claims, config), False)
    if st.session_state.get("_csq_signed_in") != who:
        audit_log.record_sign_in(store, who.user, who.role)
        st.session_state["_csq_signed_in"] = who
    return who


def current_lang() -> str:
    """Return the language: the widget's value, else the URL's `lang`, else Chinese."""
    if "lang" not in st.session_state:
        wanted = st.query_params.get("lang")
        st.session_state["lang"] = wanted if wanted in LANGS else DEFAULT_LANG
    return str(st.session_state["lang"])


def _load_url_once(cat: catalog.Catalog) -> None:
    """Put the URL's filters into the widgets' state on a session's first run (a shared link)."""
    if st.session_state.get(_LOADED):
        return
    months = list(cat.months)
    default_to = months[-1] if months else None
    default_from = months[max(0, len(months) - 6)] if months else None
    for key, default in (("from", default_from), ("to", default_to)):
        wanted = st.query_params.get(key)
        st.session_state[key] = wanted if wanted in months else default
    for key in LIST_KEYS:
        st.session_state[key] = _from_url(key, cat)
    st.session_state[_LOADED] = True


def _previous(f: Filter, months: list[str]) -> Filter | None:
    if f.period_from is None or f.period_to is None:
        return None
    y1, m1 = int(f.period_from[:4]), int(f.period_from[5:])
    y2, m2 = int(f.period_to[:4]), int(f.period_to[5:])
    length = (y2 - y1) * 12 + (m2 - m1) + 1
    end = y1 * 12 + (m1 - 1) - 1
    start = end - length + 1
    to_m = f"{end // 12:04d}-{end % 12 + 1:02d}"
    from_m = f"{start // 12:04d}-{start % 12 + 1:02d}"
    if not months or from_m < months[0]:
        return None  # a previous period reaching before the first data would compare against a part
    return Filter(from_m, to_m, f.where)


def sidebar(store: Store, who: Identity) -> View:
    """Render the language switch and global filters (SPEC §7) and return the View they describe."""
    version = data_version(store)
    cat = store_catalog(store, version)
    lang = current_lang()
    _load_url_once(cat)
    sb = st.sidebar
    sb.segmented_control(t("language", lang), LANGS, key="lang", format_func=lambda x: "中文" if x == "zh" else "English",
                         selection_mode="single")
    if st.session_state.get("lang") is None:  # a segmented control can be deselected; keep a language
        st.session_state["lang"] = lang
    lang = str(st.session_state["lang"])
    sb.subheader(t("filters", lang))
    months = list(cat.months)
    if months:
        c1, c2 = sb.columns(2)
        c1.selectbox(t("from", lang), months, key="from")
        c2.selectbox(t("to", lang), months, key="to")
    for key in LIST_KEYS:
        opts = _options(key, cat)
        sb.multiselect(t(key, lang), opts, key=key, format_func=lambda v, k=key: value_label(k, v, lang),
                       placeholder=t("all", lang))
    period_from, period_to = st.session_state.get("from"), st.session_state.get("to")
    if period_from and period_to and period_from > period_to:
        period_from, period_to = period_to, period_from
    where = tuple((k, tuple(st.session_state.get(k) or ())) for k in LIST_KEYS if st.session_state.get(k))
    f = Filter(period_from, period_to, where)
    _write_url(lang)
    with sb.expander(t("copy_link", lang)):
        st.caption(t("copy_link_help", lang))
        st.code(share_url(), language=None, wrap_lines=True)
    if who.local:
        sb.caption(t("local_mode", lang, role=who.role))
    else:
        sb.caption(t("signed_in_as", lang, user=who.user, role=who.role))
        if sb.button(t("sign_out", lang), key="sign_out"):
            st.logout()
    return View(lang, f, _previous(f, months), who.role, store, version, cat, who.user)


def _url_params(lang: str) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {"lang": [lang]}
    for key in ("from", "to"):
        if st.session_state.get(key):
            params[key] = [str(st.session_state[key])]
    for key in LIST_KEYS:
        if st.session_state.get(key):
            params[key] = [str(v) for v in st.session_state[key]]
    return params


def _write_url(lang: str) -> None:
    """Make the URL describe the view, so a copied link reopens it (canonical values, SPEC §7)."""
    wanted = _url_params(lang)
    for key in ("lang", "from", "to", *LIST_KEYS):
        now = st.query_params.get_all(key)
        if now != wanted.get(key, []):
            if key in wanted:
                st.query_params[key] = wanted[key]
            else:
                del st.query_params[key]


def page_param(key: str, options: list[str], default: str) -> str:
    """Return a page's own URL parameter (e.g. the Monitoring indicator), read once and kept in the URL."""
    state_key = f"p_{key}"
    if state_key not in st.session_state:
        wanted = st.query_params.get(key)
        st.session_state[state_key] = wanted if wanted in options else default
    return str(st.session_state[state_key])


def set_page_param(key: str, value: str | None) -> None:
    """Write a page's own URL parameter (or remove it)."""
    if value is None:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != value:
        st.query_params[key] = value


def share_url(path: str | None = None, extra: dict[str, str] | None = None) -> str:
    """Return the full URL of the current page (or `path`) with the current filters and language."""
    base = st.context.url or "http://localhost:8501/"
    parts = urlsplit(base)
    page_path = parts.path if path is None else "/" + path.strip("/")
    params = _url_params(str(st.session_state.get("lang", DEFAULT_LANG)))
    if path is None:
        for key in st.query_params:
            if key not in params:
                params[key] = st.query_params.get_all(key)
    for key, value in (extra or {}).items():
        params[key] = [value]
    return f"{parts.scheme}://{parts.netloc}{page_path}?{urlencode(params, doseq=True)}"


def view(needs: str | None = None) -> View:
    """Return the View the entry point built for this run; refuse and stop when its role lacks `needs`."""
    if st.session_state.get(_VIEW_RUN) is not _run_marker():
        # This page runs without app.py having run first: Streamlit's legacy pages/ directory mode (a fresh
        # server whose first request is a page URL, or AppTest reruns). Leave that mode and rerun via app.py.
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        st.rerun()
    v: View = st.session_state["view"]
    if needs is not None and not roles.may(v.role, needs):
        # The entry point refuses too; this guard holds for any path that runs the page script itself.
        st.title(t(next((p.title for p in PAGES if p.needs == needs), "app_title"), v.lang))
        st.error(t("not_allowed", v.lang, role=v.role))
        st.stop()
    return v


def first_run(v: View) -> None:
    """Render the empty-store screen: how to import, and the demo data button for roles that may import."""
    from csq import demo

    st.title(t("app_title", v.lang))
    st.subheader(t("empty_title", v.lang))
    st.markdown(t("empty_body", v.lang))
    if not roles.may(v.role, "import"):
        st.info(t("no_permission_demo", v.lang))
        return
    if st.button(t("load_demo", v.lang), key="load_demo", type="primary"):
        try:
            with st.spinner(t("loading_demo", v.lang)):
                demo.generate(v.store, role=v.role)
        except CsqError as exc:
            show_error(exc)
            return
        st.session_state.pop(_LOADED, None)  # pick the demo's months as the default period
        st.rerun()


def url_dict(extra: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the current filters and language as query parameters (for st.page_link)."""
    params: dict[str, Any] = {k: (v[0] if len(v) == 1 else v)
                              for k, v in _url_params(str(st.session_state.get("lang", DEFAULT_LANG))).items()}
    params.update(extra or {})
    return params


def data_changed() -> None:
    """Re-read the period and filters from the URL on the next run, so new or removed months are picked up."""
    st.session_state.pop(_LOADED, None)


@st.cache_data(ttl=CACHE_TTL, max_entries=256, show_spinner=False)
def _cached_by_name(_store: Store, version: Version, name: str, _fn: Callable[..., Any], args: tuple[Any, ...],
                    kwargs: tuple[tuple[str, Any], ...]) -> Any:
    return _fn(_store, *args, **dict(kwargs))


def cached_query(v: "View", fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Return fn(store, *args, **kwargs), cached on fn's qualified name, its arguments and the data version.

    Arguments are part of the key, so anything that changes the result (filter, language, an unmask flag
    derived from the role) must be passed in, never read inside fn from global state. Functions do not
    pickle, so fn is keyed by its name.
    """
    return _cached_by_name(v.store, v.version, f"{fn.__module__}.{fn.__qualname__}", fn, args,
                           tuple(sorted(kwargs.items())))


def table(where: Any, rows: Iterable[dict], key: str, **kw: Any) -> Any:
    """Return where.dataframe(rows) with whole-number columns shown with thousands separators (1,234)."""
    rows = list(rows)
    config = {c: st.column_config.NumberColumn(format="localized") for c in (rows[0] if rows else {})
              if all(isinstance(r[c], int) and not isinstance(r[c], bool) for r in rows)}
    config.update(kw.pop("column_config", None) or {})
    kw.setdefault("hide_index", True)
    kw.setdefault("width", "stretch")
    return where.dataframe(rows, column_config=config, key=key, **kw)
