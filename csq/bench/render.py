"""`python -m csq bench --render`: time to first full render of pages in headless Chromium on a given store."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]   # the repository: app.py sits beside the csq package
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
_SETTLED = ("() => !document.querySelector('[data-testid=\"stStatusWidget\"]') && "
            "!document.querySelector('[data-testid=\"stSkeleton\"]') && "
            "[...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
            ".every(c => c.querySelector('.main-svg'))")


def _port() -> int:
    """Return a free local TCP port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_health(base: str, seconds: float = 60) -> None:
    """Return once the server answers its health check (raise after `seconds`)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the dashboard did not start")


def render_times(db: Path, paths: list[str]) -> dict[str, float]:
    """Return seconds from navigation to a settled page, cold (new server) then warm (cached), per path."""
    from playwright.sync_api import sync_playwright

    port = _port()
    env = {**os.environ, "CSQ_DB": str(db), "CSQ_ROLE": "admin"}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
                             str(port), "--server.headless", "true"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    out: dict[str, float] = {}
    try:
        _wait_health(base)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        args=CHROME_ARGS)
            for run in ("cold", "warm"):
                for path in paths:
                    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
                    t0 = time.perf_counter()
                    page.goto(base + path)
                    # Overview and Monitoring both end with a download button: the page has run to the end
                    # once it is there, charts drawn and no script still running.
                    page.wait_for_selector('[data-testid="stDownloadButton"]', timeout=600_000)
                    page.wait_for_function(_SETTLED, timeout=600_000, polling=100)
                    out[f"{run} {path}"] = round(time.perf_counter() - t0, 2)
                    page.context.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return out
