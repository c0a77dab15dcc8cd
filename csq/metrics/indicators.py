"""The indicator catalogue of SPEC §3: each indicator's key, names, unit, better direction, kind and formula."""
from __future__ import annotations

from dataclasses import dataclass

from csq.store.settings import Target


@dataclass(frozen=True)
class Indicator:
    """One indicator: stable key, names, unit, which direction is better, record kind and formula."""

    key: str
    name_zh: str
    name_en: str
    unit: str  # count, rate (fraction 0..1), min, h, s, score, points
    better: str | None  # higher, lower, or None
    kind: str
    formula_en: str
    formula_zh: str


def _i(key: str, zh: str, en: str, unit: str, better: str | None, kind: str, f_en: str, f_zh: str) -> Indicator:
    """Return an Indicator (positional shorthand for the table below)."""
    return Indicator(key, zh, en, unit, better, kind, f_en, f_zh)


_SLA_EN = ("met ÷ (met + breached). Met: {what} within {limit}. Breached: {what} later, or not yet and the "
           "limit already passed as of the latest data. Tickets still inside the limit{none} are left out. "
           "n = met + breached")
_SLA_ZH = "达标数 ÷ (达标数 + 超时数)。达标：在{limit}内{what}；超时：超过时限才{what}，或截至数据最新时间仍未{what}且已超时。仍在时限内{none}的工单不计入。n = 达标数 + 超时数"

