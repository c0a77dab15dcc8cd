"""UI text of the Evaluation page (/evaluation): SERVQUAL, QA scorecard, agent and team scorecards, training."""

TEXT: dict[str, tuple[str, str]] = {
    "ev_tab_servqual": ("SERVQUAL 差距", "SERVQUAL gaps"),
    "ev_tab_qa": ("质检评分", "QA scorecard"),
    "ev_tab_scorecard": ("坐席与班组评分", "Agent & team scorecard"),
    "ev_tab_training": ("培训考核", "Training"),
    # SERVQUAL
    "ev_dim_tangibles": ("有形性", "Tangibles"),
    "ev_dim_reliability": ("可靠性", "Reliability"),
    "ev_dim_responsiveness": ("响应性", "Responsiveness"),
    "ev_dim_assurance": ("保证性", "Assurance"),
    "ev_dim_empathy": ("移情性", "Empathy"),
    "ev_dimension": ("维度", "Dimension"),
    "ev_expectation": ("期望 E", "Expectation E"),
    "ev_perception": ("感知 P", "Perception P"),
    "ev_gap": ("差距 P − E", "Gap P − E"),
    "ev_gap_axis": ("差距 P − E（分，7 分制）", "Gap P − E (points on the 1–7 scale)"),
    "ev_ci": ("{p}% 置信区间", "{p}% CI"),
    "ev_points": ("平均权重分", "Mean points"),
    "ev_alpha_p": ("α（感知）", "α (perception)"),
    "ev_alpha_e": ("α（期望）", "α (expectation)"),
    "ev_weighted_gap": ("加权差距", "Weighted gap"),
    "ev_unweighted_gap": ("未加权差距", "Unweighted gap"),
    "ev_respondents": ("受访者", "Respondents"),
    "ev_with_points": ("其中 {n} 人给出有效的 100 分权重", "{n} of them gave valid 100 points"),
    "ev_sq_filtered": ("SERVQUAL 问卷不含渠道、班组等工单字段，在当前筛选条件下没有匹配的问卷。清除渠道、业务类型、班组等筛选即可查看。",
                       "SERVQUAL responses carry no channel, team or other ticket fields, so none matches these "
                       "filters. Clear the field filters to see them."),
    "ev_sq_none": ("统计期内没有 SERVQUAL 问卷。导入问卷：`python -m csq import 文件.csv --kind servqual`。",
                   "No SERVQUAL responses in this period. Import them with `python -m csq import FILE.csv --kind servqual`."),
    "ev_gap_chart": ("各维度差距（P − E，误差线为 {p}% 置信区间）", "Gap by dimension (P − E, bars show the {p}% CI)"),
    "ev_biggest": ("差距最大的是 **{dim}**：感知比期望低 **{gap}** 分（{p}% 置信区间 {low} 至 {high}，n = {n}）。",
                   "The biggest gap is in **{dim}**: perception falls **{gap}** points short of expectation "
                   "({p}% CI {low} to {high}, n = {n})."),
    "ev_no_gap": ("各维度感知均达到或超过期望。", "Perception meets or beats expectation in every dimension."),
    "ev_biggest_drivers": ("对应的运营指标：{drivers}。", "Its operational indicators: {drivers}."),
    "ev_biggest_no_drivers": ("该维度（环境、设施等）没有对应的运营指标，请结合现场检查分析。",
                              "No operational indicator covers this dimension (premises, equipment); check on site."),
    "ev_alpha_warn": ("以下维度的 Cronbach's α 低于 0.7，题目之间一致性不足，该维度得分需谨慎解读：{dims}。",
                      "Cronbach's α is below 0.7 for {dims}: the items do not hang together, read those scores with care."),
    "ev_formula_sq": ("计算方法", "How it is computed"),
    "ev_formula_sq_body": (
        "- 每题的期望 E、感知 P 为该题两侧都作答的受访者的平均分（1–7）；维度的 E、P、差距为其各题的平均，n 为至少答了一题的受访者数。\n"
        "- **加权差距**：每位受访者用自己分配的 100 分（五项齐全且合计 100±0.5）对各维度差距加权：Σ 权重分 × 维度差距 ÷ Σ 权重分；"
        "未给出有效权重的按五个维度等权；再对受访者求平均。\n"
        "- **未加权差距**：五个维度差距的平均。\n"
        "- 置信区间为受访者层面的 t 区间；Cronbach's α 以答全该维度所有题目的受访者计算，低于 0.7 说明题目一致性不足。\n"
        "- 调查波次按回答日期所在季度划分。",
        "- An item's expectation E and perception P are the mean scores (1–7) of the respondents who answered it on "
        "both sides; a dimension's E, P and gap are the means over its items; n counts respondents with at least one item.\n"
        "- **Weighted gap**: each respondent's dimension gaps weighted by their own 100 points (all five given, "
        "adding up to 100 ± 0.5): Σ points × gap ÷ Σ points; equal weights without valid points; then averaged over respondents.\n"
        "- **Unweighted gap**: the mean of the five dimension gaps.\n"
        "- Confidence intervals are t intervals over respondents; Cronbach's α uses respondents who answered every item "
        "of the dimension; below 0.7 the items do not measure one thing.\n"
        "- A survey wave is the calendar quarter of the response date."),
    "ev_diagnosis": ("五差距诊断", "Five-gap diagnosis"),
    "ev_diagnosis_help": ("SERVQUAL 测得的是差距5（客户期望与感知之差）。下表按差距从大到小，把每个维度与驱动它的运营指标（服务交付，差距3）并列，便于定位原因。",
                          "SERVQUAL measures gap 5 (customer expectation vs perception). Each dimension, widest gap "
                          "first, sits next to the operational indicators that drive it (service delivery, gap 3)."),
    "ev_criteria_for": ("相关质检项", "Related QA criteria"),
    "ev_items": ("题目明细", "Item detail"),
    "ev_item": ("题目", "Item"),
    "ev_waves": ("各波次趋势", "Trend across survey waves"),
    "ev_waves_chart": ("各维度差距与加权差距（按季度波次）", "Gap of each dimension and the weighted gap, by quarterly wave"),
    "ev_wave": ("波次", "Wave"),
    "ev_wave_low_n": ("{wave}（n = {n}，样本不足）", "{wave} (n = {n}, too few)"),
    "ev_waves_low_n": ("以下波次受访者少于 {min_n} 人，差距的置信区间很宽，不宜与其他波次比较：{waves}。",
                       "Fewer than {min_n} respondents in {waves}: their gaps have wide confidence intervals; do not "
                       "compare them with the other waves."),
    "ev_one_wave": ("统计期内只有一个调查波次，扩大统计期可查看趋势。", "Only one survey wave in the period; widen it to see a trend."),
    # QA
    "ev_evaluations": ("质检单数", "Evaluations"),
    "ev_criterion": ("评分项", "Criterion"),
    "ev_critical": ("致命项", "Critical"),
    "ev_max_score": ("满分", "Max score"),
    "ev_weight": ("权重", "Weight"),
    "ev_mean_score": ("平均得分", "Mean score"),
    "ev_mean_pct": ("得分率", "Share of max"),
    "ev_pass_rate": ("满分率（合格）", "Pass rate (full marks)"),
    "ev_criteria": ("评分项表现", "Criteria"),
    "ev_by_agent": ("按坐席", "By agent"),
    "ev_by_evaluator": ("按质检员", "By evaluator"),
    "ev_evaluator": ("质检员", "Evaluator"),
    "ev_points_pct": ("致命项规则前得分", "Score before the critical rule"),
    "ev_agreement": ("质检员一致性", "Evaluator agreement"),
    "ev_icc": ("组内相关系数 ICC(1,1)", "Intraclass correlation ICC(1,1)"),
    "ev_double": ("被两名质检员评分的工单", "Tickets scored by two evaluators"),
    "ev_critical_agreement": ("致命项判定一致率", "Critical verdict agreement"),
    "ev_mad": ("平均分差", "Mean score difference"),
    "ev_offset": ("平均偏差（分）", "Average offset (points)"),
    "ev_no_double": ("统计期内没有被两名质检员重复评分的工单，无法计算一致性。建议每月抽取约 5% 的工单做交叉质检。",
                     "No ticket was scored by two evaluators in the period, so agreement cannot be measured. "
                     "Have about 5 % of tickets scored twice each month."),
    "ev_icc_level": ("一致性{level}（ICC {icc}，{p}% 置信区间 {low} 至 {high}，{n} 张工单）。",
                     "Agreement is {level} (ICC {icc}, {p}% CI {low} to {high}, {n} tickets)."),
    "ev_icc_poor": ("差", "poor"), "ev_icc_moderate": ("一般", "moderate"), "ev_icc_good": ("良好", "good"),
    "ev_icc_excellent": ("优秀", "excellent"),
    "ev_offset_note": ("**{who}** 对同一工单的评分平均比其他质检员{dir} **{x}** 分（{p}% 置信区间 {low} 至 {high}，n = {n}），建议校准。",
                       "**{who}** scores the same tickets **{x}** points {dir} than the others on average "
                       "({p}% CI {low} to {high}, n = {n}); calibrate."),
    "ev_lower": ("低", "lower"), "ev_higher": ("高", "higher"),
    "ev_no_qa": ("统计期内没有质检记录。", "No QA evaluations in this period."),
    "ev_formula_qa_body": (
        "- 每张质检单得分 = 100 × Σ(权重 × 得分) ÷ Σ(权重 × 满分)，未给权重按 1 计；任一致命项未得满分，该单记 0 分。\n"
        "- 评分项“合格”指该项得满分（与致命项判定规则一致）。\n"
        "- 质检单的质检员为评分项最多的那位（部分导出中一张单由多人评分）。\n"
        "- 一致性：对被两名以上质检员评分的工单，取最早两次评分，计算单向随机效应 ICC(1,1) 及其 F 分布置信区间"
        "（>0.9 优秀，0.75–0.9 良好，0.5–0.75 一般，<0.5 差）；偏差为质检员评分与同一工单各次评分平均值之差的平均。",
        "- Each evaluation scores 100 × Σ(weight × score) ÷ Σ(weight × max_score), weight 1 when not given; it scores 0 "
        "when any critical criterion is below full marks.\n"
        "- A criterion passes when it keeps all its points (the rule that makes a critical criterion fail).\n"
        "- An evaluation's evaluator is the one who scored most of its criteria (some exports split a form).\n"
        "- Agreement: on tickets scored by two or more evaluators, the first two evaluations give the one-way random "
        "ICC(1,1) with its F-based CI (> 0.9 excellent, 0.75–0.9 good, 0.5–0.75 moderate, < 0.5 poor); an offset is an "
        "evaluator's score minus the mean of all evaluations of the same ticket, averaged."),
    # Scorecard
    "ev_by": ("评分对象", "Score by"),
    "ev_score": ("综合得分", "Composite score"),
    "ev_grade": ("等级", "Grade"),
    "ev_score_axis": ("综合得分（0–100 分）", "Composite score (0–100 points)"),
    "ev_rank": ("排名", "Rank"),
    "ev_change": ("较上期", "vs previous"),
    "ev_n_tickets": ("工单数 n", "Tickets n"),
    "ev_not_ranked": ("样本不足", "too few"),
    "ev_grade_excellent": ("优秀", "Excellent"), "ev_grade_good": ("良好", "Good"), "ev_grade_pass": ("合格", "Satisfactory"),
    "ev_grade_improve": ("待改进", "Needs improvement"),
    "ev_min_n_note": ("工单数少于 {n} 的对象只显示、不参与排名。", "Rows with fewer than {n} tickets are shown but not ranked."),
    "ev_how_score": ("综合得分如何计算", "How the score is computed"),
    "ev_how_score_body": (
        "- 各分项换算为 0–100：质检得分原值；满意度、首次响应及时率、问题解决率、培训合格率、质检覆盖率、回访满意率、二次回访及时率 × 100；"
        "投诉率取反：100 × (1 − 投诉率)；平均处理时长：100 × min(1, 目标 ÷ AHT)（目标取设置中的 AHT 目标，无目标时取本期中位数）；"
        "接听量：100 × min(1, 接听量 ÷ 本期有接听的对象的中位数)。\n"
        "- 综合得分 = Σ 权重 × 分项得分 ÷ Σ 权重，只计有数据的分项（缺数据的分项，如没有接听、没有回访、没有抽样工单，不计为 0，"
        "其余权重按比例放大）。\n"
        "- 等级按本期综合得分的百分位相对划分：达到第 {excellent} 百分位为优秀，第 {good} 百分位为良好，第 {pass_} 百分位为合格，"
        "其余待改进（默认即前 20% 优秀、其次 30% 良好、再次 30% 合格、末 20% 待改进）。百分位 = 100 × (低于该分的人数 + ½ × 同分人数) ÷ "
        "参与排名的人数；各等级的分数线取达到该百分位的最低分，样本不足、不排名的对象按同一分数线评级。"
        "各分项多在 85–95% 的目标附近，综合得分挤在几分之内，固定分数线会让几乎所有人都是优秀，所以按分布划分。\n"
        "- n 为统计期内处理的工单数；少于 {min_n} 不排名。排名按综合得分从高到低，同分同名次。\n"
        "- 当前权重：{weights}。",
        "- Each component on a 0–100 scale: QA score as it is; CSAT, first response within SLA, resolution rate, "
        "training pass rate, QA sample coverage and the two callback rates × 100; complaint rate inverted: "
        "100 × (1 − rate); average handle time: 100 × min(1, target ÷ AHT) (the AHT target of Settings, else the period's "
        "median); calls answered: 100 × min(1, calls ÷ the median of the period's rows that answered calls).\n"
        "- Composite = Σ weight × component ÷ Σ weight over the components with data (a component without data, such as "
        "no call answered, no callback or no sampled ticket, is left out, never 0, and the other weights scale up).\n"
        "- Grades are relative, by percentile of the period's composite scores: from the {excellent}th percentile "
        "Excellent, from the {good}th Good, from the {pass_}th Satisfactory, otherwise Needs improvement (by default the "
        "top 20 %, the next 30 %, the next 30 % and the bottom 20 %). A score's percentile is 100 × (rows below + ½ × rows "
        "equal) ÷ the ranked rows; a grade's cut-off is the lowest score that reaches its percentile, and rows too small "
        "to rank are graded by the same cut-offs. The components mostly sit near their 85–95 % targets, so composites "
        "cluster within a few points and fixed cut-offs would grade almost everyone Excellent.\n"
        "- n is the tickets handled in the period; below {min_n} a row is not ranked. Rank 1 is the highest composite; "
        "ties share a rank.\n"
        "- Current weights: {weights}."),
    "ev_edit_weights": ("调整权重与等级线", "Edit weights and grade bands"),
    "ev_save": ("保存", "Save"),
    "ev_saved": ("已保存，并记入审计日志。", "Saved and written to the audit log."),
    "ev_band_excellent": ("优秀：自第几百分位", "Excellent from percentile"),
    "ev_band_good": ("良好：自第几百分位", "Good from percentile"),
    "ev_band_pass": ("合格：自第几百分位", "Satisfactory from percentile"),
    "ev_grade_note": ("等级分布（共 {n} 个）：{spread}。本期分数线：{cutoffs}。",
                      "Grades ({n} rows): {spread}. This period's cut-offs: {cutoffs}."),
    "ev_detail_lines": ("虚线为本期各等级的分数线。", "Dotted lines: this period's grade cut-offs."),
    "ev_min_n": ("最少工单数", "Minimum tickets"),
    "ev_pick_row": ("点击表格中的一行查看该坐席/班组的详情。", "Click a row to see that agent's or team's detail."),
    "ev_detail": ("详情：{who}", "Detail: {who}"),
    "ev_score_trend": ("综合得分月度趋势", "Composite score by month"),
    "ev_no_scorecard": ("统计期内没有可评分的坐席或班组。", "No agent or team to score in this period."),
    # Training
    "ev_course": ("课程", "Course"),
    "ev_by_course": ("按课程", "By course"),
    "ev_by_team": ("按班组", "By team"),
    "ev_passed": ("合格人次", "Passed"),
    "ev_assessments": ("考核人次", "Assessments"),
    "ev_below": ("未达及格线的坐席及培训前后的质检得分", "Agents below the pass mark and their QA before and after"),
    "ev_below_help": ("质检得分为考核日前后各 {days} 天内该坐席质检单的平均分。", "QA score = mean of the agent's evaluations in the {days} days before and from the assessment."),
    "ev_assessed_at": ("考核日期", "Assessed"),
    "ev_exam_score": ("成绩", "Score"),
    "ev_pass_mark": ("及格线", "Pass mark"),
    "ev_qa_before": ("培训前质检", "QA before"),
    "ev_qa_after": ("培训后质检", "QA after"),
    "ev_qa_change": ("变化", "Change"),
    "ev_retake": ("补考通过", "Passed a retake"),
    "ev_yes": ("是", "yes"), "ev_no": ("否", "no"),
    "ev_no_training": ("统计期内没有培训考核记录。", "No training assessments in this period."),
    "ev_all_passed": ("统计期内所有考核均已合格。", "Every assessment in the period was passed."),
    "ev_n": ("n", "n"),
}
