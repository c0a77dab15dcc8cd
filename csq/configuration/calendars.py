"""The Settings page's business calendars and pause statuses: form rows, validation, a preview, and saving.

An edit is checked exactly like a settings file (csq.store.settings_file) and previewed by judging every
ticket under the current and the edited settings: how many would change between met, breached and inside.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import pyarrow.compute as pc

from csq.core.roles import require
from csq.errors import InputRefused
from csq.metrics.clock import SlaSetup, sla_setup
from csq.metrics.sla import ticket_states
from csq.store import Store
from csq.store.calendars import WEEKDAYS, Calendar, parse_calendar, parse_pause_statuses
from csq.store.settings import SlaRule
from csq.store.settings_file import apply_settings

_SPAN = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–~至到]\s*(\d{1,2}:\d{2})\s*$")
_SPLIT = re.compile(r"[,，;；、\s]+")


def hours_text(cal: Calendar, weekday: str) -> str:
    """Return one weekday's opening hours as typed on the page: "09:00-12:00, 13:30-18:00" ("" = closed)."""
    spans = cal.as_json()["hours"][weekday]  # type: ignore[index]
    return ", ".join(f"{s}-{e}" for s, e in spans)


def calendar_rows(cal: Calendar) -> list[dict[str, str]]:
    """Return the seven weekday rows of the hours editor (weekday key, hours text)."""
    return [{"weekday": d, "hours": hours_text(cal, d)} for d in WEEKDAYS]


def _spans(text: object, weekday: str) -> list[list[str]]:
    """Return typed hours as [start, end] pairs, or raise InputRefused naming the weekday."""
    parts = [p for p in re.split(r"[,，;；]", str(text or "")) if p.strip()]
    out = []
    for p in parts:
        m = _SPAN.match(p)
        if not m:
            raise InputRefused(f"{weekday}: {p.strip()!r} is not a span of hours.",
                               "Write spans like 09:00-12:00, 13:30-18:00, or leave the day empty (closed).")
        out.append([m.group(1), m.group(2)])
    return out


def dates_text(days: Sequence[object]) -> str:
    """Return dates one per line, as the closed and working-day boxes show them."""
    return "\n".join(d.isoformat() for d in days)  # type: ignore[attr-defined]


def calendar_from_form(name: str, rows: Sequence[Mapping[str, object]], holidays: bool, closed: str, working: str,
                       makeup_day: str = "mon") -> Calendar:
    """Return the Calendar of the page's form, validated as a settings file is (InputRefused says what)."""
    hours = {str(r["weekday"]): _spans(r.get("hours"), str(r["weekday"])) for r in rows}
    body = {"hours": hours, "holidays": "cn" if holidays else None,
            "closed": [d for d in _SPLIT.split(closed or "") if d], "working": [d for d in _SPLIT.split(working or "") if d],
            "makeup_day": makeup_day}
    return parse_calendar(name.strip(), body)


@dataclass(frozen=True)
class StatusChange:
    """How many tickets an edit moves between SLA states (met, breached, inside, none), per limit."""

    tickets: int
    changed: int
    moves: Mapping[tuple[str, str, str], int]  # (limit, before, after) → tickets; limit "frt" or "res"

    def by_limit(self, limit: str) -> int:
        """Return the tickets whose state on one limit ("frt" or "res") changes."""
        return sum(n for (lim, _, _), n in self.moves.items() if lim == limit)


def status_change(store: Store, proposed: SlaSetup) -> StatusChange:
    """Return how the tickets' SLA states under the stored settings differ from those under `proposed`."""
    now, then = ticket_states(store), ticket_states(store, proposed)
    moves: Counter[tuple[str, str, str]] = Counter()
    changed = None
    for limit in ("frt", "res"):
        a, b = now.column(f"{limit}_state"), then.column(f"{limit}_state")
        differ = pc.not_equal(a, b)
        changed = differ if changed is None else pc.or_(changed, differ)
        for before, after in zip(pc.filter(a, differ).to_pylist(), pc.filter(b, differ).to_pylist()):
            moves[(limit, before, after)] += 1
    n_changed = int(pc.sum(changed).as_py() or 0) if changed is not None and now.num_rows else 0
    return StatusChange(now.num_rows, n_changed, dict(moves))


def proposed_setup(store: Store, calendars: Mapping[str, Calendar], pause_statuses: Sequence[str],
                   rules: Sequence[SlaRule] | None = None) -> SlaSetup:
    """Return the stored setup with calendars, pause statuses (and optionally rules) replaced by an edit."""
    current = sla_setup(store)
    clock = replace(current.clock, calendars=dict(calendars), pause_statuses=parse_pause_statuses(list(pause_statuses)))
    return SlaSetup(tuple(rules) if rules is not None else current.rules, clock)


def save_clock(store: Store, calendars: Mapping[str, Calendar], pause_statuses: Sequence[str], *, role: str,
               user: str | None = None) -> None:
    """Store the business calendars and pause statuses (role 'settings'; validated whole, audited)."""
    require(role, "settings")
    doc = {"calendars": {n: c.as_json() for n, c in calendars.items()}, "pause_statuses": list(pause_statuses)}
    apply_settings(store, doc, "Settings page", user, role=role, action="settings.calendars")