INDICATORS: dict[str, Indicator] = {i.key: i for i in (
    _i("tickets", "工单量", "Tickets", "count", None, "tickets",
       "count of tickets created in the period. n = tickets", "统计期内创建的工单数。n = 工单数"),
    _i("frt_median_min", "首次响应时长中位数", "First response time, median", "min", "lower", "tickets",
       "median of minutes from created_at to first_response_at. n = tickets with a first response",
       "从创建到首次响应的分钟数的中位数。n = 有首次响应的工单数"),
    _i("frt_p90_min", "首次响应时长P90", "First response time, P90", "min", "lower", "tickets",
       "90th percentile (continuous) of minutes from created_at to first_response_at. "
       "n = tickets with a first response",
       "从创建到首次响应的分钟数的第90百分位数（连续插值）。n = 有首次响应的工单数"),
    _i("frt_sla_rate", "首次响应及时率", "First response within SLA", "rate", "higher", "tickets",
       _SLA_EN.format(what="first response", limit="the ticket's first-response limit (SLA rules)",
                      none=" or without a limit"),
       _SLA_ZH.format(what="首次响应", limit="SLA规则规定的首次响应时限", none="或无时限")),
    _i("art_median_h", "解决时长中位数", "Resolution time, median", "h", "lower", "tickets",
       "median of hours from created_at to resolved_at. n = resolved tickets",
       "从创建到解决的小时数的中位数。n = 已解决工单数"),
    _i("art_p90_h", "解决时长P90", "Resolution time, P90", "h", "lower", "tickets",
       "90th percentile (continuous) of hours from created_at to resolved_at. n = resolved tickets",
       "从创建到解决的小时数的第90百分位数（连续插值）。n = 已解决工单数"),
    _i("resolution_sla_rate", "解决及时率", "Resolution within SLA", "rate", "higher", "tickets",
       _SLA_EN.format(what="resolution", limit="the ticket's resolution limit (SLA rules)",
                      none=" or without a limit"),
       _SLA_ZH.format(what="解决", limit="SLA规则规定的解决时限", none="或无时限")),
    _i("resolution_rate", "问题解决率", "Resolution rate", "rate", "higher", "tickets",
       "resolved tickets ÷ tickets. n = tickets", "已解决工单数 ÷ 工单数。n = 工单数"),
    _i("fcr_rate", "一次解决率", "First contact resolution", "rate", "higher", "tickets",
       "resolved tickets with contacts ≤ 1 and reopen_count = 0 ÷ resolved tickets whose contacts is known. "
       "n = resolved tickets with a known contacts value",
       "联系次数 ≤ 1 且未重开的已解决工单数 ÷ 联系次数已知的已解决工单数。n = 联系次数已知的已解决工单数"),
    _i("reopen_rate", "重开率", "Reopen rate", "rate", "lower", "tickets",
       "tickets with reopen_count > 0 ÷ resolved tickets. n = resolved tickets",
       "重开次数 > 0 的工单数 ÷ 已解决工单数。n = 已解决工单数"),
    _i("escalation_rate", "升级率", "Escalation rate", "rate", "lower", "tickets",
       "escalated tickets ÷ tickets. n = tickets", "已升级工单数 ÷ 工单数。n = 工单数"),
    _i("complaint_rate", "投诉率", "Complaint rate", "rate", "lower", "tickets",
       "tickets of type complaint ÷ tickets. n = tickets", "投诉工单数 ÷ 工单数。n = 工单数"),
    _i("complaint_response_rate_48h", "投诉48小时响应率", "Complaints answered within 48 h", "rate", "higher",
       "tickets", _SLA_EN.format(what="first response to a complaint", limit="48 h", none=""),
       _SLA_ZH.format(what="首次响应投诉", limit="48小时", none="")),
    _i("complaint_resolution_rate_72h", "投诉72小时办结率", "Complaints resolved within 72 h", "rate", "higher",
       "tickets", _SLA_EN.format(what="resolution of a complaint", limit="72 h", none=""),
       _SLA_ZH.format(what="办结投诉", limit="72小时", none="")),
    _i("csat_rate", "满意度", "CSAT", "rate", "higher", "surveys",
       "responses with csat 4 or 5 ÷ responses with a csat (month of responded_at). n = responses with a csat",
       "满意度为4或5分的回复数 ÷ 有满意度评分的回复数（按回复月份）。n = 有满意度评分的回复数"),
    _i("csat_mean", "满意度均分", "CSAT mean", "score", "higher", "surveys",
       "mean csat (1–5) (month of responded_at). n = responses with a csat",
       "满意度评分（1–5）的平均值（按回复月份）。n = 有满意度评分的回复数"),
    _i("nps", "净推荐值", "NPS", "points", "higher", "surveys",
       "100 × (answers 9–10 − answers 0–6) ÷ nps answers (month of responded_at). n = nps answers",
       "100 × (9–10分人数 − 0–6分人数) ÷ 推荐度回答人数（按回复月份）。n = 推荐度回答人数"),
    _i("survey_response_rate", "调查回收率", "Survey response rate", "rate", "higher", "surveys",
       "answered invitations ÷ invitations (sent_at set; month of sent_at). n = invitations",
       "已回复的邀请数 ÷ 已发送的邀请数（按发送月份）。n = 邀请数"),
    _i("qa_score", "质检得分", "QA score", "score", "higher", "qa",
       "mean over evaluations of 100 × Σ(weight × score) ÷ Σ(weight × max_score), weight 1 when not given; "
       "an evaluation with a critical criterion below its max_score scores 0. n = evaluations",
       "各质检单得分的平均值：100 × Σ(权重 × 得分) ÷ Σ(权重 × 满分)，未给权重按1计；致命项未得满分的质检单记0分。"
       "n = 质检单数"),
    _i("qa_critical_fail_rate", "致命错误率", "Critical error rate", "rate", "lower", "qa",
       "evaluations with a critical criterion below its max_score ÷ evaluations. n = evaluations",
       "有致命项未得满分的质检单数 ÷ 质检单数。n = 质检单数"),
    _i("training_pass_rate", "培训合格率", "Training pass rate", "rate", "higher", "training",
       "passed assessments ÷ assessments (passed flag, else score ≥ pass mark, 60 when not given). "
       "n = assessments with a result",
       "合格的考核数 ÷ 考核数（以是否合格为准，否则成绩 ≥ 及格线，默认60）。n = 有结果的考核数"),
    _i("action_on_time_rate", "措施按期完成率", "Actions completed on time", "rate", "higher", "actions",
       "actions completed on or before due_date ÷ actions due in the period that are completed or overdue as "
       "of the latest data; cancelled actions are left out. n = those actions",
       "按期（不晚于计划完成日期）完成的措施数 ÷ 统计期内到期且已完成或已逾期的措施数；已取消的不计。n = 这些措施数"),
    _i("servqual_gap", "SERVQUAL差距", "SERVQUAL gap", "points", "higher", "servqual",
       "mean over respondents of Σ (points ÷ 100 × dimension gap), a dimension gap being the mean P − E of its "
       "items; equal weights when the respondent gave no valid points (0 = expectations met). n = respondents",
       "各受访者 Σ(权重分 ÷ 100 × 维度差距) 的平均值，维度差距为该维度各题 P − E 的平均；未给出有效权重时各维度等权"
       "（0 = 恰好达到期望）。n = 受访者数"),
    # Callbacks (SPEC §3, §4d): a callback counts in the quarter (or month) of its planned_for; "as of" is the data's.
    _i("callback_completion_rate", "回访完成率", "Callback completion", "rate", "higher", "callbacks",
       "planned callbacks made (with a called_at) ÷ planned callbacks whose planned_for day has passed as of the "
       "latest data (first callbacks of a plan; withdrawn ones left out). n = planned callbacks due",
       "已回访（有回访时间）的计划回访数 ÷ 计划回访日期已过（截至数据最新时间）的计划回访数（仅计划内的首次回访，已撤销的不计）。"
       "n = 已到期的计划回访数"),
    _i("callback_satisfaction_rate", "回访满意率", "Callback satisfaction", "rate", "higher", "callbacks",
       "reached callbacks whose customer was satisfied with the service ÷ reached callbacks that answered that "
       "question (first and second callbacks). n = reached callbacks with an answer",
       "接通且对服务表示满意的回访数 ÷ 接通且回答了该问题的回访数（含二次回访）。n = 回答了满意问题的接通回访数"),
    _i("callback_followup_on_time_rate", "二次回访及时率", "Second callbacks on time", "rate", "higher", "callbacks",
       "callbacks needing a second callback that got one within the follow-up limit ÷ callbacks needing one whose "
       "limit (called_at + the follow-up days, default 3) has passed as of the latest data. A callback needs one "
       "when not reached, refused, not satisfied with the service or the engineer's attitude, or an issue is "
       "still open. n = callbacks needing one whose limit has passed",
       "在时限内完成二次回访的回访数 ÷ 需要二次回访且时限（回访时间 + 二次回访天数，默认3天）已过的回访数。未接通、拒访、"
       "对服务或工程师态度不满意、或仍有遗留问题时需要二次回访。n = 需要二次回访且时限已过的回访数"),
    # The weekly QA sample (SPEC §4d): a sampled ticket counts in the week or month of its created_at.
    _i("qa_coverage_rate", "质检覆盖率", "QA sample coverage", "rate", "higher", "qa_sample",
       "sampled tickets with a QA evaluation ÷ sampled tickets (the weekly QA sample in force; week or month of "
       "the ticket's created_at). n = sampled tickets",
       "已质检的抽样工单数 ÷ 抽样工单数（当前有效的每周质检抽样；按工单创建的周或月）。n = 抽样工单数"),
    # Telephony (SPEC §3): inbound calls in the month of queued_at; the thresholds are settings, shown with them.
    _i("calls_offered", "呼入量", "Calls offered", "count", None, "calls",
       "inbound calls, less abandons within the short-abandon threshold of their queue time. n = calls offered",
       "呼入电话数，扣除排队后在短时放弃阈值内挂机的电话。n = 呼入量"),
    _i("answer_rate", "接通率", "Answer rate", "rate", "higher", "calls",
       "answered calls ÷ calls offered. n = calls offered", "接通的电话数 ÷ 呼入量。n = 呼入量"),
    _i("abandon_rate", "放弃率（呼损率）", "Abandon rate", "rate", "lower", "calls",
       "calls abandoned after the short-abandon threshold ÷ calls offered. n = calls offered",
       "超过短时放弃阈值后放弃的电话数 ÷ 呼入量。n = 呼入量"),
    _i("service_level", "服务水平（20秒接通率）", "Service level", "rate", "higher", "calls",
       "calls answered within the service-level threshold (wait ≤ threshold) ÷ calls offered. n = calls offered",
       "在服务水平阈值内（等待 ≤ 阈值）接通的电话数 ÷ 呼入量。n = 呼入量"),
    _i("asa_s", "平均应答速度", "Average speed of answer", "s", "lower", "calls",
       "mean seconds from queued_at to answered_at of answered calls (an answer up to 5 s early waits 0 s). "
       "n = answered calls", "接通电话从排队开始到应答的平均秒数（应答早于排队不超过5秒的按0秒计）。n = 接通的电话数"),
    _i("aht_s", "平均处理时长", "Average handle time", "s", "lower", "calls",
       "mean of talk_s + hold_s + acw_s over answered calls (a missing part counts as 0). n = answered calls",
       "接通电话的 通话时长 + 保持时长 + 话后处理时长 的平均值（缺失的部分按0计）。n = 接通的电话数"),
)}

