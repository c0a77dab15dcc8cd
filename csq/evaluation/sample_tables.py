"""What the Evaluation page's QA sample section shows (SPEC §4d): the drawn tickets, coverage and the QA comparison."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from csq.core.i18n import t, value_label
from csq.evaluation.sampling import Comparison
from csq.evaluation.tables import num
from csq.metrics.display import format_value, indicator_name
from csq.metrics.results import Result

Row = dict[str, Any]


def sample_table_rows(tbl: pa.Table, lang: str) -> list[Row]:
    """Return the week's drawn tickets as the page lists them: agent, place, reason, ticket, evaluated or not."""
    yes, no = t("ev_yes", lang), t("ev_no", lang)
    return [{t("agent", lang): r["agent"], t("team", lang): r["team"] or "—", "#": r["pick"],
             t("qs_reason", lang): t(f"qs_reason_{r['reason']}", lang), t("qs_ticket", lang): r["ticket_id"],
             t("qs_created", lang): r["created_at"].strftime("%Y-%m-%d %H:%M") if r["created_at"] else "—",
             t("channel", lang): value_label("channel", r["channel"], lang) if r["channel"] else "—",
             t("type", lang): value_label("type", r["type"], lang) if r["type"] else "—",
             t("qs_customer", lang): r["customer_name"] or "—",
             t("qs_new_agent", lang): yes if r["new_agent"] else no,
             t("qs_evaluated", lang): yes if r["evaluated"] else no} for r in tbl.to_pylist()]


def week_counts(tbl: pa.Table) -> tuple[int, int, dict[str, int]]:
    """Return (tickets drawn, of them evaluated, drawn per reason) of one week's sample rows."""
    rows = tbl.to_pylist()
    reasons: dict[str, int] = {}
    for r in rows:
        reasons[r["reason"]] = reasons.get(r["reason"], 0) + 1
    return len(rows), sum(bool(r["evaluated"]) for r in rows), reasons


def coverage_rows(results: Sequence[Result], by: str, lang: str) -> list[Row]:
    """Return qa_coverage_rate per agent or team with its n (sampled tickets), lowest coverage first."""
    key = "qa_coverage_rate"
    rows = [r for r in results if r.group(by) is not None and r.n(key)]
    rows.sort(key=lambda r: (r.value(key) if r.value(key) is not None else 2.0, str(r.group(by))))
    return [{t(by, lang): r.group(by), indicator_name(key, lang): format_value(key, r.value(key), lang),
             t("qs_sampled", lang): r.n(key)} for r in rows]


def comparison_rows(sides: Sequence[Comparison], lang: str) -> list[Row]:
    """Return the QA results of evaluations of sampled tickets against the others: n, mean score, critical fails."""
    return [{t("qs_side", lang): t("qs_side_sampled" if c.sampled else "qs_side_other", lang),
             t("ev_evaluations", lang): c.evaluations,
             indicator_name("qa_score", lang): num(c.qa_score, lang, 1),
             indicator_name("qa_critical_fail_rate", lang): format_value("qa_critical_fail_rate",
                                                                         c.qa_critical_fail_rate, lang)}
            for c in sides]
