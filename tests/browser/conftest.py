"""Browser tests: a live `streamlit run app.py` on a small demo store, driven by Playwright in Debian's Chromium."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test here as a browser test; without Chromium they skip, except in CI where they must run."""
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
                item.add_marker(pytest.mark.skip(reason="Debian's chromium is not installed (apt-get install chromium)"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, role: str = "admin") -> tuple[subprocess.Popen[bytes], str]:
    """Start the dashboard on `db` and return (process, base URL) once it answers its health check."""
    port = _free_port()
    env = {**os.environ, "CSQ_DB": str(db), "CSQ_ROLE": role}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
                             str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the dashboard did not start within 60 s")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a small demo store (24 months at scale 0.1), made once per test session."""
    db = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    subprocess.run([sys.executable, "-m", "csq", "demo", "--scale", "0.1", "--db", str(db)], cwd=ROOT, check=True,
                   capture_output=True)
    return db


@pytest.fixture(scope="session")
def server(demo_db: Path) -> Iterator[str]:
    """Return the base URL of a dashboard serving the demo store as admin (local mode)."""
    proc, base = start_server(demo_db)
    yield base
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def writable_server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Return (base URL, store path) of a dashboard on this module's own copy of the demo store.

    Tests that write (import, settings, actions) use it, so the shared `server` stays as the demo made it.
    """
    db = tmp_path_factory.mktemp("writable") / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    proc, base = start_server(db)
    yield base, db
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Return a headless Chromium (Debian's) driven by Playwright."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """Return a fresh page (its own context: a new browser for each test) at 1280 × 900."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")  # type: ignore[attr-defined]
    context.set_default_timeout(WAIT_MS)
    pg = context.new_page()
    yield pg
    context.close()


# How long a condition may take to come true. Long, because a loaded 2-core machine can take a minute for a
# cold page; every wait below is for a condition the app signals, so a fast machine never waits this long.
WAIT_MS = 180_000

# True once Streamlit has finished every run: the app's own script-state attribute says not running, the
# websocket is connected, no element is stale from an earlier run, and no status widget shows.
_IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')
    && !!document.querySelector('[data-testid="stMain"]');
}"""


def settle(pg: object, timeout: float = WAIT_MS) -> None:
    """Wait until Streamlit has finished running the script and rendered, and stays finished for a moment.

    A run can be followed at once by another (a rerun after a write, parallel fragments finishing one by one),
    so the app must be idle on three polls in a row, not at one moment.
    """
    deadline = time.time() + timeout / 1000
    quiet = 0
    while quiet < 3:
        left = max(1.0, (deadline - time.time()) * 1000)
        pg.wait_for_function(_IDLE, timeout=left)  # type: ignore[attr-defined]
        pg.wait_for_timeout(250)  # type: ignore[attr-defined]
        quiet = quiet + 1 if pg.evaluate(_IDLE) else 0  # type: ignore[attr-defined]


def exceptions(pg: object) -> list[str]:
    """Return the text of every exception box on the page."""
    return [e.inner_text() for e in pg.query_selector_all('[data-testid="stException"]')]  # type: ignore[attr-defined]
