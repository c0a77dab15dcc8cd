"""Business calendars and pause statuses of SPEC §4a: their model, validation, defaults and storage."""
from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from csq.errors import InputRefused

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS = "24x7"  # the wall clock: every minute counts; built in, never stored or edited
HOLIDAY_SOURCES = ("cn",)  # "cn": Chinese statutory holidays and 调休 make-up days (chinesecalendar)
EVENT_STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
DEFAULT_PAUSE_STATUSES = ("pending", "on_hold")
_NAME = re.compile(r"^[A-Za-z0-9_\-\u4e00-\u9fff]{1,40}$")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")

Span = tuple[int, int]  # minutes from midnight, [start, end), end may be 1440
MAX_SPANS = 4  # opening spans a day: a lunch break and an evening shift fit; the clock's SQL has a column each


@dataclass(frozen=True)
class Calendar:
    """A business calendar: opening spans per weekday (Monday first), holiday source, own closed/working days.

    A make-up working day (调休) and an extra working day open with the hours of `makeup_day`.
    """

    name: str
    hours: tuple[tuple[Span, ...], ...]
    holidays: str | None = "cn"
    closed: tuple[date, ...] = ()
    working: tuple[date, ...] = ()
    makeup_day: str = "mon"

    def as_json(self) -> dict[str, object]:
        """Return the calendar in the JSON shape of SPEC §6 (hours as "HH:MM" pairs, dates as YYYY-MM-DD)."""
        out: dict[str, object] = {
            "hours": {d: [[_hhmm(s), _hhmm(e)] for s, e in spans] for d, spans in zip(WEEKDAYS, self.hours)},
            "holidays": self.holidays,
            "closed": [d.isoformat() for d in self.closed],
            "working": [d.isoformat() for d in self.working],
        }
        if self.makeup_day != "mon":
            out["makeup_day"] = self.makeup_day
        return out


def _hhmm(minutes: int) -> str:
    """Return minutes from midnight as HH:MM (1440 is 24:00)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


WORKDAYS_9_18 = Calendar("workdays_9_18", tuple(((540, 1080),) if i < 5 else () for i in range(7)))
DEFAULT_CALENDARS: dict[str, Calendar] = {WORKDAYS_9_18.name: WORKDAYS_9_18}


@dataclass(frozen=True)
class ClockSettings:
    """What an SLA clock needs besides the rules: the business calendars by name and the pause statuses."""

    calendars: Mapping[str, Calendar]
    pause_statuses: tuple[str, ...] = DEFAULT_PAUSE_STATUSES


def _refuse(where: str, what: str, fix: str) -> InputRefused:
    return InputRefused(f"{where}: {what}", fix)


def _minutes(text: object, where: str) -> int:
    """Return "HH:MM" as minutes from midnight (24:00 allowed), or raise InputRefused."""
    m = _HHMM.match(str(text).strip()) if isinstance(text, str) else None
    if not m or int(m.group(2)) >= 60 or int(m.group(1)) * 60 + int(m.group(2)) > 1440:
        raise _refuse(where, f"{text!r} is not a time of day.", "Write times as HH:MM, from 00:00 to 24:00.")
    return int(m.group(1)) * 60 + int(m.group(2))


def _dates(value: object, where: str) -> tuple[date, ...]:
    """Return a list of YYYY-MM-DD texts as sorted dates, or raise InputRefused naming the bad one."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _refuse(where, "must be a list of dates.", 'Write e.g. ["2025-05-06"].')
    out = set()
    for item in value:
        try:
            out.add(date.fromisoformat(str(item)))
        except ValueError:
            raise _refuse(where, f"{item!r} is not a date.", "Write dates as YYYY-MM-DD.") from None
    return tuple(sorted(out))


