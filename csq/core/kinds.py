"""Record kinds of SPEC §2: canonical fields, their types, keys and recognised headers."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from csq.core.sqlident import ident

# "duration": seconds, read from a number or hh:mm:ss (only the talk, hold and after-call work of calls, SPEC §2).
FieldType = Literal["text", "timestamp", "date", "int", "float", "bool", "enum", "duration"]

CHANNELS = ("phone", "chat", "email", "web", "social", "onsite", "other")
TYPES = ("inquiry", "complaint", "after_sales", "tech_support", "suggestion", "other")
PRIORITIES = ("urgent", "high", "normal", "low")
CAUSES = ("people", "process", "equipment", "management", "environment", "measurement")
PDCA = ("plan", "do", "check", "act")
STATUSES = ("planned", "in_progress", "done", "verified", "cancelled")
DIRECTIONS = ("inbound", "outbound")
CALLBACK_RESULTS = ("reached", "not_reached", "refused")
# A ticket's status in its history (SPEC §2 ticket_events): solved and closed end the backlog.
EVENT_STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
SERVQUAL_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "tangibles": ("t1", "t2", "t3", "t4"),
    "reliability": ("r1", "r2", "r3", "r4", "r5"),
    "responsiveness": ("s1", "s2", "s3", "s4"),
    "assurance": ("a1", "a2", "a3", "a4"),
    "empathy": ("m1", "m2", "m3", "m4", "m5"),
}
SERVQUAL_ITEMS = tuple(i for items in SERVQUAL_DIMENSIONS.values() for i in items)


@dataclass(frozen=True)
class Field:
    """One canonical field: name, type, whether required, header aliases, allowed range."""

    name: str
    type: FieldType = "text"
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    default: str | None = None
    low: float | None = None
    high: float | None = None
    keep_raw: bool = False
    personal: bool = False
    vocabulary: str | None = None  # the canonical-value vocabulary (csq.core.values), when not the field's name

    @property
    def values_key(self) -> str:
        """Return the key of this field's canonical values and their labels: its vocabulary, else its name."""
        return self.vocabulary or self.name


@dataclass(frozen=True)
class Kind:
    """A record kind: its table, key fields and fields in storage order."""

    name: str
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    label_zh: str = ""

    def field(self, name: str) -> Field:
        """Return the field called `name`."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        """Return the canonical field names in order."""
        return tuple(f.name for f in self.fields)

    @property
    def table(self) -> str:
        """Return the versioned table holding this kind, as a quoted identifier."""
        return ident(self.name)

    @property
    def current(self) -> str:
        """Return the view of this kind's current rows (no superseded versions), as a quoted identifier."""
        return ident(f"{self.name}_current")


def _f(name: str, type_: FieldType = "text", *aliases: str, **kw: object) -> Field:
    return Field(name, type_, aliases=(name, *aliases), **kw)  # type: ignore[arg-type]


_AGENT = ("坐席", "处理坐席", "客服", "客服人员", "坐席姓名", "员工", "处理人", "agent", "assigned_to",
          "assignee", "owner_agent", "staff", "employee")
_TEAM = ("班组", "所属班组", "组别", "团队", "小组", "部门", "team", "group", "assignment_group")
_TICKET_ID = ("工单编号", "工单号", "工单id", "单号", "编号", "ticket", "ticketid", "ticket_no", "ticket_number",
              "case_id", "caseid", "case_number", "incident", "number", "id")

