"""The indicators of SPEC §3: their definitions, and compute() over the store with filters and grouping."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa

from csq.errors import InputRefused
from csq.fields import SERVQUAL_DIMENSIONS, TICKETS
from csq.filters import FILTER_FIELDS, RAW_FIELDS, Filter, build_where, parse_scope, scope_pairs, ticket_dims
from csq.settings import Target
from csq.sla import as_of, limits_sql, ticket_limits
from csq.sql import arrow, load, render
from csq.store import Store

__all__ = ["INDICATORS", "GROUP_FIELDS", "Indicator", "compute", "as_of", "ticket_limits", "formula",
           "target_status", "parse_scope", "servqual_summary", "ticket_dims"]


@dataclass(frozen=True)
class Indicator:
    """One indicator: stable key, names, unit, which direction is better, record kind and formula."""

    key: str
    name_zh: str
    name_en: str
    unit: str  # count, rate (fraction 0..1), min, h, score, points
    better: str | None  # higher, lower, or None
    kind: str
    formula_en: str
    formula_zh: str


def _i(key: str, zh: str, en: str, unit: str, better: str | None, kind: str, f_en: str, f_zh: str) -> Indicator:
    """Return an Indicator (positional shorthand for the table below)."""
    return Indicator(key, zh, en, unit, better, kind, f_en, f_zh)


_SLA_EN = ("met ÷ (met + breached). Met: {what} within {limit}. Breached: {what} later, or not yet and the "
           "limit already passed as of the latest data. Tickets still inside the limit{none} are left out. "
           "n = met + breached")
_SLA_ZH = "达标数 ÷ (达标数 + 超时数)。达标：在{limit}内{what}；超时：超过时限才{what}，或截至数据最新时间仍未{what}且已超时。仍在时限内{none}的工单不计入。n = 达标数 + 超时数"

INDICATORS: dict[str, Indicator] = {i.key: i for i in (
    _i("tickets", "工单量", "Tickets", "count", None, "tickets",
       "count of tickets created in the period. n = tickets", "统计期内创建的工单数。n = 工单数"),
    _i("frt_median_min", "首次响应时长中位数", "First response time, median", "min", "lower", "tickets",
       "median of minutes from created_at to first_response_at. n = tickets with a first response",
       "从创建到首次响应的分钟数的中位数。n = 有首次响应的工单数"),
    _i("frt_p90_min", "首次响应时长P90", "First response time, P90", "min", "lower", "tickets",
       "90th percentile (continuous) of minutes from created_at to first_response_at. "
       "n = tickets with a first response",
       "从创建到首次响应的分钟数的第90百分位数（连续插值）。n = 有首次响应的工单数"),
    _i("frt_sla_rate", "首次响应及时率", "First response within SLA", "rate", "higher", "tickets",
       _SLA_EN.format(what="first response", limit="the ticket's first-response limit (SLA rules)",
                      none=" or without a limit"),
       _SLA_ZH.format(what="首次响应", limit="SLA规则规定的首次响应时限", none="或无时限")),
    _i("art_median_h", "解决时长中位数", "Resolution time, median", "h", "lower", "tickets",
       "median of hours from created_at to resolved_at. n = resolved tickets",
       "从创建到解决的小时数的中位数。n = 已解决工单数"),
    _i("art_p90_h", "解决时长P90", "Resolution time, P90", "h", "lower", "tickets",
       "90th percentile (continuous) of hours from created_at to resolved_at. n = resolved tickets",
       "从创建到解决的小时数的第90百分位数（连续插值）。n = 已解决工单数"),
    _i("resolution_sla_rate", "解决及时率", "Resolution within SLA", "rate", "higher", "tickets",
       _SLA_EN.format(what="resolution", limit="the ticket's resolution limit (SLA rules)",
                      none=" or without a limit"),
       _SLA_ZH.format(what="解决", limit="SLA规则规定的解决时限", none="或无时限")),
    _i("resolution_rate", "问题解决率", "Resolution rate", "rate", "higher", "tickets",
       "resolved tickets ÷ tickets. n = tickets", "已解决工单数 ÷ 工单数。n = 工单数"),
    _i("fcr_rate", "一次解决率", "First contact resolution", "rate", "higher", "tickets",
       "resolved tickets with contacts ≤ 1 and reopen_count = 0 ÷ resolved tickets whose contacts is known. "
       "n = resolved tickets with a known contacts value",
       "联系次数 ≤ 1 且未重开的已解决工单数 ÷ 联系次数已知的已解决工单数。n = 联系次数已知的已解决工单数"),
    _i("reopen_rate", "重开率", "Reopen rate", "rate", "lower", "tickets",
       "tickets with reopen_count > 0 ÷ resolved tickets. n = resolved tickets",
       "重开次数 > 0 的工单数 ÷ 已解决工单数。n = 已解决工单数"),
    _i("escalation_rate", "升级率", "Escalation rate", "rate", "lower", "tickets",
       "escalated tickets ÷ tickets. n = tickets", "已升级工单数 ÷ 工单数。n = 工单数"),
    _i("complaint_rate", "投诉率", "Complaint rate", "rate", "lower", "tickets",
       "tickets of type complaint ÷ tickets. n = tickets", "投诉工单数 ÷ 工单数。n = 工单数"),
    _i("complaint_response_rate_48h", "投诉48小时响应率", "Complaints answered within 48 h", "rate", "higher",
       "tickets", _SLA_EN.format(what="first response to a complaint", limit="48 h", none=""),
       _SLA_ZH.format(what="首次响应投诉", limit="48小时", none="")),
    _i("complaint_resolution_rate_72h", "投诉72小时办结率", "Complaints resolved within 72 h", "rate", "higher",
       "tickets", _SLA_EN.format(what="resolution of a complaint", limit="72 h", none=""),
       _SLA_ZH.format(what="办结投诉", limit="72小时", none="")),
    _i("csat_rate", "满意度", "CSAT", "rate", "higher", "surveys",
       "responses with csat 4 or 5 ÷ responses with a csat (month of responded_at). n = responses with a csat",
       "满意度为4或5分的回复数 ÷ 有满意度评分的回复数（按回复月份）。n = 有满意度评分的回复数"),
    _i("csat_mean", "满意度均分", "CSAT mean", "score", "higher", "surveys",
       "mean csat (1–5) (month of responded_at). n = responses with a csat",
       "满意度评分（1–5）的平均值（按回复月份）。n = 有满意度评分的回复数"),
    _i("nps", "净推荐值", "NPS", "points", "higher", "surveys",
       "100 × (answers 9–10 − answers 0–6) ÷ nps answers (month of responded_at). n = nps answers",
       "100 × (9–10分人数 − 0–6分人数) ÷ 推荐度回答人数（按回复月份）。n = 推荐度回答人数"),
    _i("survey_response_rate", "调查回收率", "Survey response rate", "rate", "higher", "surveys",
       "answered invitations ÷ invitations (sent_at set; month of sent_at). n = invitations",
       "已回复的邀请数 ÷ 已发送的邀请数（按发送月份）。n = 邀请数"),
    _i("qa_score", "质检得分", "QA score", "score", "higher", "qa",
       "mean over evaluations of 100 × Σ(weight × score) ÷ Σ(weight × max_score), weight 1 when not given; "
       "an evaluation with a critical criterion below its max_score scores 0. n = evaluations",
       "各质检单得分的平均值：100 × Σ(权重 × 得分) ÷ Σ(权重 × 满分)，未给权重按1计；致命项未得满分的质检单记0分。"
       "n = 质检单数"),
    _i("qa_critical_fail_rate", "致命错误率", "Critical error rate", "rate", "lower", "qa",
       "evaluations with a critical criterion below its max_score ÷ evaluations. n = evaluations",
       "有致命项未得满分的质检单数 ÷ 质检单数。n = 质检单数"),
    _i("training_pass_rate", "培训合格率", "Training pass rate", "rate", "higher", "training",
       "passed assessments ÷ assessments (passed flag, else score ≥ pass mark, 60 when not given). "
       "n = assessments with a result",
       "合格的考核数 ÷ 考核数（以是否合格为准，否则成绩 ≥ 及格线，默认60）。n = 有结果的考核数"),
    _i("action_on_time_rate", "措施按期完成率", "Actions completed on time", "rate", "higher", "actions",
       "actions completed on or before due_date ÷ actions due in the period that are completed or overdue as "
       "of the latest data; cancelled actions are left out. n = those actions",
       "按期（不晚于计划完成日期）完成的措施数 ÷ 统计期内到期且已完成或已逾期的措施数；已取消的不计。n = 这些措施数"),
    _i("servqual_gap", "SERVQUAL差距", "SERVQUAL gap", "points", "higher", "servqual",
       "mean over respondents of Σ (points ÷ 100 × dimension gap), a dimension gap being the mean P − E of its "
       "items; equal weights when the respondent gave no valid points (0 = expectations met). n = respondents",
       "各受访者 Σ(权重分 ÷ 100 × 维度差距) 的平均值，维度差距为该维度各题 P − E 的平均；未给出有效权重时各维度等权"
       "（0 = 恰好达到期望）。n = 受访者数"),
)}

GROUP_FIELDS: tuple[str, ...] = ("month", "channel", "team", "type", "category", "priority", "agent")


def formula(key: str, lang: str = "en") -> str:
    """Return the human-readable formula of an indicator, including what its n counts."""
    ind = INDICATORS[key]
    return ind.formula_zh if lang == "zh" else ind.formula_en


def target_status(value: float | None, target: Target | None) -> str | None:
    """Return 'green' when the target is met, 'amber' within the warning band, 'red' otherwise, None without data."""
    if value is None or target is None:
        return None
    if target.direction == "lower":
        miss = value - target.target
    else:
        miss = target.target - value
    if miss <= 0:
        return "green"
    return "amber" if miss <= target.warning else "red"


# ---- dimensions per record kind: filter field -> SQL expression (the allow-list of identifiers)

_TEXT_FIELDS = tuple(n for n in FILTER_FIELDS if TICKETS.field(n).type in ("text", "enum"))


def survey_dims() -> dict[str, str]:
    """Return the survey dimensions: own channel/team/agent else the linked ticket's; the rest from the ticket."""
    dims = ticket_dims("t")
    dims.update(ticket_id="s.ticket_id", channel="coalesce(s.channel, t.channel)",
                channel_raw="CASE WHEN s.channel IS NOT NULL THEN s.channel_raw ELSE t.channel_raw END",
                team="coalesce(s.team, t.team)", agent="coalesce(s.agent, t.agent)")
    return dims


