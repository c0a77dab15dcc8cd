"""Customer satisfaction: breakdowns with limits, score distribution, year-on-year, drivers and comments."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from scipy import stats
from scipy.stats.contingency import association

from csq.core.i18n import t
from csq.core.months import Month
from csq.core.privacy import mask_table, mask_text
from csq.errors import InputRefused
from csq.metrics.dimensions import survey_dims
from csq.metrics.engine import compute
from csq.metrics.facts import linked_tickets
from csq.metrics.filters import Filter, build_where
from csq.metrics.grouping import ticket_join
from csq.metrics.indicators import INDICATORS
from csq.metrics.periods import store_running_month, without_running
from csq.metrics.results import Result
from csq.metrics.spc import GroupPoint, group_chart
from csq.store import Store
from csq.store.queries import SqlFiles, arrow
from csq.store.settings import Target

SQL = SqlFiles(__package__)

KEYS: tuple[str, ...] = ("csat_rate", "csat_mean", "nps", "survey_response_rate")
BREAKDOWN_FIELDS: tuple[str, ...] = ("channel", "team", "type")
NPS_GROUPS: dict[str, tuple[int, int]] = {"detractor": (0, 6), "passive": (7, 8), "promoter": (9, 10)}
DRIVERS: dict[str, tuple[str, ...]] = {
    "first_response": ("le_5m", "le_1h", "le_24h", "gt_24h", "none"),
    "resolution": ("le_4h", "le_24h", "le_72h", "gt_72h", "none"),
    "reopened": ("no", "yes"),
    "escalated": ("no", "yes"),
}
MIN_ANSWERS = 30          # fewer answers in a month or group: the figure is shown, with a caution
DRIVER_MIN_N = 30         # a driver bucket needs this many answers to be named in words
SIGNIFICANCE = 0.05

_ANSWER_MONTH = "coalesce(s.responded_at, s.sent_at)"   # as the indicator engine places an answer


def _where(f: Filter) -> tuple[str, list[object]]:
    """Return the bound survey condition of a filter, answers placed in their response month."""
    return build_where(f, survey_dims(), _ANSWER_MONTH).part


def _spread(store: Store, f: Filter, by: str | None) -> list[dict[str, object]]:
    """Return per group (or once overall) n, mean and sample variance of csat and of NPS answer scores."""
    group = survey_dims()[by] if by else "NULL"
    sql, params = SQL.render("satisfaction_spread", group=group, where=_where(f),
                             ticket_source=ticket_join(store, f, survey_dims(), [group]))
    return arrow(store, sql, params).to_pylist()


def _pooled_sd(rows: Sequence[dict[str, object]], scale: str) -> float | None:
    """Return the pooled within-group standard deviation √(Σ(n−1)s² ÷ Σ(n−1)), None without two answers."""
    num = sum((int(r[f"n_{scale}"]) - 1) * float(r[f"var_{scale}"]) for r in rows  # type: ignore[arg-type]
              if r[f"var_{scale}"] is not None)
    den = sum(int(r[f"n_{scale}"]) - 1 for r in rows if r[f"var_{scale}"] is not None)  # type: ignore[arg-type]
    return math.sqrt(num / den) if den > 0 else None


def _check_field(by: str) -> None:
    if by not in BREAKDOWN_FIELDS:
        raise InputRefused(f"Cannot break satisfaction down by {by!r}.", f"Use one of: {', '.join(BREAKDOWN_FIELDS)}.")


def breakdown(store: Store, f: Filter, by: str, key: str) -> list[GroupPoint]:
    """Return `key` per channel, team or type with the overall centre and limits that follow each group's n."""
    _check_field(by)
    if key not in KEYS:
        raise InputRefused(f"{key!r} is not a satisfaction indicator.", f"Use one of: {', '.join(KEYS)}.")
    rows = [r for r in compute(store, f, (by,), (key,)) if r.n(key)]
    sigma = None
    if INDICATORS[key].unit != "rate":
        sigma = _pooled_sd(_spread(store, f, by), "csat" if key == "csat_mean" else "nps")
    points = group_chart(rows, by, key, INDICATORS[key].unit, sigma)
    return sorted(points, key=lambda p: (p.group is None, -(p.value if p.value is not None else -1e9)))


@dataclass(frozen=True)
class Distribution:
    """Answers per csat score 1–5 and per NPS group, with their shares (None when there are no answers)."""

    csat: dict[int, int]
    nps_groups: dict[str, int]

    def share(self, scale: str, k: int | str) -> float | None:
        """Return the share of answers in score (csat) or group (nps) k, None without answers."""
        counts: dict = self.csat if scale == "csat" else self.nps_groups
        total = sum(counts.values())
        return counts[k] / total if total else None


