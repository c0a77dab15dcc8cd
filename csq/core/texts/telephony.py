"""UI text of the Telephony page (话务)."""
from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "telephony": ("话务", "Telephony"),
    "tel_intro": ("呼入量、接通率、呼损率、服务水平、平均应答速度和平均处理时长（仅呼入电话，按排队开始时间计月）。",
                  "Calls offered, answer and abandon rates, service level, ASA and AHT (inbound calls, in the "
                  "month of their queue time)."),
    "tel_no_calls": ("当前筛选条件下没有话务数据。请导入话务明细（--kind calls）。",
                     "No call data matches these filters. Import the CTI export (--kind calls)."),
    "tel_thresholds": ("阈值：{text}", "Thresholds: {text}"),
    "tel_by_month": ("按月", "By month"),
    "tel_by_group": ("按队列、班组、坐席", "By queue, team and agent"),
    "tel_group_by": ("分组依据", "Group by"),
    "queue": ("队列", "Queue"),
    "tel_heat": ("星期 × 半小时", "Weekday × half-hour"),
    "tel_waits": ("等待时长分布", "Waiting times"),
    "tel_waits_how": ("呼入受理的来电（不含 {short} 秒内的短放弃）按等待秒数分组：接通的从排队到应答，放弃的从排队到挂机。"
                      "虚线左侧为 {sl} 秒内接通，即服务水平的分子。n = {n}",
                      "Inbound calls offered (abandons within {short} s left out), by seconds waited: answered calls "
                      "from queue to answer, abandoned ones until they hung up. Left of the dashed line: answered "
                      "within {sl} s, the service level's numerator. n = {n}"),
    "tel_waits_answered": ("接通", "Answered"),
    "tel_waits_abandoned": ("放弃", "Abandoned"),
    "tel_waits_mark": ("{sl} 秒", "{sl} s"),
    "tel_waits_none": ("筛选范围内没有呼入来电。", "No inbound calls under these filters."),
    "tel_heat_key": ("热力图指标", "Heat-map of"),
    "tel_weekday": ("星期", "Weekday"),
    "tel_interval": ("时段", "Half-hour"),
    "tel_staffing": ("排班测算（Erlang C）", "Staffing (Erlang C)"),
    "tel_staffing_how": ("每个星期×半小时：最近 {weeks} 周的平均呼入量与平均处理时长，按 Erlang C 求达到目标服务水平所需的"
                         "最少坐席数，人数 = 坐席数 ÷ (1 − 缺勤/非话务时间比例)。「实际接听」为该时段实际接听电话的不同坐席数的平均值，"
                         "缺口为负表示人手不足。",
                         "For every weekday and half-hour: the mean calls offered and AHT of the last {weeks} weeks, the "
                         "fewest agents Erlang C needs for the target service level, and headcount = agents ÷ (1 − "
                         "shrinkage). «Answered by» is the mean number of distinct agents who answered there; a "
                         "negative gap means too few."),
    "tel_weeks": ("参考周数", "Weeks of calls"),
    "tel_volume": ("呼入量变化（%）", "Volume change (%)"),
    "tel_aht": ("平均处理时长（秒，0 = 按历史）", "AHT (s, 0 = as measured)"),
    "tel_target": ("目标服务水平", "Service-level target"),
    "tel_shrinkage": ("缺勤与非话务时间比例", "Shrinkage"),
    "tel_short": ("人手不足的时段：{n} 个", "Intervals short of agents: {n}"),
    "tel_agents": ("所需坐席", "Agents needed"),
    "tel_headcount": ("排班人数", "Headcount"),
    "tel_answered_by": ("实际接听", "Answered by"),
    "tel_gap": ("缺口", "Gap"),
    "tel_calls": ("呼入量", "Calls"),
    "tel_quality": ("按队列的一次解决率与满意度（关联工单）", "FCR and CSAT by queue (linked tickets)"),
    "tel_quality_none": ("筛选范围内没有关联工单的电话，无法按队列统计一次解决率和满意度。话务明细需含工单编号。",
                         "No call in these filters names a ticket, so FCR and CSAT cannot be shown by queue. The CTI "
                         "export needs a ticket number column."),
    "tel_aht_s": ("平均处理时长（秒）", "AHT (s)"),
    "tel_asa_s": ("平均应答速度（秒）", "ASA (s)"),
    "tel_answered_only": ("放弃的电话没有接听坐席，通常也没有关联工单，因此按{fields}筛选时不含放弃的电话：接通率会偏高，放弃率会偏低。"
                          "接通率和放弃率请按队列查看。",
                          "Abandoned calls have no answering agent and usually name no ticket, so a filter on "
                          "{fields} leaves them out: the answer rate reads high and the abandon rate low. Read answer "
                          "and abandon rates by queue."),
    "tel_group_answered_only": ("放弃的电话没有接听坐席，归入「（无）」一行。",
                                "Abandoned calls have no answering agent: they are in the row «(none)»."),
    "tel_no_value": ("（无）", "(none)"),
    "tel_inbound": ("呼入电话", "Inbound calls"),
    "tel_no_queue": ("（无队列）", "(no queue)"),
    "tel_linked": ("关联工单的电话", "Calls naming a ticket"),
    "tel_tickets": ("关联工单数", "Linked tickets"),
    "tel_n_fcr": ("n（一次解决率）", "n (FCR)"),
    "tel_n_csat": ("n（满意度）", "n (CSAT)"),
}
