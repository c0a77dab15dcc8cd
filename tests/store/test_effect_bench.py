"""The effect-check benchmark (csq.bench.effect) runs on a store like run_bench's: generated tickets, no actions."""
from __future__ import annotations

from pathlib import Path

from csq.bench.effect import BENCH_ACTIONS, effect_costs
from csq.bench.imports import make_ticket_csv
from csq.improvement.effect import check_all
from csq.ingest.importer import import_file


def test_effect_costs_adds_the_actions_and_times_the_check(store, tmp_path: Path):
    csv_path = tmp_path / "tickets.csv"
    make_ticket_csv(csv_path, 3000)
    assert import_file(store, csv_path, "tickets").status == "committed"
    out = effect_costs(store)
    assert out["effect_actions"] == len(BENCH_ACTIONS)
    for key in ("effect_scan_s", "effect_check_s", "effect_check_judged_s", "effect_kpi_s"):
        assert isinstance(out[key], float) and out[key] >= 0, key
    checks = {c.indicator: c for c in check_all(store)}
    assert set(checks) == {k for k, _ in BENCH_ACTIONS}
    # Scoped to a team or a channel: judged against the rest of the center; the whole center: before/after.
    assert checks["art_median_h"].comparison is not None and checks["escalation_rate"].comparison is None
    # Started and completed on the same day, one-month windows: before ends where after starts.
    assert all(c.before.end == c.after.start and c.verdict == "pending" for c in checks.values())
    assert effect_costs(store)["effect_actions"] == len(BENCH_ACTIONS)  # a second run adds none
