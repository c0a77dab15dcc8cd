"""Targets: the Target and ClearedTarget records and the default target of every directional indicator."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """A target: direction ('higher' or 'lower'), the value to reach, the amber band width, and its source.

    `source` (English) and `source_zh` (Chinese) say where the value comes from; "" when not recorded.
    """

    indicator: str
    direction: str
    target: float
    warning: float
    source: str = ""
    source_zh: str = ""

    def source_text(self, lang: str) -> str:
        """Return the source in the language ('zh' or 'en'), the other language's text when one is missing."""
        return _in_lang(self.source, self.source_zh, lang)


@dataclass(frozen=True)
class ClearedTarget:
    """An indicator whose default target a user removed: remembered, so that no upgrade brings it back."""

    indicator: str
    direction: str
    source: str = ""
    source_zh: str = ""

    def source_text(self, lang: str) -> str:
        """Return who removed the target and when, in the language ('zh' or 'en')."""
        return _in_lang(self.source, self.source_zh, lang)


def _in_lang(en: str, zh: str, lang: str) -> str:
    """Return the Chinese or English text, falling back on the other when one is empty."""
    return (zh or en) if lang == "zh" else (en or zh)


# One default target for every indicator with a better direction (SPEC §3), each naming its source.
# Rates are fractions (0.9 = 90 %); durations in the indicator's unit (min, h); scores and points as shown.
# SPEC §4 gives csat_rate, frt_median_min, survey_response_rate and training_pass_rate and the SLA limits;
# the rest are common call-center conventions or, where none is widely cited, csq's own choice, said so.
# The amber bands are csq's choice throughout: about 5 points on a rate, a fifth to a half of a duration.
_SLA_EN, _SLA_ZH = "industry convention: SLA compliance ≥ 90 %", "行业惯例：SLA 达标率 ≥ 90%"
_CSQ_EN, _CSQ_ZH = "csq default, no standard cited: ", "csq 默认值（无标准依据）："
DEFAULT_TARGETS: tuple[Target, ...] = (
    Target("frt_median_min", "lower", 5.0, 2.0, "SPEC §4 · 详细服务方案 (average response time target 5 min)",
           "SPEC §4 · 详细服务方案（平均响应时间目标5分钟）"),
    Target("frt_p90_min", "lower", 1440.0, 240.0,
           "derived from SPEC §4: 90 % answered within the longest ordinary first-response limit, 24 h",
           "由 SPEC §4 推得：90% 的工单在最长的常规首次响应时限 24 小时内响应"),
    Target("frt_sla_rate", "higher", 0.90, 0.05, _SLA_EN, _SLA_ZH),
    Target("art_median_h", "lower", 24.0, 12.0,
           _CSQ_EN + "half the tickets resolved within a day, well inside the 72 h / 120 h limits of SPEC §4",
           _CSQ_ZH + "半数工单一天内解决，远短于 SPEC §4 的 72 / 120 小时解决时限"),
    Target("art_p90_h", "lower", 120.0, 24.0,
           "derived from SPEC §4: 90 % resolved within the 120 h resolution limit of non-complaint tickets",
           "由 SPEC §4 推得：90% 的工单在非投诉工单的解决时限 120 小时内解决"),
    Target("resolution_sla_rate", "higher", 0.90, 0.05, _SLA_EN, _SLA_ZH),
    Target("resolution_rate", "higher", 0.95, 0.05, _CSQ_EN + "95 % of tickets resolved",
           _CSQ_ZH + "问题解决率 ≥ 95%"),
    Target("fcr_rate", "higher", 0.70, 0.05, "industry convention: first contact resolution ≥ 70 %",
           "行业惯例：一次解决率 ≥ 70%"),
    Target("reopen_rate", "lower", 0.05, 0.02, "industry convention: reopen rate ≤ 5 %", "行业惯例：重开率 ≤ 5%"),
    Target("escalation_rate", "lower", 0.10, 0.05, "industry convention: escalation rate ≤ 10 %",
           "行业惯例：升级率 ≤ 10%"),
    Target("complaint_rate", "lower", 0.05, 0.02, _CSQ_EN + "complaints ≤ 5 % of tickets",
           _CSQ_ZH + "投诉工单 ≤ 工单量的 5%"),
    Target("complaint_response_rate_48h", "higher", 0.95, 0.05,
           "48 h: SPEC §4 · 客户服务技能培训指南 (answer within 48 h); ≥ 95 %: industry convention",
           "48 小时：SPEC §4 · 客户服务技能培训指南（48小时内回应）；≥ 95%：行业惯例"),
    Target("complaint_resolution_rate_72h", "higher", 0.95, 0.05,
           "72 h: SPEC §4 · 客户服务技能培训指南 (resolve within 72 h); ≥ 95 %: industry convention",
           "72 小时：SPEC §4 · 客户服务技能培训指南（72小时内解决）；≥ 95%：行业惯例"),
    Target("csat_rate", "higher", 0.90, 0.05, "SPEC §4 · 详细服务方案 (satisfaction target 90 %)",
           "SPEC §4 · 详细服务方案（满意度目标90%）"),
    Target("csat_mean", "higher", 4.5, 0.2, "industry convention: mean CSAT ≥ 4.5 on the 1–5 scale",
           "行业惯例：满意度均分 ≥ 4.5（5 分制）"),
    Target("nps", "higher", 30.0, 10.0, "industry convention: NPS ≥ 30", "行业惯例：净推荐值 ≥ 30"),
    Target("survey_response_rate", "higher", 0.80, 0.05, "SPEC §4 · 详细服务方案 (response rate ≥ 80 %)",
           "SPEC §4 · 详细服务方案（回收率≥80%）"),
    Target("qa_score", "higher", 85.0, 5.0, "industry convention: QA score ≥ 85 of 100",
           "行业惯例：质检得分 ≥ 85 分（百分制）"),
    Target("qa_critical_fail_rate", "lower", 0.02, 0.01, _CSQ_EN + "critical errors in ≤ 2 % of evaluations",
           _CSQ_ZH + "致命错误率 ≤ 2%"),
    Target("training_pass_rate", "higher", 0.85, 0.05, "SPEC §4 · 详细服务方案 (pass rate ≥ 85 %)",
           "SPEC §4 · 详细服务方案（考核合格率≥85%）"),
    Target("action_on_time_rate", "higher", 0.90, 0.10, "industry convention: actions completed on time ≥ 90 %",
           "行业惯例：措施按期完成率 ≥ 90%"),
    Target("servqual_gap", "higher", 0.0, 0.5, "SERVQUAL model: a gap of 0 means expectations are met",
           "SERVQUAL 模型：差距为 0 即达到期望"),
    Target("callback_completion_rate", "higher", 0.95, 0.05, _CSQ_EN + "callbacks made ≥ 95 % of those planned and due",
           _CSQ_ZH + "回访完成率 ≥ 95%"),
    Target("callback_satisfaction_rate", "higher", 0.90, 0.05, "SPEC §4 · 详细服务方案 (satisfaction target 90 %), "
           "applied to callbacks", "SPEC §4 · 详细服务方案（满意度目标90%），用于回访"),
    Target("callback_followup_on_time_rate", "higher", 0.95, 0.05, _CSQ_EN + "second callbacks within the follow-up "
           "limit (3 days, a setting) ≥ 95 %", _CSQ_ZH + "二次回访在时限（3天，为设置项）内完成 ≥ 95%"),
    Target("qa_coverage_rate", "higher", 0.95, 0.05, _CSQ_EN + "the QA team evaluates ≥ 95 % of the weekly QA sample "
           "(SPEC §4d)", _CSQ_ZH + "质检组完成每周质检抽样的 ≥ 95%（SPEC §4d）"),
    Target("answer_rate", "higher", 0.95, 0.03, "industry convention: answer rate (接通率) ≥ 95 %",
           "行业惯例：接通率 ≥ 95%"),
    Target("abandon_rate", "lower", 0.05, 0.03, "industry convention: abandon rate (呼损率) ≤ 5 %",
           "行业惯例：呼损率 ≤ 5%"),
    Target("service_level", "higher", 0.80, 0.05, "industry convention: service level 80/20 (80 % answered within "
           "20 s, the threshold a setting)", "行业惯例：服务水平 80/20（80% 的来电在 20 秒内接通，秒数为设置项）"),
    Target("asa_s", "lower", 20.0, 10.0, _CSQ_EN + "average speed of answer ≤ 20 s, in line with 80/20",
           _CSQ_ZH + "平均应答速度 ≤ 20 秒，与 80/20 服务水平一致"),
    Target("aht_s", "lower", 300.0, 60.0, _CSQ_EN + "average handle time ≤ 5 min; set the center's own",
           _CSQ_ZH + "平均处理时长 ≤ 5 分钟；请按本中心业务设定"),
)
