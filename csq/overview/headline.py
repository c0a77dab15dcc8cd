"""Overview tiles: value, target, status, change against the previous period, and what is off target."""
from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from csq.core.i18n import t
from csq.metrics.calls import thresholds
from csq.metrics.display import format_value, indicator_name
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.metrics.indicators import INDICATORS, formula, target_status
from csq.metrics.results import Result
from csq.store import Store
from csq.store.settings import Target

HEADLINE: tuple[str, ...] = (
    "tickets", "frt_median_min", "frt_sla_rate", "resolution_sla_rate",
    "fcr_rate", "complaint_rate", "csat_rate", "nps",
    "survey_response_rate", "qa_score", "training_pass_rate", "action_on_time_rate",
)
# Optional tiles, by record kind: every indicator of a kind that no headline tile reads (calls, callbacks, the QA
# sample: records many centers never import) is a tile where the store holds that kind, so a center without calls
# sees no empty telephony tiles and a newly registered kind's indicators get tiles without Overview code. SERVQUAL
# is left out: a questionnaire fielded once or twice a year, read by dimension on the Evaluation page.
ALWAYS_KINDS: frozenset[str] = frozenset(INDICATORS[k].kind for k in HEADLINE)
UNTILED_KINDS: frozenset[str] = frozenset({"servqual"})
OPTIONAL_KINDS: tuple[str, ...] = tuple(dict.fromkeys(
    i.kind for i in INDICATORS.values() if i.kind not in ALWAYS_KINDS | UNTILED_KINDS))
# What an optional kind's figures depend on beyond their formula, shown beside the figure: the telephony thresholds.
_NOTES: dict[str, Callable[[Store, str, str], str | None]] = {
    "calls": lambda store, key, lang: thresholds(store).note(key, lang),
}
# The same for the kind as a whole, in one line, where the tiles are a compact list (phones).
_KIND_NOTES: dict[str, Callable[[Store, str], str]] = {
    "calls": lambda store, lang: t("tel_thresholds", lang, text=thresholds(store).describe(lang)),
}
_STATUS_COLOUR = {"green": "green", "amber": "orange", "red": "red"}
_STATUS_ICON = {"green": "●", "amber": "▲", "red": "■"}


@dataclass(frozen=True)
class Tile:
    """Everything one tile shows, already formatted for the language."""

    key: str
    label: str
    value: str
    delta: str | None
    delta_color: str
    delta_arrow: str
    status: str | None
    status_md: str
    help: str
    formula_md: str
    status_text: str = ""    # the status as plain text ('● on target'), for lists that render no markdown
    note: str = ""           # what the figure depends on beyond its formula: a threshold ('answered within 20 s')


def kinds_with_data(store: Store) -> frozenset[str]:
    """Return the optional kinds whose indicators have an n over the whole store (all months, no filter)."""
    keys = [k for k, i in INDICATORS.items() if i.kind in OPTIONAL_KINDS]
    if not keys:
        return frozenset()
    found = compute(store, Filter(), (), keys)[0]
    return frozenset(INDICATORS[k].kind for k in keys if found.n(k) > 0)


def tile_keys(present: Collection[str]) -> tuple[str, ...]:
    """Return the Overview's tile keys: the headline, then each indicator of an optional kind in `present`."""
    return HEADLINE + tuple(k for k, i in INDICATORS.items()
                            if i.kind in OPTIONAL_KINDS and i.kind in present and k not in HEADLINE)


def tile_notes(store: Store, keys: Collection[str], lang: str) -> dict[str, str]:
    """Return what a tile's figure depends on beyond its formula (the telephony thresholds), keyed by indicator."""
    out = {}
    for k in keys:
        note = _NOTES[INDICATORS[k].kind](store, k, lang) if INDICATORS[k].kind in _NOTES else None
        if note:
            out[k] = note
    return out


def kind_notes(store: Store, keys: Collection[str], lang: str) -> list[str]:
    """Return one line per kind among the tiles' that has something its figures depend on (the thresholds)."""
    kinds = dict.fromkeys(INDICATORS[k].kind for k in keys)
    return [_KIND_NOTES[kind](store, lang) for kind in kinds if kind in _KIND_NOTES]


