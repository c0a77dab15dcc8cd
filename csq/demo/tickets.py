"""Demo tickets (工单) and satisfaction surveys (满意度调查), built column-wise with numpy."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from csq.core.kinds import CHANNELS, PRIORITIES, TYPES
from csq.demo.actions import completed_day
from csq.demo.base import (
    AFTER_SALES_TEAM,
    DAY,
    HOUR,
    HOUR_WEIGHTS,
    TEAMS,
    Calendar,
    Roster,
    choose,
    labels,
    lognormal,
    month_labels,
    numbered,
    timestamps,
)

_REALTIME = np.array([c in ("phone", "chat") for c in CHANNELS])
PHONE, CHAT, EMAIL, WEB, SOCIAL, ONSITE, OTHER_CH = range(7)
INQUIRY, COMPLAINT, AFTER_SALES, TECH, SUGGESTION, OTHER_TYPE = range(6)
URGENT, HIGH, NORMAL, LOW = range(4)

# Daytime and night-time channel mix (phone and chat dominate; no on-site visits at night).
_CHANNEL_P = np.array([[0.40, 0.30, 0.07, 0.09, 0.09, 0.03, 0.02],
                       [0.22, 0.33, 0.17, 0.17, 0.07, 0.00, 0.04]])
# Raw labels as the ticketing system writes them; all map to the canonical value via csq.values.
_CHANNEL_RAW: tuple[tuple[tuple[str, float], ...], ...] = (
    (("电话", 0.9), ("400电话", 0.1)), (("在线客服", 0.92), ("在线咨询", 0.08)), (("邮件", 1.0),),
    (("网页", 0.75), ("官网", 0.25)), (("微信", 0.85), ("微博", 0.15)), (("上门服务", 1.0),), (("其他", 1.0),))
_TYPE_RAW = ("咨询", "投诉", "售后服务", "技术支持", "建议", "其他")
_PRIORITY_RAW = ("紧急", "高", "中", "低")
_TYPE_P = np.array([  # rows: channel; columns: TYPES
    [.50, .08, .18, .16, .04, .04], [.55, .06, .15, .16, .05, .03], [.30, .14, .22, .18, .08, .08],
    [.40, .08, .22, .18, .07, .05], [.45, .12, .18, .12, .08, .05], [.05, .05, .70, .20, 0, 0],
    [.40, .10, .15, .10, .05, .20]])
_PRIORITY_P = np.array([[.02, .10, .63, .25], [.12, .35, .45, .08], [.04, .18, .60, .18],
                        [.08, .22, .55, .15], [0, .03, .45, .52], [.02, .08, .65, .25]])
CATEGORIES = ("账单查询", "账号登录", "物流配送", "退换货", "产品故障", "安装预约", "服务态度", "价格异议",
              "业务办理", "维修进度", "网络连接", "软件升级", "处理超时", "产品质量", "功能建议", "发票开具",
              "服务建议", "其他")
_CATEGORY_W = {
    INQUIRY: {"账单查询": 25, "物流配送": 19, "业务办理": 15, "账号登录": 12, "价格异议": 8, "安装预约": 8,
              "发票开具": 9, "其他": 4},
    COMPLAINT: {"服务态度": 27, "处理超时": 21, "物流配送": 19, "产品质量": 15, "价格异议": 13, "其他": 5},
    AFTER_SALES: {"退换货": 36, "安装预约": 27, "维修进度": 23, "产品质量": 10, "其他": 4},
    TECH: {"产品故障": 42, "账号登录": 21, "网络连接": 19, "软件升级": 14, "其他": 4},
    SUGGESTION: {"功能建议": 60, "服务建议": 30, "其他": 10},
    OTHER_TYPE: {"其他": 60, "发票开具": 40},
}
_CATEGORY_P = np.array([[_CATEGORY_W[t].get(c, 0) for c in CATEGORIES] for t in range(6)], dtype=float)
_TEAM_P = np.array([  # rows: type; columns: TEAMS
    [.33, .33, .31, .01, .01, .01], [.05, .05, .05, .02, .01, .82], [.04, .04, .04, .86, .01, .01],
    [.04, .04, .04, .02, .85, .01], [.32, .32, .32, .02, .01, .01], [.32, .32, .32, .02, .01, .01]])
REGIONS = ("华东", "华南", "华北", "华中", "西南", "西北", "东北")
_REGION_P = np.array([.30, .20, .17, .12, .10, .05, .06])
PRODUCTS = ("空调", "冰箱", "洗衣机", "电视", "热水器", "净水器", "扫地机器人", "会员服务")
_PRODUCT_P = np.array([.18, .14, .16, .14, .10, .08, .08, .12])
_SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋"
                  "蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段"
                  "雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
          "秀英", "霞", "平", "刚", "桂英", "建华", "文", "华", "建国", "红", "玉兰", "志强", "婷", "晨", "子涵",
          "浩然", "雨轩", "梓萱", "欣怡", "宇航", "思远", "佳怡", "俊杰", "丽华", "海燕", "春梅", "国强", "小红")
_PHONE_PREFIX = ("138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "186", "187", "188",
                 "130", "131", "132", "155", "156", "133", "153", "180", "181", "189", "177", "199")

# First response in minutes (median, log-sigma) per channel; phone and chat are answered live.
_FRT = np.array([[0.45, 0.95], [0.6, 0.95], [180, 1.0], [120, 1.0], [35, 1.0], [90, 0.9], [240, 1.1]])
_FRT_TYPE = np.array([1.0, 0.8, 1.3, 0.15, 1.0, 1.0])          # non-live channels only
_PRIORITY_SPEED = np.array([0.5, 0.75, 1.0, 1.25])
# Resolution after the first response, in hours (median, log-sigma) per type, when not solved live.
_RES = np.array([[5, 0.9], [26, 0.85], [38, 0.85], [10, 1.0], [24, 1.0], [8, 1.1]])
_LIVE_FIX = np.array([0.8, 0.2, 0.15, 0.45, 0.7, 0.6])        # share solved during a phone/chat contact
# Default SLA limits (SPEC §4), used only to make satisfaction depend on breaches.
_FRT_LIMIT_MIN = np.array([24 * 60, 48 * 60, 24 * 60, 60, 24 * 60, 24 * 60])
_RES_LIMIT_H = np.array([120, 72, 120, 120, 120, 120])


@dataclass(frozen=True)
class Tickets:
    """The generated tickets: the Arrow table plus the arrays later generators reuse."""

    table: pa.Table
    ids: pa.Array
    created: np.ndarray
    resolved: np.ndarray        # seconds; valid where `is_resolved`
    is_resolved: np.ndarray
    month: np.ndarray
    agent: np.ndarray
    channel: np.ndarray
    type: np.ndarray
    reopen: np.ndarray
    contacts: np.ndarray
    frt_breach: np.ndarray      # first response over its limit, leaving out the day's load
    res_ratio: np.ndarray       # resolution time ÷ its limit, leaving out load and actions (nan: unresolved)


def _created(rng: np.random.Generator, cal: Calendar, scale: float) -> np.ndarray:
    """Return sorted creation times: Poisson volume per day, then an hour from the daily profile."""
    counts = rng.poisson(cal.rate * scale)
    day = np.repeat(cal.days, counts)
    hour_p = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()
    hour = choose(rng, hour_p, n=len(day))
    last = day == cal.days[-1]
    if last.any():  # the last day ends at 18:00
        cut = cal.end_ts // HOUR % 24
        hour[last] = choose(rng, hour_p[:cut], n=int(last.sum()))
    secs = day * DAY + hour * HOUR + rng.integers(0, HOUR, len(day))
    return np.sort(secs)


def _assign_agents(rng: np.random.Generator, cal: Calendar, roster: Roster, team: np.ndarray,
                   month: np.ndarray) -> np.ndarray:
    """Return an agent per ticket, among the team's agents employed through the ticket's month."""
    agent = np.zeros(len(team), dtype=np.int64)
    for m in range(len(cal.months)):
        in_month = month == m
        for t in range(len(TEAMS)):
            rows = np.flatnonzero(in_month & (team == t))
            pool = roster.eligible(t, int(cal.month_first[m]), int(cal.month_first[m + 1]) - 1)
            if len(pool) == 0:  # only when a whole team turned over at once: fall back to anyone there
                pool = np.flatnonzero(roster.team == t)
            agent[rows] = pool[rng.integers(0, len(pool), len(rows))]
    return agent


def _customers(rng: np.random.Generator, n: int) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Return customer id, name and phone per ticket; repeat customers share all three."""
    pool = max(200, int(n * 0.6))
    ids = 10_000_000 + np.cumsum(rng.integers(1, 150, pool))
    given = np.array(_GIVEN)
    names = pc.binary_join_element_wise(labels(_SURNAMES, rng.integers(0, len(_SURNAMES), pool)),
                                        pa.array(given[rng.integers(0, len(given), pool)]), "")
    phones = numbered(labels(_PHONE_PREFIX, rng.integers(0, len(_PHONE_PREFIX), pool)),
                      rng.integers(0, 100_000_000, pool), 8)
    who = pa.array(rng.integers(0, pool, n))
    customer_id = numbered("C", ids, 8).take(who)
    name = pc.if_else(pa.array(rng.random(n) < 0.08), pa.scalar(None, pa.string()), names.take(who))
    phone = pc.if_else(pa.array(rng.random(n) < 0.04), pa.scalar(None, pa.string()), phones.take(who))
    return customer_id, name, phone


