"""The QA scorecard: criteria, evaluations per agent and evaluator, and evaluator agreement.

Scores follow the qa_score indicator: an evaluation scores 100 × Σ(weight × score) ÷ Σ(weight × max_score),
and 0 when a critical criterion (致命项) is below its max_score. A criterion "passes" when it keeps all
its points. Agreement uses the tickets two or more evaluators scored: the one-way random-effects
intraclass correlation ICC(1,1) of the first two evaluations of each such ticket (Shrout & Fleiss 1979,
with its F-based confidence interval from scipy.stats.f), and each evaluator's average offset from the
mean of the evaluations of the same ticket, so a strict or lenient evaluator shows.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyarrow as pa
from scipy import stats

from csq.core.sqlident import ident
from csq.evaluation.servqual import mean_ci
from csq.metrics.dimensions import qa_dims  # the same dimensions as the qa_score indicator, so figures agree
from csq.metrics.facts import linked_tickets
from csq.metrics.filters import Filter, build_where
from csq.store import Store
from csq.store.queries import SqlFiles, arrow

SQL = SqlFiles(__package__)
METRICS_SQL = SqlFiles("csq.metrics")

CONFIDENCE = 0.95


def evaluations_sql(store: Store, f: Filter) -> tuple[str, list[object]]:
    """Return the bound SQL of the filtered evaluations (one row each)."""
    where = build_where(f, qa_dims(), "e.evaluated_at")
    return SQL.render("qa_evaluations", agent_team=METRICS_SQL.load("agent_team"), where=where.part,
                      ticket_source=linked_tickets(store))


def evaluations(store: Store, f: Filter) -> pa.Table:
    """Return one row per evaluation: id, ticket, agent, team, evaluator, date, month, score, critical_failed."""
    sql, params = evaluations_sql(store, f)
    return arrow(store, sql + " ORDER BY evaluated_at, evaluation_id", params)


def criteria(store: Store, f: Filter) -> list[dict[str, object]]:
    """Return per criterion: critical flag, max_score, weight, mean score, mean % of max, pass rate and n."""
    sql, params = SQL.render("qa_criteria", evaluations=evaluations_sql(store, f))
    return arrow(store, sql, params).to_pylist()


def _group(store: Store, f: Filter, field: str) -> list[dict[str, object]]:
    """Return qa_score, critical fail rate and n per agent, team or evaluator (allow-listed field)."""
    if field not in ("agent", "team", "evaluator", "month"):
        raise ValueError(field)
    sql, params = evaluations_sql(store, f)
    return arrow(store, f"WITH e AS ({sql}) SELECT {ident(field)}, avg(score) AS qa_score, "
                        "count_if(critical_failed) / count(*) AS qa_critical_fail_rate, count(*) AS n, "
                        f"avg(points_pct) AS points_pct FROM e GROUP BY {ident(field)} ORDER BY {ident(field)} NULLS LAST",
                 params).to_pylist()


def by_agent(store: Store, f: Filter) -> list[dict[str, object]]:
    """Return qa_score, qa_critical_fail_rate, mean points before the critical rule and n per agent."""
    return _group(store, f, "agent")


def by_evaluator(store: Store, f: Filter) -> list[dict[str, object]]:
    """Return per evaluator (of the evaluation): qa_score, critical fail rate, points % and n."""
    return _group(store, f, "evaluator")


def by_month(store: Store, f: Filter) -> list[dict[str, object]]:
    """Return qa_score and qa_critical_fail_rate per month of evaluated_at."""
    return _group(store, f, "month")


def double_scored(table: pa.Table) -> list[list[dict[str, object]]]:
    """Return the tickets two or more evaluators scored: per ticket its evaluations in date order."""
    per_ticket: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in table.to_pylist():
        if row["ticket_id"] is not None:
            per_ticket[str(row["ticket_id"])].append(row)
    out = []
    for rows in per_ticket.values():
        rows.sort(key=lambda r: (r["evaluated_at"], r["evaluation_id"]))
        if len({r["evaluator"] for r in rows if r["evaluator"] is not None}) >= 2:
            out.append(rows)
    return out


def icc1(pairs: np.ndarray, confidence: float = CONFIDENCE) -> dict[str, float | int | None]:
    """Return the one-way random ICC(1,1) of an n × k score matrix with its confidence interval."""
    n, k = pairs.shape if pairs.ndim == 2 else (0, 0)
    out: dict[str, float | int | None] = {"icc": None, "ci_low": None, "ci_high": None, "n": n}
    if n < 3 or k < 2:
        return out
    means = pairs.mean(axis=1)
    msb = k * ((means - pairs.mean()) ** 2).sum() / (n - 1)
    msw = ((pairs - means[:, None]) ** 2).sum() / (n * (k - 1))
    if msb + (k - 1) * msw == 0:
        return out
    out["icc"] = float((msb - msw) / (msb + (k - 1) * msw))
    if msw > 0:
        tail = (1 + confidence) / 2
        fobs = msb / msw
        f_low = fobs / stats.f.ppf(tail, n - 1, n * (k - 1))
        f_high = fobs * stats.f.ppf(tail, n * (k - 1), n - 1)
        out["ci_low"] = float((f_low - 1) / (f_low + k - 1))
        out["ci_high"] = float((f_high - 1) / (f_high + k - 1))
    return out


def agreement(store: Store, f: Filter, confidence: float = CONFIDENCE) -> dict[str, object]:
    """Return evaluator agreement on double-scored tickets: ICC, critical-verdict agreement, offsets per evaluator."""
    tickets = double_scored(evaluations(store, f))
    firsts = []
    for rows in tickets:
        first = rows[0]
        second = next(r for r in rows[1:] if r["evaluator"] != first["evaluator"])
        firsts.append((first, second))
    matrix = np.array([[a["score"], b["score"]] for a, b in firsts], dtype=float).reshape(-1, 2)
    result: dict[str, object] = dict(icc1(matrix, confidence))
    result["tickets"] = len(tickets)
    result["critical_agreement"] = (sum(a["critical_failed"] == b["critical_failed"] for a, b in firsts) / len(firsts)
                                    if firsts else None)
    result["mean_abs_difference"] = float(np.abs(matrix[:, 0] - matrix[:, 1]).mean()) if firsts else None
    offsets: dict[str, list[float]] = defaultdict(list)
    for rows in tickets:
        mean = sum(float(r["score"]) for r in rows) / len(rows)
        for r in rows:
            if r["evaluator"] is not None:
                offsets[str(r["evaluator"])].append(float(r["score"]) - mean)
    result["evaluators"] = []
    for name in sorted(offsets):
        x = np.array(offsets[name])
        low, high = mean_ci(x, confidence)
        result["evaluators"].append({"evaluator": name, "offset": float(x.mean()), "ci_low": low, "ci_high": high,
                                     "n": int(x.size),
                                     "biased": bool(low is not None and high is not None and (low > 0 or high < 0))})
    return result