def _spans(value: object, where: str) -> tuple[Span, ...]:
    """Return one weekday's opening spans, sorted, or raise InputRefused on a bad or overlapping span."""
    if not isinstance(value, list):
        raise _refuse(where, "must be a list of [start, end] pairs.", 'Write e.g. [["09:00", "12:00"]] or [].')
    spans = []
    for pair in value:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise _refuse(where, f"{pair!r} is not a [start, end] pair.", 'Write e.g. ["09:00", "18:00"].')
        s, e = _minutes(pair[0], where), _minutes(pair[1], where)
        if e <= s:
            raise _refuse(where, f"{pair[0]}–{pair[1]} ends before it starts.", "Give an end after the start.")
        spans.append((s, e))
    spans.sort()
    if len(spans) > MAX_SPANS:
        raise _refuse(where, f"{len(spans)} opening spans; at most {MAX_SPANS} a day are supported.",
                      "Merge spans that touch, or drop the shortest.")
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        if s2 < e1:
            raise _refuse(where, f"the hours {_hhmm(s1)}–{_hhmm(e1)} and {_hhmm(s2)}–{_hhmm(e2)} overlap.",
                          "Merge or separate the overlapping hours.")
    return tuple(spans)


def parse_calendar(name: str, body: object) -> Calendar:
    """Return a Calendar from its SPEC §6 JSON object, or raise InputRefused saying what and where."""
    where = f"calendar {name!r}"
    if name == ALWAYS:
        raise _refuse(where, "is built in (every minute counts) and cannot be redefined.", "Use another name.")
    if not _NAME.match(name):
        raise _refuse(where, "is not a usable name.", "Use up to 40 letters, digits, _ or -.")
    if not isinstance(body, dict):
        raise _refuse(where, "must be an object with hours, holidays, closed and working.", "See SPEC §6.")
    unknown = set(body) - {"hours", "holidays", "closed", "working", "makeup_day"}
    if unknown:
        raise _refuse(where, f"unknown field(s) {', '.join(sorted(unknown))}.",
                      "Use hours, holidays, closed, working and makeup_day.")
    hours = body.get("hours")
    if not isinstance(hours, dict) or set(hours) - set(WEEKDAYS):
        raise _refuse(where, "hours must be an object keyed by mon … sun.", 'Write e.g. {"mon": [["09:00", "18:00"]]}.')
    week = tuple(_spans(hours.get(d, []), f"{where}, {d}") for d in WEEKDAYS)
    holidays = body.get("holidays")
    if holidays not in (None, "", *HOLIDAY_SOURCES):
        raise _refuse(where, f"holidays {holidays!r} is not a known source.", 'Use "cn" or null.')
    closed = _dates(body.get("closed"), f"{where}, closed")
    working = _dates(body.get("working"), f"{where}, working")
    both = sorted(set(closed) & set(working))
    if both:
        raise _refuse(where, f"{both[0].isoformat()} is both closed and working.", "Keep the date in one list.")
    makeup = body.get("makeup_day", "mon")
    if makeup not in WEEKDAYS or not week[WEEKDAYS.index(makeup)]:
        raise _refuse(where, f"makeup_day {makeup!r} must be a weekday with opening hours.",
                      "Use mon … sun, a day that has hours.")
    if not any(week) and not working:
        raise _refuse(where, "has no opening hours at all.", "Give at least one weekday opening hours.")
    return Calendar(name, week, holidays or None, closed, working, makeup)


def parse_calendars(value: object) -> dict[str, Calendar]:
    """Return the calendars of a SPEC §6 "calendars" object, or raise InputRefused on the first bad one."""
    if not isinstance(value, dict):
        raise InputRefused("calendars must be an object keyed by calendar name.", "See SPEC §6.")
    return {str(name): parse_calendar(str(name), body) for name, body in value.items()}


def parse_pause_statuses(value: object) -> tuple[str, ...]:
    """Return the pause statuses (canonical event statuses), or raise InputRefused on an unknown one."""
    if not isinstance(value, list):
        raise InputRefused("pause_statuses must be a list.", 'Write e.g. ["pending", "on_hold"].')
    bad = [v for v in value if v not in EVENT_STATUSES or v in ("solved", "closed")]
    if bad:
        raise InputRefused(f"pause_statuses: {bad[0]!r} cannot pause a clock.",
                           "Use new, open, pending or on_hold (solved and closed end the clock).")
    return tuple(dict.fromkeys(value))


def check_rule_calendars(names: Sequence[str], calendars: Collection[str]) -> None:
    """Raise InputRefused when an SLA rule names a calendar that is neither 24x7 nor defined."""
    for i, name in enumerate(names, start=1):
        if name != ALWAYS and name not in calendars:
            raise InputRefused(f"SLA rule {i}: calendar {name!r} is not defined.",
                               f"Use {ALWAYS} or one of: {', '.join(calendars) or '(none defined)'}.")
