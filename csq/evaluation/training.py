"""Training results: pass rates by course and team, and agents below the pass mark with their QA around it.

Pass rates follow the training_pass_rate indicator: an explicit passed flag wins, else score ≥ pass mark
(60 when missing); assessments with neither are not counted. For each failed assessment, the agent's
QA score (as qa_score) is averaged over `window` days before it and `window` days from it on, so one can
see whether quality moved after the training; a later passed assessment of the same course is a retake.
"""
from __future__ import annotations

from csq.core.sqlident import ident
from csq.evaluation.qa import evaluations_sql
from csq.metrics.dimensions import TRAINING_DIMS  # the dimensions of training_pass_rate, so figures agree
from csq.metrics.filters import Filter, build_where
from csq.store import Store
from csq.store.queries import SqlFiles, arrow

SQL = SqlFiles(__package__)
METRICS_SQL = SqlFiles("csq.metrics")

WINDOW_DAYS = 90
GROUPS = ("course", "team", "agent")


def _results_sql(f: Filter) -> tuple[str, list[object]]:
    """Return the bound SQL of the filtered assessments with their result."""
    where = build_where(f, TRAINING_DIMS, "r.assessed_at")
    return SQL.render("training_results", agent_team=METRICS_SQL.load("agent_team"), where=where.part)


def pass_rates(store: Store, f: Filter, by: tuple[str, ...] = ("course",)) -> list[dict[str, object]]:
    """Return per group (course, team and/or agent): training_pass_rate, passed, n and mean score."""
    bad = [g for g in by if g not in GROUPS]
    if bad or not by:
        raise ValueError(f"group by one of {GROUPS}")
    cols = ", ".join(ident(g) for g in by)
    sql, params = _results_sql(f)
    return arrow(store, f"WITH r AS ({sql}) SELECT {cols}, count_if(passed) / nullif(count(passed), 0) "
                        "AS training_pass_rate, CAST(count_if(passed) AS BIGINT) AS passed, count(passed) AS n, avg(score) AS mean_score "
                        f"FROM r GROUP BY {cols} ORDER BY {cols} NULLS LAST", params).to_pylist()


def results(store: Store, f: Filter) -> list[dict[str, object]]:
    """Return every assessment in the filter (agent, team, course, date, score, pass mark, passed), newest first."""
    sql, params = _results_sql(f)
    return arrow(store, f"WITH r AS ({sql}) SELECT * FROM r ORDER BY assessed_at DESC, agent, course",
                 params).to_pylist()


def below_pass(store: Store, f: Filter, window: int = WINDOW_DAYS) -> list[dict[str, object]]:
    """Return failed assessments with the agent's QA score and n before and after, and whether a retake passed."""
    qa_filter = Filter()  # QA around the training is the agent's whole QA, whatever the page filters
    sql, params = SQL.render("training_qa", results=_results_sql(f), evaluations=evaluations_sql(store, qa_filter),
                         window=("?", [int(window)]))
    rows = arrow(store, sql, params).to_pylist()
    for r in rows:
        before, after = r["qa_before"], r["qa_after"]
        r["qa_change"] = None if before is None or after is None else after - before
    return rows
