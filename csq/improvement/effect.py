"""The effect check of an improvement action: its indicator in its scope before and after, and a verdict.

Both windows are exact dates: the before window ends at the action's start_date, the after window starts on
the day it was completed (SPEC §2; the demo's effects start that day). Each window is `before_months` /
`after_months` calendar months long (3 when not set). Samples are the indicator's own per-record values, read
once per record kind for every action checked together (csq.improvement.samples), so the window's value is the
indicator and a thousand windows cost one query per kind.

When the scope is part of the center, the rest of the center over the same windows is the comparison group and
the verdict is on the difference in differences (SPEC §4c, csq.improvement.did); a whole-center action, or one
whose comparison group has too few records, keeps the plain before/after test.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from scipy import stats

from csq.core.months import add_months
from csq.errors import InputRefused
from csq.improvement.did import NetEffect, net_effect
from csq.improvement.samples import Book, Want, read_book, scoped
from csq.metrics.asof import as_of as data_as_of
from csq.metrics.indicators import INDICATORS
from csq.store import Store
from csq.store.settings import setting_int

DEFAULT_MONTHS = 3
MIN_N = 20        # fewer records than this in a window give no verdict (setting effect_min_n overrides)
ALPHA = 0.05
_MEAN_UNITS = frozenset({"score", "points"})
_ACTIONS_SQL = "SELECT * EXCLUDE (_batch_id) FROM actions_current ORDER BY action_id"


@dataclass(frozen=True)
class Window:
    """One window of an effect check: [start, end) dates, the indicator's value there, and its n."""

    start: date | None
    end: date | None
    value: float | None
    n: int
    # The per-record values as numpy (a window can hold a million); not part of equality.
    samples: np.ndarray = field(default_factory=lambda: np.empty(0), compare=False, repr=False)

    def as_json(self) -> dict[str, object]:
        """Return the SPEC §6 window object: value, n, and the first and last day (inclusive)."""
        return {"value": self.value, "n": self.n,
                "from": self.start.isoformat() if self.start else None,
                "to": (self.end - timedelta(days=1)).isoformat() if self.end else None}


@dataclass(frozen=True)
class Comparison:
    """The comparison group of an effect check (the rest of the center) over the same two windows."""

    before: Window
    after: Window

    def as_json(self) -> dict[str, object]:
        """Return the SPEC §4c `comparison` object: before and after as window objects."""
        return {"before": self.before.as_json(), "after": self.after.as_json()}


@dataclass(frozen=True)
class EffectCheck:
    """The effect check of one action: both windows, the comparison group, the test, its p-value and the verdict.

    `method` is 'did' when the verdict is on the difference in differences (then `net` holds it), else
    'before_after'; `comparison` is None for a whole-center scope.
    """

    action_id: str
    indicator: str | None
    scope: str | None
    before: Window
    after: Window
    test: str | None
    p_value: float | None
    verdict: str
    reason: str  # why this verdict, a key of csq.texts.improvement ("effect_reason_*")
    better: str | None
    comparison: Comparison | None = None
    method: str = "before_after"
    net: NetEffect | None = None

    def as_json(self) -> dict[str, object]:
        """Return the object of SPEC §6 `actions --verify --json`, with SPEC §4c's `comparison` and `method`."""
        return {"action_id": self.action_id, "indicator": self.indicator, "scope": self.scope,
                "before": self.before.as_json(), "after": self.after.as_json(),
                "comparison": self.comparison.as_json() if self.comparison else None, "method": self.method,
                "p_value": self.p_value, "verdict": self.verdict}


def _as_date(value: object) -> date | None:
    """Return a date from a date, a datetime or an ISO text, None otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        return date.fromisoformat(value.strip()[:10])
    return None


def _months(value: object) -> int:
    """Return a window length in months: the action's own value when it is a positive number, else 3."""
    try:
        n = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return DEFAULT_MONTHS
    return n if n > 0 else DEFAULT_MONTHS


_Range = tuple[date | None, date | None]


def windows(action: dict[str, object]) -> tuple[_Range, _Range]:
    """Return the before and after windows of an action as [start, end) dates (None, None when not dated)."""
    start, done = _as_date(action.get("start_date")), _as_date(action.get("completed_at"))
    b_months, a_months = _months(action.get("before_months")), _months(action.get("after_months"))
    before_end = start or done
    b_range = (add_months(before_end, -b_months), before_end) if before_end else (None, None)
    a_range = (done, add_months(done, a_months)) if done else (None, None)
    return b_range, a_range


