"""Run the dashboard in Streamlit's AppTest on a given store, URL parameters and role.

Every run goes through app.py and its st.navigation, as in a browser, so sidebar filters and page widgets
can be changed and rerun.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from tests.support import ROOT


@contextmanager
def _env(db: Path, role: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("CSQ_DB", "CSQ_ROLE")}
    os.environ["CSQ_DB"], os.environ["CSQ_ROLE"] = str(db), role
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_app(db: Path, page: str | None = None, params: dict[str, str | list[str]] | None = None,
            role: str = "admin", timeout: float = 120, user: dict[str, Any] | None = None,
            secrets: dict[str, Any] | None = None) -> AppTest:
    """Return an AppTest of app.py after running `page` (e.g. 'app_pages/monitoring.py') with URL `params`.

    Without `secrets` the app is in local mode with `role`; with an `[auth]` section in `secrets`, `user`
    is the signed-in identity (st.user) and its claims decide the role.
    """
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if secrets is not None:
        at.secrets = secrets
    if user is not None:
        at.user = user
    inner = at._run

    def run_with_env(*args: object, **kwargs: object) -> AppTest:
        # Widget interactions rerun later too; each rerun must see the same store and role.
        with _env(db, role):
            return inner(*args, **kwargs)  # type: ignore[arg-type]

    at._run = run_with_env  # type: ignore[method-assign]
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at


def query_param(at: AppTest, key: str) -> list[str]:
    """Return the app's URL parameter `key` as a list (empty when absent)."""
    value = at.query_params.get(key)
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def page_text(at: AppTest) -> str:
    """Return all markdown, captions, titles, metrics and alerts of the rendered page as one string."""
    parts: list[str] = []
    for group in (at.title, at.header, at.subheader, at.markdown, at.caption, at.info, at.warning, at.error,
                  at.success):
        parts.extend(str(e.value) for e in group)
    parts.extend(f"{m.label} {m.value}" for m in at.metric)
    return "\n".join(parts)


def assert_no_exception(at: AppTest) -> None:
    """Fail with the page's exception text when the run raised."""
    assert not at.exception, [e.value for e in at.exception]