def format_delta(key: str, now: float | None, before: float | None, lang: str) -> str | None:
    """Return the change from the previous period with its unit ('+1.2 pp', '-0.4 min'), or None."""
    if now is None or before is None:
        return None
    unit = INDICATORS[key].unit
    diff = now - before
    if abs(diff) < (0.0005 if unit == "rate" else 0.05):
        diff = 0.0  # "-0.0" reads as a fall; an unchanged value is shown without a sign
    if unit == "rate":
        return f"{diff * 100:+.1f} {'个百分点' if lang == 'zh' else 'pp'}".replace("+0.0", "0.0")
    if unit == "count":
        return f"{diff:+,.0f}" if diff else "0"
    suffix = {"min": " 分钟" if lang == "zh" else " min", "h": " 小时" if lang == "zh" else " h",
              "s": " 秒" if lang == "zh" else " s"}.get(unit, "")
    return (f"{diff:+,.1f}" if diff else "0.0") + suffix


def format_target(key: str, target: Target | None, lang: str) -> str:
    """Return the target as '≥ 90.0%' or '≤ 5.0 min', or the no-target text."""
    if target is None:
        return t("status_none", lang)
    sign = "≥" if target.direction == "higher" else "≤"
    return f"{t('target', lang)} {sign} {format_value(key, target.target, lang)}"


def tile(key: str, current: Result, previous: Result | None, target: Target | None, lang: str,
         note: str = "") -> Tile:
    """Return the tile of one indicator for the current and previous period (`note`: its threshold, if any)."""
    ind = INDICATORS[key]
    value, n = current.value(key), current.n(key)
    before = previous.value(key) if previous else None
    status = target_status(value, target)
    better = ind.better
    delta_color = "off" if better is None else ("normal" if better == "higher" else "inverse")
    state = t(f"status_{status}" if status else "status_none", lang)
    colour = _STATUS_COLOUR.get(status or "", "gray")
    target_txt = f" {format_target(key, target, lang)}" if target else ""
    status_md = f":{colour}-badge[{_STATUS_ICON.get(status or '', '○')} {state}]{target_txt} · n = {n:,}"
    prev_txt = f"{t('vs_prev', lang)}: {format_value(key, before, lang)}" if previous else ""
    delta = format_delta(key, value, before, lang)
    arrow = "auto" if delta is None or delta.startswith(("+", "-")) else "off"  # no arrow for "no change"
    if arrow == "off":
        delta_color = "off"  # no change is neither good nor bad: grey, not the colour of a fall
    noted = f"\n\n{note}" if note else ""
    return Tile(key, indicator_name(key, lang), format_value(key, value, lang), delta,
                delta_color, arrow, status, status_md, f"{formula(key, lang)}  \n{prev_txt}",
                f"**{indicator_name(key, lang)}**\n\n{formula(key, lang)}{noted}\n\nn = {n:,}",
                f"{_STATUS_ICON.get(status or '', '○')} {state}", note)


@dataclass(frozen=True)
class Miss:
    """An indicator off its target, with how far off it is."""

    key: str
    value: float
    target: Target
    status: str
    shortfall: float

    def text(self, lang: str) -> str:
        """Return one line saying which indicator misses its target and by how much."""
        colour = _STATUS_COLOUR[self.status]
        return (f":{colour}[{_STATUS_ICON[self.status]}] **{indicator_name(self.key, lang)}** "
                f"{format_value(self.key, self.value, lang)} · {format_target(self.key, self.target, lang)}")


def off_target(current: Result, targets: Mapping[str, Target]) -> list[Miss]:
    """Return indicators that are red or amber, most severe first (red before amber, then relative shortfall)."""
    out = []
    for key, target in targets.items():
        value = current.value(key) if key in current.figures else None
        status = target_status(value, target)
        if status in ("red", "amber") and value is not None:
            gap = (target.target - value) if target.direction == "higher" else (value - target.target)
            out.append(Miss(key, value, target, status, gap / abs(target.target) if target.target else gap))
    return sorted(out, key=lambda m: (m.status != "red", -m.shortfall))
