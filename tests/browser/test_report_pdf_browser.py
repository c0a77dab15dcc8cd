"""The quarterly report prints on A4 (issue 18): Debian's headless Chromium prints the HTML of `python -m csq report`
to PDF, and the PDF has several pages, every one A4 (595 × 842 pt), each section from the top of a new page with
its heading as text, Chinese included; in print layout no table or chart is wider than the page.

The demo store ends today, so its current quarter is still in progress and the one before it is whole.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from csq.core.i18n import t
from tests.browser.conftest import CHROME_ARGS, CHROMIUM
from tests.support import ROOT

# A4 in PostScript points (210 × 297 mm); Chromium writes it as 594.96 × 841.92.
A4 = (595.0, 842.0)
# The sections' headings in order, each at the top of its own page (the title page holds the headline table).
SECTIONS = ("report_findings", "trend", "report_by_kind", "sla_compliance", "report_servqual", "report_pareto",
            "report_actions", "report_scorecard", "report_method")


def _quarters() -> tuple[str, str]:
    """Return (the current quarter, the one before it)."""
    today = date.today()
    q = (today.month - 1) // 3 + 1
    return f"{today.year}Q{q}", f"{today.year}Q{q - 1}" if q > 1 else f"{today.year - 1}Q4"


def _print(html: Path, pdf: Path) -> None:
    """Print the HTML file to PDF with headless Chromium (no header or footer of its own)."""
    subprocess.run([CHROMIUM, "--headless", *CHROME_ARGS, "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                    html.as_uri()], check=True, capture_output=True, timeout=180)


def _pages(pdf: bytes) -> list[tuple[float, float]]:
    """Return each page's size (width, height) in points, from its /MediaBox."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(boxes)
    return [(float(w), float(h)) for w, h in boxes]


def _title(pdf: bytes) -> str:
    """Return the document title from the PDF's info dictionary (UTF-16 hex, as Chromium writes it)."""
    m = re.search(rb"/Title\s*<FEFF([0-9A-Fa-f]*)>", pdf)
    assert m, "no /Title"
    return bytes.fromhex(m.group(1).decode()).decode("utf-16-be")


def _page_texts(pdf: Path, n: int) -> list[list[str]]:
    """Return each page's non-empty text lines (pdftotext), or skip where poppler-utils is not installed."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext is missing (apt-get install poppler-utils)")
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    out = []
    for i in range(1, n + 1):
        text = subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout
        out.append([line.strip() for line in text.splitlines() if line.strip()])
    return out


@pytest.mark.parametrize(("which", "lang"), [(0, "zh"), (1, "en")])
def test_the_report_prints_on_a4_pages_with_each_section_on_its_own(demo_db: Path, tmp_path: Path, which: int,
                                                                     lang: str) -> None:
    quarter = _quarters()[which]
    db = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, db)  # a copy: a dashboard of another browser test may hold the shared store
    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    proc = subprocess.run([sys.executable, "-m", "csq", "report", "--db", str(db), "--quarter", quarter, "--out",
                           str(html), "--lang", lang], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert ("incomplete" in proc.stdout) == (which == 0)  # the current quarter is still in progress
    _print(html, pdf)
    data = pdf.read_bytes()
    sizes = _pages(data)
    assert len(sizes) > len(SECTIONS)  # the title page and at least a page per section
    assert all(abs(w - A4[0]) < 1 and abs(h - A4[1]) < 1 for w, h in sizes), sizes
    assert _title(data) == t("report_title", lang, q=quarter)
    pages = _page_texts(pdf, len(sizes))
    assert pages[0][0] == t("report_title", lang, q=quarter)
    assert all(f"{i} / {len(sizes)}" in p for i, p in enumerate(pages, start=1))  # every page's number in its foot
    starts = [p[0] for p in pages]
    at = [starts.index(t(key, lang)) for key in SECTIONS]  # each heading is the first line of a page …
    assert at == sorted(at)                                     # … in the report's order
    if which == 0:
        assert any(t("report_partial", lang) in line for line in pages[0])  # and the title page says it is partial


def test_in_print_layout_nothing_is_wider_than_the_page(demo_db: Path, tmp_path: Path, page: object) -> None:
    db = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    html = tmp_path / "report.html"
    for quarter in _quarters():
        subprocess.run([sys.executable, "-m", "csq", "report", "--db", str(db), "--quarter", quarter, "--out",
                        str(html)], cwd=ROOT, check=True, capture_output=True, timeout=600)
        page.set_viewport_size({"width": 703, "height": 1000})  # type: ignore[attr-defined]  # 186 mm: A4 less margins
        page.goto(html.as_uri())  # type: ignore[attr-defined]
        page.emulate_media(media="print")  # type: ignore[attr-defined]
        wide = page.evaluate("""() => [...document.querySelectorAll('table, svg, p, h2')]
            .filter(e => e.getBoundingClientRect().right > document.body.getBoundingClientRect().right + 1)
            .map(e => (e.closest('section') || {}).id + ': ' + e.outerHTML.slice(0, 80))""")  # type: ignore[attr-defined]
        assert wide == [], wide
        assert page.evaluate("document.documentElement.scrollWidth <= 703")  # type: ignore[attr-defined]
