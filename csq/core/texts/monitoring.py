"""UI text of the Monitoring page (/monitoring) beyond the core texts in csq/core/i18n.py: ticket lists."""

TEXT: dict[str, tuple[str, str]] = {
    "mon_rows_all": ("共 {total} 张工单", "{total} tickets"),
    "mon_rows_capped": ("显示前 {n} 张，共 {total} 张工单（完整列表请用“下载全部”）",
                        "showing the first {n} of {total} tickets (“Download all” has every one)"),
    "mon_csv_shown": ("下载当前列表 CSV（前 {n} 张）", "Download this list as CSV (first {n})"),
    "mon_csv_all": ("下载全部 CSV（{total} 张）", "Download all as CSV ({total})"),
    "mon_sorted": ("按超出时限从多到少排列", "worst overrun first"),
    "field": ("字段", "Field"),
}