def distribution(store: Store, f: Filter) -> Distribution:
    """Return how many answers gave each csat score and fell in each NPS group (zeros included)."""
    sql, params = SQL.render("satisfaction_distribution", where=_where(f),
                             ticket_source=ticket_join(store, f, survey_dims()))
    csat = dict.fromkeys(range(1, 6), 0)
    groups = dict.fromkeys(NPS_GROUPS, 0)
    for r in arrow(store, sql, params).to_pylist():
        if r["scale"] == "csat" and r["score"] in csat:
            csat[r["score"]] += r["answers"]
        elif r["scale"] == "nps":
            name = next(g for g, (lo, hi) in NPS_GROUPS.items() if lo <= r["score"] <= hi)
            groups[name] += r["answers"]
    return Distribution(csat, groups)


def year_earlier(f: Filter) -> Filter:
    """Return the filter over the same months a year earlier (a bound left open stays open)."""
    def back(month: str | None) -> str | None:
        return str(Month.parse(month) + -12) if month else None

    return Filter(back(f.period_from), back(f.period_to), f.where)


def _p_value(key: str, cur: Result, prev: Result, spread_cur: dict, spread_prev: dict) -> float | None:
    """Return the two-sided p-value of the change: χ² test for a rate, Welch's t-test for a mean."""
    v1, v0, n1, n0 = cur.value(key), prev.value(key), cur.n(key), prev.n(key)
    if v1 is None or v0 is None or n1 < 2 or n0 < 2:
        return None
    if INDICATORS[key].unit == "rate":
        table = [[round(v1 * n1), n1 - round(v1 * n1)], [round(v0 * n0), n0 - round(v0 * n0)]]
        if min(sum(col) for col in zip(*table)) == 0:
            return None   # everyone (or no one) satisfied in both years: nothing to test
        return float(stats.chi2_contingency(table)[1])
    scale = "csat" if key == "csat_mean" else "nps"
    s1, s0 = spread_cur.get(f"var_{scale}"), spread_prev.get(f"var_{scale}")
    if not s1 or not s0:
        return None
    res = stats.ttest_ind_from_stats(v1, math.sqrt(s1), n1, v0, math.sqrt(s0), n0, equal_var=False)
    return float(res.pvalue)


def year_over_year(store: Store, f: Filter) -> dict[str, list[dict[str, object]]]:
    """Return {'totals': per key this period vs a year earlier with n and p-value, 'months': month pairs}.

    A running month (csq.metrics.periods) is left out: part of a month against a whole one misleads.
    compared_period() gives the months actually compared.
    """
    whole = compared_period(store, f)
    if whole is None:
        return {"totals": [], "months": []}
    f, prev_f = whole, year_earlier(whole)
    cur, prev = compute(store, f, (), KEYS)[0], compute(store, prev_f, (), KEYS)[0]
    sp_cur, sp_prev = _spread(store, f, None), _spread(store, prev_f, None)
    sp_cur_row, sp_prev_row = (sp_cur[0] if sp_cur else {}), (sp_prev[0] if sp_prev else {})
    totals = []
    for key in KEYS:
        now, then = cur.value(key), prev.value(key)
        change = None if now is None or then is None else now - then
        totals.append({"key": key, "current": now, "n_current": cur.n(key), "previous": then,
                       "n_previous": prev.n(key), "change": change,
                       "p_value": _p_value(key, cur, prev, sp_cur_row, sp_prev_row)})
    both = Filter(prev_f.period_from, f.period_to, f.where)
    by_month = {str(r.group("month")): r for r in compute(store, both, ("month",), KEYS)}
    current_months = sorted(m for m in by_month if (not f.period_from or m >= f.period_from))
    months = []
    for m in current_months:
        last = by_month.get(str(Month.parse(m) + -12))
        row: dict[str, object] = {"month": m}
        for key in KEYS:
            row[key] = by_month[m].value(key)
            row[f"n_{key}"] = by_month[m].n(key)
            row[f"prev_{key}"] = last.value(key) if last else None
            row[f"prev_n_{key}"] = last.n(key) if last else 0
        months.append(row)
    return {"totals": totals, "months": months}


def compared_period(store: Store, f: Filter) -> Filter | None:
    """Return the filter year_over_year() compares with a year earlier: f without the running month, or None."""
    return without_running(f, store_running_month(store))


