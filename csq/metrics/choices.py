"""What the filters can offer: the months with data and the values of free-text fields."""
from __future__ import annotations

from dataclasses import dataclass

from csq.core.months import Month, month_range
from csq.core.sqlident import ident
from csq.metrics.periods import default_period, store_running_month
from csq.store import Store

# Identifiers below come from this allow-list only.
_DATED = (("tickets_current", "created_at"), ("surveys_current", "coalesce(responded_at, sent_at)"),
          ("qa_current", "evaluated_at"), ("training_current", "assessed_at"),
          ("servqual_current", "responded_at"))
TEXT_FIELDS = ("team", "category", "agent")


@dataclass(frozen=True)
class Catalog:
    """Filter choices: every month from the first to the last with data, distinct text values, the running month."""

    months: tuple[str, ...]
    values: dict[str, tuple[str, ...]]
    running: str | None = None   # the month the data is still filling (csq.metrics.periods), if any

    @property
    def default_period(self) -> tuple[str | None, str | None]:
        """Return (from, to) of the default period: the last six complete months."""
        return default_period(self.months, self.running)

    @property
    def empty(self) -> bool:
        """Return True when the store holds no dated record."""
        return not self.months


def catalog(store: Store) -> Catalog:
    """Return the months and text values the filters can choose from."""
    parts = " UNION ALL ".join(f"SELECT min({c}) AS lo, max({c}) AS hi FROM {ident(t)}" for t, c in _DATED)
    lo, hi = store.rows(f"SELECT min(lo), max(hi) FROM ({parts})")[0]
    months = tuple(month_range(str(Month.of(lo)), str(Month.of(hi)))) if lo is not None else ()
    values = {f: tuple(r[0] for r in store.rows(
        f"SELECT DISTINCT {ident(f)} FROM tickets_current WHERE {ident(f)} IS NOT NULL ORDER BY 1")) for f in TEXT_FIELDS}
    running = store_running_month(store)
    return Catalog(months, values, running if running in months else None)