def _want(action: dict[str, object]) -> Want:
    """Return what the action's check reads: its indicator and scope from its first to its last window day."""
    before, after = windows(action)
    days = [d for d in (*before, *after) if d is not None]
    return Want(str(action.get("indicator") or "") or None, str(action.get("scope") or "") or None,
                min(days, default=None), max(days, default=None))


def samples(store: Store, key: str, scope: str | None, start: date, end: date, outside: bool = False) -> list[float]:
    """Return the per-record values of indicator `key` for records in the scope (outside it) dated in [start, end)."""
    scoped(scope)  # an unreadable scope is refused here, as a filter would be
    book = read_book(store, [Want(key, scope, start, end)], data_as_of(store))
    return book.cell(key, scope, start, end, outside).tolist()


def summarise(key: str, values: Sequence[float] | np.ndarray) -> tuple[float | None, int]:
    """Return (indicator value, n) from per-record values: a median, P90, mean, rate or count."""
    unit = INDICATORS[key].unit
    if unit == "count":
        return float(len(values)), len(values)
    if len(values) == 0:
        return None, 0
    if key.endswith(("_median_min", "_median_h")):
        return float(np.quantile(values, 0.5)), len(values)
    if key.endswith(("_p90_min", "_p90_h")):
        return float(np.quantile(values, 0.9)), len(values)
    return float(np.mean(values)), len(values)


def _test(key: str, before: Window, after: Window) -> tuple[str, float]:
    """Return (test name, two-sided p-value) for the indicator's kind of value."""
    unit = INDICATORS[key].unit
    if unit == "rate":
        yes_b, yes_a = round(float(np.sum(before.samples))), round(float(np.sum(after.samples)))
        table = [[yes_b, before.n - yes_b], [yes_a, after.n - yes_a]]
        expected = stats.contingency.expected_freq(table) if min(yes_b + yes_a, before.n + after.n
                                                                 - yes_b - yes_a) > 0 else None
        if expected is None or expected.min() < 5:
            return "fisher_exact", float(stats.fisher_exact(table).pvalue)
        return "chi2_contingency", float(stats.chi2_contingency(table, correction=False).pvalue)
    if unit == "count":
        assert before.start and before.end and after.start and after.end
        days_b, days_a = (before.end - before.start).days, (after.end - after.start).days
        return "poisson_means_test", float(stats.poisson_means_test(after.n, days_a, before.n, days_b).pvalue)
    return "mannwhitneyu", float(stats.mannwhitneyu(after.samples, before.samples,
                                                    alternative="two-sided").pvalue)


def _better(key: str, action: dict[str, object]) -> str:
    """Return the better direction: the indicator's, else from the action's target vs baseline, else lower."""
    better = INDICATORS[key].better
    if better:
        return better
    target, baseline = action.get("target"), action.get("baseline")
    if isinstance(target, (int, float)) and isinstance(baseline, (int, float)) and target > baseline:
        return "higher"
    return "lower"  # a volume an action targets (e.g. calls about one category) is meant to fall


def _level(key: str, w: Window) -> float | None:
    """Return the window's value made comparable across window lengths (counts per day)."""
    if w.value is None:
        return None
    if INDICATORS[key].unit == "count" and w.start and w.end:
        return w.value / max((w.end - w.start).days, 1)
    return w.value


def _window(book: Book, key: str, scope: str | None, start: date | None, end: date | None,
            outside: bool = False) -> Window:
    """Return one window (of the scope, or of the rest of the center) with its samples, value and n."""
    if start is None or end is None or end <= start:
        return Window(start, end, None, 0)
    values = book.cell(key, scope, start, end, outside)
    value, n = summarise(key, values)
    return Window(start, end, value, n, values)


def _enough(key: str, before: Window, after: Window, min_n: int) -> bool:
    """Return True when both windows hold at least min_n records (a count's after window may hold fewer)."""
    return before.n >= min_n and (after.n >= min_n or INDICATORS[key].unit == "count")


def _judged(p: float | None, improved: bool) -> str:
    """Return 'effective', 'worse' or 'no_change' from a p-value and whether the change is in the better direction."""
    if p is not None and p < ALPHA:
        return "effective" if improved else "worse"
    return "no_change"


def plain_verdict(key: str, before: Window, after: Window, better: str) -> tuple[str, float | None, str]:
    """Return (test name, p-value or None, effective/worse/no_change) of the plain before/after test."""
    test, p = _test(key, before, after)
    lb, la = _level(key, before), _level(key, after)
    improved = lb is not None and la is not None and (la < lb if better == "lower" else la > lb)
    p_or_none = None if math.isnan(p) else p
    return test, p_or_none, _judged(p_or_none, improved)