TICKETS = Kind("tickets", ("ticket_id",), (
    _f("ticket_id", "text", *_TICKET_ID, required=True),
    _f("created_at", "timestamp", "受理时间", "创建时间", "来电时间", "接入时间", "提交时间", "登记时间",
       "created", "created_date", "opened_at", "opened", "create_time", "created_time", "date_received",
       "submitted_at", required=True),
    _f("first_response_at", "timestamp", "首次响应时间", "首次响应", "首响时间", "响应时间", "接通时间",
       "first_response", "first_reply_at", "first_response_time", "responded_at", "first_reply"),
    _f("resolved_at", "timestamp", "办结时间", "解决时间", "完成时间", "处理完成时间", "resolved",
       "resolved_date", "solved_at", "resolution_time", "resolved_time"),
    _f("closed_at", "timestamp", "关闭时间", "结单时间", "closed", "closed_date", "close_time"),
    _f("updated_at", "text", "更新时间", "最后更新时间", "updated", "last_updated", "modified_at"),
    _f("channel", "enum", "渠道", "来源渠道", "受理渠道", "接入渠道", "来源", "source", "contact_type",
       "submitted_via", "medium", required=True, choices=CHANNELS, default="other", keep_raw=True),
    _f("type", "enum", "业务类型", "工单类型", "类型", "服务类型", "诉求类型", "ticket_type",
       "request_type", "case_type", required=True, choices=TYPES, default="other", keep_raw=True),
    _f("category", "text", "问题分类", "问题类别", "分类", "问题类型", "类别"),
    _f("priority", "enum", "紧急程度", "优先级", "级别", "priority_level", "urgency_level",
       choices=PRIORITIES, default="normal", keep_raw=True),
    _f("agent", "text", *_AGENT),
    _f("team", "text", *_TEAM),
    _f("customer_id", "text", "客户编号", "客户id", "客户号", "customer", "caller_id", "customerid",
       personal=True),
    _f("customer_name", "text", "客户姓名", "客户名称", "姓名", "name", personal=True),
    _f("customer_phone", "text", "客户电话", "联系电话", "电话号码", "手机号", "手机", "phone_number",
       "phone", "mobile", "telephone", personal=True),
    _f("contacts", "int", "联系次数", "接触次数", "来电次数", "contact_count", "contacts_count",
       "touches", low=0, high=1000),
    _f("reopen_count", "int", "重开次数", "重启次数", "reopens", "reopened_count", low=0, high=1000, default="0"),
    _f("escalated", "bool", "是否升级", "升级", "escalation", "is_escalated"),
    _f("region", "text", "区域", "地区", "省份", "城市", "location", "state"),
    _f("product", "text", "产品", "产品线", "product_line"),
), label_zh="工单")

SURVEYS = Kind("surveys", ("survey_id",), (
    _f("survey_id", "text", "调查编号", "问卷编号", "回访编号", "survey", "response_id", "review_id",
       "review_pk", "id", required=True),
    _f("ticket_id", "text", "工单编号", "工单号", "ticket", "order_id", "case_id"),
    _f("sent_at", "timestamp", "发送时间", "邀请时间", "推送时间", "sent", "invited_at",
       "review_creation_date", "survey_sent_at"),
    _f("responded_at", "timestamp", "回复时间", "评价时间", "回答时间", "提交时间", "responded",
       "answered_at", "review_answer_timestamp", "submitted_at"),
    _f("updated_at", "text", "更新时间", "updated"),
    _f("csat", "int", "满意度", "满意度评分", "满意度得分", "评分", "csat_score", "satisfaction",
       "review_score", "score", low=1, high=5),
    _f("nps", "int", "推荐度", "净推荐值", "推荐意愿", "nps_score", "recommend", low=0, high=10),
    _f("ces", "int", "费力度", "客户费力度", "ces_score", "effort", low=1, high=7),
    _f("comment", "text", "评价内容", "意见", "留言", "备注", "comments", "feedback", "review_comment_message"),
    _f("channel", "enum", "渠道", "channel", choices=CHANNELS, keep_raw=True),
    _f("team", "text", *_TEAM),
    _f("agent", "text", *_AGENT),
), label_zh="满意度调查")

_SQ_FIELDS = tuple(
    Field(f"{side}_{item}", "int", aliases=(f"{side}_{item}",), low=1, high=7)
    for side in ("e", "p") for item in SERVQUAL_ITEMS
) + tuple(Field(f"w_{dim}", "float", aliases=(f"w_{dim}",), low=0, high=100) for dim in SERVQUAL_DIMENSIONS)

SERVQUAL = Kind("servqual", ("respondent_id", "responded_at"), (
    _f("respondent_id", "text", "受访者", "受访者编号", "客户编号", "respondent", "respondent_no", "id",
       required=True),
    _f("responded_at", "timestamp", "日期", "调查日期", "填写日期", "date", "survey_date", "submitted_at",
       required=True),
    _f("updated_at", "text", "更新时间"),
    *_SQ_FIELDS,
), label_zh="SERVQUAL问卷")