def qa_dims() -> dict[str, str]:
    """Return the QA dimensions: the evaluation's agent, its team by fallback, the rest from the linked ticket."""
    dims = ticket_dims("t")
    dims.update(ticket_id="e.ticket_id", agent="e.agent", team="coalesce(t.team, a.team, u.team)")
    return dims


TRAINING_DIMS = {"agent": "r.agent", "team": "coalesce(r.team, a.team, u.team)"}
ACTION_DIMS = {n: f"sc.{n}" for n in _TEXT_FIELDS} | {f"{n}_raw": f"sc.{n}_raw" for n in RAW_FIELDS}


# ---- one query per record kind

@dataclass(frozen=True)
class _Context:
    """What every kind's query shares: the data's as-of moment."""

    as_of: datetime | None


Row = dict[str, object]


def _grouping(by: Sequence[str], dims: Mapping[str, str], month_expr: str) -> tuple[str, str] | None:
    """Return (select list, name list) of the group columns, or None when the kind lacks one of them."""
    select, names = [], []
    for g in by:
        if g == "month":
            expr = f"strftime({month_expr}, '%Y-%m')"
        elif g in dims:
            expr = dims[g]
        else:
            return None
        select.append(f"{expr} AS g_{g}, ")
        names.append(f"g_{g}, ")
    return "".join(select), "".join(names)


