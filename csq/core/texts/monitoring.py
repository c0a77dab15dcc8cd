"""UI text of the Monitoring page (/monitoring) beyond the core texts in csq/core/i18n.py: ticket lists, backlog."""

TEXT: dict[str, tuple[str, str]] = {
    "mon_rows_all": ("共 {total} 张工单", "{total} tickets"),
    "mon_rows_capped": ("显示前 {n} 张，共 {total} 张工单（完整列表请用“下载全部”）",
                        "showing the first {n} of {total} tickets (“Download all” has every one)"),
    "mon_csv_shown": ("下载当前列表 CSV（前 {n} 张）", "Download this list as CSV (first {n})"),
    "mon_csv_all": ("下载全部 CSV（{total} 张）", "Download all as CSV ({total})"),
    "mon_sorted": ("按超出时限从多到少排列", "worst overrun first"),
    "field": ("字段", "Field"),
    "mon_clock": ("计时", "Clock"),
    "mon_clock_help": ("日历时间：从创建起的实际经过时间。营业时间：按各工单SLA规则的日历只计营业时间，并扣除暂停时间。"
                       "及时率总是按营业时间（规则的日历）判定。",
                       "Calendar: time as it passed from creation. Business: only the opening hours of the calendar "
                       "of each ticket's SLA rule, less pauses. The SLA rates always follow the rule's calendar."),
    "mon_clock_calendar": ("日历时间", "Calendar time"),
    "mon_clock_business": ("营业时间", "Business time"),
    "mon_backlog": ("每日未结工单（按状态）", "Daily open backlog by status"),
    "mon_backlog_axis": ("未结工单数", "Open tickets"),
    "mon_backlog_help": (("每天结束时（24:00 之前的最后一刻）已受理、尚未解决或关闭的工单数，按当时的状态堆叠：状态取 24:00 之前最后一条流转记录"
                          "（同一时间以文件中靠后的一行为准），首条记录之前为处理中。统计筛选条件内的工单，"
                          "日期从最早到最晚的受理日。"),
                         ("Tickets created and not yet solved or closed at the end of each day (just before midnight), stacked by their status "
                          "then: the status of the latest history event before midnight (on equal times the "
                          "later row of the file), open before the first event. Counts the tickets in the filters, "
                          "from the first to the last day a ticket was created.")),
    "mon_backlog_partial": ("{n} 张工单有流转记录；其余工单按受理到解决（或关闭）之间为处理中计算。",
                            ("{n} tickets have a status history; the others count as open from created until "
                             "resolved (or closed).")),
    "mon_backlog_no_history": (("尚未导入工单流转记录：每日未结工单按受理到解决（或关闭）之间为处理中计算，"
                                "看不出待客户回复和等待第三方。导入流转记录：`python -m csq import 文件.csv --kind "
                                "ticket_events`。"),
                               ("No status history imported: the backlog counts each ticket as open from created "
                                "until resolved (or closed), so waiting on the customer or a third party does not "
                                "show. Import it with `python -m csq import FILE.csv --kind ticket_events`.")),
}
