"""The ticket facts table (csq.metrics.facts): the same figures as the live SLA clock, never read stale.

The live clock (csq.metrics.clock.live_clock) is the reference: every test here compares what the facts give
with what the clock computes from the tickets, rules, calendars and status history at that moment, on
business calendars with pauses, where a stale or wrong table would move the figures.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyarrow as pa

from csq.metrics import facts
from csq.metrics.asof import as_of
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.metrics.indicators import INDICATORS
from csq.metrics.sla import ticket_limits, ticket_states
from csq.store import Store, open_store
from csq.store.settings import set_sla_rules, sla_rules
from tests.support import cli_json, run_cli, snapshot

TICKET_KEYS = [k for k, ind in INDICATORS.items() if ind.kind == "tickets"]
F = Filter("2025-01", "2025-06", (("channel", ("phone", "chat")),))


def _on_business_hours(db: Path) -> None:
    """Put every SLA rule of the store on the workdays_9_18 calendar (the demo has a status history: pauses)."""
    s = open_store(db)
    try:
        set_sla_rules(s, [replace(r, calendar="workdays_9_18") for r in sla_rules(s)], role="admin")
    finally:
        s.close()


def figures(store: Store, f: Filter = F) -> tuple[list, list, pa.Table, pa.Table]:
    """Return every ticket indicator by month and team on both clocks, the ticket limits and the SLA states."""
    rows = [[(r.groups, r.figures) for r in compute(store, f, ("month", "team"), TICKET_KEYS, clock)]
            for clock in ("calendar", "business")]
    return rows[0], rows[1], ticket_limits(store, f), ticket_states(store)


def drop_facts(db: Path) -> None:
    """Remove the facts' version record (and this process's memory of it), so every reader computes live."""
    facts._FRESH.clear()  # csq itself never drops the record; it moves the data version instead
    s = open_store(db)
    try:
        s.rows("DROP TABLE IF EXISTS ticket_facts_meta")
    finally:
        s.close()


def test_the_facts_give_the_live_clocks_figures_on_business_calendars_with_pauses(demo_copy: Path) -> None:
    _on_business_hours(demo_copy)
    s = open_store(demo_copy)
    try:
        assert facts.refresh(s) and facts.ticket_clock(s, "TRUE", as_of(s)).facts
        through_facts = figures(s)
    finally:
        s.close()
    drop_facts(demo_copy)
    s = open_store(demo_copy, read_only=True)
    try:
        assert not facts.fresh(s) and not facts.ticket_clock(s, "TRUE", as_of(s)).facts
        live = figures(s)
    finally:
        s.close()
    assert through_facts[0] == live[0] and through_facts[1] == live[1]
    assert through_facts[2].equals(live[2]) and through_facts[3].equals(live[3])
    # The comparison can fail: business time and due moments are really there (pauses: test_sla_pauses).
    limits = live[2]
    assert limits.num_rows > 100 and limits.column("res_due_at").null_count < limits.num_rows
    assert live[0] != live[1]


def test_a_settings_change_is_never_read_through_the_old_facts(demo_copy: Path) -> None:
    s = open_store(demo_copy)
    try:
        assert facts.refresh(s)
        before = compute(s, F, ("month",), ["resolution_sla_rate"])
        old_version = facts.built_version(s)
        set_sla_rules(s, [replace(r, calendar="workdays_9_18") for r in sla_rules(s)], role="admin")
        assert not facts.fresh(s)  # the rules moved the data version past the table's
    finally:
        s.close()
    reader = open_store(demo_copy, read_only=True)  # a reader cannot rebuild: it computes live
    try:
        assert facts.built_version(reader) == old_version and not facts.refresh(reader)
        live = compute(reader, F, ("month",), ["resolution_sla_rate"])
    finally:
        reader.close()
    s = open_store(demo_copy)
    try:
        assert facts.refresh(s) and facts.built_version(s) == s.data_version()
        rebuilt = compute(s, F, ("month",), ["resolution_sla_rate"])
    finally:
        s.close()
    assert live == rebuilt and live != before


def test_a_reader_leaves_a_stale_store_as_it_was(demo_copy: Path) -> None:
    drop_facts(demo_copy)
    s = open_store(demo_copy, read_only=True)
    try:
        before = snapshot(s)
        compute(s, F, ("team",), TICKET_KEYS + ["csat_rate", "qa_score"])
        assert snapshot(s) == before and not facts.fresh(s)
    finally:
        s.close()


def test_a_command_line_import_leaves_the_facts_current_for_read_only_commands(demo_copy: Path, tmp_path: Path
                                                                               ) -> None:
    csv = tmp_path / "t.csv"
    csv.write_text("工单编号,受理时间,首次响应时间,渠道,业务类型\nX1,2025-06-30 10:00:00,2025-06-30 10:01:00,电话,咨询\n",
                   encoding="utf-8")
    assert cli_json("import", str(csv), "--kind", "tickets", db=demo_copy)[0]["status"] == "committed"
    s = open_store(demo_copy, read_only=True)
    try:
        assert facts.built_version(s) == s.data_version()
        assert s.scalar("SELECT count(*) FROM ticket_facts WHERE ticket_id = 'X1'") == 1
    finally:
        s.close()
    # A refused import changes nothing, the facts included.
    bad = tmp_path / "bad.csv"
    bad.write_text("工单编号,受理时间,渠道,业务类型\nX2,not a date,电话,咨询\n", encoding="utf-8")
    s = open_store(demo_copy)
    before = snapshot(s)
    s.close()
    assert run_cli("import", str(bad), "--kind", "tickets", db=demo_copy).returncode == 2
    s = open_store(demo_copy)
    try:
        assert snapshot(s) == before
    finally:
        s.close()


def test_surveys_and_qa_join_only_the_tickets_they_name_with_the_same_figures(demo_copy: Path) -> None:
    keys = ["csat_rate", "csat_mean", "nps", "survey_response_rate", "qa_score", "qa_critical_fail_rate"]
    by_type = Filter("2025-01", "2025-06", (("type", ("complaint", "inquiry")),))
    s = open_store(demo_copy)
    try:
        assert facts.linked_tickets(s) == "linked_tickets"
        linked = s.scalar("SELECT count(*) FROM linked_tickets")
        named = s.scalar("SELECT count(DISTINCT t.ticket_id) FROM tickets_current t WHERE t.ticket_id IN "
                         "(SELECT ticket_id FROM surveys_current UNION SELECT ticket_id FROM qa_current "
                             "UNION SELECT ticket_id FROM calls_current)")
        everyone = s.scalar("SELECT count(*) FROM tickets_current")
        through_linked = [compute(s, by_type, ("team", "month"), keys), compute(s, F, ("type",), keys)]
    finally:
        s.close()
    assert linked == named and 0 < linked < everyone  # a real subset: the join is smaller, not the same
    drop_facts(demo_copy)
    s = open_store(demo_copy, read_only=True)
    try:
        assert facts.linked_tickets(s) == "tickets_current"
        live = [compute(s, by_type, ("team", "month"), keys), compute(s, F, ("type",), keys)]
    finally:
        s.close()
    assert through_linked == live and any(r.value("csat_rate") is not None for r in live[1])
