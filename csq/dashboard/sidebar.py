"""The sidebar of every page: language, the global filters of SPEC §7 where they apply (kept in the URL on every
page), the link and who is in."""
from __future__ import annotations

import streamlit as st

from csq.core.i18n import LANGS, t, value_label
from csq.dashboard import cache, url
from csq.dashboard.identity import Identity
from csq.dashboard.state import View, current_lang
from csq.metrics.choices import Catalog
from csq.metrics.filters import Filter
from csq.store import Store


def _language(lang: str) -> str:
    """Render the language switch; return the language chosen."""
    st.sidebar.segmented_control(t("language", lang), LANGS, key="lang", selection_mode="single",
                                 format_func=lambda x: "中文" if x == "zh" else "English")
    if st.session_state.get("lang") is None:  # a segmented control can be deselected; keep a language
        st.session_state["lang"] = lang
    return str(st.session_state["lang"])


FILTER_KEYS = ("from", "to", *url.LIST_KEYS)


def _keep_filters() -> None:
    """Keep the filters' values, and so the URL's, through a run that renders no filter widget."""
    # Streamlit drops an unrendered widget's value at the end of a run; a value set through session state stays.
    for key in FILTER_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _current() -> Filter:
    """Return the Filter the filters' values describe (a reversed period put in order)."""
    period_from, period_to = st.session_state.get("from"), st.session_state.get("to")
    if period_from and period_to and period_from > period_to:
        period_from, period_to = period_to, period_from
    where = tuple((k, tuple(st.session_state.get(k) or ())) for k in url.LIST_KEYS if st.session_state.get(k))
    return Filter(period_from, period_to, where)


def _filters(cat: Catalog, lang: str) -> Filter:
    """Render the period and field filters; return the Filter they describe."""
    sb = st.sidebar
    sb.subheader(t("filters", lang))
    months = list(cat.months)
    if months:
        c1, c2 = sb.columns(2)
        def label(m: str) -> str:
            return t("month_in_progress", lang, m=m) if m == cat.running else m

        c1.selectbox(t("from", lang), months, key="from", format_func=label)
        c2.selectbox(t("to", lang), months, key="to", format_func=label)
    for key in url.LIST_KEYS:
        sb.multiselect(t(key, lang), url.options(key, cat), key=key, placeholder=t("all", lang),
                       format_func=lambda v, k=key: value_label(k, v, lang))
    return _current()


def _who(who: Identity, lang: str) -> None:
    """Render who uses the app: the local-mode notice, or the signed-in user with a sign-out button."""
    if who.local:
        st.sidebar.caption(t("local_mode", lang, role=who.role))
        return
    st.sidebar.caption(t("signed_in_as", lang, user=who.user, role=who.role))
    if st.sidebar.button(t("sign_out", lang), key="sign_out"):
        st.logout()


def sidebar(store: Store, who: Identity, filters: bool = True) -> View:
    """Render the language switch and, where they apply (`filters`), the global filters; return the View (SPEC §7)."""
    # A page without them (Import, Settings, Audit) keeps their values, in the session and the URL, for the next.
    version = cache.data_version(store)
    cat = cache.store_catalog(store, version)
    url.load_once(cat, who.role)
    lang = _language(current_lang())
    if filters:
        f = _filters(cat, lang)
    else:
        _keep_filters()
        f = _current()
    url.write(lang)
    with st.sidebar.expander(t("copy_link", lang)):
        st.caption(t("copy_link_help", lang))
        st.code(url.share_url(), language=None, wrap_lines=True)
    _who(who, lang)
    previous = f.previous(cat.months[0]) if cat.months else None
    return View(lang, f, previous, who.role, store, version, cat, who.user)
