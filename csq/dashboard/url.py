"""The URL of a view (SPEC §7): sidebar filters and page parameters, always in canonical values."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

import streamlit as st

from csq.core.i18n import DEFAULT_LANG, canonical_values, has_canonical_values, t
from csq.core.kinds import TICKETS
from csq.core.privacy import PERSONAL_FIELDS, check_filter_fields
from csq.core.values import canonical_value
from csq.dashboard.state import URL_LOADED, current_lang
from csq.errors import NotAllowed
from csq.metrics.choices import Catalog

LIST_KEYS = ("channel", "type", "team", "category", "priority", "agent")


def options(key: str, cat: Catalog) -> list[str]:
    """Return the values a sidebar filter offers: canonical ones, or the store's distinct values."""
    return canonical_values(key) if has_canonical_values(key) else list(cat.values.get(key, ()))


def _from_url(key: str, cat: Catalog) -> list[str]:
    """Return the URL's values of one filter that the store offers (a raw label like 电话 also works)."""
    allowed = options(key, cat)
    out: list[str] = []
    for raw in st.query_params.get_all(key):
        value = raw
        if has_canonical_values(key) and raw not in allowed:
            value = canonical_value(TICKETS.field(key), raw) or raw
        if value in allowed and value not in out:
            out.append(value)
    return out


def _refuse_personal(role: str) -> None:
    """Return nothing; drop URL parameters naming a personal field the role sees masked, and say so (SPEC §10).

    The sidebar offers no personal field as a filter, so such a parameter never filters for any role; for a role
    that sees them masked it is also removed from the URL (a copied link does not carry the phone number on) and
    the page says why, by the rule of csq.core.privacy.check_filter_fields.
    """
    used = [k for k in st.query_params if k.strip().lower() in PERSONAL_FIELDS]
    if not used:
        return
    try:
        check_filter_fields(role, used)
    except NotAllowed:
        for key in used:
            del st.query_params[key]
        st.warning(t("personal_filter_ignored", current_lang(), fields=", ".join(used), role=role),
                   icon=":material/shield_person:")


def load_once(cat: Catalog, role: str) -> None:
    """Put the URL's filters into the widgets' state on a session's first run (a shared link)."""
    if st.session_state.get(URL_LOADED):
        return
    _refuse_personal(role)
    months = list(cat.months)
    default_from, default_to = cat.default_period  # complete months only: a running month is chosen, not given
    for key, default in (("from", default_from), ("to", default_to)):
        wanted = st.query_params.get(key)
        st.session_state[key] = wanted if wanted in months else default
    for key in LIST_KEYS:
        st.session_state[key] = _from_url(key, cat)
    st.session_state[URL_LOADED] = True


def _params(lang: str) -> dict[str, list[str]]:
    """Return the view's language and sidebar filters as URL parameters."""
    params: dict[str, list[str]] = {"lang": [lang]}
    for key in ("from", "to"):
        if st.session_state.get(key):
            params[key] = [str(st.session_state[key])]
    for key in LIST_KEYS:
        if st.session_state.get(key):
            params[key] = [str(v) for v in st.session_state[key]]
    return params


def write(lang: str) -> None:
    """Make the URL describe the view, so a copied link reopens it (canonical values, SPEC §7)."""
    wanted = _params(lang)
    for key in ("lang", "from", "to", *LIST_KEYS):
        now = st.query_params.get_all(key)
        if now != wanted.get(key, []):
            if key in wanted:
                st.query_params[key] = wanted[key]
            else:
                del st.query_params[key]


def page_param(key: str, options_: list[str], default: str) -> str:
    """Return a page's own URL parameter (e.g. the Monitoring indicator), read once and kept in the URL."""
    state_key = f"p_{key}"
    if state_key not in st.session_state:
        wanted = st.query_params.get(key)
        st.session_state[state_key] = wanted if wanted in options_ else default
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
    params = _params(str(st.session_state.get("lang", DEFAULT_LANG)))
    if path is None:
        for key in st.query_params:
            if key not in params:
                params[key] = st.query_params.get_all(key)
    for key, value in (extra or {}).items():
        params[key] = [value]
    return f"{parts.scheme}://{parts.netloc}{page_path}?{urlencode(params, doseq=True)}"


def link_params(extra: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the current filters and language as query parameters (for st.page_link)."""
    params: dict[str, Any] = {k: (v[0] if len(v) == 1 else v)
                              for k, v in _params(str(st.session_state.get("lang", DEFAULT_LANG))).items()}
    params.update(extra or {})
    return params
