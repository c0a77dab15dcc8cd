"""Texts of the Settings page (/settings)."""

TEXT: dict[str, tuple[str, str]] = {
    "settings_intro": ("修改后立即生效，并记录到审计日志。", "Changes take effect at once and are written to the audit log."),
    "settings_manager_note": ("你可以修改指标目标；SLA 规则、评分权重和时区只有管理员可以修改。",
                              "You may edit the targets; SLA rules, scoring weights and the timezone need an "
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
    "settings_reset_help": ("恢复服务标准中的默认值：SLA 规则、指标目标、时区和评分权重。",
                            "Restores the defaults of the service standards: SLA rules, targets, timezone and "
                            "scoring weights."),
    "settings_reset_confirm": ("我确认恢复全部默认设置", "I confirm resetting every setting"),
    "settings_reset_all": ("全部恢复默认", "Reset everything"),
    "settings_reset_done": ("已恢复默认设置。", "Defaults restored."),
}
