"""Finding the vital few problems: Pareto of categories (complaints, SLA breaches, failed QA criteria) and
control-chart signals as candidate problems."""
from __future__ import annotations

from dataclasses import dataclass

from csq.metrics.asof import as_of
from csq.metrics.dimensions import qa_dims, ticket_dims
from csq.metrics.engine import compute, ticket_query
from csq.metrics.facts import linked_tickets
from csq.metrics.filters import Filter, build_where
from csq.metrics.indicators import INDICATORS
from csq.metrics.periods import store_running_month
from csq.metrics.spc import ControlChart, MonthSignal, SpcPoint, control_chart
from csq.store import Store
from csq.store.queries import SqlFiles, arrow

SQL = SqlFiles(__package__)
METRICS_SQL = SqlFiles("csq.metrics")

VITAL_SHARE = 0.8   # the 80 % line of the Pareto principle
SOURCES: tuple[str, ...] = ("complaints", "breaches", "qa")
# The indicator a new action from a Pareto bar targets by default.
SOURCE_INDICATOR = {"complaints": "complaint_rate", "breaches": "resolution_sla_rate", "qa": "qa_score"}
# Indicators watched for control-limit signals (ticket and survey service levels).
SIGNAL_KEYS: tuple[str, ...] = ("frt_median_min", "frt_sla_rate", "art_median_h", "resolution_sla_rate",
                                "resolution_rate", "fcr_rate", "reopen_rate", "escalation_rate", "complaint_rate",
                                "complaint_response_rate_48h", "complaint_resolution_rate_72h", "csat_rate",
                                "nps", "survey_response_rate", "qa_score", "qa_critical_fail_rate")


@dataclass(frozen=True)
class ParetoBar:
    """One category of a Pareto: its count, share of the total, cumulative share, and whether it is vital."""

    category: str | None
    count: int
    share: float
    cumulative: float
    vital: bool


def pareto(counts: dict[str | None, int]) -> list[ParetoBar]:
    """Return categories by count (ties by name, unnamed last) with shares; vital until the 80 % line is reached."""
    items = sorted(((c, n) for c, n in counts.items() if n > 0), key=lambda x: (-x[1], x[0] is None, x[0] or ""))
    total = sum(n for _, n in items)
    out: list[ParetoBar] = []
    running = 0
    for category, n in items:
        # A bar is vital when the bars before it have not yet reached 80 %: it is needed to cross the line.
        vital = running / total < VITAL_SHARE
        running += n
        out.append(ParetoBar(category, n, n / total, running / total, vital))
    return out


def _complaint_filter(f: Filter) -> Filter | None:
    """Return the filter narrowed to complaints, or None when it already excludes complaints."""
    types = f.values("type")
    if types and "complaint" not in types:
        return None
    where = tuple((k, v) for k, v in f.conditions().items() if k != "type") + (("type", ("complaint",)),)
    return Filter(f.period_from, f.period_to, where)


def counts(store: Store, source: str, f: Filter) -> dict[str | None, int]:
    """Return {category: count} of one Pareto source under the global filter."""
    if source == "complaints":
        narrowed = _complaint_filter(f)
        if narrowed is None:
            return {}
        return {r.group("category"): r.n("tickets") for r in compute(store, narrowed, ["category"], ["tickets"])}
    if source == "breaches":
        where = build_where(f, ticket_dims("t"), "t.created_at")
        inner, ip, register = ticket_query(store, where.part, "t.ticket_id AS g_id, t.category AS g_category, ",
                                           "g_id, g_category, ", as_of(store))
        sql, p = SQL.render("pareto_breaches", per_ticket=(inner, ip))
        return {r["category"]: int(r["count"]) for r in arrow(store, sql, p, register).to_pylist()}
    elif source == "qa":
        where = build_where(f, qa_dims(), "e.evaluated_at")
        sql, p = SQL.render("pareto_qa", agent_team=METRICS_SQL.load("agent_team"), where=where.part,
                            ticket_source=linked_tickets(store))
    else:
        raise ValueError(f"unknown Pareto source {source!r}")
    return {r["category"]: int(r["count"]) for r in arrow(store, sql, p).to_pylist()}


def pareto_for(store: Store, source: str, f: Filter) -> list[ParetoBar]:
    """Return the Pareto bars of one source under the global filter."""
    return pareto(counts(store, source, f))


def action_scope(f: Filter, source: str, category: str | None) -> str:
    """Return the scope text of an action started from a Pareto bar: the global filters plus the category."""
    conds = dict(f.conditions())
    if source == "complaints":
        conds["type"] = ("complaint",)
    if source in ("complaints", "breaches") and category is not None:
        conds["category"] = (category,)
    return "; ".join(f"{k}={v}" for k, vals in conds.items() for v in vals)


@dataclass(frozen=True)
class Signal:
    """A run rule an indicator broke in its worse direction (SPEC §4b, as on Monitoring): a candidate problem.

    `point` is the rule's last month, the one a new action starts from.
    """

    key: str
    chart: ControlChart
    signal: MonthSignal
    point: SpcPoint


def _worse(better: str | None, direction: str) -> bool:
    """Return whether a rule's direction (above / rising, or below / falling) is the indicator's worse one."""
    return (better == "lower" and direction == "up") or (better == "higher" and direction == "down")


def signals(store: Store, f: Filter, keys: tuple[str, ...] = SIGNAL_KEYS) -> list[Signal]:
    """Return the rules watched indicators broke in their worse direction, newest last month first.

    The charts are Monitoring's defaults (auto: p′ for rates, XmR for the rest, every month as the baseline).
    """
    rows = compute(store, f, ["month"], list(keys))
    running = store_running_month(store)  # a month in progress is never a candidate problem
    out: list[Signal] = []
    for key in keys:
        chart = control_chart(rows, key, INDICATORS[key].unit, running)
        points = {p.month: p for p in chart.points}
        out.extend(Signal(key, chart, s, points[s.months[-1]]) for s in chart.signals
                   if _worse(INDICATORS[key].better, s.direction))
    return sorted(out, key=lambda s: (s.point.month, s.key, s.signal.rule), reverse=True)