def did_verdict(key: str, before: Window, after: Window, comparison: Comparison,
                better: str) -> tuple[NetEffect, float | None, str]:
    """Return (net effect, p-value or None, effective/worse/no_change) of the difference in differences."""
    assert before.start and before.end and after.start and after.end
    days = ((before.end - before.start).days, (after.end - after.start).days)
    net = net_effect(INDICATORS[key].unit, (before.samples, after.samples),
                     (comparison.before.samples, comparison.after.samples), days)
    p = None if math.isnan(net.p_value) else net.p_value
    return net, p, _judged(p, net.d < 0 if better == "lower" else net.d > 0)


def check(store: Store, action: dict[str, object], now: datetime | None = None,
          min_n: int | None = None, book: Book | None = None) -> EffectCheck:
    """Return the effect check of one action (a row of actions_current as a dict); `now` defaults to as-of.

    `book` holds the per-record values read for many actions at once (check_all); without it this action's are read.
    """
    want = _want(action)
    key, scope = want.key, want.scope
    as_of = data_as_of(store) if book is None or now is None else None
    now = now or as_of
    min_n = min_n or setting_int(store, "effect_min_n", MIN_N) or MIN_N
    (b_range, a_range), done = windows(action), _as_date(action.get("completed_at"))
    aid = str(action.get("action_id"))
    comparison: Comparison | None = None

    def result(before: Window, after: Window, verdict: str, reason: str, test: str | None = None,
               p: float | None = None, better: str | None = None, method: str | None = None,
               net: NetEffect | None = None) -> EffectCheck:
        method = method or ("did" if comparison else "before_after")
        return EffectCheck(aid, key, scope, before, after, test, p, verdict, reason, better, comparison, method, net)

    empty = Window(None, None, None, 0)
    if key not in INDICATORS:
        return result(empty, empty, "insufficient_data", "effect_reason_no_indicator")
    try:
        part = scoped(scope)  # an empty scope is the whole center
    except InputRefused:
        return result(empty, empty, "insufficient_data", "effect_reason_bad_scope")
    book = book or read_book(store, [want], as_of)
    before = _window(book, key, scope, *b_range)
    rest_before = _window(book, key, scope, *b_range, outside=True) if part else None
    if done is None or now is None:
        after = Window(*a_range, None, 0)
        comparison = Comparison(rest_before, after) if rest_before else None
        return result(before, after, "pending", "effect_reason_not_completed")
    a_end = a_range[1]
    assert a_end is not None
    if now < datetime.combine(a_end, datetime.min.time()):
        seen_end = min(a_end, now.date() + timedelta(days=1))
        partial = _window(book, key, scope, done, seen_end)
        if rest_before:
            rest = _window(book, key, scope, done, seen_end, outside=True)
            comparison = Comparison(rest_before, Window(done, a_end, rest.value, rest.n, rest.samples))
        return result(before, Window(done, a_end, partial.value, partial.n, partial.samples), "pending",
                      "effect_reason_window_open")
    after = _window(book, key, scope, *a_range)
    if rest_before:
        comparison = Comparison(rest_before, _window(book, key, scope, *a_range, outside=True))
    better = _better(key, action)
    if not _enough(key, before, after, min_n):
        return result(before, after, "insufficient_data", "effect_reason_small_n", better=better)
    if comparison and _enough(key, comparison.before, comparison.after, min_n):
        net, p, judged = did_verdict(key, before, after, comparison, better)
        verdict = "effective" if judged == "effective" else "not_effective"
        return result(before, after, verdict, f"effect_reason_did_{judged}", "did_z", p, better, "did", net)
    test, p, judged = plain_verdict(key, before, after, better)
    verdict = "effective" if judged == "effective" else "not_effective"
    # The rest of the center is too small to compare with: the plain test, and the reason says why.
    reason = "effect_reason_small_comparison" if comparison else f"effect_reason_{judged}"
    return result(before, after, verdict, reason, test, p, better, "before_after")


def check_all(store: Store, include_cancelled: bool = False, now: datetime | None = None) -> list[EffectCheck]:
    """Return the effect check of every current action (cancelled ones left out unless asked), by action_id.

    The per-record values of every action's indicator are read once per record kind for all of them. `now`
    (default: the data's as-of) decides which windows are still open; the values are always as of the data.
    """
    as_of = data_as_of(store)
    # The register's rows as stored: actions.list_actions would work out the data's as-of again for its overdue
    # flags, which the check does not read, and at a million tickets that is one more full scan.
    actions = [a for a in store.arrow(_ACTIONS_SQL).to_pylist() if include_cancelled or a.get("status") != "cancelled"]
    book = read_book(store, [_want(a) for a in actions], as_of)
    min_n = setting_int(store, "effect_min_n", MIN_N) or MIN_N
    return [check(store, a, now or as_of, min_n, book) for a in actions]
