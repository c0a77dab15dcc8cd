"""The Telephony page's waiting-time distribution (SPEC §7): bins counted by hand, the thresholds as bin edges,
and the bins agreeing with the service level and calls offered of SPEC §3."""
from __future__ import annotations

import pytest

from csq.ingest.importer import import_bytes
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.store import Store
from csq.store.settings import set_setting
from csq.telephony.waits import wait_distribution

HEADER = "Call ID,Date,Queue Start,Answer Time,End Time,Agent,Queue,Talk Time,Direction"
ROWS = (
    "c1,2025-03-07,10:00:00,09:59:57,10:02:00,amy,sales,120,Inbound",  # answered 3 s early: waits 0 s
    "c2,2025-03-07,10:00:00,10:00:05,10:02:00,amy,sales,115,Inbound",  # 5 s: the 0–5 bin (tops are inclusive)
    "c3,2025-03-07,10:00:00,10:00:20,10:02:00,bob,sales,100,Inbound",  # 20 s: inside the service level
    "c4,2025-03-07,10:00:00,10:00:21,10:02:00,bob,sales,99,Inbound",   # 21 s: the 20–30 bin, outside it
    "c5,2025-03-07,10:00:00,,10:00:04,,sales,,Inbound",                # abandoned within 5 s: not offered
    "c6,2025-03-07,10:00:00,,10:00:40,,sales,,Inbound",                # abandoned after 40 s: 30–45
    "c7,2025-03-07,10:00:00,10:06:00,10:08:00,amy,sales,120,Inbound",  # 360 s: the open last bin
    "c8,2025-03-07,10:00:00,10:00:02,10:02:00,amy,sales,118,Outbound", # outbound: not counted
    "c9,2025-03-07,10:00:00,,10:00:07,,support,,Inbound",              # abandoned after 7 s, another queue
)


@pytest.fixture
def calls(store: Store) -> Store:
    res = import_bytes(store, ("\n".join((HEADER, *ROWS)) + "\n").encode(), "calls.csv", "calls")
    assert res.status == "committed", res.as_dict()
    return store


def _counts(store: Store, f: Filter = Filter()) -> dict[str, tuple[int, int]]:
    d = wait_distribution(store, f)
    return {f"{b.low}-{b.high}": (b.answered, b.abandoned) for b in d.bins if b.answered or b.abandoned}


def test_bins_by_hand(calls: Store) -> None:
    assert _counts(calls) == {"None-0": (1, 0), "0-5": (1, 0), "15-20": (1, 0), "20-30": (1, 0), "5-10": (0, 1),
                              "30-45": (0, 1), "300-None": (1, 0)}
    d = wait_distribution(calls, Filter())
    r = compute(calls, Filter(), (), ["calls_offered", "service_level"])[0]
    assert d.offered == r.value("calls_offered") == 7  # c1–c4, c6, c7, c9
    within = sum(b.answered for b in d.bins if b.high is not None and b.high <= d.service_level_s)
    assert within / d.offered == pytest.approx(r.value("service_level")) == pytest.approx(3 / 7)  # c1, c2, c3


def test_the_thresholds_are_the_settings_and_a_filter_applies(calls: Store) -> None:
    set_setting(calls, "service_level_s", 25, role="admin")
    set_setting(calls, "short_abandon_s", 10, role="admin")
    d = wait_distribution(calls, Filter())
    assert d.service_level_s == 25 and any(b.high == 25 for b in d.bins)  # the threshold is a bin's top edge
    got = _counts(calls)
    assert got["20-25"] == (1, 0) and "5-10" not in got  # c4 now within; c9 (7 s) is a short abandon now
    assert _counts(calls, Filter.from_pairs(None, None, ["queue=support"])) == {}
    assert _counts(calls, Filter.from_pairs(None, None, ["queue=sales"]))["30-45"] == (0, 1)
