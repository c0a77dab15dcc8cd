"""Texts of the Settings page (/settings)."""

TEXT: dict[str, tuple[str, str]] = {
    "settings_intro": ("修改后立即生效，并记录到审计日志。", "Changes take effect at once and are written to the audit log."),
    "settings_manager_note": ("你可以修改指标目标；SLA 规则、日历、评分权重、话务阈值、回访与质检抽样数量和时区只有管理员可以修改。",
                              "You may edit the targets; SLA rules, calendars, scoring weights, the telephony "
                              "thresholds, the callback and QA-sample numbers and the timezone need an "
                              "administrator."),
    "settings_admin_only": ("只有管理员可以修改。", "Only an administrator may change this."),
    "settings_targets": ("指标目标", "Targets"),
    "settings_targets_help": ("比率以 % 填写。目标留空表示取消该目标（升级后也不会恢复，可用「目标恢复默认」找回）。"
                              "状态：达到目标为绿色，差距在预警带内为黄色，否则为红色。",
                              "Rates are entered in %. Leave the target empty to remove it (an upgrade does not "
                              "bring it back; Reset targets to defaults does). Status: green when met, amber "
                              "within the warning band, red otherwise."),
    "settings_unit": ("单位", "Unit"),
    "settings_direction": ("方向", "Direction"),
    "settings_unit_min": ("分钟", "min"),
    "settings_unit_h": ("小时", "h"),
    "settings_unit_score": ("分", "score"),
    "settings_unit_points": ("分", "points"),
    "settings_dir_higher": ("越高越好 (≥)", "higher is better (≥)"),
    "settings_dir_lower": ("越低越好 (≤)", "lower is better (≤)"),
    "settings_target_help": ("要达到的值（比率以 % 计）", "The value to reach (rates in %)"),
    "settings_warning": ("预警带", "Warning band"),
    "settings_warning_help": ("未达标但差距不超过此值时显示为黄色", "Amber when missed by no more than this"),
    "settings_source": ("来源", "Source"),
    "settings_source_help": ("目标值的出处。修改目标值后，来源自动记为「由 用户 于 日期 在设置页设定」；"
                             "也可以自行填写出处。改回默认值时恢复默认来源。",
                             "Where the value comes from. A changed value is recorded as \"set in Settings by "
                             "<user> on <date>\" unless you type a source here; the default value brings back "
                             "the default's source."),
    "settings_save_targets": ("保存目标", "Save targets"),
    "settings_reset_targets": ("目标恢复默认", "Reset targets to defaults"),
    "settings_targets_saved": ("目标已保存并生效。", "Targets saved; they apply now."),
    "settings_targets_reset": ("目标已恢复为默认值。", "Targets reset to the defaults."),
    "settings_sla": ("SLA 规则", "SLA rules"),
    "settings_sla_help": ("按渠道、业务类型、紧急程度匹配工单，时限以分钟填写（1 小时 = 60，24 小时 = 1440）。留空的匹配条件表示任意；"
                          "每个时限取自设置了该时限、匹配字段最多的规则，相同时取排在前面的规则。",
                          "Rules match tickets on channel, type and priority; limits are in minutes (1 h = 60, "
                          "24 h = 1440). An empty match field means any. Each limit comes from the most specific "
                          "matching rule that sets it; a tie goes to the rule listed first."),
    "settings_frt_limit": ("首次响应时限（分钟）", "First response limit (min)"),
    "settings_res_limit": ("解决时限（分钟）", "Resolution limit (min)"),
    "settings_frt_limit_short": ("首次响应时限", "First response"),
    "settings_res_limit_short": ("解决时限", "Resolution"),
    "settings_any": ("任意", "any"),
    "settings_preview": ("规则预览（按当前工单计算）", "Rule preview (on the current tickets)"),
    "settings_matches": ("匹配工单", "Matched"),
    "settings_matches_help": ("当前工单中符合此规则匹配条件的工单数", "Current tickets this rule's match fields fit"),
    "settings_sets_frt": ("定首响时限", "Sets first resp."),
    "settings_sets_frt_help": ("首次响应时限取自此规则的工单数", "Tickets whose first-response limit comes from this rule"),
    "settings_sets_res": ("定解决时限", "Sets resolution"),
    "settings_sets_res_help": ("解决时限取自此规则的工单数", "Tickets whose resolution limit comes from this rule"),
    "settings_rules_unsaved": ("SLA 规则已修改但尚未保存：下方预览按修改后的规则计算，点击「保存 SLA 规则」后生效。",
                               "The SLA rules are edited but not saved: the preview below uses them; press "
                               "Save SLA rules to apply them."),
    "settings_save_rules": ("保存 SLA 规则", "Save SLA rules"),
    "settings_rules_saved": ("SLA 规则已保存，及时率等指标已按新规则重新计算。",
                             "SLA rules saved; the SLA indicators now use them."),
    "settings_minutes": ("{n} 分钟", "{n} min"),
    "settings_hours": ("{n} 小时", "{n} h"),
    "settings_scoring": ("评分权重", "Scoring weights"),
    "settings_scoring_help": ("坐席与班组综合得分的各项权重（只看比例）和等级线：等级按本期得分的百分位划分（默认前 20% 优秀、"
                              "其次 30% 良好、再次 30% 合格、末 20% 待改进）。",
                              "Weights of the agent and team composite score (only their ratios matter) and the "
                              "grade bands: percentiles of the period's scores (by default the top 20 % Excellent, "
                              "the next 30 % Good, the next 30 % Pass, the bottom 20 % Needs improvement)."),
    "settings_band_excellent": ("优秀：自第几百分位", "Excellent from percentile"),
    "settings_band_good": ("良好：自第几百分位", "Good from percentile"),
    "settings_band_pass": ("合格：自第几百分位", "Pass from percentile"),
    "settings_save_scoring": ("保存评分权重", "Save scoring weights"),
    "settings_scoring_saved": ("评分权重已保存。", "Scoring weights saved."),
    "settings_timezone": ("时区", "Timezone"),
    "settings_timezone_help": ("中心所在时区。导入时带时区偏移的时间会换算到此时区。",
                               "The center's timezone. Imported timestamps with an offset are converted to it."),
    "settings_save_timezone": ("保存时区", "Save timezone"),
    "settings_timezone_saved": ("时区已保存。", "Timezone saved."),
    "settings_reset": ("恢复默认设置", "Reset to defaults"),
    "settings_reset_help": ("恢复服务标准中的默认值：SLA 规则、指标目标、业务日历与暂停状态、话务阈值、回访与质检抽样数量、时区和评分权重。",
                            "Restores the defaults of the service standards: SLA rules, targets, business calendars "
                            "and pause statuses, the telephony thresholds, the callback and QA-sample numbers, the "
                            "timezone and the scoring weights."),
    "settings_reset_confirm": ("我确认恢复全部默认设置", "I confirm resetting every setting"),
    "settings_reset_all": ("全部恢复默认", "Reset everything"),
    "settings_reset_done": ("已恢复默认设置。", "Defaults restored."),
    "settings_calendar": ("计时日历", "Calendar"),
    "settings_calendar_help": ("时限按哪个日历计时：24x7 为全天候；营业日历只计营业时间。",
                               "The calendar the limits count on: 24x7 counts every minute; a business calendar "
                               "only its opening hours."),
    "settings_pause_frt": ("首响也暂停", "Pause first resp."),
    "settings_pause_frt_help": ("勾选后，工单处于暂停状态的时间也不计入首次响应时限（解决时限总是扣除）。",
                                "Ticked: time in a pause status also stops the first-response clock (it always "
                                "stops the resolution clock)."),
    "settings_rules_change": ("按修改后的规则，{n} 张工单的 SLA 状态将改变（首次响应 {f}，解决 {r}）。",
                              "Under the edited rules, {n} tickets change SLA status (first response {f}, "
                              "resolution {r})."),
    "settings_calendars": ("营业日历与节假日", "Business calendars and holidays"),
    "settings_calendars_help": ("营业日历决定 SLA 时限按哪些时间计时：每周各天的营业时段（可多段，如午休）、中国法定节假日与调休，"
                                "以及本中心自己的休息日和额外工作日。调休上班日和额外工作日按所选工作日的营业时间。",
                                "A business calendar decides which time an SLA limit counts: the opening hours of "
                                "each weekday (several spans allowed, e.g. a lunch break), Chinese statutory "
                                "holidays with their 调休 make-up days, and the center's own closed and extra "
                                "working days. Make-up and extra working days open with the hours of the chosen "
                                "weekday."),
    "settings_cal_pick": ("日历", "Calendar"),
    "settings_cal_new": ("＋ 新建日历", "+ New calendar"),
    "settings_cal_name": ("新日历名称（字母、数字、_ 或 -）", "New calendar name (letters, digits, _ or -)"),
    "settings_cal_weekday": ("星期", "Weekday"),
    "settings_cal_hours": ("营业时段", "Opening hours"),
    "settings_cal_hours_help": ("如 09:00-12:00, 13:30-18:00；留空表示当天不营业。",
                                "e.g. 09:00-12:00, 13:30-18:00; empty means closed that day."),
    "settings_cal_holidays": ("按中国法定节假日及调休（节假日不营业，调休日上班）",
                              "Chinese statutory holidays and 调休 (closed on holidays, open on make-up days)"),
    "settings_cal_years": ("节假日数据覆盖 {a}–{b} 年；其他年份只按每周营业时间计。",
                           "Holiday data covers {a}–{b}; other years follow the weekly hours only."),
    "settings_cal_closed": ("本中心休息日（每行一个日期，YYYY-MM-DD）", "The center's own closed days (one date a line, YYYY-MM-DD)"),
    "settings_cal_working": ("本中心额外工作日（每行一个日期）", "Extra working days (one date a line)"),
    "settings_cal_makeup": ("调休日与额外工作日按哪天的营业时间", "Make-up and extra working days open like"),
    "settings_wd_mon": ("星期一", "Monday"), "settings_wd_tue": ("星期二", "Tuesday"),
    "settings_wd_wed": ("星期三", "Wednesday"), "settings_wd_thu": ("星期四", "Thursday"),
    "settings_wd_fri": ("星期五", "Friday"), "settings_wd_sat": ("星期六", "Saturday"),
    "settings_wd_sun": ("星期日", "Sunday"),
    "settings_pause": ("暂停状态", "Pause statuses"),
    "settings_pause_help": ("工单处于这些状态（来自工单流转记录）的时间不计入解决时限；规则勾选「首响也暂停」时也不计入首次响应时限。",
                            "Time a ticket spends in these statuses (from its status history) does not count "
                            "against the resolution limit, nor against first response where a rule says so."),
    "settings_clock_preview": ("若保存：{n} 张工单的 SLA 状态将改变（共 {t} 张；首次响应 {f}，解决 {r}）。",
                               "If saved: {n} of {t} tickets change SLA status (first response {f}, "
                               "resolution {r})."),
    "settings_clock_moves": ("状态变化", "Changes"),
    "settings_clock_unchanged": ("此修改不改变任何工单的 SLA 状态。", "This edit changes no ticket's SLA status."),
    "settings_calendars_unsaved": ("日历或暂停状态已修改但尚未保存：下方预览按修改后的设置计算，点击「保存日历与暂停状态」后生效。",
                                   "The calendar or pause statuses are edited but not saved: the preview below uses "
                                   "the edit; press Save calendars and pause statuses to apply it."),
    "settings_save_calendars": ("保存日历与暂停状态", "Save calendars and pause statuses"),
    "settings_calendars_saved": ("日历与暂停状态已保存，SLA 指标已按新日历重新计算。",
                                 "Calendars and pause statuses saved; the SLA indicators now use them."),
    "settings_delete_calendar": ("删除此日历", "Delete this calendar"),
    "settings_calendar_deleted": ("日历已删除。", "Calendar deleted."),
    "settings_limit_frt": ("首次响应", "First response"),
    "settings_limit_res": ("解决", "Resolution"),
    "sla_state_met": ("达标", "met"),
    "sla_state_breached": ("超时", "breached"),
    "sla_state_inside": ("时限内", "inside the limit"),
    "sla_state_none": ("无时限", "no limit"),
    "settings_numbers": ("话务阈值、客户回访与质检抽样", "Telephony thresholds, callbacks and QA sample"),
    "settings_numbers_help": ("话务阈值用于呼入量、放弃率和服务水平，并显示在每个话务指标旁；回访与抽样数量用于每季度的回访计划和每周的质检抽样。"
                              "所有数值一起校验，任何一个无效则都不保存。",
                              "The thresholds count calls offered, abandons and the service level, and are shown "
                              "beside every telephony figure; the numbers size the quarterly callback plan and the "
                              "weekly QA sample. All values are checked together: if one is invalid, none is saved."),
    "settings_num_telephony": ("话务阈值", "Telephony thresholds"),
    "settings_num_callbacks": ("客户回访", "Callbacks"),
    "settings_num_qa": ("质检抽样", "QA sample"),
    "settings_num_short_abandon_s": ("短时放弃阈值（秒）", "Short-abandon threshold (s)"),
    "settings_num_short_abandon_s_help": ("排队开始后在此秒数内（含）挂机的电话不计入呼入量。默认 5 秒。",
                                          "A call abandoned within this many seconds of its queue time (inclusive) "
                                          "is not a call offered. Default 5 s."),
    "settings_num_service_level_s": ("服务水平阈值（秒）", "Service-level threshold (s)"),
    "settings_num_service_level_s_help": ("等待不超过此秒数（含）即接通的电话计入服务水平。默认 20 秒（80/20）。",
                                          "A call answered after waiting this many seconds or less (inclusive) "
                                          "counts toward the service level. Default 20 s (80/20)."),
    "settings_num_callbacks_per_agent": ("每季度每名工程师回访客户数", "Callbacks per engineer per quarter"),
    "settings_num_callbacks_per_agent_help": ("每季度为每名在岗工程师抽取的回访客户数。默认 5。",
                                              "Customers drawn each quarter for every active engineer. Default 5."),
    "settings_num_callback_followup_days": ("二次回访时限（天）", "Second callback within (days)"),
    "settings_num_callback_followup_days_help": ("需要二次回访的，须在首次回访后此天数内完成。默认 3 天。",
                                                 "A callback that needs a second one must get it within this many "
                                                 "days. Default 3."),
    "settings_num_qa_sample_per_agent": ("每周每名坐席质检抽样数", "QA sample per agent per week"),
    "settings_num_qa_sample_per_agent_help": ("每周从每名坐席当周创建的工单中抽取的质检数量。默认 5。",
                                              "Tickets drawn each week from every agent's tickets of that week. "
                                              "Default 5."),
    "settings_num_qa_new_agent_factor": ("新坐席抽样倍数", "New agents' sample factor"),
    "settings_num_qa_new_agent_factor_help": ("新坐席的抽样数 = 每周抽样数 × 此倍数。默认 2。",
                                              "A new agent's sample is the weekly number times this. Default 2."),
    "settings_num_qa_new_agent_days": ("新坐席：入职不满（天）", "New agent: hired less than (days)"),
    "settings_num_qa_new_agent_days_help": ("入职不满此天数的坐席按新坐席抽样。默认 90 天。",
                                            "Agents hired fewer than this many days before count as new. Default 90."),
    "settings_save_numbers": ("保存阈值与数量", "Save thresholds and numbers"),
    "settings_numbers_saved": ("话务阈值与回访、抽样数量已保存。", "Telephony thresholds and callback and QA-sample numbers saved."),
}