@dataclass(frozen=True)
class _Kinds:
    """What each generated ticket is: channel (and its raw label), type, priority, category and team."""

    channel: np.ndarray
    channel_raw: np.ndarray
    ctype: np.ndarray
    priority: np.ndarray
    category: np.ndarray
    team: np.ndarray


_RAW_CHANNEL_LABELS = [label for options in _CHANNEL_RAW for label, _ in options]


def _kinds(rng: np.random.Generator, cal: Calendar, created: np.ndarray) -> _Kinds:
    """Return each ticket's channel, type, priority, category and team (night hours favour the web)."""
    n = len(created)
    day_idx = created // DAY - cal.first_day
    hour = created // HOUR % 24
    night = (hour < 8) | (hour >= 22)
    channel = choose(rng, _CHANNEL_P, night.astype(np.int64))
    raw_first = np.cumsum([0] + [len(o) for o in _CHANNEL_RAW])[:-1]
    width = max(len(o) for o in _CHANNEL_RAW)
    raw_p = np.array([[p for _, p in o] + [0] * (width - len(o)) for o in _CHANNEL_RAW])
    channel_raw = raw_first[channel] + choose(rng, raw_p, channel)
    ctype = choose(rng, _TYPE_P, channel)
    # Returns and repairs follow the 双11 and 618 deliveries by one to three weeks.
    recent_peak = np.zeros(len(cal.days), dtype=bool)
    for lag in range(7, 22):
        recent_peak[lag:] |= cal.load[:-lag] > 1.8
    after_promo = recent_peak[day_idx]
    ctype = np.where(after_promo & (rng.random(n) < 0.15) & (channel != ONSITE), AFTER_SALES, ctype)
    priority = choose(rng, _PRIORITY_P, ctype)
    category = choose(rng, _CATEGORY_P, ctype)
    team = choose(rng, _TEAM_P, ctype)
    team = np.where(channel == ONSITE, AFTER_SALES_TEAM, team)
    return _Kinds(channel, channel_raw, ctype, priority, category, team)


