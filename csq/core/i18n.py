"""Labels in 简体中文 and English: UI text, field names, canonical values, numbers and dates."""
from __future__ import annotations

import importlib
import pkgutil
from datetime import date, datetime
from functools import cache
from typing import Protocol

from csq.core import texts


class Conditions(Protocol):
    """Anything with field conditions to describe (a csq.metrics.filters.Filter)."""

    def conditions(self) -> dict[str, tuple[str, ...]]:
        """Return the field conditions, values per field."""


LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

_TEXT: dict[str, tuple[str, str]] = {
    "app_title": ("服务质量管理看板", "Service-quality dashboard"),
    "overview": ("总览", "Overview"),
    "monitoring": ("监测指标", "Monitoring"),
    "evaluation": ("服务质量评估", "Evaluation"),
    "improvement": ("持续改进", "Improvement"),
    "satisfaction": ("满意度趋势", "Satisfaction"),
    "import": ("数据导入", "Import"),
    "settings": ("设置", "Settings"),
    "audit": ("审计日志", "Audit log"),
    "sign_in_needed": ("请使用公司账号登录后查看看板。", "Sign in with your company account to see the dashboard."),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出登录", "Sign out"),
    "signed_in_as": ("已登录：{user}（角色「{role}」）", "Signed in as {user} (role «{role}»)"),
    "not_allowed": ("你的角色「{role}」无权使用此页面。如需访问，请联系管理员调整角色。",
                    "Your role «{role}» may not use this page. Ask an administrator for a role that may."),
    "filters": ("筛选", "Filters"),
    "language": ("语言", "Language"),
    "from": ("起始月份", "From month"),
    "to": ("截止月份", "To month"),
    "channel": ("渠道", "Channel"),
    "type": ("业务类型", "Type"),
    "team": ("班组", "Team"),
    "category": ("问题分类", "Category"),
    "priority": ("紧急程度", "Priority"),
    "agent": ("坐席", "Agent"),
    "month": ("月份", "Month"),
    "week": ("周", "Week"),
    "day": ("日期", "Day"),
    "month_in_progress": ("{m}（进行中）", "{m} (in progress)"),
    "in_progress": ("本月进行中", "month in progress"),
    "grain": ("时间粒度", "Time unit"),
    "trend_week": ("每周趋势", "Weekly trend"),
    "trend_day": ("每日趋势", "Daily trend"),
    "grain_note": ("按周、按日只显示数值与目标；控制限按整月计算，请切换到按月查看。",
                   "By week and by day show values and the target only; control limits are drawn for whole "
                   "months, so switch to months to see them."),
    "period_in_progress": ("{m} 尚未结束（数据截至 {t}）：其数值为本月至今，不标记为异常，也不列为候选问题。",
                           "{m} is in progress (data up to {t}): its values are month to date, never flagged as "
                           "a signal nor listed as a candidate problem."),
    "all": ("全部", "All"),
    "reset_filters": ("清除筛选", "Clear filters"),
    "copy_link": ("复制链接", "Copy link"),
    "copy_link_help": ("复制此链接，同事打开后看到完全相同的视图。", "Copy this link: it opens exactly this view."),
    "personal_filter_ignored": ("链接中的 {fields} 未用作筛选，已从链接中移除：角色「{role}」看到的客户信息已脱敏，"
                                "不能按个人信息筛选或分组，否则数字会显示是谁服务了这位客户。",
                                "The link's {fields} was not used as a filter and was removed from the link: the "
                                "role «{role}» sees customers' personal data masked, so it cannot filter or group "
                                "by it (the figures would show who served that customer)."),
    "local_mode": ("本地模式：未配置登录，当前用户角色为「{role}」。",
                   "Local mode: no login is configured; you are using the app as «{role}»."),
    "empty_title": ("还没有数据", "No data yet"),
    "empty_body": ("导入本月的导出文件：`python -m csq import 文件.csv --kind tickets`（支持中文表头、GBK 编码和 Excel），"
                   "或先加载演示数据看看效果。",
                   "Import this month's exports with `python -m csq import FILE.csv --kind tickets` (Chinese "
                   "headers, GBK and Excel work), or load the demo center to look around."),
    "load_demo": ("加载演示数据", "Load demo data"),
    "loading_demo": ("正在生成演示数据…", "Writing the demo center…"),
    "no_permission_demo": ("你的角色不能导入数据，请联系分析员。", "Your role may not import data; ask an analyst."),
    "no_match": ("当前筛选条件下没有数据。", "Nothing matches these filters."),
    "no_data": ("无数据", "no data"),
    "target": ("目标", "Target"),
    "vs_prev": ("较上期", "vs previous"),
    "prev_period": ("上期 {a} 至 {b}", "previous period {a} to {b}"),
    "formula": ("公式", "Formula"),
    "off_target": ("未达标指标", "Off target"),
    "all_on_target": ("所有设定目标的指标均已达标。", "Every indicator with a target is on target."),
    "explain": ("查看原因", "Explain"),
    "status_green": ("达标", "on target"),
    "status_amber": ("接近目标", "near target"),
    "status_red": ("未达标", "off target"),
    "status_none": ("未设目标", "no target"),
    "as_of": ("数据截至 {t}", "Data as of {t}"),
    "period": ("统计期 {a} 至 {b}", "Period {a} to {b}"),
    "headline": ("核心指标", "Headline indicators"),
    "indicator": ("指标", "Indicator"),
    "value": ("数值", "Value"),
    "gap": ("差距", "Gap"),
    "trend": ("月度趋势", "Monthly trend"),
    "center_line": ("中心线", "Centre line"),
    "control_limits": ("控制限", "Control limits"),
    "ucl": ("控制上限", "Upper control limit"),
    "lcl": ("控制下限", "Lower control limit"),
    "breakdown": ("分组对比", "Breakdown"),
    "breakdown_by": ("分组依据", "Break down by"),
    "heatmap": ("班组 × 月份热力图", "Team × month heat-map"),
    "sla_compliance": ("SLA 达成情况", "SLA compliance"),
    "first_response": ("首次响应", "First response"),
    "resolution": ("解决", "Resolution"),
    "breached": ("超时工单", "Breached tickets"),
    "overdue": ("逾期未办结工单", "Overdue open tickets"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "show_personal": ("显示客户个人信息（仅管理员）", "Show personal data (admin only)"),
    "masked_note": ("客户姓名、电话、编号已脱敏。", "Customer name, phone and id are masked."),
    "ticket_detail": ("工单明细", "Ticket detail"),
    "signals": ("异常信号", "Signals"),
    "no_signals": ("没有月份超出控制限。", "No month broke a control rule."),
    "overdispersed": ("多数月份超出控制限：每月样本量很大时 p 控制图的控制限很窄，月度间的正常波动也会触发信号。"
                      "请优先关注偏离最大、或连续同向的月份。",
                      "Most months break the limits: with thousands of records a month, p-chart limits are narrow and "
                      "ordinary month-to-month variation shows as signals. Look first at the largest departures "
                      "and at runs on one side."),
    "not_enough_months": ("月份少于 3 个，无法计算控制限。", "Fewer than 3 months: no control limits yet."),
    "report_link": ("季度报告", "Quarterly report"),
    "error": ("出错了", "Something went wrong"),
    "rows_shown": ("显示前 {n} 行，共 {total} 行", "showing the first {n} of {total} rows"),
    "ticket_id": ("工单编号", "Ticket"),
    "created_at": ("受理时间", "Created"),
    "first_response_at": ("首次响应时间", "First response"),
    "resolved_at": ("办结时间", "Resolved"),
    "customer_name": ("客户姓名", "Customer"),
    "customer_phone": ("客户电话", "Phone"),
    "customer_id": ("客户编号", "Customer id"),
    "frt_limit_min": ("响应时限", "Response limit"),
    "res_limit_min": ("解决时限", "Resolution limit"),
    "frt_minutes": ("响应用时", "Response time"),
    "res_hours": ("解决用时", "Resolution time"),
    "breach": ("超时环节", "Breached"),
    "overdue_by_h": ("超出时限", "Over by"),
    "breach_first_response": ("首次响应", "first response"),
    "breach_resolution": ("解决", "resolution"),
    "breach_both": ("响应和解决", "both"),
    "select_ticket": ("选择工单查看明细", "Choose a ticket to see its record"),
}

_VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "channel": {"phone": ("电话", "Phone"), "chat": ("在线客服", "Chat"), "email": ("邮件", "Email"),
                "web": ("网页", "Web"), "social": ("社交媒体", "Social"), "onsite": ("上门服务", "On-site"),
                "other": ("其他", "Other")},
    "type": {"inquiry": ("咨询", "Inquiry"), "complaint": ("投诉", "Complaint"),
             "after_sales": ("售后服务", "After-sales"), "tech_support": ("技术支持", "Tech support"),
             "suggestion": ("建议", "Suggestion"), "other": ("其他", "Other")},
    "priority": {"urgent": ("紧急", "Urgent"), "high": ("高", "High"), "normal": ("中", "Normal"),
                 "low": ("低", "Low")},
    # A vocabulary, not a column: ticket_events.status (kinds.Field.values_key); actions' status is another one.
    "event_status": {"new": ("新建", "New"), "open": ("处理中", "Open"), "pending": ("待客户回复", "Pending customer"),
                     "on_hold": ("等待第三方", "On hold"), "solved": ("已解决", "Solved"), "closed": ("已关闭", "Closed")},
}


