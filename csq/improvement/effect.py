"""The effect check of an improvement action: its indicator in its scope before and after, and a verdict.

Both windows are exact dates: the before window ends at the action's start_date, the after window starts on
the day it was completed (SPEC §2; the demo's effects start that day). Each window is `before_months` /
`after_months` calendar months long (3 when not set). Samples are the indicator's own per-record values,
read with the same SQL as the indicator engine grouped by record, so the window's value is the indicator.

When the scope is part of the center, the rest of the center over the same windows is the comparison group and
the verdict is on the difference in differences (SPEC §4c, csq.improvement.did); a whole-center action, or one
whose comparison group has too few records, keeps the plain before/after test.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from scipy import stats

from csq.core.months import add_months
from csq.errors import InputRefused
from csq.improvement.actions import list_actions
from csq.improvement.did import NetEffect, net_effect
from csq.metrics.dimensions import ACTION_DIMS, TRAINING_DIMS, qa_dims, survey_dims, ticket_dims
from csq.metrics.engine import scope_table, servqual_parts, ticket_query
from csq.metrics.filters import Filter, Where, build_where, build_where_outside
from csq.metrics.indicators import INDICATORS
from csq.metrics.sla import as_of as data_as_of
from csq.store import Store
from csq.store.queries import SqlFiles, arrow
from csq.store.settings import setting_int

METRICS_SQL = SqlFiles("csq.metrics")

DEFAULT_MONTHS = 3
MIN_N = 20        # fewer records than this in a window give no verdict (setting effect_min_n overrides)
ALPHA = 0.05
_MEAN_UNITS = frozenset({"score", "points"})


@dataclass(frozen=True)
class Window:
    """One window of an effect check: [start, end) dates, the indicator's value there, and its n."""

    start: date | None
    end: date | None
    value: float | None
    n: int
    samples: tuple[float, ...] = ()

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


def _month(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


# ---- per-record samples: the engine's SQL grouped by record, so each row holds that record's value

# A runner reads the rows its Where builder picks: build_where (the scope) or build_where_outside (the rest).
_Build = Callable[[Filter, Mapping[str, str], str], Where]
_Runner = Callable[[Store, Filter, _Build], list[dict[str, object]]]


def _run(name: str, dims: dict[str, str], month_expr: str, id_expr: str, **extra: object) -> _Runner:
    """Return a runner of one engine SQL file grouped per record (g_id) with the record's moment (g_at)."""

    def go(store: Store, f: Filter, build: _Build) -> list[dict[str, object]]:
        where = build(f, dims, month_expr)
        groups = f"{id_expr} AS g_id, {month_expr} AS g_at, "
        register = extra.get("register")
        parts = {k: v for k, v in extra.items() if k != "register"}
        sql, p = METRICS_SQL.render(name, groups=groups, group_names="g_id, g_at, ", where=where.part,
                        as_of=("?", [data_as_of(store)]), **parts)  # type: ignore[arg-type]
        return arrow(store, sql, p, register(store) if callable(register) else None).to_pylist()

    return go


def _tickets(store: Store, f: Filter, build: _Build) -> list[dict[str, object]]:
    """Return one row per ticket (by creation moment) with its indicator values over the SLA clock."""
    where = build(f, ticket_dims("t"), "t.created_at")
    sql, p, register = ticket_query(store, where.part, "t.ticket_id AS g_id, t.created_at AS g_at, ",
                                    "g_id, g_at, ", data_as_of(store))
    return arrow(store, sql, p, register).to_pylist()


def _surveys(store: Store, f: Filter, build: _Build) -> list[dict[str, object]]:
    """Return one row per answer (by response moment) and one per invitation (by send moment)."""
    dims = survey_dims()
    rows: list[dict[str, object]] = []
    answered, sent = "coalesce(s.responded_at, s.sent_at)", "s.sent_at"
    wa = build(f, dims, answered)
    wi = build(f, dims, sent)
    sql, p = METRICS_SQL.render("surveys", groups_answers=f"s.survey_id AS g_id, {answered} AS g_at, ",
                    where_answers=wa.part, groups_invitations=f"s.survey_id AS g_id, {sent} AS g_at, ",
                    where_invitations=wi.part, group_names="g_id, g_at, ")
    rows.extend(arrow(store, sql, p).to_pylist())
    return rows


_RUNNERS: dict[str, _Runner] = {
    "tickets": _tickets,
    "surveys": _surveys,
    "qa": _run("qa", qa_dims(), "e.evaluated_at", "e.evaluation_id", agent_team=METRICS_SQL.load("agent_team")),
    # Assessments have no key of their own; each filtered row is one record.
    "training": _run("training", TRAINING_DIMS, "r.assessed_at", "row_number() OVER ()",
                     agent_team=METRICS_SQL.load("agent_team")),
    "servqual": _run("servqual", {}, "s.responded_at", "s.respondent_id", **servqual_parts()),
    "actions": _run("actions", ACTION_DIMS, "a.due_date", "a.action_id",
                    register=lambda store: {"_csq_scope": scope_table(store)}),
}


def samples(store: Store, key: str, scope: str | None, start: date, end: date, outside: bool = False) -> list[float]:
    """Return the per-record values of indicator `key` for records in the scope (outside it) dated in [start, end)."""
    ind = INDICATORS[key]
    last = end - timedelta(days=1)
    f = Filter.from_scope(scope, _month(start), _month(last))
    lo, hi = datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.min.time())
    out: list[float] = []
    for row in _RUNNERS[ind.kind](store, f, build_where_outside if outside else build_where):
        at = row.get("g_at")
        if isinstance(at, date) and not isinstance(at, datetime):
            at = datetime.combine(at, datetime.min.time())
        value = row.get(key)
        if value is None or not isinstance(at, datetime) or not lo <= at < hi:
            continue
        out.append(float(value))  # type: ignore[arg-type]
    return out