def make_tickets(rng: np.random.Generator, cal: Calendar, roster: Roster, scale: float) -> Tickets:
    """Return about 10,000 × scale tickets a month with seasonal volume and realistic service times."""
    created = _created(rng, cal, scale)
    n = len(created)
    day = created // DAY
    month = cal.month_of_day[day - cal.first_day]
    load = cal.load[day - cal.first_day]
    k = _kinds(rng, cal, created)
    channel, ctype, priority, team = k.channel, k.ctype, k.priority, k.team
    agent = _assign_agents(rng, cal, roster, team, month)
    live = _REALTIME[channel]

    # First response: queueing makes live channels degrade faster than load grows.
    frt_med = _FRT[channel, 0] * np.where(live, 1.0, _FRT_TYPE[ctype] * _PRIORITY_SPEED[priority])
    frt_load = load ** np.where(live, 1.3, 0.8)
    frt_min = lognormal(rng, frt_med * frt_load, _FRT[channel, 1], n)
    no_response = rng.random(n) < np.where(live, 0.003, 0.006)
    first_resp = created + np.round(frt_min * 60).astype(np.int64)
    responded = ~no_response & (first_resp <= cal.end_ts)

    reopen = np.where(rng.random(n) < 0.035 + 0.06 * (ctype == COMPLAINT) + 0.03 * (ctype == AFTER_SALES)
                      + 0.02 * (ctype == TECH), 1 + (rng.random(n) < 0.2), 0)
    fixed_live = live & (rng.random(n) < _LIVE_FIX[ctype])
    res_med = np.where(fixed_live, 0.12, _RES[ctype, 0])
    res_sigma = np.where(fixed_live, 0.6, _RES[ctype, 1])
    res_med = res_med * _PRIORITY_SPEED[priority] * roster.speed[agent] * (1 + 1.2 * reopen)
    # Built-in effects of the demo's actions (see csq.demo): only these two really work on tickets.
    effect = np.where((team == AFTER_SALES_TEAM) & (day >= completed_day(cal.end, "IMP-001")), 0.6, 1.0)
    effect = np.where((ctype == COMPLAINT) & (day >= completed_day(cal.end, "IMP-004")), effect * 0.72, effect)
    systemic = load ** 0.6 * effect
    res_h = lognormal(rng, res_med * systemic, res_sigma, n)
    resolved = first_resp + np.round(res_h * HOUR).astype(np.int64)
    stale = rng.random(n) < 0.012  # forgotten tickets that were never closed
    is_resolved = responded & ~stale & (resolved <= cal.end_ts)
    reopen = np.where(is_resolved, reopen, 0)

    close_h = np.where(live, lognormal(rng, 0.15, 0.6, n), np.minimum(lognormal(rng, 24, 0.7, n), 72))
    closed = resolved + np.round(close_h * HOUR).astype(np.int64)
    is_closed = is_resolved & (closed <= cal.end_ts)

    contacts, contacts_null, escalated = _contacts(rng, k, (resolved - created) / HOUR, is_resolved, reopen)

    # Satisfaction follows the ticket's own service, not the day's load or the actions: customers
    # forgive the 双11 queue, and chat csat (IMP-002's indicator) stays stationary by construction.
    frt_own = frt_min / frt_load
    own_h = frt_own / 60 + res_h / systemic
    frt_breach = responded & (frt_own > np.where(live, 2.0, _FRT_LIMIT_MIN[ctype]))
    res_ratio = np.where(is_resolved, own_h / _RES_LIMIT_H[ctype], np.nan)

    ids = _ticket_ids(cal, month)
    table = _ticket_table(rng, roster, k, ids, agent, {
        "created_at": timestamps(created),
        "first_response_at": timestamps(first_resp, ~responded),
        "resolved_at": timestamps(resolved, ~is_resolved),
        "closed_at": timestamps(closed, ~is_closed),
        "contacts": pa.array(contacts, pa.int32(), mask=contacts_null),
        "reopen_count": pa.array(reopen, pa.int32()),
        "escalated": pa.array(escalated)})
    return Tickets(table, ids, created, resolved, is_resolved, month, agent, channel, ctype, reopen,
                   np.where(contacts_null, 1, contacts), frt_breach, res_ratio)