QA = Kind("qa", ("evaluation_id", "criterion"), (
    _f("evaluation_id", "text", "质检单号", "质检编号", "评估编号", "evaluation", "qa_id", "review_id",
       required=True),
    _f("ticket_id", "text", "工单编号", "工单号", "ticket"),
    _f("agent", "text", *_AGENT, required=True),
    _f("evaluator", "text", "质检员", "评估人", "评分人", "reviewer", "qa_agent", "auditor"),
    _f("evaluated_at", "timestamp", "质检日期", "质检时间", "评估日期", "evaluated", "evaluation_date",
       "date", required=True),
    _f("updated_at", "text", "更新时间"),
    _f("criterion", "text", "评分项", "质检项", "考核项", "项目", "criteria", "item", required=True),
    _f("score", "float", "得分", "分数", "score", "points", required=True, low=0, high=1e6),
    _f("max_score", "float", "满分", "标准分", "分值", "max", "max_points", "full_score", required=True,
       low=0, high=1e6),
    _f("weight", "float", "权重", "weighting", low=0, high=1e6),
    _f("critical", "bool", "致命项", "是否致命项", "关键项", "fatal", "is_critical", default="false"),
), label_zh="质检")

TRAINING = Kind("training", ("agent", "course", "assessed_at"), (
    _f("agent", "text", *_AGENT, required=True),
    _f("course", "text", "课程", "培训课程", "课程名称", "考核科目", "科目", "training", "course_name",
       required=True),
    _f("assessed_at", "timestamp", "考核日期", "考试日期", "考核时间", "日期", "assessed", "exam_date",
       "date", required=True),
    _f("updated_at", "text", "更新时间"),
    _f("score", "float", "成绩", "得分", "分数", "score", "result", low=0, high=1000),
    _f("pass_mark", "float", "及格线", "合格线", "及格分", "passing_score", "pass_score", low=0, high=1000),
    _f("passed", "bool", "是否合格", "是否通过", "合格", "通过", "pass", "is_passed"),
    _f("team", "text", *_TEAM),
), label_zh="培训考核")

ACTIONS = Kind("actions", ("action_id",), (
    _f("action_id", "text", "措施编号", "编号", "改进编号", "action", "id", required=True),
    _f("title", "text", "问题描述", "问题", "标题", "problem", "title", required=True),
    _f("cause_category", "enum", "原因类别", "原因分类", "原因", "cause", "cause_category",
       choices=CAUSES, keep_raw=True),
    _f("measure", "text", "改进措施", "措施", "对策", "measure", "countermeasure"),
    _f("indicator", "text", "目标指标", "指标", "kpi", "indicator"),
    _f("scope", "text", "适用范围", "范围", "scope"),
    _f("owner", "text", "责任人", "负责人", "owner"),
    _f("start_date", "date", "开始日期", "开始时间", "start", "start_date"),
    _f("due_date", "date", "计划完成日期", "截止日期", "到期日", "due", "due_date", "deadline"),
    _f("completed_at", "date", "实际完成日期", "完成日期", "completed", "completed_date"),
    _f("updated_at", "text", "更新时间"),
    _f("pdca_stage", "enum", "PDCA阶段", "阶段", "stage", "pdca", choices=PDCA, default="plan",
       keep_raw=True),
    _f("status", "enum", "状态", "status", choices=STATUSES, default="planned", keep_raw=True),
    _f("baseline", "float", "基线", "基准值", "baseline"),
    _f("target", "float", "目标值", "target"),
    _f("verification", "text", "验证结果", "效果验证", "verification", "result"),
    _f("notes", "text", "备注", "说明", "notes", "remark"),
    _f("before_months", "int", "前期月数", "before_window", low=1, high=24),
    _f("after_months", "int", "后期月数", "after_window", low=1, high=24),
), label_zh="改进措施")

AGENTS = Kind("agents", ("agent",), (
    _f("agent", "text", *_AGENT, required=True),
    _f("team", "text", *_TEAM),
    _f("hired_at", "date", "入职日期", "入职时间", "hired", "hire_date"),
    _f("updated_at", "text", "更新时间"),
    _f("active", "bool", "在职", "是否在职", "状态", "active", "is_active"),
), label_zh="坐席名册")

