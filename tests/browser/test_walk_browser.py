"""Walk every page in 简体中文 and English, on a desktop (1440 px) and a phone (390 px), on the demo store, with
the browser's network limited to the app's own address.

Each page fails the walk on:

- any request to another host (an intranet, or mainland China, cannot reach font or CDN hosts);
- an exception box;
- visible text "None", "nan", "NaN" or "NaT" (a missing value shown as Python or pandas spells it);
- a raw text key of csq.core.i18n shown verbatim (an identifier such as `import_upload`, i.e. a key with an
  underscore; one-word keys are ordinary words in English and are left out);
- on a Chinese page, an English UI text of the i18n tables (a fragment of ≥ 12 characters between
  placeholders) that is not also part of a Chinese text, except the proper names in ALLOWED_ENGLISH;
- a plotly chart with a visible axis that has no tick labels.

Visible text is the page's rendered text (without the names of Material icons, which draw as glyphs), every
string painted on a canvas (data grids draw their cells there, a missing value as a placeholder that is "None"
unless the page sets one), the cells of the grids' accessible tables, and the text of every chart on screen.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from csq.core.i18n import all_texts
from csq.dashboard.navigation import PAGES
from tests.browser.conftest import WAIT_MS, settle

LANGS = ("zh", "en")
WIDTHS = (1440, 390)
MISSING = re.compile(r"(?<![A-Za-z])(None|nan|NaN|NaT)(?![A-Za-z])")
IDENT = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![A-Za-z0-9_])")
ALLOWED_ENGLISH: frozenset[str] = frozenset()  # proper names that stay English in the Chinese UI
MIN_ENGLISH = 12
DRAW_S = 60  # seconds a page may take to draw its charts and grids after its run

# Data grids draw their cells on a canvas, missing values as a placeholder ("None" unless the page set one) that
# no DOM node holds; record every string drawn on a canvas so the walk reads what is painted.
_RECORD_CANVAS_TEXT = """(() => {
  const drawn = [];
  window.__csqCanvasText = drawn;
  for (const proto of [window.CanvasRenderingContext2D, window.OffscreenCanvasRenderingContext2D]) {
    if (!proto) continue;
    const fillText = proto.prototype.fillText;
    proto.prototype.fillText = function (text, ...rest) {
      if (drawn.length < 200000) drawn.push(String(text));
      return fillText.call(this, text, ...rest);
    };
  }
})();"""

# Everything a person sees: the page's rendered text, then the on-screen grids' cells and charts' texts.
_VISIBLE_TEXT = """() => {
  const shown = el => el.offsetWidth > 0 && el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true});
  // Material icons are ligatures: their names are text in the DOM, drawn as a glyph; leave them out.
  const icons = new Set(Array.from(document.querySelectorAll('[data-testid="stIconMaterial"]'), i => i.textContent.trim()));
  const out = document.body.innerText.split('\\n').filter(line => !icons.has(line.trim()));
  for (const grid of document.querySelectorAll('[data-testid="stDataFrame"], [data-testid="stDataFrameResizable"]')) {
    if (!shown(grid)) continue;
    for (const cell of grid.querySelectorAll('th[role="columnheader"], td[role="gridcell"]')) out.push(cell.textContent);
  }
  out.push(...(window.__csqCanvasText || []));
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    if (!shown(plot)) continue;
    for (const t of plot.querySelectorAll('text')) out.push(t.textContent);
  }
  return out.join('\\n');
}"""

# Every visible chart and data grid has drawn: their code loads after the run, so idle alone is too early.
_DRAWN = """() => {
  const shown = el => el.offsetWidth > 0 && el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true});
  const charts = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]')).filter(shown)
    .every(c => { const p = c.querySelector('.js-plotly-plot'); return !!p && !!p._fullLayout && !!p.querySelector('.main-svg'); });
  const grids = Array.from(document.querySelectorAll('[data-testid="stDataFrame"]')).filter(shown)
    .every(g => !!g.querySelector('th[role="columnheader"]'));
  return charts && grids;
}"""

# A fingerprint of what is drawn; the page is complete once it stops changing.
_DRAWING = """() => [document.querySelectorAll('[data-testid="stElementContainer"]').length,
  document.querySelectorAll('[data-testid="stDataFrame"]').length, document.querySelectorAll('td[role="gridcell"]').length,
  document.querySelectorAll('.js-plotly-plot .main-svg').length, document.body.innerText.length].join(' ')"""

# For each visible chart: its title (or its index) and every visible axis that shows no tick label.
_BARE_AXES = """() => {
  const out = [];
  document.querySelectorAll('.js-plotly-plot').forEach((plot, i) => {
    if (!(plot.offsetWidth > 0 && plot.checkVisibility({visibilityProperty: true})) || !plot._fullLayout) return;
    const fl = plot._fullLayout;
    const title = (fl.title && fl.title.text) || `chart ${i + 1}`;
    for (const name of Object.keys(fl).filter(k => /^[xy]axis[0-9]*$/.test(k))) {
      const ax = fl[name];
      if (!ax || !ax.visible || !ax.showticklabels || !ax._id) continue;
      const labels = Array.from(plot.querySelectorAll('.' + ax._id + 'tick text')).filter(t => t.textContent.trim());
      if (labels.length === 0) out.push(`${title}: ${name} has no tick labels`);
    }
  });
  return out;
}"""


def _english_fragments() -> set[str]:
    """Return the English UI fragments (≥ MIN_ENGLISH characters) that no Chinese text contains."""
    texts = all_texts()
    chinese = "\n".join(zh for zh, _ in texts.values())
    out = set()
    for zh, en in texts.values():
        if zh == en:
            continue
        plain = en.replace("**", "").replace("`", "")
        for piece in re.split(r"\{[^}]*\}|\n", plain):
            piece = piece.strip(" :;,.·()")
            if len(piece) >= MIN_ENGLISH and piece not in chinese and piece not in ALLOWED_ENGLISH:
                out.add(piece)
    return out


def _raw_keys() -> set[str]:
    """Return the text keys that can only be a key when seen verbatim: identifiers with an underscore."""
    return {k for k, (zh, en) in all_texts().items() if "_" in k and k not in (zh, en)}


ENGLISH = _english_fragments()
KEYS = _raw_keys()


def findings_in(text: str, lang: str) -> list[str]:
    """Return what is wrong with a page's visible text: missing values, raw keys, English in the Chinese UI."""
    out = [f"shows {m!r}" for m in sorted(set(MISSING.findall(text)))]
    out += [f"shows the raw text key {k!r}" for k in sorted(set(IDENT.findall(text)) & KEYS)]
    if lang == "zh":
        out += [f"shows English UI text {e!r}" for e in sorted(e for e in ENGLISH if e in text)]
    return out


