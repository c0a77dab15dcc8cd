"""The demo's improvement actions (改进措施), dated relative to the demo's end, and their baselines.

Which actions really work is decided here and applied by the ticket and training generators;
see the csq.demo module docstring for the list.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pyarrow as pa

from csq.core.months import add_months
from csq.demo.base import dates, day_number
from csq.store import Store

Offset = tuple[int, int]  # (calendar months, days) relative to the demo's end date

_CAUSE_ZH = {"people": "人员", "process": "流程", "equipment": "设施", "management": "制度",
             "environment": "环境", "measurement": "测量"}
_STAGE_ZH = {"plan": "计划", "do": "执行", "check": "检查", "act": "处理"}
_STATUS_ZH = {"planned": "未开始", "in_progress": "进行中", "done": "已完成", "verified": "已验证",
              "cancelled": "已取消"}


@dataclass(frozen=True)
class PlannedAction:
    """One demo action; dates are offsets from the end date, completed None when not completed."""

    action_id: str
    title: str
    cause: str
    measure: str
    indicator: str
    scope: str | None
    owner: str
    start: Offset
    due: Offset
    completed: Offset | None
    stage: str
    status: str
    target: float | None = None
    verification: str | None = None
    notes: str | None = None
    windows: tuple[int, int] | None = None


ACTIONS: tuple[PlannedAction, ...] = (
    PlannedAction("IMP-001", "售后工单解决时长过长", "process", "售后派单改为按区域自动分配，减少人工转派",
                  "art_median_h", "team=售后组", "王经理", (-8, 0), (-6, 5), (-6, 0), "check", "done",
                  notes="上线后需对比前后三个月的解决时长中位数", windows=(3, 3)),
    PlannedAction("IMP-002", "在线客服满意度偏低", "people", "在线客服话术培训，更新标准回复模板",
                  "csat_rate", "channel=chat", "陈主管", (-8, 0), (-6, 0), (-6, -3), "check", "done",
                  target=0.9, windows=(3, 3)),
    PlannedAction("IMP-003", "电话高峰时段接通慢", "management", "高峰时段增加弹性排班，午间错峰就餐",
                  "frt_median_min", "channel=phone", "李主管", (-3, 0), (-1, 0), (0, -21), "check", "done",
                  target=0.5, notes="完成较晚，效果待观察", windows=(3, 3)),
    PlannedAction("IMP-004", "投诉处理超时", "management", "投诉升级到值班经理的时限从48小时缩短到24小时",
                  "complaint_resolution_rate_72h", "type=complaint", "张总监", (-14, 0), (-12, 0), (-12, -10),
                  "act", "verified", target=0.92,
                  verification="投诉72小时办结率明显提升，已纳入投诉处理制度"),
    PlannedAction("IMP-005", "邮件工单首次响应慢", "process", "邮件工单自动分派并设置超时提醒",
                  "frt_p90_min", "channel=email", "周工", (-5, 0), (-3, 0), None, "do", "in_progress"),
    PlannedAction("IMP-006", "技术支持工单重开率偏高", "process", "结单前增加回访确认环节",
                  "reopen_rate", "team=技术支持组", "吴组长", (-10, 0), (-8, 0), (-7, 4), "check", "done"),
    PlannedAction("IMP-007", "质检发现信息安全核实遗漏", "people", "信息安全核实话术强化培训，纳入每周抽检",
                  "qa_critical_fail_rate", None, "质检-钱", (-4, 0), (-2, 0), (-2, -5), "check", "done"),
    PlannedAction("IMP-008", "投诉处理技巧考核合格率低", "people", "投诉处理技巧课程增加案例演练与模拟通话",
                  "training_pass_rate", None, "培训部-孙老师", (-11, 0), (-9, 0), (-9, 12), "act",
                  "verified", target=0.85, verification="复训后合格率回升，课程已定版"),
    PlannedAction("IMP-009", "满意度调查回收率低于80%", "measurement", "短信邀请改为微信服务号推送，问卷缩短到3题",
                  "survey_response_rate", None, "刘分析师", (-2, 0), (1, 0), None, "do", "in_progress",
                  target=0.8),
    PlannedAction("IMP-010", "双11大促期间工单积压", "environment", "大促前临时扩充外包坐席并提前演练",
                  "resolution_sla_rate", None, "王经理", (-14, 10), (-13, 0), (-13, 3), "act", "done"),
    PlannedAction("IMP-011", "质检员评分尺度不一致", "measurement", "质检员每月召开校准会，统一评分细则",
                  "qa_score", None, "质检-李", (-3, 0), (-1, 0), None, "do", "in_progress"),
    PlannedAction("IMP-012", "投诉升级率偏高", "management", "一线坐席补偿授权额度提高至200元",
                  "escalation_rate", "team=投诉处理组", "张总监", (0, 7), (3, 0), None, "plan", "planned"),
    PlannedAction("IMP-013", "电话一次解决率下降", "equipment", "知识库检索升级为全文检索",
                  "fcr_rate", "channel=phone", "陈工", (-7, 0), (-5, 0), None, "plan", "cancelled",
                  notes="预算未获批准，改为下年度计划"),
    PlannedAction("IMP-014", "账单查询类来电多", "process", "APP账单页面增加自助查询入口",
                  "tickets", "category=账单查询", "产品部-赵经理", (-9, 0), (-6, 0), (-5, 3), "check", "done"),
    PlannedAction("IMP-015", "在线客服夜间响应慢", "management", "夜间值班增加一名在线坐席",
                  "frt_sla_rate", "channel=chat", "李主管", (-12, 0), (-11, 0), (-11, -3), "check", "done"),
    PlannedAction("IMP-016", "物流配送类投诉多", "process", "与物流商建立48小时异常件处理机制",
                  "complaint_rate", "category=物流配送", "运营部-周经理", (0, 14), (3, 0), None, "plan", "planned"),
    PlannedAction("IMP-017", "上门服务改约频繁", "process", "上门服务预约时段细化到2小时",
                  "fcr_rate", "channel=onsite", "售后组-陈主管", (-2, 0), (-1, 0), None, "do", "in_progress"),
    PlannedAction("IMP-018", "新员工满意度偏低", "people", "新员工上岗前增加一周跟听带教",
                  "csat_mean", "team=三组", "三组组长", (-16, 0), (-14, 0), (-14, 0), "check", "done"),
    PlannedAction("IMP-019", "SERVQUAL响应性差距最大", "management", "官网公布各渠道服务时限承诺",
                  "servqual_gap", None, "客服中心经理", (-5, 0), (-2, 0), (-1, -10), "check", "done"),
    PlannedAction("IMP-020", "改进措施按期完成率低", "management", "改进措施纳入周例会逐项跟踪",
                  "action_on_time_rate", None, "质量部", (-1, 0), (1, 0), None, "do", "in_progress"),
)


def on(end: date, offset: Offset) -> date:
    """Return the date an offset names, counted from the demo's end date."""
    return add_months(end, offset[0]) + timedelta(days=offset[1])


