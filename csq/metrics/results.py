"""Typed results of the indicator engine: a Figure per indicator (value, n, key), a Result per group."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figure:
    """One indicator's figure: its value (None = no data, an empty denominator), the n behind it, and its key.

    The key names the indicator, so its formula and unit are one lookup away (csq.metrics.indicators).
    """

    key: str
    value: float | None
    n: int


@dataclass(frozen=True)
class Result:
    """One group of compute(): the value of each group field, and a Figure for each indicator asked for."""

    groups: Mapping[str, str | None] = field(default_factory=dict)
    figures: Mapping[str, Figure] = field(default_factory=dict)

    def group(self, name: str) -> str | None:
        """Return the group's value of one group field (e.g. its month or team)."""
        return self.groups[name]

    def figure(self, key: str) -> Figure:
        """Return the Figure of one indicator."""
        return self.figures[key]

    def value(self, key: str) -> float | None:
        """Return one indicator's value (None = no data)."""
        return self.figures[key].value

    def n(self, key: str) -> int:
        """Return the n behind one indicator's value."""
        return self.figures[key].n

    def as_json(self) -> dict[str, object]:
        """Return the object of SPEC §6 `kpi --json`: the group fields, one entry per indicator, and "n"."""
        out: dict[str, object] = dict(self.groups)
        for key, fig in self.figures.items():
            out[key] = int(fig.value) if key == "tickets" and fig.value is not None else fig.value
        out["n"] = {key: fig.n for key, fig in self.figures.items()}
        return out


def empty(keys: tuple[str, ...]) -> Result:
    """Return the Result of a group without any record: every figure no data, n = 0 (a count is 0)."""
    return Result({}, {k: Figure(k, 0.0 if k == "tickets" else None, 0) for k in keys})