def test_the_checks_catch_what_they_are_for() -> None:
    """The walk's text checks flag each kind of problem and pass a clean page (no browser needed)."""
    assert findings_in("渠道 None · 均值 nan · NaN% · NaT", "zh") == [
        "shows 'NaN'", "shows 'NaT'", "shows 'None'", "shows 'nan'"]
    assert findings_in("Nonexistent banana Nancy", "en") == []
    assert findings_in("import_upload", "en") == ["shows the raw text key 'import_upload'"]
    assert findings_in("Nothing matches these filters.", "zh") == [
        "shows English UI text 'Nothing matches these filters'"]
    assert findings_in("Nothing matches these filters.", "en") == []
    assert findings_in("当前筛选条件下没有数据。 ServiceNow 2025-03 csat_rate", "zh") == []


def _drawn(pg: object) -> bool:
    """Wait until the run is over, every visible chart and grid has drawn, and nothing changes for a second."""
    settle(pg)
    deadline = time.time() + DRAW_S
    try:
        pg.wait_for_function(_DRAWN, timeout=DRAW_S * 1000)  # type: ignore[attr-defined]
    except PlaywrightTimeout:
        return False
    last, same = None, 0
    while same < 4 and time.time() < deadline:
        now = pg.evaluate(_DRAWING)  # type: ignore[attr-defined]
        same = same + 1 if now == last else 0
        last = now
        pg.wait_for_timeout(300)  # type: ignore[attr-defined]
    return True


def _walk(pg, base: str, lang: str, width: int, external: list[str]) -> list[str]:
    """Open every page of the menu in `lang` and return what is wrong on each, one line per finding."""
    problems = []
    for spec in PAGES:
        where = f"/{spec.url_path} [{lang}, {width} px]"
        external.clear()
        pg.goto(f"{base}/{spec.url_path}?lang={lang}")
        if not _drawn(pg):
            problems.append(f"{where}: a chart or table did not draw within {DRAW_S} s")
        found = [f"requests {url}" for url in dict.fromkeys(external)]
        found += [f"exception: {e.inner_text()[:300]}" for e in pg.query_selector_all('[data-testid="stException"]')]
        found += findings_in(pg.evaluate(_VISIBLE_TEXT), lang)
        found += pg.evaluate(_BARE_AXES)
        problems.extend(f"{where}: {f}" for f in found)
    return problems


@pytest.fixture(params=[(lang, width) for lang in LANGS for width in WIDTHS], ids=lambda p: f"{p[0]}-{p[1]}px")
def walker(request: pytest.FixtureRequest, browser: object, server: str
           ) -> Iterator[tuple[object, str, int, list[str]]]:
    """Return (page, language, width, the external requests it tries) in one context per language and width."""
    lang, width = request.param
    host = urlparse(server).hostname
    external: list[str] = []
    context = browser.new_context(viewport={"width": width, "height": 900},  # type: ignore[attr-defined]
                                  locale="zh-CN" if lang == "zh" else "en-US")
    context.set_default_timeout(WAIT_MS)

    def only_the_app(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if urlparse(url).scheme in ("http", "https", "ws", "wss") and urlparse(url).hostname != host:
            external.append(url)
            route.abort()  # type: ignore[attr-defined]
        else:
            route.continue_()  # type: ignore[attr-defined]

    context.route("**/*", only_the_app)
    context.add_init_script(_RECORD_CANVAS_TEXT)
    yield context.new_page(), lang, width, external
    context.close()


def test_every_page_is_offline_translated_and_complete(walker: tuple[object, str, int, list[str]],
                                                       server: str) -> None:
    pg, lang, width, external = walker
    problems = _walk(pg, server, lang, width, external)
    assert problems == [], "\n".join(problems)