# Time groups: a calendar month YYYY-MM, an ISO week YYYY-Www, a day YYYY-MM-DD.
TIME_GROUPS: tuple[str, ...] = ("month", "week", "day")
GROUP_FIELDS: tuple[str, ...] = ("month", "week", "day", "channel", "team", "type", "category", "priority", "agent",
                                 "queue")  # queue: calls only (SPEC §2)


# SPEC §4a: what the clocks count. The SLA rates always follow each ticket's SLA clock; the duration
# indicators show calendar time unless the business clock is asked for.
CLOCK_NOTE = ("Clock: the calendar of the ticket's SLA rule for that limit (24x7 when no rule sets it), "
               "less the time in a pause status (for first response only where the rule says so).",
               "计时：按该时限所属SLA规则的日历（无相应规则时按24x7），扣除处于暂停状态的时间"
               "（首次响应仅在规则设置暂停时扣除）。")
_BUSINESS = {
    "frt_median_min": ("median of business minutes from created_at to first_response_at",
                       "从创建到首次响应的营业分钟数的中位数"),
    "frt_p90_min": ("90th percentile (continuous) of business minutes from created_at to first_response_at",
                    "从创建到首次响应的营业分钟数的第90百分位数（连续插值）"),
    "art_median_h": ("median of business hours from created_at to resolved_at", "从创建到解决的营业小时数的中位数"),
    "art_p90_h": ("90th percentile (continuous) of business hours from created_at to resolved_at",
                  "从创建到解决的营业小时数的第90百分位数（连续插值）"),
}
_N_TEXT = {"frt": ("tickets with a first response", "有首次响应的工单数"), "art": ("resolved tickets", "已解决工单数")}
BUSINESS_KEYS: tuple[str, ...] = tuple(_BUSINESS)


def formula(key: str, lang: str = "en", clock: str = "calendar") -> str:
    """Return the human-readable formula of an indicator on a clock, including what its n counts."""
    ind = INDICATORS[key]
    i = 1 if lang == "zh" else 0
    if clock == "business" and key in _BUSINESS:
        n = _N_TEXT[key[:3]][i]
        return (f"{_BUSINESS[key][1]}。n = {n}。{CLOCK_NOTE[1]}" if i
                else f"{_BUSINESS[key][0]}. n = {n}. {CLOCK_NOTE[0]}")
    base = ind.formula_zh if i else ind.formula_en
    if key in ("frt_sla_rate", "resolution_sla_rate"):
        return f"{base}。{CLOCK_NOTE[1]}" if i else f"{base}. {CLOCK_NOTE[0]}"
    return base


def target_status(value: float | None, target: Target | None) -> str | None:
    """Return 'green' when the target is met, 'amber' within the warning band, 'red' otherwise, None without data."""
    if value is None or target is None:
        return None
    if target.direction == "lower":
        miss = value - target.target
    else:
        miss = target.target - value
    if miss <= 0:
        return "green"
    return "amber" if miss <= target.warning else "red"

