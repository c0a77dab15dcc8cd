"""The pages of SPEC §7: their scripts in app_pages/, stable URL paths, titles, and the permission each needs."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from csq.core import roles
from csq.core.i18n import t


@dataclass(frozen=True)
class PageSpec:
    """One page of SPEC §7: its file, URL path, title text key, icon, the permission it needs, whether it is filtered."""

    file: str
    url_path: str
    title: str
    icon: str
    needs: str | None = None  # a roles.may() permission, or None for every role
    filters: bool = True  # the sidebar's global filters apply to the page (not to Import, Settings, Audit)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("app_pages/overview.py", "", "overview", ":material/dashboard:"),
    PageSpec("app_pages/monitoring.py", "monitoring", "monitoring", ":material/monitoring:"),
    PageSpec("app_pages/evaluation.py", "evaluation", "evaluation", ":material/fact_check:"),
    PageSpec("app_pages/improvement.py", "improvement", "improvement", ":material/autorenew:"),
    PageSpec("app_pages/satisfaction.py", "satisfaction", "satisfaction", ":material/sentiment_satisfied:"),
    PageSpec("app_pages/telephony.py", "telephony", "telephony", ":material/call:"),
    PageSpec("app_pages/callbacks.py", "callbacks", "callbacks", ":material/phone_callback:"),
    PageSpec("app_pages/import.py", "import", "import", ":material/upload_file:", "import", filters=False),
    PageSpec("app_pages/settings.py", "settings", "settings", ":material/settings:", "target", filters=False),
    PageSpec("app_pages/audit.py", "audit", "audit", ":material/history:", "audit", filters=False),
)


def spec_of(page: Any) -> PageSpec | None:
    """Return the PageSpec of a st.navigation page (None for a page csq does not know)."""
    return next((p for p in PAGES if p.url_path == page.url_path), None)


def has_filters(page: Any) -> bool:
    """Return True when the sidebar's global filters apply to the page (pages csq does not know have them)."""
    spec = spec_of(page)
    return spec is None or spec.filters


def menu(role: str, root: Path) -> list[PageSpec]:
    """Return the built pages (files that exist) that `role` may use, in menu order."""
    return [p for p in PAGES if (root / p.file).exists() and (p.needs is None or roles.may(role, p.needs))]


def navigation_pages(role: str, lang: str, root: Path) -> list[Any]:
    """Return the st.Page list: the role's menu, plus the other built pages hidden (a direct URL is refused)."""
    shown = {p.file for p in menu(role, root)}
    return [st.Page(p.file, title=t(p.title, lang), icon=p.icon, url_path=p.url_path or None,
                    default=not p.url_path, visibility="visible" if p.file in shown else "hidden")
            for p in PAGES if (root / p.file).exists()]


def allowed(page: Any, role: str) -> bool:
    """Return True when the role may open the page (pages csq does not know are open to all)."""
    spec = spec_of(page)
    return spec is None or spec.needs is None or roles.may(role, spec.needs)


def refuse(page: Any, role: str, lang: str) -> None:
    """Render the page's title and say that the role may not use it (the page's own code never runs)."""
    spec = spec_of(page)
    st.title(t(spec.title if spec else "app_title", lang))
    st.error(t("not_allowed", lang, role=role))