@dataclass(frozen=True)
class Driver:
    """One driver: csat per bucket, the χ² test of satisfied-or-not across buckets, and its Cramér's V."""

    name: str
    buckets: list[dict[str, object]]     # bucket, n, satisfied, csat_rate, csat_mean (canonical order)
    cramers_v: float | None
    p_value: float | None


def drivers(store: Store, f: Filter) -> list[Driver]:
    """Return each driver's csat by bucket over answers linked to a ticket, strongest association first."""
    sql, params = SQL.render("satisfaction_drivers", where=_where(f), ticket_source=linked_tickets(store))
    found: dict[tuple[str, str], dict] = {(r["driver"], r["bucket"]): r
                                          for r in arrow(store, sql, params).to_pylist()}
    out = []
    for name, order in DRIVERS.items():
        buckets = []
        for b in order:
            r = found.get((name, b))
            if r:
                buckets.append({"bucket": b, "n": r["n"], "satisfied": r["satisfied"],
                                "csat_rate": r["satisfied"] / r["n"], "csat_mean": float(r["mean"])})
        table = [[int(b["satisfied"]), int(b["n"]) - int(b["satisfied"])] for b in buckets]
        v = p = None
        if len(table) >= 2 and all(sum(col) > 0 for col in zip(*table)):
            v = float(association(np.array(table, dtype=np.int64), method="cramer"))
            p = float(stats.chi2_contingency(table)[1])
        out.append(Driver(name, buckets, v, p))
    return sorted(out, key=lambda d: -(d.cramers_v if d.cramers_v is not None else -1))


def linked_answers(store: Store, f: Filter) -> tuple[int, int]:
    """Return (answers with a csat, of which linked to a ticket in the store)."""
    where, params = _where(f)
    row = store.rows("SELECT count(*), count(t.ticket_id) FROM surveys_current s "
                     "LEFT JOIN tickets_current t ON t.ticket_id = s.ticket_id "
                     f"WHERE s.csat IS NOT NULL AND {where}", params)[0]
    return int(row[0]), int(row[1])


def driver_sentence(found: Sequence[Driver], lang: str) -> str:
    """Return in words which driver matters most (largest significant Cramér's V) and the csat gap it shows."""
    for d in found:
        big = [b for b in d.buckets if int(b["n"]) >= DRIVER_MIN_N]  # type: ignore[arg-type]
        if d.cramers_v is None or d.p_value is None or d.p_value >= SIGNIFICANCE or len(big) < 2:
            continue
        best = max(big, key=lambda b: b["csat_rate"])  # type: ignore[arg-type, return-value]
        worst = min(big, key=lambda b: b["csat_rate"])  # type: ignore[arg-type, return-value]
        return t("sat_driver_most", lang, driver=t(f"sat_driver_{d.name}", lang),
                 best=t(f"sat_bucket_{d.name}_{best['bucket']}", lang), best_v=f"{best['csat_rate'] * 100:.1f}%",
                 best_n=f"{best['n']:,}", worst=t(f"sat_bucket_{d.name}_{worst['bucket']}", lang),
                 worst_v=f"{worst['csat_rate'] * 100:.1f}%", worst_n=f"{worst['n']:,}", v=f"{d.cramers_v:.2f}")
    return t("sat_driver_none", lang)


def comments(store: Store, f: Filter, search: str | None = None, unmask: bool = False,
             limit: int = 500) -> pa.Table:
    """Return answers with a comment matching `search` (substring, any case), newest first, masked unless unmask."""
    if not isinstance(limit, int) or limit < 0:
        raise InputRefused(f"The row limit {limit!r} is not a whole number >= 0.", "Pass e.g. limit=500.")
    needle = (search or "").strip() or None
    sql, params = SQL.render("satisfaction_comments", where=_where(f), ticket_source=linked_tickets(store))
    table = arrow(store, sql, [*params, needle, needle, limit])
    if unmask:
        return table
    names = table.column("customer_name").to_pylist()
    texts = [mask_text(c, [n]) for c, n in zip(table.column("comment").to_pylist(), names)]
    table = table.set_column(table.column_names.index("comment"), "comment", pa.array(texts, pa.string()))
    return mask_table(table)


def response_warning(row: Result, target: Target | None) -> str | None:
    """Return 'low' when the response rate misses its target, 'few' when few answers, else None."""
    rate = row.value("survey_response_rate")
    answers = row.n("csat_rate")
    if rate is not None and target is not None and rate < target.target:
        return "low"
    if rate is not None and answers < MIN_ANSWERS:
        return "few"
    return None