# No updated_at: rows with the same (ticket_id, event_at) collapse to the later row of the file (SPEC §2, §4a).
TICKET_EVENTS = Kind("ticket_events", ("ticket_id", "event_at"), (
    _f("ticket_id", "text", *_TICKET_ID, required=True),
    _f("event_at", "timestamp", "变更时间", "状态变更时间", "流转时间", "操作时间", "状态时间", "记录时间", "event_time",
       "changed_at", "change_time", "status_changed_at", "sys_updated_at", required=True),
    _f("status", "enum", "状态", "工单状态", "处理状态", "流转状态", "当前状态", "incident_state",
       "ticket_status", required=True, choices=EVENT_STATUSES, default="open", keep_raw=True,
       vocabulary="event_status"),
    _f("agent", "text", *_AGENT),
    _f("team", "text", *_TEAM),
), label_zh="工单流转记录")

# Telephony detail from the ACD/CTI (SPEC §2 calls). call_date dates time-only columns and abandoned is checked
# against answered_at (csq.ingest.calls); neither is stored.
CALLS = Kind("calls", ("call_id",), (
    _f("call_id", "text", "呼叫编号", "通话编号", "话单编号", "呼叫id", "通话id", "呼叫流水号", "流水号", "callid",
       "call", "call_no", "call_number", "session_id", "contact_id", "interaction_id", "id", required=True),
    _f("call_date", "date", "日期", "呼叫日期", "通话日期", "来电日期", "date"),
    _f("entered_at", "timestamp", "进线时间", "呼入时间", "来电时间", "进入时间", "呼叫开始时间", "arrival_time",
       "arrived_at", "call_start", "start_time", "entered", "offered_at", "vru_entry"),
    _f("queued_at", "timestamp", "排队开始", "排队开始时间", "入队时间", "进队时间", "进入队列时间", "queue_start",
       "queue_start_time", "queued", "enqueued_at", "q_start", required=True),
    _f("answered_at", "timestamp", "应答时间", "接通时间", "接听时间", "坐席应答时间", "answer_time",
       "connect_time", "connected_at", "ser_start"),
    _f("ended_at", "timestamp", "挂机时间", "结束时间", "通话结束时间", "呼叫结束时间", "end_time", "hangup_time",
       "ended", "disconnect_time", "call_end", "release_time"),
    _f("direction", "enum", "呼叫方向", "通话方向", "呼叫类型", "方向", "呼入呼出", "call_direction", "call_type",
       choices=DIRECTIONS, default="inbound", keep_raw=True),
    _f("queue", "text", "队列", "技能组", "排队队列", "服务队列", "业务队列", "skill", "skill_group", "split",
       "service_type", "queue_name"),
    _f("agent", "text", *_AGENT, "坐席工号", "工号", "agent_id", "agent_name"),
    _f("team", "text", *_TEAM),
    _f("talk_s", "duration", "通话时长", "通话时间", "通话秒数", "talk_time", "talk", "talk_duration",
       "conversation_time", "ser_time"),
    _f("hold_s", "duration", "保持时长", "保持时间", "hold_time", "hold", "hold_duration"),
    _f("acw_s", "duration", "话后处理", "话后处理时长", "话后时长", "事后处理时长", "整理时长", "acw", "acw_time",
       "after_call_work", "wrap_up", "wrap_up_time", "wrap"),
    _f("abandoned", "bool", "是否放弃", "放弃", "是否呼损", "呼损", "is_abandoned", "abandon"),
    _f("ticket_id", "text", "工单编号", "工单号", "关联工单", "ticket", "case_id"),
), label_zh="话务明细")

