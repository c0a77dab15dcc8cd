"""Texts of the quarterly report and its link on the Overview."""

TEXT: dict[str, tuple[str, str]] = {
    "report_title": ("服务质量季度报告 · {q}", "Service-quality report · {q}"),
    "report_status": ("状态", "Status"),
    "report_previous": ("上季度", "Previous quarter"),
    "report_actions": ("本季度的改进措施", "Improvement actions this quarter"),
    "report_sheet_indicators": ("核心指标", "Indicators"),
    "report_sheet_actions": ("改进措施", "Actions"),
    "report_generated": ("生成于 {t}", "generated {t}"),
    "report_quarter": ("季度", "Quarter"),
    "report_download": ("下载季度报告（{fmt}）", "Download the quarterly report ({fmt})"),
}
