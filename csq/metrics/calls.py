"""The telephony indicators of SPEC §3 (calls_offered … aht_s): their thresholds and the engine's calls query."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from csq.metrics.dimensions import call_dims
from csq.metrics.filters import Filter, build_where
from csq.metrics.grouping import grouping, ticket_join
from csq.store import Store
from csq.store.queries import Runner, SqlFiles, arrow
from csq.store.settings import get_setting

SQL = SqlFiles(__package__)
CALL_KEYS = ("calls_offered", "answer_rate", "abandon_rate", "service_level", "asa_s", "aht_s")
# The moment that puts a call in its month, week or day (SPEC §3: month of queued_at).
CALL_MOMENT = "c.queued_at"


@dataclass(frozen=True)
class Thresholds:
    """The telephony thresholds (settings, SPEC §3), both inclusive: short abandon and service level, in seconds."""

    short_abandon_s: float = 5.0
    service_level_s: float = 20.0

    def describe(self, lang: str = "en") -> str:
        """Return the thresholds in words, shown beside every telephony figure."""
        short, sl = _num(self.short_abandon_s), _num(self.service_level_s)
        if lang == "zh":
            return f"短时放弃 ≤ {short} 秒（不计入呼入量）· 服务水平 {sl} 秒内接通"
        return f"short abandons ≤ {short} s (not offered) · service level: answered within {sl} s"

    def note(self, key: str, lang: str = "en") -> str | None:
        """Return the threshold one telephony indicator depends on, in words (None for ASA and AHT: neither)."""
        short, sl = _num(self.short_abandon_s), _num(self.service_level_s)
        zh = {"calls_offered": f"不含 {short} 秒内的短时放弃", "answer_rate": f"呼入量不含 {short} 秒内的短时放弃",
              "abandon_rate": f"排队超过 {short} 秒后放弃", "service_level": f"等待 ≤ {sl} 秒即接通"}
        en = {"calls_offered": f"abandons within {short} s left out", "answer_rate": f"abandons within {short} s "
              "not offered", "abandon_rate": f"abandoned after {short} s", "service_level": f"answered within {sl} s"}
        return (zh if lang == "zh" else en).get(key)


def _num(x: float) -> str:
    """Return a threshold without a trailing .0."""
    return str(int(x)) if float(x).is_integer() else str(x)


def thresholds(store: Store) -> Thresholds:
    """Return the stored telephony thresholds (defaults 5 s and 20 s)."""
    return Thresholds(float(get_setting(store, "short_abandon_s") or 0.0),  # type: ignore[arg-type]
                      float(get_setting(store, "service_level_s") or 0.0))  # type: ignore[arg-type]


def run_calls(store: Store, f: Filter, by: Sequence[str], run: Runner = arrow) -> list[dict[str, object]]:
    """Return the calls query's rows: one per group, each telephony indicator and its n, run by `run`."""
    dims = call_dims()
    groups = grouping(by, dims, CALL_MOMENT)
    if groups is None:
        return []
    where = build_where(f, dims, CALL_MOMENT)
    t = thresholds(store)
    sql, params = SQL.render("calls", groups=groups[0], group_names=groups[1], where=where.part,
                             ticket_source=ticket_join(store, f, dims, [dims.get(g, "") for g in by]),
                             short_abandon_s=("?", [t.short_abandon_s]), service_level_s=("?", [t.service_level_s]))
    return run(store, sql, params, None).to_pylist()