@cache
def _all_text() -> dict[str, tuple[str, str]]:
    """Return the core texts merged with every csq/texts/<page>.py module's TEXT (a duplicate key is a bug)."""
    merged = dict(_TEXT)
    for info in pkgutil.iter_modules(texts.__path__):
        extra: dict[str, tuple[str, str]] = importlib.import_module(f"csq.core.texts.{info.name}").TEXT
        clash = set(extra) & set(merged)
        if clash:
            raise KeyError(f"csq.core.texts.{info.name} redefines {sorted(clash)}")
        merged.update(extra)
    return merged


def t(key: str, lang: str, **fmt: object) -> str:
    """Return the UI text `key` in `lang` (falls back to the key itself when unknown)."""
    pair = _all_text().get(key)
    text = key if pair is None else pair[0 if lang == "zh" else 1]
    return text.format(**fmt) if fmt else text


def all_texts() -> dict[str, tuple[str, str]]:
    """Return every UI text key with its (zh, en) pair: the core texts and every texts/<page>.py module's."""
    return dict(_all_text())


def value_label(field: str, value: object, lang: str) -> str:
    """Return a canonical value's label (phone → 电话 / Phone); data values pass through unchanged."""
    if value is None:
        return "—"
    pair = _VALUES.get(field, {}).get(str(value))
    return str(value) if pair is None else pair[0 if lang == "zh" else 1]