def summarise(key: str, values: list[float]) -> tuple[float | None, int]:
    """Return (indicator value, n) from per-record values: a median, P90, mean, rate or count."""
    unit = INDICATORS[key].unit
    if unit == "count":
        return float(len(values)), len(values)
    if not values:
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
        yes_b, yes_a = round(sum(before.samples)), round(sum(after.samples))
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


def _window(store: Store, key: str, scope: str | None, start: date | None, end: date | None,
            outside: bool = False) -> Window:
    """Return one window (of the scope, or of the rest of the center) with its samples, value and n."""
    if start is None or end is None or end <= start:
        return Window(start, end, None, 0)
    values = samples(store, key, scope, start, end, outside)
    value, n = summarise(key, values)
    return Window(start, end, value, n, tuple(values))


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
          min_n: int | None = None) -> EffectCheck:
    """Return the effect check of one action (a row of actions_current as a dict); `now` defaults to as-of."""
    key = str(action.get("indicator") or "") or None
    scope = str(action.get("scope") or "") or None
    now = now or data_as_of(store)
    min_n = min_n or setting_int(store, "effect_min_n", MIN_N) or MIN_N
    start, done = _as_date(action.get("start_date")), _as_date(action.get("completed_at"))
    b_months, a_months = _months(action.get("before_months")), _months(action.get("after_months"))
    before_end = start or done
    b_range = (add_months(before_end, -b_months), before_end) if before_end else (None, None)
    a_range = (done, add_months(done, a_months)) if done else (None, None)
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
        scoped = bool(Filter.from_scope(scope).conditions())  # an empty scope is the whole center
    except InputRefused:
        return result(empty, empty, "insufficient_data", "effect_reason_bad_scope")
    before = _window(store, key, scope, *b_range)
    rest_before = _window(store, key, scope, *b_range, outside=True) if scoped else None
    if done is None or now is None:
        after = Window(*a_range, None, 0)
        comparison = Comparison(rest_before, after) if rest_before else None
        return result(before, after, "pending", "effect_reason_not_completed")
    a_end = a_range[1]
    assert a_end is not None
    if now < datetime.combine(a_end, datetime.min.time()):
        seen_end = min(a_end, now.date() + timedelta(days=1))
        partial = _window(store, key, scope, done, seen_end)
        if rest_before:
            rest = _window(store, key, scope, done, seen_end, outside=True)
            comparison = Comparison(rest_before, Window(done, a_end, rest.value, rest.n, rest.samples))
        return result(before, Window(done, a_end, partial.value, partial.n, partial.samples), "pending",
                      "effect_reason_window_open")
    after = _window(store, key, scope, *a_range)
    if rest_before:
        comparison = Comparison(rest_before, _window(store, key, scope, *a_range, outside=True))
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


def check_all(store: Store, include_cancelled: bool = False) -> list[EffectCheck]:
    """Return the effect check of every current action (cancelled ones left out unless asked), by action_id."""
    now = data_as_of(store)
    return [check(store, a, now) for a in list_actions(store)
            if include_cancelled or a.get("status") != "cancelled"]
