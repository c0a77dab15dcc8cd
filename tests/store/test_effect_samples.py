"""The effect check's set-based samples (csq.improvement.samples) against the straightforward per-window way.

The reference below is the effect check's former reader, kept here as the independent check: for every window it
runs the engine's own SQL grouped per record over the window's months with the scope's Where (build_where, or
build_where_outside for the rest of the center), then keeps the rows dated inside the window in Python. Every
indicator an action can target is compared, value by value, on the demo center with a few records added whose
scope fields are NULL, on 24x7 and again on business calendars with pauses.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta

import pyarrow as pa
import pytest

from csq.improvement import effect
from csq.improvement import samples as set_based
from csq.improvement.actions import list_actions
from csq.improvement.samples import Want, read_book
from csq.metrics.asof import as_of as data_as_of
from csq.metrics.callbacks import CALLBACK_DIMS, callback_flags
from csq.metrics.dimensions import ACTION_DIMS, TRAINING_DIMS, call_dims, qa_dims, survey_dims, ticket_dims
from csq.metrics.engine import SURVEY_ANSWERED, SURVEY_MOMENT, SURVEY_SENT, scope_table, servqual_parts, ticket_query
from csq.metrics.filters import Filter, Where, build_where, build_where_outside
from csq.metrics.indicators import INDICATORS
from csq.metrics.qa_sample import sample_dims
from csq.store import Store, open_store
from csq.store.batches import commit_records
from csq.store.queries import SqlFiles, arrow
from csq.store.settings import sla_rules
from csq.store.settings_file import apply_settings

METRICS_SQL = SqlFiles("csq.metrics")

# ---- the reference: one engine query per window, rows filtered in Python

_Build = Callable[[Filter, Mapping[str, str], str], Where]


def _grouped(name: str, dims: Mapping[str, str], month_expr: str, id_expr: str, **extra: object):
    def go(store: Store, f: Filter, build: _Build) -> list[dict]:
        where = build(f, dims, month_expr)
        register = extra.get("register")
        parts = {k: v for k, v in extra.items() if k != "register"}
        sql, p = METRICS_SQL.render(name, groups=f"{id_expr} AS g_id, {month_expr} AS g_at, ",
                                    group_names="g_id, g_at, ", where=where.part,
                                    as_of=("?", [data_as_of(store)]), **parts)
        return arrow(store, sql, p, register(store) if callable(register) else None).to_pylist()

    return go


def _tickets(store: Store, f: Filter, build: _Build) -> list[dict]:
    where = build(f, ticket_dims("t"), "t.created_at")
    sql, p, register = ticket_query(store, where.part, "t.ticket_id AS g_id, t.created_at AS g_at, ",
                                    "g_id, g_at, ", data_as_of(store))
    return arrow(store, sql, p, register).to_pylist()


def _surveys(store: Store, f: Filter, build: _Build) -> list[dict]:
    dims = survey_dims()
    sql, p = METRICS_SQL.render("surveys", groups=f"s.survey_id AS g_id, {SURVEY_MOMENT} AS g_at, ",
                                where_answers=build(f, dims, SURVEY_ANSWERED).part,
                                where_invitations=build(f, dims, SURVEY_SENT).part, group_names="g_id, g_at, ")
    return arrow(store, sql, p).to_pylist()


def _callbacks(store: Store, f: Filter, build: _Build) -> list[dict]:
    sql, p = METRICS_SQL.render("callbacks", flags=callback_flags(store, data_as_of(store)),
                                groups="c.callback_id AS g_id, c.moment AS g_at, ", group_names="g_id, g_at, ",
                                where=build(f, CALLBACK_DIMS, "c.moment").part)
    return arrow(store, sql, p).to_pylist()


_REFERENCE = {
    "tickets": _tickets,
    "surveys": _surveys,
    "qa": _grouped("qa", qa_dims(), "e.evaluated_at", "e.evaluation_id", agent_team=METRICS_SQL.load("agent_team")),
    "training": _grouped("training", TRAINING_DIMS, "r.assessed_at", "row_number() OVER ()",
                         agent_team=METRICS_SQL.load("agent_team")),
    "servqual": _grouped("servqual", {}, "s.responded_at", "s.respondent_id", **servqual_parts()),
    "actions": _grouped("actions", ACTION_DIMS, "a.due_date", "a.action_id",
                        register=lambda store: {"_csq_scope": scope_table(store)}),
    # calls per call on the default thresholds (SPEC §3: short abandon 5 s, service level 20 s)
    "calls": _grouped("calls", call_dims(), "c.queued_at", "c.call_id", short_abandon_s=("?", [5.0]),
                      service_level_s=("?", [20.0])),
    # the QA sample per sampled ticket, joined to every ticket (SPEC §4d)
    "qa_sample": _grouped("qa_coverage", sample_dims(), "s.created_at", "s.ticket_id", ticket_source="tickets_current"),
    # callbacks per callback, by planned_for (else the call's day), as of the data (SPEC §3)
    "callbacks": _callbacks,
}


def reference(store: Store, kind: str, keys: list[str], scope: str | None, start: date, end: date,
              outside: bool) -> dict[str, list[float]]:
    """Return each key's per-record values in one window the straightforward way (one query, Python filter)."""
    last = end - timedelta(days=1)
    f = Filter.from_scope(scope, f"{start:%Y-%m}", f"{last:%Y-%m}")
    lo, hi = datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.min.time())
    out: dict[str, list[float]] = {k: [] for k in keys}
    for row in _REFERENCE[kind](store, f, build_where_outside if outside else build_where):
        at = row["g_at"]
        if isinstance(at, date) and not isinstance(at, datetime):
            at = datetime.combine(at, datetime.min.time())
        if at is None or not lo <= at < hi:
            continue
        for k in keys:
            if row.get(k) is not None:
                out[k].append(float(row[k]))
    return out


