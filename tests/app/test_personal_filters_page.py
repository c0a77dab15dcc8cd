"""Issue 14 / SPEC §10 on the pages: a URL parameter naming a personal field never filters the dashboard.

The sidebar offers only channel, type, team, category, priority and agent, so `?customer_phone=…` is never a
filter for anyone. For a role that sees personal data masked (viewer, analyst, manager) the parameter is also
removed from the URL, so a copied link does not carry the number on, and the page says why (the rule of
csq.core.privacy.check_filter_fields). For admin it is ignored silently and left in the URL.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from csq.store import open_store
from csq.store.batches import commit_records
from tests.apptest import assert_no_exception, page_text, query_param, run_app

PHONE = "18774287324"
MONITORING = "app_pages/monitoring.py"
PERIOD = {"from": "2025-02", "to": "2025-03"}


def _ticket(tid: str, day: int, agent: str, phone: str) -> dict[str, object]:
    created = datetime(2025, 3, day, 9)
    # Answered after 10 hours: breached, so every ticket is in the Monitoring page's breached list.
    return {"ticket_id": tid, "created_at": created, "first_response_at": created + timedelta(hours=10),
            "channel": "phone", "type": "inquiry", "priority": "normal", "reopen_count": 0, "team": "一组",
            "agent": agent, "customer_phone": phone}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tickets of February and March; the customer PHONE was served by 秘密坐席 alone, everyone else by 李娜."""
    path = tmp_path_factory.mktemp("personal_filters") / "p.duckdb"
    rows = [_ticket("P1", 3, "秘密坐席", PHONE)] + [_ticket(f"O{i}", 4 + i, "一组-李娜", f"1390000{i:04d}")
                                                   for i in range(4)]
    rows += [{**_ticket("F1", 3, "一组-李娜", "13900009999"), "created_at": datetime(2025, 2, 3, 9),
              "first_response_at": datetime(2025, 2, 3, 9, 1)}]
    store = open_store(path)
    try:
        names = list(dict.fromkeys(k for r in rows for k in r))
        commit_records(store, "tickets", pa.Table.from_pylist([{k: r.get(k) for k in names} for r in rows]),
                       source="fixture")
    finally:
        store.close()
    return path


def _conditions(at: object) -> dict[str, tuple[str, ...]]:
    """Return the field conditions of the Filter the page rendered."""
    return at.session_state["_csq_view"].filter.conditions()  # type: ignore[attr-defined]


def _agents_listed(at: object) -> set[str]:
    """Return the agents in the page's ticket tables."""
    out: set[str] = set()
    for frame in at.dataframe:  # type: ignore[attr-defined]
        for col in frame.value.columns:
            if "坐席" in str(col) or str(col).lower() == "agent":
                out.update(str(v) for v in frame.value[col])
    return out


@pytest.mark.parametrize("role", ["viewer", "analyst", "manager"])
@pytest.mark.parametrize("field", ["customer_phone", "customer_name", "customer_id"])
def test_a_masked_role_is_told_and_the_parameter_leaves_the_url(db: Path, role: str, field: str) -> None:
    at = run_app(db, params={**PERIOD, field: PHONE, "team": "一组"}, role=role)
    assert_no_exception(at)
    warning = " ".join(str(w.value) for w in at.warning)
    assert field in warning and role in warning and "脱敏" in warning
    assert query_param(at, field) == [] and query_param(at, "team") == ["一组"]
    assert _conditions(at) == {"team": ("一组",)}  # the other filter still applies; the personal one never does
    assert PHONE not in " ".join(str(c.value) for c in at.code)  # nor does the copied link carry it


def test_the_monitoring_list_of_a_viewer_is_not_narrowed_to_the_customer(db: Path) -> None:
    at = run_app(db, MONITORING, params={**PERIOD, "customer_phone": PHONE, "lang": "en"}, role="viewer")
    assert_no_exception(at)
    assert "customer_phone" not in _conditions(at) and query_param(at, "customer_phone") == []
    assert _agents_listed(at) == {"秘密坐席", "一组-李娜"}
    assert PHONE not in page_text(at)


def test_the_warning_speaks_english_in_english(db: Path) -> None:
    at = run_app(db, params={**PERIOD, "customer_phone": PHONE, "lang": "en"}, role="viewer")
    warning = " ".join(str(w.value) for w in at.warning)
    assert "customer_phone" in warning and "«viewer»" in warning and "masked" in warning


def test_admin_is_not_filtered_either_and_keeps_the_parameter(db: Path) -> None:
    at = run_app(db, MONITORING, params={**PERIOD, "customer_phone": PHONE}, role="admin")
    assert_no_exception(at)
    assert "customer_phone" not in _conditions(at)  # not a dashboard filter for anyone
    assert query_param(at, "customer_phone") == [PHONE]
    assert not any("customer_phone" in str(w.value) for w in at.warning)
    assert _agents_listed(at) == {"秘密坐席", "一组-李娜"}
