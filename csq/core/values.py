"""Canonical values: how raw channel, type, priority and other labels map to SPEC §2 values.

A field's vocabulary is its name, unless the Field names another (ticket_events.status uses event_status, as
actions already have a status of their own).
"""
from __future__ import annotations

import re

from csq.core.kinds import Field

_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "channel": {
        "phone": ("电话", "热线", "呼入", "呼出", "来电", "语音", "ivr", "call", "voice", "telephone",
                  "tel", "hotline", "phone call", "400电话", "800电话"),
        "chat": ("在线客服", "在线", "在线咨询", "聊天", "在线聊天", "im", "livechat", "live chat",
                 "webchat", "online chat", "chat bot", "chatbot", "机器人"),
        "email": ("邮件", "电子邮件", "邮箱", "e-mail", "mail"),
        "web": ("网页", "官网", "网站", "web", "网上", "web form", "online", "self service", "自助",
                "portal", "app", "小程序", "网络"),
        "social": ("微信", "微博", "社交媒体", "公众号", "抖音", "wechat", "weibo", "twitter", "facebook",
                   "social media", "social"),
        "onsite": ("上门服务", "上门", "现场", "到店", "门店", "柜台", "walk-in", "walk in", "in person",
                   "on site", "on-site", "visit", "store"),
        "other": ("其他", "其它", "other"),
    },
    "type": {
        "inquiry": ("咨询", "查询", "问询", "业务咨询", "question", "enquiry", "information", "info",
                    "request", "service request"),
        "complaint": ("投诉", "申诉", "不满", "complaints"),
        "after_sales": ("售后", "售后服务", "退换货", "维修", "退货", "换货", "报修", "after sales",
                        "after-sales", "return", "repair", "warranty"),
        "tech_support": ("技术支持", "技术", "故障", "故障报修", "technical support", "tech support",
                         "support", "incident", "technical"),
        "suggestion": ("建议", "意见", "表扬", "feedback", "praise"),
        "other": ("其他", "其它", "other"),
    },
    "priority": {
        "urgent": ("紧急", "特急", "加急", "critical", "urgent", "emergency", "p1", "blocker", "highest"),
        "high": ("高", "较高", "重要", "high", "p2", "major"),
        "normal": ("中", "一般", "普通", "正常", "medium", "moderate", "normal", "p3", "standard"),
        "low": ("低", "较低", "不急", "low", "p4", "minor", "lowest", "planning"),
    },
    "cause_category": {
        "people": ("人员", "人", "人员因素", "man", "manpower", "people"),
        "process": ("流程", "方法", "method", "process", "procedure"),
        "equipment": ("设施", "设备", "机器", "系统", "machine", "equipment", "tools", "system"),
        "management": ("制度", "管理", "policy", "management"),
        "environment": ("环境", "environment", "mother nature"),
        "measurement": ("测量", "度量", "measurement"),
    },
    "pdca_stage": {
        "plan": ("计划", "p", "plan"), "do": ("执行", "实施", "d", "do"),
        "check": ("检查", "验证", "c", "check"), "act": ("处理", "改进", "标准化", "a", "act"),
    },
    "status": {
        "planned": ("未开始", "计划中", "待开始", "planned", "open", "new", "todo"),
        "in_progress": ("进行中", "执行中", "处理中", "in progress", "ongoing", "started", "doing"),
        "done": ("已完成", "完成", "done", "completed", "closed"),
        "verified": ("已验证", "验证通过", "已关闭", "verified"),
        "cancelled": ("已取消", "取消", "作废", "cancelled", "canceled"),
    },
    "direction": {
        "inbound": ("呼入", "来电", "入呼", "进线", "呼入电话", "in", "incoming", "inbound call"),
        "outbound": ("呼出", "外呼", "去电", "回拨", "out", "outgoing", "outbound call", "callback"),
    },
    # callbacks.result (its Field names this vocabulary): how the caller's call went (SPEC §2 callbacks).
    "callback_result": {
        "reached": ("已接通", "接通", "已回访", "回访成功", "成功", "联系上", "已联系", "answered", "contacted", "done"),
        "not_reached": ("未接通", "无人接听", "未接", "关机", "停机", "空号", "占线", "忙音", "联系不上", "无法接通",
                        "no answer", "not answered", "unreachable", "busy", "not reached", "failed"),
        "refused": ("拒访", "拒绝", "拒绝回访", "客户拒绝", "拒接", "挂断", "refused", "declined", "rejected"),
    },
    # ticket_events.status (its Field names this vocabulary): a ticket's status in its history.
    "event_status": {
        "new": ("新建", "新工单", "新提交", "待受理", "未受理", "待分派", "created", "submitted", "unassigned"),
        "open": ("处理中", "已受理", "受理中", "已分派", "已派单", "进行中", "重新打开", "已重开", "active", "opened",
                 "in progress", "work in progress", "assigned", "reopened", "working"),
        "pending": ("待客户回复", "等待客户", "等待客户回复", "挂起待用户", "待补充资料", "待用户补充", "awaiting user info",
                    "awaiting customer", "waiting on customer", "waiting for customer", "pending customer",
                    "on hold awaiting caller"),
        "on_hold": ("等待第三方", "暂停", "挂起", "等待厂商", "等待供应商", "on hold", "hold", "awaiting vendor",
                    "awaiting problem", "awaiting evidence", "awaiting change", "waiting on third party", "paused",
                    "suspended"),
        "solved": ("已解决", "解决", "办结", "已办结", "已处理", "处理完成", "已完成", "resolved", "fixed", "done",
                   "completed"),
        "closed": ("已关闭", "关闭", "结单", "已结单", "归档", "已归档", "已取消", "作废", "closed", "cancelled",
                   "canceled"),
    },
}