# ---- the fixture: the demo center, plus tickets whose scope fields are NULL

SCOPES = [None, "班组=售后组", "渠道=电话", "type=complaint", "team=售后组; channel=phone", "category=物流配送",
          "channel=chat", "team=一组、二组"]
WINDOWS = [(date(2024, 11, 10), date(2025, 2, 20)), (date(2025, 6, 1), date(2025, 9, 1)),
           (date(2025, 11, 20), date(2026, 2, 20))]  # the last one runs past the data's end
KINDS = sorted({i.kind for i in INDICATORS.values()})


def _odd_tickets() -> pa.Table:
    """Return tickets without team, category, contacts or escalation, some never answered or resolved."""
    rows = []
    for i in range(40):
        created = datetime(2025, 1, 5, 9) + timedelta(days=5 * i, hours=i % 7)
        rows.append({"ticket_id": f"ODD{i}", "created_at": created, "channel": ("phone", "chat", "other")[i % 3],
                     "channel_raw": ("电话", None, None)[i % 3], "type": ("complaint", "inquiry")[i % 2],
                     "priority": "normal", "reopen_count": 1 if i % 3 == 0 else 0,
                     "first_response_at": None if i % 4 == 0 else created + timedelta(hours=i * 3),
                     "resolved_at": None if i % 5 == 0 else created + timedelta(hours=i * 5),
                     "contacts": None if i % 2 else 1 + i % 3, "escalated": None if i % 3 else True})
    return pa.Table.from_pylist(rows)


def _sample_weeks(s: Store) -> None:
    """Draw the QA sample of a week in each window, and evaluate the first three drawn tickets of each draw."""
    from csq.evaluation import sampling

    rows = []
    for week in ("2025-W02", "2025-W25", "2025-W41"):  # weeks the demo does not draw itself
        for t in sampling.draw(s, week, per_agent=2, role="admin").tickets[:3]:
            rows.append({"evaluation_id": f"QS-{t.ticket_id}", "ticket_id": t.ticket_id, "agent": t.agent,
                         "evaluated_at": t.created_at + timedelta(days=3), "criterion": "c", "score": 1.0,
                         "max_score": 1.0, "critical": False})
    commit_records(s, "qa", pa.Table.from_pylist(rows), source="fixture")