def _action(action_id: str) -> PlannedAction:
    """Return the planned action with this id."""
    return next(a for a in ACTIONS if a.action_id == action_id)


def completed_day(end: date, action_id: str) -> int:
    """Return the day number on which an action was completed (its effect starts that day)."""
    done = _action(action_id).completed
    assert done is not None
    return day_number(on(end, done))


def _baseline(store: Store, end: date, a: PlannedAction) -> float | None:
    """Return the indicator over the three months before the action started, for the actions that have one."""
    start = on(end, a.start)
    frm = add_months(start, -3)
    window = [frm, start]
    if a.indicator == "art_median_h" and a.scope and a.scope.startswith("team="):
        value = store.scalar(
            "SELECT median(date_diff('second', created_at, resolved_at)) / 3600.0 FROM tickets_current "
            "WHERE team = ? AND resolved_at IS NOT NULL AND created_at >= ? AND created_at < ?",
            [a.scope.split("=", 1)[1], *window])
    elif a.indicator == "csat_rate" and a.scope and a.scope.startswith("channel="):
        value = store.scalar(
            "SELECT avg(CASE WHEN s.csat >= 4 THEN 1.0 ELSE 0.0 END) FROM surveys_current s "
            "JOIN tickets_current t USING (ticket_id) WHERE t.channel = ? AND s.csat IS NOT NULL "
            "AND s.responded_at >= ? AND s.responded_at < ?", [a.scope.split("=", 1)[1], *window])
    elif a.indicator == "complaint_resolution_rate_72h":
        value = store.scalar(
            "SELECT avg(CASE WHEN resolved_at <= created_at + INTERVAL 72 HOUR THEN 1.0 ELSE 0.0 END) "
            "FROM tickets_current WHERE type = 'complaint' AND created_at >= ? AND created_at < ?", window)
    else:
        return None
    return round(float(value), 3) if value is not None else None  # type: ignore[arg-type]


def actions_table(store: Store, end: date) -> pa.Table:
    """Return the actions as a canonical table, baselines measured on the tickets already stored."""
    baselines = [_baseline(store, end, a) for a in ACTIONS]
    targets = [a.target for a in ACTIONS]
    # The before-window baseline makes IMP-001's target concrete: 30 % faster.
    targets[0] = round(baselines[0] * 0.7, 1) if baselines[0] is not None else None

    def day(offset: Offset | None) -> int | None:
        """Return the day number of an offset, None for none."""
        return day_number(on(end, offset)) if offset is not None else None

    return pa.table({
        "action_id": [a.action_id for a in ACTIONS],
        "title": [a.title for a in ACTIONS],
        "cause_category": [a.cause for a in ACTIONS],
        "cause_category_raw": [_CAUSE_ZH[a.cause] for a in ACTIONS],
        "measure": [a.measure for a in ACTIONS],
        "indicator": [a.indicator for a in ACTIONS],
        "scope": pa.array([a.scope for a in ACTIONS], pa.string()),
        "owner": [a.owner for a in ACTIONS],
        "start_date": dates([day(a.start) for a in ACTIONS]),
        "due_date": dates([day(a.due) for a in ACTIONS]),
        "completed_at": dates([day(a.completed) for a in ACTIONS]),
        "pdca_stage": [a.stage for a in ACTIONS],
        "pdca_stage_raw": [_STAGE_ZH[a.stage] for a in ACTIONS],
        "status": [a.status for a in ACTIONS],
        "status_raw": [_STATUS_ZH[a.status] for a in ACTIONS],
        "baseline": pa.array(baselines, pa.float64()),
        "target": pa.array(targets, pa.float64()),
        "verification": pa.array([a.verification for a in ACTIONS], pa.string()),
        "notes": pa.array([a.notes for a in ACTIONS], pa.string()),
        "before_months": pa.array([a.windows[0] if a.windows else None for a in ACTIONS], pa.int32()),
        "after_months": pa.array([a.windows[1] if a.windows else None for a in ACTIONS], pa.int32()),
    })
