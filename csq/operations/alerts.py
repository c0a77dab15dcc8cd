"""What `notify` alerts about: the latest complete month's off-target indicators and its new control-chart signals.

The month is the latest complete one (csq.metrics.periods: the running month is never judged). Off target
is the Overview's rule (csq.overview.headline.off_target: red or amber against the targets of Settings);
a signal is a run rule of SPEC §4b that the month's point breaks on the indicator's control chart (the
Overview's headline indicators, whole center, limits from every complete month). Each alert has a key,
(indicator, month, kind), by which `notify` remembers what it sent.
"""
from __future__ import annotations

from dataclasses import dataclass

from csq.core.i18n import t
from csq.core.months import Month
from csq.metrics.choices import catalog
from csq.metrics.display import format_value, indicator_name
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.metrics.indicators import INDICATORS
from csq.metrics.periods import complete_months
from csq.metrics.spc import control_chart
from csq.metrics.spc_words import explain
from csq.overview.headline import HEADLINE, format_target, off_target
from csq.store import Store
from csq.store.settings import targets as load_targets

OFF_TARGET, SIGNAL, REPORT = "off_target", "signal", "report"
_ICON = {"red": "■", "amber": "▲"}


@dataclass(frozen=True)
class Alert:
    """One thing to tell: an indicator off target or signalling in a month, or a quarter's report."""

    indicator: str                 # '' for a report
    month: str                     # 'YYYY-MM', or the quarter 'YYYYQN' of a report
    kind: str                      # off_target | signal | report
    text: str                      # one line in the message's language
    value: float | None = None
    target: float | None = None
    status: str | None = None      # red | amber (off target)
    rules: tuple[str, ...] = ()    # the run rules broken (signal)

    @property
    def key(self) -> tuple[str, str, str]:
        """Return (indicator, month, kind): what is sent once per channel."""
        return self.indicator, self.month, self.kind

    def as_dict(self) -> dict[str, object]:
        """Return the alert as the webhook's JSON object."""
        return {"indicator": self.indicator, "month": self.month, "kind": self.kind, "text": self.text,
                "value": self.value, "target": self.target, "status": self.status, "rules": list(self.rules)}


@dataclass(frozen=True)
class Latest:
    """The months the store's data covers: the latest complete month, and the latest complete quarter."""

    month: str | None
    quarter: str | None
    running: str | None


def latest(store: Store) -> Latest:
    """Return the latest complete month and quarter of the store's data (None when there is none)."""
    cat = catalog(store)
    whole = complete_months(cat.months, cat.running)
    if not whole:
        return Latest(None, None, cat.running)
    last = Month.parse(whole[-1])
    # A quarter is complete when its third month is: else the quarter before the latest month's.
    quarter = last.quarter if last.month % 3 == 0 else (last + -(((last.month - 1) % 3) + 1)).quarter
    first_month = str(Month.parse(whole[0]))
    quarter_end = Month(int(quarter[:4]), 3 * int(quarter[-1]))
    return Latest(whole[-1], quarter if str(quarter_end) >= first_month else None, cat.running)


def off_target_alerts(store: Store, month: str, lang: str) -> list[Alert]:
    """Return the month's indicators that are red or amber against their targets, most severe first."""
    targets = load_targets(store)
    current = compute(store, Filter(month, month))[0]
    out = []
    for miss in off_target(current, targets):
        text = (f"{_ICON[miss.status]} {indicator_name(miss.key, lang)} {format_value(miss.key, miss.value, lang)}"
                f" · {format_target(miss.key, miss.target, lang)} · {t('status_' + miss.status, lang)}"
                f" · n = {current.n(miss.key):,}")
        out.append(Alert(miss.key, month, OFF_TARGET, text, miss.value, miss.target.target, miss.status))
    return out


def signal_alerts(store: Store, month: str, running: str | None, lang: str) -> list[Alert]:
    """Return the headline indicators whose control-chart point of `month` breaks a run rule."""
    rows = compute(store, Filter(), by=["month"], indicators=HEADLINE)
    out = []
    for key in HEADLINE:
        chart = control_chart(rows, key, INDICATORS[key].unit, running)
        point = next((p for p in chart.points if p.month == month and not p.partial), None)
        if point is None or not point.signals:
            continue
        text = f"{indicator_name(key, lang)} · {explain(point, lang)}"
        out.append(Alert(key, month, SIGNAL, text, point.value, None, None, point.signals))
    return out


def report_alert(quarter: str, lang: str) -> Alert:
    """Return the alert standing for the quarterly report of `quarter`."""
    return Alert("", quarter.strip().upper(), REPORT, t("ntf_report", lang, q=quarter.strip().upper()))