@pytest.fixture
def center(demo_copy):
    """The demo center with the odd tickets added."""
    s = open_store(demo_copy)
    commit_records(s, "tickets", _odd_tickets(), source="fixture")
    _sample_weeks(s)
    yield s
    s.close()


def _compare(store: Store, kinds: list[str], keys_of: Callable[[str], list[str]]) -> int:
    """Assert that every cell of the set-based book equals the reference; return how many values were compared."""
    first, end = min(w[0] for w in WINDOWS), max(w[1] for w in WINDOWS)
    wants = [Want(k, s, first, end) for kind in kinds for k in keys_of(kind) for s in SCOPES]
    book = read_book(store, wants, data_as_of(store))
    compared = 0
    for kind in kinds:
        keys = keys_of(kind)
        for scope in SCOPES:
            for start, end in WINDOWS:
                for outside in (False, True):
                    want = reference(store, kind, keys, scope, start, end, outside)
                    for k in keys:
                        got = book.cell(k, scope, start, end, outside).tolist()
                        assert sorted(got) == sorted(want[k]), (k, scope, start, outside)
                        compared += len(got)
    return compared


def test_every_indicator_of_every_kind_equals_the_per_window_reference(center):
    compared = _compare(center, KINDS, lambda kind: [k for k, i in INDICATORS.items() if i.kind == kind])
    assert compared > 100_000


def test_the_sla_rates_on_business_calendars_with_pauses_equal_the_reference(center):
    rules = [{"channel": r.channel, "type": r.type, "priority": r.priority, "first_response_min": r.first_response_min,
              "resolution_h": None if r.resolution_min is None else r.resolution_min / 60,
              "calendar": "workdays_9_18", "pause_first_response": i % 2 == 0} for i, r in enumerate(sla_rules(center))]
    apply_settings(center, {"sla_rules": rules}, "test", "test", role="admin")
    events = arrow(center, """
        SELECT ticket_id, created_at + INTERVAL 5 MINUTE AS event_at, 'pending' AS status, 'pending' AS status_raw
        FROM tickets_current WHERE hash(ticket_id) % 3 = 0
        UNION ALL
        SELECT ticket_id, created_at + INTERVAL 20 HOUR, 'open', 'open' FROM tickets_current
        WHERE hash(ticket_id) % 3 = 0 AND hash(ticket_id) % 2 = 0""", [])
    commit_records(center, "ticket_events", events, source="fixture")
    keys = ["frt_sla_rate", "resolution_sla_rate", "frt_median_min", "complaint_response_rate_48h"]
    assert _compare(center, ["tickets"], lambda kind: keys) > 10_000


def test_check_all_reads_each_kind_once_and_keeps_its_verdicts(center, monkeypatch):
    calls: list[str] = []
    for kind, read in list(set_based._READERS.items()):
        monkeypatch.setitem(set_based._READERS, kind, lambda *a, _k=kind, _r=read: calls.append(_k) or _r(*a))
    checks = effect.check_all(center)
    kinds = {INDICATORS[str(c.indicator)].kind for c in checks}
    assert sorted(calls) == sorted(kinds) and len(checks) > len(kinds)
    # One action checked alone reads its own values, and gets the same windows and verdict.
    actions = {str(a["action_id"]): a for a in list_actions(center)}
    for c in checks:
        alone = effect.check(center, actions[c.action_id])
        assert (alone.before, alone.after, alone.comparison, alone.p_value, alone.verdict) == (
            c.before, c.after, c.comparison, c.p_value, c.verdict), c.action_id


def test_a_book_reads_only_the_days_its_checks_cover(center):
    book = read_book(center, [Want("art_median_h", "team=售后组", date(2025, 3, 1), date(2025, 5, 1))],
                     data_as_of(center))
    records = book.kinds["tickets"]
    assert len(records.at_us) == len(reference(center, "tickets", ["tickets"], None, date(2025, 3, 1),
                                               date(2025, 5, 1), False)["tickets"])
    with pytest.raises(ValueError):
        book.cell("art_median_h", "team=售后组", date(2025, 2, 1), date(2025, 5, 1))