def _ticket_ids(cal: Calendar, month: np.ndarray) -> pa.Array:
    """Return ids like GD202503000123: sequence numbers restart each month and follow creation order."""
    month_start_row = np.searchsorted(month, np.arange(len(cal.months)))
    seq = np.arange(len(month)) - month_start_row[month] + 1
    return numbered(pc.binary_join_element_wise("GD", month_labels(cal, month), ""), seq, 6)


def _contacts(rng: np.random.Generator, k: _Kinds, total_h: np.ndarray, is_resolved: np.ndarray,
              reopen: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return contacts per ticket (1–3), where contacts is unknown, and whether the ticket was escalated."""
    n = len(total_h)
    ctype, priority = k.ctype, k.priority
    contacts = 1 + rng.poisson(0.12 + 0.35 * (ctype == COMPLAINT) + 0.2 * (ctype == AFTER_SALES)
                               + 0.25 * (is_resolved & (total_h > 48)) + 0.6 * reopen)
    contacts = np.minimum(contacts, 3)
    contacts_null = rng.random(n) < 0.03
    escalated = rng.random(n) < (0.015 + 0.12 * (ctype == COMPLAINT) + 0.06 * (priority == URGENT)
                                 + 0.03 * (priority == HIGH) + 0.08 * (reopen > 0))
    return contacts, contacts_null, escalated


def _ticket_table(rng: np.random.Generator, roster: Roster, k: _Kinds, ids: pa.Array, agent: np.ndarray,
                  service: dict[str, pa.Array]) -> pa.Table:
    """Return the tickets as the canonical table: labels, customers, and the service columns given."""
    n = len(agent)
    customer_id, customer_name, customer_phone = _customers(rng, n)
    s = service
    return pa.table({
        "ticket_id": ids, "created_at": s["created_at"], "first_response_at": s["first_response_at"],
        "resolved_at": s["resolved_at"], "closed_at": s["closed_at"],
        "channel": labels(CHANNELS, k.channel), "channel_raw": labels(_RAW_CHANNEL_LABELS, k.channel_raw),
        "type": labels(TYPES, k.ctype), "type_raw": labels(_TYPE_RAW, k.ctype),
        "category": labels(CATEGORIES, k.category),
        "priority": labels(PRIORITIES, k.priority), "priority_raw": labels(_PRIORITY_RAW, k.priority),
        "agent": labels(roster.names, agent), "team": labels(TEAMS, k.team),
        "customer_id": customer_id, "customer_name": customer_name, "customer_phone": customer_phone,
        "contacts": s["contacts"], "reopen_count": s["reopen_count"], "escalated": s["escalated"],
        "region": labels(REGIONS, choose(rng, _REGION_P, n=n)),
        "product": labels(PRODUCTS, choose(rng, _PRODUCT_P, n=n)),
    })


# Survey comments by mood (negative, neutral, positive) with relative frequency; a few are in English.
_COMMENTS: tuple[tuple[tuple[str, float], ...], ...] = (
    (("问题没有解决", 6), ("流程太复杂", 4), ("等了很久都没人回复", 4), ("反复打了好几次电话", 3),
     ("客服推来推去", 2), ("态度敷衍", 2), ("承诺的回电没有回", 2), ("Problem not solved", 0.5),
     ("Too slow", 0.4)),
    (("还可以", 5), ("等待时间有点长", 4), ("一般般", 3), ("希望流程再简化一些", 3), ("电话不太好打通", 2),
     ("OK", 0.3)),
    (("客服态度很好", 6), ("响应很快", 5), ("问题很快就解决了", 5), ("讲解耐心细致", 3),
     ("师傅上门准时，服务专业", 2), ("非常满意", 4), ("处理及时，点赞", 2), ("Very helpful, thanks", 0.5),
     ("Quick response", 0.3)),
)
_COMMENT_TEXT = tuple(text for pool in _COMMENTS for text, _ in pool)
_COMMENT_P = np.zeros((3, len(_COMMENT_TEXT)))
for _mood, _start in enumerate(np.cumsum([0] + [len(p) for p in _COMMENTS])[:-1]):
    _COMMENT_P[_mood, _start:_start + len(_COMMENTS[_mood])] = [w for _, w in _COMMENTS[_mood]]
# Answer rate per channel: in-session chat surveys are answered most, e-mailed ones least.
_ANSWER_P = np.array([0.80, 0.88, 0.62, 0.72, 0.80, 0.85, 0.70])


def make_surveys(rng: np.random.Generator, cal: Calendar, roster: Roster, t: Tickets) -> pa.Table:
    """Return invitations for ~35 % of resolved tickets, ~80 % answered, with csat/nps/ces/comments."""
    invited = np.flatnonzero(t.is_resolved & (rng.random(len(t.created)) < 0.35))
    sent = t.resolved[invited] + np.round(np.minimum(lognormal(rng, 0.7, 0.8, len(invited)), 24) * HOUR)
    keep = sent <= cal.end_ts
    invited, sent = invited[keep], sent[keep].astype(np.int64)
    n = len(invited)
    ch = t.channel[invited]
    month_mood = rng.normal(0, 0.025, len(cal.months))  # the response rate drifts a little month to month
    answered = rng.random(n) < np.clip(_ANSWER_P[ch] + month_mood[t.month[invited]], 0, 1)
    responded = sent + np.round(np.minimum(lognormal(rng, 1.5, 1.2, n), 72) * HOUR).astype(np.int64)
    answered &= responded <= cal.end_ts

    # Satisfaction drivers: complaints, slow or late resolution, reopening, repeat contacts, the agent.
    ty = t.type[invited]
    ratio = t.res_ratio[invited]
    latent = (4.85 - 0.9 * (ty == COMPLAINT) - 0.25 * (ty == AFTER_SALES) - 0.15 * (ty == TECH)
              - 0.15 * (ch == CHAT) - 0.8 * (t.reopen[invited] > 0) - 0.35 * (t.contacts[invited] > 1)
              - 0.9 * (ratio > 1) - 0.3 * np.clip(np.log(np.maximum(ratio, 1e-3) * 4), 0, 2)
              - 0.3 * t.frt_breach[invited] + roster.csat_effect[t.agent[invited]]
              + rng.logistic(0, 0.45, n))
    csat = 1 + (latent > 1.6).astype(np.int64) + (latent > 2.6) + (latent > 3.5) + (latent > 4.35)
    nps = np.clip(np.round(2.2 * csat - 1.5 + rng.normal(0, 1.2, n)), 0, 10).astype(np.int64)
    ces = np.clip(np.round(1.3 * csat + 0.3 + rng.normal(0, 0.9, n)), 1, 7).astype(np.int64)  # 7 = very easy

    has_comment = answered & (rng.random(n) < np.where(csat <= 2, 0.6, 0.25))
    mood = np.where(csat <= 2, 0, np.where(csat == 3, 1, 2))
    comment_idx = choose(rng, _COMMENT_P, mood)
    no_nps = ~answered | (rng.random(n) < 0.1)
    no_ces = ~answered | (rng.random(n) < 0.6)
    o = np.argsort(sent, kind="stable")  # survey ids follow the sending order
    return pa.table({
        "survey_id": numbered("SV", np.arange(1, n + 1), 8),
        "ticket_id": t.ids.take(pa.array(invited[o])),
        "sent_at": timestamps(sent[o]),
        "responded_at": timestamps(responded[o], ~answered[o]),
        "csat": pa.array(csat[o], pa.int16(), mask=~answered[o]),
        "nps": pa.array(nps[o], pa.int16(), mask=no_nps[o]),
        "ces": pa.array(ces[o], pa.int16(), mask=no_ces[o]),
        "comment": labels(_COMMENT_TEXT, comment_idx[o], ~has_comment[o]),
    })