def _rows(store: Store, sql: str, params: list[object], register: dict[str, pa.Table] | None = None) -> list[Row]:
    """Return a bound query's rows as dicts."""
    return arrow(store, sql, params, register).to_pylist()


_NO_TICKETS = "(SELECT * FROM tickets_current LIMIT 0)"
_NO_USUAL_TEAM = "SELECT CAST(NULL AS VARCHAR) AS agent, CAST(NULL AS VARCHAR) AS team LIMIT 0"


def _narrowed(f: Filter, by: Sequence[str], dims: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """Return `extra` plus the joins this filter and grouping need: ticket fields and usual teams only if used.

    Joining ten million tickets to every survey or QA row costs seconds; most views never read them.
    """
    used = " ".join([dims.get(g, "") for g in by] + [dims.get(k, "") + dims.get(f"{k}_raw", "")
                                                     for k in f.conditions()])
    out = dict(extra)
    out["ticket_source"] = "tickets_current" if "t." in used else _NO_TICKETS
    if "agent_team" in out and "u." not in used:
        out["agent_team"] = _NO_USUAL_TEAM
    return out


def _simple(name: str, dims: Mapping[str, str], month_expr: str, **extra: str) -> Callable[..., list[Row]]:
    """Return a runner for a kind whose SQL file takes groups, where and group_names only."""

    def run(store: Store, f: Filter, by: Sequence[str], ctx: _Context) -> list[Row]:
        """Return the kind's aggregated rows, or none when it lacks a group field."""
        grouping = _grouping(by, dims, month_expr)
        if grouping is None:
            return []
        where, params, _ = build_where(f, dims, month_expr)
        sql, p = render(name, groups=grouping[0], group_names=grouping[1], where=(where, params),
                        as_of=("?", [ctx.as_of]), **_narrowed(f, by, dims, extra))
        return _rows(store, sql, p)

    return run


def _run_surveys(store: Store, f: Filter, by: Sequence[str], ctx: _Context) -> list[Row]:
    """Return the survey rows: answers by response month and invitations by send month, one query."""
    dims = survey_dims()
    # An answer without a response time is placed by its send time rather than dropped.
    answered_month, sent_month = "coalesce(s.responded_at, s.sent_at)", "s.sent_at"
    ga, gi = _grouping(by, dims, answered_month), _grouping(by, dims, sent_month)
    if ga is None or gi is None:
        return []
    wa, pa_, _ = build_where(f, dims, answered_month)
    wi, pi, _ = build_where(f, dims, sent_month)
    sql, p = render("surveys", groups_answers=ga[0], where_answers=(wa, pa_), groups_invitations=gi[0],
                    where_invitations=(wi, pi), group_names=ga[1], **_narrowed(f, by, dims, {}))
    return _rows(store, sql, p)


def scope_table(store: Store) -> pa.Table:
    """Return each action's dimensions parsed from its scope text (the first value of each field)."""
    cols: dict[str, list[object]] = {c: [] for c in ["action_id", *ACTION_DIMS]}
    for action_id, scope in store.rows("SELECT action_id, scope FROM actions_current WHERE status <> 'cancelled'"):
        try:
            pairs, canonical = scope_pairs(scope), parse_scope(scope)
        except InputRefused:
            pairs, canonical = [], {}  # an unreadable scope matches no dimension filter, yet counts overall
        raw: dict[str, str] = {}
        for fld, value in pairs:
            raw.setdefault(f"{fld}_raw", value)
        cols["action_id"].append(action_id)
        for c in ACTION_DIMS:
            cols[c].append(raw.get(c) if c.endswith("_raw") else (canonical.get(c) or [None])[0])
    return pa.table({c: pa.array(v, pa.string()) for c, v in cols.items()})


def _run_actions(store: Store, f: Filter, by: Sequence[str], ctx: _Context) -> list[Row]:
    """Return the action rows, the scopes parsed in Python and joined in as a registered table."""
    grouping = _grouping(by, ACTION_DIMS, "a.due_date")
    if grouping is None:
        return []
    where, params, _ = build_where(f, ACTION_DIMS, "a.due_date")
    sql, p = render("actions", groups=grouping[0], group_names=grouping[1], where=(where, params),
                    as_of=("?", [ctx.as_of]))
    return _rows(store, sql, p, {"_csq_scope": scope_table(store)})


def servqual_parts() -> dict[str, str]:
    """Return the SQL fragments of servqual.sql built from the item allow-list of csq.fields."""
    gaps = [f"list_avg([{', '.join(f's.p_{i} - s.e_{i}' for i in items)}]) AS gap_{d}"
            for d, items in SERVQUAL_DIMENSIONS.items()]
    dims = list(SERVQUAL_DIMENSIONS)
    return {
        "dimension_gaps": ", ".join(gaps),
        "weight_columns": ", ".join(f"CAST(s.w_{d} AS DOUBLE) AS w_{d}" for d in dims),
        "weights_valid": "(" + " AND ".join(f"w_{d} IS NOT NULL" for d in dims)
                         + f" AND abs({' + '.join(f'w_{d}' for d in dims)} - 100) <= 0.5)",
        "weighted_sum": f"list_sum([{', '.join(f'w_{d} * gap_{d}' for d in dims)}])",
        "weight_answered": f"list_sum([{', '.join(f'CASE WHEN gap_{d} IS NOT NULL THEN w_{d} END' for d in dims)}])",
        "equal_mean": f"list_avg([{', '.join(f'gap_{d}' for d in dims)}])",
    }


_SOURCES: dict[str, Callable[[Store, Filter, Sequence[str], _Context], list[Row]]] = {
    "tickets": _simple("tickets", ticket_dims("t"), "t.created_at", limits=limits_sql()),
    "surveys": _run_surveys,
    "qa": _simple("qa", qa_dims(), "e.evaluated_at", agent_team=load("agent_team")),
    "training": _simple("training", TRAINING_DIMS, "r.assessed_at", agent_team=load("agent_team")),
    "actions": _run_actions,
    "servqual": _simple("servqual", {}, "s.responded_at", **servqual_parts()),
}


def _check(by: Sequence[str], indicators: Sequence[str] | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return (group fields, indicator keys) without repeats, or raise InputRefused naming the valid ones."""
    bad = [g for g in by if g not in GROUP_FIELDS]
    if bad:
        raise InputRefused(f"Cannot group by {', '.join(bad)}.", f"Group by any of: {', '.join(GROUP_FIELDS)}.")
    keys = tuple(INDICATORS) if indicators is None else tuple(indicators)
    unknown = [k for k in keys if k not in INDICATORS]
    if unknown:
        raise InputRefused(f"Unknown indicator(s): {', '.join(unknown)}.",
                           f"Use any of: {', '.join(INDICATORS)}.")
    return tuple(dict.fromkeys(by)), tuple(dict.fromkeys(keys))


def _sort_key(by: Sequence[str]) -> Callable[[Row], tuple]:
    """Return a sort key over the group fields that puts unknown (None) values last."""
    return lambda row: tuple((row[g] is None, "" if row[g] is None else str(row[g])) for g in by)


def compute(store: Store, f: Filter, by: Sequence[str] = (), indicators: Sequence[str] | None = None) -> list[Row]:
    """Return one dict per group (sorted by the group fields): group values, each indicator's value, and "n"."""
    by, keys = _check(by, indicators)
    kinds = list(dict.fromkeys(INDICATORS[k].kind for k in keys))
    ctx = _Context(as_of(store) if {"tickets", "actions"} & set(kinds) else None)
    found: dict[tuple, dict[str, object]] = {} if by else {(): {}}
    for kind in kinds:
        for row in _SOURCES[kind](store, f, by, ctx):
            entry = found.setdefault(tuple(row[f"g_{g}"] for g in by), {})
            for k in keys:
                if INDICATORS[k].kind != kind:
                    continue
                if row.get(k) is not None:
                    entry[k] = row[k]
                if row.get(f"n_{k}"):
                    entry[f"n_{k}"] = row[f"n_{k}"]
    out: list[Row] = []
    for group, entry in found.items():
        row: Row = dict(zip(by, group))
        for k in keys:
            value = entry.get(k)
            if k == "tickets":
                row[k] = int(entry.get("n_tickets", 0))  # a count is 0, not "no data"
            else:
                row[k] = None if value is None else float(value)  # type: ignore[arg-type]
        row["n"] = {k: int(entry.get(f"n_{k}", 0)) for k in keys}  # type: ignore[call-overload]
        out.append(row)
    return sorted(out, key=_sort_key(by))


def servqual_summary(store: Store, f: Filter) -> dict[str, object]:
    """Return the SERVQUAL summary of SPEC §6 `servqual --json`: per-dimension E, P, gap and n, and the totals."""
    where, params, _ = build_where(f, {}, "s.responded_at")
    means = []
    for d, items in SERVQUAL_DIMENSIONS.items():
        for i in items:
            means.append(f"avg(CASE WHEN s.p_{i} IS NOT NULL THEN s.e_{i} END) AS e_{i}")
            means.append(f"avg(CASE WHEN s.e_{i} IS NOT NULL THEN s.p_{i} END) AS p_{i}")
        means.append("count_if(" + " OR ".join(f"(s.e_{i} IS NOT NULL AND s.p_{i} IS NOT NULL)" for i in items)
                     + f") AS n_{d}")
    sql, p = render("servqual_items", item_means=", ".join(means), where=(where, params))
    row = _rows(store, sql, p)[0]
    dimensions = []
    for d, items in SERVQUAL_DIMENSIONS.items():
        pairs = [(row[f"e_{i}"], row[f"p_{i}"]) for i in items if row[f"e_{i}"] is not None]
        e = sum(x for x, _ in pairs) / len(pairs) if pairs else None
        pv = sum(y for _, y in pairs) / len(pairs) if pairs else None
        gap = sum(y - x for x, y in pairs) / len(pairs) if pairs else None
        dimensions.append({"dimension": d, "expectation": e, "perception": pv, "gap": gap, "n": int(row[f"n_{d}"] or 0)})
    gaps = [x["gap"] for x in dimensions if x["gap"] is not None]
    total = compute(store, f, (), ["servqual_gap"])[0]
    return {"dimensions": dimensions,
            "unweighted_gap": sum(gaps) / len(gaps) if gaps else None,  # type: ignore[arg-type]
            "weighted_gap": total["servqual_gap"],
            "respondents": total["n"]["servqual_gap"]}  # type: ignore[index]
