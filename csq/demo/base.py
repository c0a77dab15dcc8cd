"""Shared pieces of the demo generator: the calendar, seasonality, the agent roster and Arrow helpers.

Times are int64 seconds since 1970-01-01 of the center's naive local clock (SPEC §2), so all the
arithmetic stays in numpy; they become Arrow timestamps only when a table is built.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from csq.core.months import add_months

DAY = 86_400
HOUR = 3_600
EPOCH = date(1970, 1, 1)
# The center closes the demo's last day at 18:00, so tickets opened that afternoon are still open.
END_HOUR = 18
MONTHLY_TICKETS = 10_000

TEAMS = ("一组", "二组", "三组", "售后组", "技术支持组", "投诉处理组")
HEADCOUNT = (12, 12, 12, 9, 8, 7)
AFTER_SALES_TEAM = TEAMS.index("售后组")

_AGENT_NAMES = (
    "张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周杰", "吴霞", "徐明", "孙丽", "胡斌",
    "朱琳", "高峰", "林涛", "何敏", "郭强", "马超", "罗娟", "梁静", "宋佳", "郑浩", "谢婷", "韩雪", "唐勇",
    "冯倩", "于洋", "董洁", "许晨", "曹颖", "彭飞", "曾琪", "肖雨", "田甜", "邓超", "潘悦", "蒋文", "蔡琳",
    "袁野", "姚远", "卢敏", "丁宁", "沈涛", "钟华", "汪洋", "范冰", "金鑫", "石磊", "廖凡", "贾玲", "夏雨",
    "韦华", "方圆", "白雪", "邹静", "孟瑶", "熊伟", "秦岚", "邱实", "江涛", "尹航", "薛梅", "段誉", "雷鸣",
    "侯勇", "龙飞", "史可", "陶然", "黎明", "贺佳", "顾青", "毛毅", "郝蕾", "龚琳", "邵峰", "万里", "严宽",
)

# 春节 (first day of the lunar year); the ticket volume dips around it.
_CNY = {2015: (2, 19), 2016: (2, 8), 2017: (1, 28), 2018: (2, 16), 2019: (2, 5), 2020: (1, 25),
        2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29), 2026: (2, 17),
        2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23), 2032: (2, 11),
        2033: (1, 31), 2034: (2, 19), 2035: (2, 8)}
# Monday first: weekdays busier, Sunday quietest.
_WEEKDAY = np.array([1.14, 1.10, 1.06, 1.04, 1.02, 0.86, 0.72])
HOUR_WEIGHTS = np.array([0.15, 0.08, 0.05, 0.04, 0.04, 0.06, 0.15, 0.35, 0.70, 1.20, 1.45, 1.40,
                         1.00, 1.10, 1.35, 1.40, 1.30, 1.20, 1.00, 1.05, 1.10, 0.95, 0.60, 0.30])


def day_number(d: date) -> int:
    """Return the day number (days since 1970-01-01) of a date."""
    return (d - EPOCH).days


@dataclass(frozen=True)
class Calendar:
    """The demo period: its days, months and the daily volume and load factors."""

    end: date
    end_ts: int                 # the last moment any record may carry (end at 18:00)
    days: np.ndarray            # day numbers, first day of the first month .. end
    month_of_day: np.ndarray    # index into `months` for each day
    months: tuple[tuple[int, int], ...]
    month_first: np.ndarray     # day number of each month's first day, plus the day after the period
    load: np.ndarray            # relative busyness of each day (1 = an ordinary day of the last year)
    rate: np.ndarray            # expected tickets per day at scale 1

    @property
    def first_day(self) -> int:
        """Return the day number of the period's first day."""
        return int(self.days[0])


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return year, month and day of month of each day number."""
    d64 = days.astype("datetime64[D]")
    years = d64.astype("datetime64[Y]").astype(np.int64) + 1970
    months = d64.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (d64 - d64.astype("datetime64[M]")).astype(np.int64) + 1
    return years, months, dom


def _per_year(years: np.ndarray, day_of: Callable[[int], date]) -> np.ndarray:
    """Return, per element, the day number of day_of(that element's year)."""
    uniq, inverse = np.unique(years, return_inverse=True)
    return np.array([day_number(day_of(int(y))) for y in uniq], dtype=np.int64)[inverse]


def _cny(year: int) -> date:
    """Return the 春节 date of a year (Feb 5 outside the table)."""
    return date(year, *_CNY.get(year, (2, 5)))


def _season(days: np.ndarray) -> np.ndarray:
    """Return the yearly seasonality factor of each day: 双11 and 618 peaks, 春节 and 国庆 dips."""
    years, months, dom = _ymd(days)
    d = days.astype(np.float64)
    f = np.ones(len(days))
    nov11 = _per_year(years, lambda y: date(y, 11, 11))
    f += 1.5 * np.exp(-0.5 * ((d - nov11) / 2.5) ** 2) + 0.45 * ((d >= nov11 - 3) & (d <= nov11 + 9))
    dec12 = _per_year(years, lambda y: date(y, 12, 12))
    f += 0.25 * np.exp(-0.5 * ((d - dec12) / 1.5) ** 2)
    jun18 = _per_year(years, lambda y: date(y, 6, 18))
    f += 0.55 * np.exp(-0.5 * ((d - jun18) / 2.5) ** 2) + 0.15 * ((months == 6) & (dom <= 20))
    # Late December already feels the next lunar new year; use whichever is closer.
    cny, cny_next = _per_year(years, _cny), _per_year(years, lambda y: _cny(y + 1))
    near = np.where(np.abs(d - cny) < np.abs(d - cny_next), cny, cny_next)
    f *= 1 - 0.55 * np.exp(-0.5 * ((d - near - 2) / 4.0) ** 2)
    f *= np.where((months == 10) & (dom <= 7), 0.8, 1.0)
    return f


def _weekday(days: np.ndarray) -> np.ndarray:
    """Return the weekday volume factor of each day number."""
    return _WEEKDAY[(days + 3) % 7]  # 1970-01-01 was a Thursday


def make_calendar(end: date, months: int) -> Calendar:
    """Return the calendar of `months` calendar months ending with end's month."""
    first = add_months(end.replace(day=1), -(months - 1))
    days = np.arange(day_number(first), day_number(end) + 1, dtype=np.int64)
    month_list = tuple((add_months(first, i).year, add_months(first, i).month) for i in range(months))
    month_first = np.array([day_number(date(y, m, 1)) for y, m in month_list]
                           + [day_number(add_months(first, months))], dtype=np.int64)
    month_of_day = np.searchsorted(month_first, days, side="right") - 1
    # Seasonality is normalised on the year before `end`, so a short period that holds 双11 is busier.
    ref = np.arange(day_number(end) - 364, day_number(end) + 1, dtype=np.int64)
    norm = float(np.mean(_season(ref) * _weekday(ref)))
    load = _season(days) * _weekday(days) / norm
    # The center grows about 6 % a year; the period's middle runs at the nominal volume.
    trend = 1.0 + 0.06 * (days - days.mean()) / 365.25
    rate = MONTHLY_TICKETS * 12 / 365.25 * load * trend
    end_ts = day_number(end) * DAY + END_HOUR * HOUR
    return Calendar(end, end_ts, days, month_of_day, month_list, month_first, load, rate)


@dataclass(frozen=True)
class Roster:
    """The agents: names, team index, hire and leave day numbers, and personal tendencies."""

    names: tuple[str, ...]
    team: np.ndarray
    hired: np.ndarray
    left: np.ndarray            # day number of leaving; a large number when still employed
    speed: np.ndarray           # multiplies resolution times
    csat_effect: np.ndarray     # added to the customer's latent satisfaction
    qa_risk: np.ndarray         # multiplies the chance of a QA deduction
    ability: np.ndarray         # mean training score

    def eligible(self, team: int, first_day: int, last_day: int) -> np.ndarray:
        """Return the agents of a team employed for the whole of [first_day, last_day]."""
        return np.flatnonzero((self.team == team) & (self.hired < first_day) & (self.left > last_day))

    def employed_on(self, day: int) -> np.ndarray:
        """Return the agents employed on a day (hired at least two weeks before)."""
        return np.flatnonzero((self.hired <= day - 14) & (self.left > day))


STILL_EMPLOYED = np.iinfo(np.int64).max // 4


def make_roster(rng: np.random.Generator, cal: Calendar) -> Roster:
    """Return about sixty agents in six teams; six left during the period and were replaced."""
    names: list[str] = []
    team: list[int] = []
    hired: list[int] = []
    left: list[int] = []
    first, last = cal.first_day, int(cal.days[-1])
    # Every person's name is unique across the center, so an agent is never confused across teams.
    people = iter(rng.permutation(len(_AGENT_NAMES)))
    for t, (label, size) in enumerate(zip(TEAMS, HEADCOUNT)):
        team_names = [f"{label}-{_AGENT_NAMES[next(people)]}" for _ in range(size + 1)]
        for n in team_names[:size]:
            names.append(n)
            team.append(t)
            hired.append(first - int(rng.integers(60, 2200)))
            left.append(STILL_EMPLOYED)
        # In a period too short to hold a departure, the leaver went just before it began.
        leave_day = (first + 20 + int(rng.integers(0, last - first - 40)) if last - first >= 60
                     else first - int(rng.integers(1, 60)))
        # The leaver is one of the original staff; the replacement starts a month before they go.
        quitter = len(names) - 1 - int(rng.integers(0, size))
        left[quitter] = leave_day
        names.append(team_names[size])
        team.append(t)
        hired.append(leave_day - 30 - int(rng.integers(0, 10)))
        left.append(STILL_EMPLOYED)
    n = len(names)
    hired_arr = np.array(hired, dtype=np.int64)
    new = hired_arr > first
    return Roster(
        names=tuple(names), team=np.array(team), hired=hired_arr, left=np.array(left, dtype=np.int64),
        speed=np.exp(rng.normal(0, 0.22, n)) * np.where(new, 1.2, 1.0),
        csat_effect=rng.normal(0, 0.18, n) - np.where(new, 0.15, 0.0),
        qa_risk=np.exp(rng.normal(0, 0.4, n)) * np.where(new, 1.4, 1.0),
        ability=rng.normal(88.5, 3.5, n) - np.where(new, 3.0, 0.0))


def choose(rng: np.random.Generator, probs: np.ndarray, groups: np.ndarray | None = None,
           n: int | None = None) -> np.ndarray:
    """Return category indices drawn from one probability row per group (or one row for all)."""
    probs = np.atleast_2d(np.asarray(probs, dtype=np.float64))
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    size = len(groups) if groups is not None else int(n or 0)
    u = rng.random(size)
    rows = cum[groups] if groups is not None else cum[0]
    idx = (u[:, None] > rows).sum(axis=1) if rows.ndim == 2 else np.searchsorted(rows, u, side="right")
    return np.minimum(idx, probs.shape[1] - 1)


def lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: np.ndarray | float,
              n: int) -> np.ndarray:
    """Return n lognormal draws with the given medians and log-sigmas."""
    return np.asarray(median) * np.exp(rng.normal(0.0, 1.0, n) * np.asarray(sigma))


def labels(values: Sequence[str], idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Return a string array of values[idx], null where `null` is set."""
    return pa.array(list(values), pa.string()).take(pa.array(idx, pa.int64(), mask=null))


def timestamps(secs: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Return an Arrow timestamp array from local seconds, null where `null` is set."""
    return pa.array(np.asarray(secs, dtype=np.int64), pa.int64(), mask=null).cast(pa.timestamp("s"))


def dates(day_numbers: Sequence[int | None]) -> pa.Array:
    """Return an Arrow date array from day numbers (None stays null)."""
    return pa.array(list(day_numbers), pa.int32()).cast(pa.date32())


def numbered(prefix: str | pa.Array, numbers: np.ndarray, width: int) -> pa.Array:
    """Return strings prefix + zero-padded number, e.g. SV00000012."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def month_labels(cal: Calendar, month_idx: np.ndarray, fmt: str = "{y:04d}{m:02d}") -> pa.Array:
    """Return a string per element naming its month, e.g. 202503."""
    return labels([fmt.format(y=y, m=m) for y, m in cal.months], month_idx)