_BOOL_TRUE = {"是", "y", "yes", "true", "t", "1", "有", "对", "√", "✓", "已升级", "合格", "通过", "pass",
              "passed", "在职", "满意", "非常满意", "比较满意", "基本满意", "satisfied"}
_BOOL_FALSE = {"否", "n", "no", "false", "f", "0", "无", "错", "×", "✗", "未升级", "不合格", "未通过", "fail",
               "failed", "离职", "不满意", "不太满意", "很不满意", "非常不满意", "dissatisfied", "unsatisfied"}

_FOLD = re.compile(r"[\s_\-]+")
# ServiceNow writes priorities as "3 - Moderate"; Jira as "P2"; drop a leading rank number.
_LEADING_RANK = re.compile(r"^\s*\d+\s*[-–.:、)]\s*")


def _fold(text: str) -> str:
    return _FOLD.sub(" ", text.strip().lower()).strip()


_LOOKUP: dict[str, dict[str, str]] = {
    fld: {_fold(s): canon for canon, syns in table.items() for s in (canon, *syns)}
    for fld, table in _SYNONYMS.items()
}


def canonical_value(f: Field, raw: str | None, overrides: dict[str, str] | None = None) -> str | None:
    """Return the canonical value for a raw label, or None when it maps to nothing known."""
    if raw is None:
        return None
    if overrides:
        if raw in overrides:
            return overrides[raw]
        folded = {_fold(k): v for k, v in overrides.items()}
        if _fold(raw) in folded:
            return folded[_fold(raw)]
    table = _LOOKUP.get(f.values_key, {})
    key = _fold(raw)
    if key in table:
        return table[key]
    stripped = _fold(_LEADING_RANK.sub("", raw))
    if stripped in table:
        return table[stripped]
    if key in f.choices:
        return key
    return None


def bool_value(raw: str | None, overrides: dict[str, str] | None = None) -> bool | None:
    """Return True/False for a yes/no label, or None when it is not one."""
    if raw is None:
        return None
    if overrides and raw in overrides:
        raw = overrides[raw]
    key = raw.strip().lower()
    if key in _BOOL_TRUE:
        return True
    if key in _BOOL_FALSE:
        return False
    return None