def has_canonical_values(field: str) -> bool:
    """Return True when the field's values are canonical keys that get translated labels."""
    return field in _VALUES


def canonical_values(field: str) -> list[str]:
    """Return the canonical values of a field in their display order."""
    return list(_VALUES.get(field, {}))


def fmt_number(value: float | None, lang: str, digits: int = 0) -> str:
    """Return a number with thousands separators (the same in both languages), or the no-data text."""
    if value is None:
        return t("no_data", lang)
    return f"{value:,.{digits}f}"


def fmt_fixed(value: float, digits: int = 1, sign: bool = False) -> str:
    """Return a number with fixed decimals ('+1.5' when signed); a value that rounds to zero is '0.0', never '-0.0'."""
    r = round(float(value), digits)
    r = 0.0 if r == 0 else r  # -0.0 → 0.0
    return f"{r:+,.{digits}f}" if sign and r else f"{r:,.{digits}f}"


def fmt_trimmed(value: float, digits: int = 1) -> str:
    """Return a number rounded to `digits` without trailing zeros ('120', '152.8'), never '-0'."""
    text = fmt_fixed(value, digits)
    return text.rstrip("0").rstrip(".") if "." in text else text


_DURATION_UNITS = {"s": ("秒", "s"), "min": ("分钟", "min"), "h": ("小时", "h"), "d": ("天", "d")}


def fmt_duration(minutes: float | None, lang: str) -> str:
    """Return a duration given in minutes in the unit its size calls for: '2 min', '120 h', '152.8 d' ('' for None).

    Under a minute in whole seconds, under 120 minutes in minutes, under 7 days in hours, from 7 days on in days;
    one decimal at most, no trailing '.0'.
    """
    if minutes is None or minutes != minutes:  # None or NaN
        return ""
    size = abs(float(minutes))
    value, unit = ((minutes * 60, "s") if size < 1 else (minutes, "min") if size < 120
                   else (minutes / 60, "h") if size < 7 * 24 * 60 else (minutes / 1440, "d"))
    return f"{fmt_trimmed(value, 0 if unit == 's' else 1)} {_DURATION_UNITS[unit][0 if lang == 'zh' else 1]}"


def fmt_datetime(value: datetime | date | None, lang: str) -> str:
    """Return a timestamp as 2025年3月7日 09:05 (zh) or 2025-03-07 09:05 (en)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}" if lang == "zh" else f"{value:%Y-%m-%d %H:%M}"
    return f"{value.year}年{value.month}月{value.day}日" if lang == "zh" else f"{value:%Y-%m-%d}"


def fmt_month(month: str, lang: str) -> str:
    """Return 'YYYY-MM' as 2025年3月 (zh) or Mar 2025 (en)."""
    year, mon = int(month[:4]), int(month[5:7])
    if lang == "zh":
        return f"{year}年{mon}月"
    return f"{['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][mon - 1]} {year}"


def fmt_month_short(month: str, lang: str) -> str:
    """Return 'YYYY-MM' compactly for chart axes: 25年3月 (zh) or Mar 25 (en)."""
    year, mon = int(month[2:4]), int(month[5:7])
    if lang == "zh":
        return f"{year:02d}年{mon}月"
    return f"{['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][mon - 1]} {year:02d}"


def describe_filter(f: Conditions, lang: str) -> str:
    """Return a filter's field conditions in words, e.g. '渠道 = 电话、在线客服 · 班组 = 一组'."""
    parts = []
    for field, values in f.conditions().items():
        sep = "、" if lang == "zh" else ", "
        parts.append(f"{t(field, lang)} = {sep.join(value_label(field, v, lang) for v in values)}")
    return " · ".join(parts)