# Customer callbacks (SPEC §2 callbacks, 客户回访): the quarterly plan's rows and the callers' answers to the four
# questions of the script. withdrawn marks a planned row a replaced plan took back (csq.callbacks.plan).
CALLBACKS = Kind("callbacks", ("callback_id",), (
    _f("callback_id", "text", "回访编号", "回访单号", "回访id", "回访记录编号", "callback", "callback_no",
       "callbackid", required=True),
    _f("customer_id", "text", "客户编号", "客户id", "客户号", "customer", "customerid", required=True,
       personal=True),
    _f("customer_name", "text", "客户姓名", "客户名称", "姓名", "联系人", "name", personal=True),
    _f("customer_phone", "text", "客户电话", "联系电话", "电话号码", "手机号", "手机", "电话", "phone_number",
       "phone", "mobile", "telephone", personal=True),
    _f("agent", "text", *_AGENT, "工程师", "负责工程师", "服务工程师", "engineer"),
    _f("team", "text", *_TEAM),
    _f("planned_for", "date", "计划回访日期", "计划日期", "回访计划日期", "计划回访时间", "planned", "plan_date",
       "planned_date"),
    _f("called_at", "timestamp", "回访时间", "回访日期", "实际回访时间", "致电时间", "called", "call_time",
       "callback_time", "called_on"),
    _f("updated_at", "text", "更新时间", "updated"),
    _f("result", "enum", "回访结果", "接通情况", "结果", "outcome", "call_result", choices=CALLBACK_RESULTS,
       keep_raw=True, vocabulary="callback_result"),
    _f("satisfied", "bool", "对这段时间的服务是否满意", "服务是否满意", "是否满意", "服务满意", "满意",
       "service_satisfied", "satisfied_with_service"),
    _f("suggestion", "text", "有什么建议", "建议", "意见建议", "客户建议", "suggestions"),
    _f("attitude_ok", "bool", "对工程师的态度是否满意", "工程师态度是否满意", "态度是否满意", "态度满意",
       "工程师态度", "attitude", "attitude_satisfied"),
    _f("open_issue", "text", "还有什么遗留问题未解决", "遗留问题", "遗留问题未解决", "未解决问题", "open_issues",
       "unresolved", "unresolved_issue", "outstanding_issue"),
    _f("follow_up_of", "text", "原回访编号", "首次回访编号", "关联回访编号", "二次回访原编号", "followup_of",
       "first_callback_id", "follow_up_for"),
    _f("withdrawn", "bool", "已撤销", "是否撤销", "撤销"),
), label_zh="客户回访")

KINDS: dict[str, Kind] = {k.name: k for k in (TICKETS, SURVEYS, SERVQUAL, QA, TRAINING, ACTIONS, AGENTS,
                                              TICKET_EVENTS, CALLS, CALLBACKS)}

# `updated_at` only orders duplicate rows within a file; it is not stored (nor a call's date and abandoned flag).
TRANSIENT_FIELDS = frozenset({"updated_at", "call_date", "abandoned"})


def kind(name: str) -> Kind:
    """Return the Kind called `name`, or raise KeyError listing the valid kinds."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown kind {name!r}; use one of {', '.join(KINDS)}") from None


_PAREN = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_NONWORD = re.compile(r"[\s_\-./:：?？#]+")


def normalise_header(text: str) -> str:
    """Return a header folded for matching: lower case, no brackets, spaces or punctuation."""
    folded = _PAREN.sub("", str(text)).strip().lower()
    folded = _NONWORD.sub("", folded)
    return folded or _NONWORD.sub("", str(text).strip().lower())


_SQ_SIDE = {"e": "e", "exp": "e", "期望": "e", "p": "p", "per": "p", "感知": "p"}
_SQ_DIM = {"tangibles": "tangibles", "有形性": "tangibles", "t": "tangibles",
           "reliability": "reliability", "可靠性": "reliability", "r": "reliability",
           "responsiveness": "responsiveness", "响应性": "responsiveness", "s": "responsiveness",
           "assurance": "assurance", "保证性": "assurance", "a": "assurance",
           "empathy": "empathy", "移情性": "empathy", "m": "empathy"}
_SQ_ITEM_RE = re.compile(r"^(e|exp|期望|p|per|感知)([trsam][1-5])$")
_SQ_WEIGHT_RE = re.compile(r"^(?:w|weight|权重)(.+)$")


def match_header(k: Kind, header: str) -> str | None:
    """Return the canonical field a source header names for kind `k`, or None."""
    norm = normalise_header(header)
    if k is SERVQUAL:
        m = _SQ_ITEM_RE.match(norm)
        if m and m.group(2) in SERVQUAL_ITEMS:
            return f"{_SQ_SIDE[m.group(1)]}_{m.group(2)}"
        m = _SQ_WEIGHT_RE.match(norm)
        if m and m.group(1) in _SQ_DIM:
            return f"w_{_SQ_DIM[m.group(1)]}"
    return _alias_index(k).get(norm)


_ALIASES: dict[int, tuple[Kind, dict[str, str]]] = {}


def _alias_index(k: Kind) -> dict[str, str]:
    """Return normalised alias → field of kind k, the first field winning (built once, as headers match per cell)."""
    entry = _ALIASES.get(id(k))
    if entry is None or entry[0] is not k:
        index: dict[str, str] = {}
        for f in k.fields:
            for a in f.aliases:
                index.setdefault(normalise_header(a), f.name)
        entry = _ALIASES[id(k)] = (k, index)
    return entry[1]
