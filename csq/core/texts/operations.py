"""Text of what `notify` sends (the e-mail and the webhook's message), in both languages."""
from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "ntf_subject": ("服务质量看板：{parts}", "Service quality: {parts}"),
    "ntf_subject_report": ("{q} 季度报告", "report {q}"),
    "ntf_subject_alerts": ("{k} 项新提醒", "{k} new alert(s)"),
    "ntf_off_target": ("{m} 未达目标（{k} 项）", "Off target in {m} ({k})"),
    "ntf_signal": ("{m} 控制图新信号（{k} 项）", "New control-chart signals in {m} ({k})"),
    "ntf_report": ("附件为 {q} 服务质量季度报告。", "The service-quality report of {q} is attached."),
    "ntf_report_hook": ("{q} 服务质量季度报告见 report.html 字段。", "The report of {q} is in the report.html field."),
    "ntf_footer": ("本消息由 python -m csq notify 发送；同一提醒只发送一次。",
                   "Sent by python -m csq notify; each alert is sent once."),
}
