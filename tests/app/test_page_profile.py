"""The benchmark's page profile (csq.dashboard.profile): a page's cold run reads the store, its warm rerun is
served from the caches keyed on (store, data version, filter). Only counts are checked, never a time."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT


def test_a_warm_rerun_of_a_page_reads_almost_nothing_from_the_store(demo_copy: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "csq.dashboard.profile", "--db", str(demo_copy), "/monitoring"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["page"] == "/monitoring" and got["cold"]["error"] is None and got["warm"]["error"] is None
    # Cold: the page's own indicator, SLA, backlog and list queries; warm: at most the data-version checks.
    assert got["cold"]["queries"] >= 10
    assert got["warm"]["queries"] <= 3 < got["cold"]["queries"]
