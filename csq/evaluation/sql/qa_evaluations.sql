-- One row per QA evaluation inside the filter, scored as the qa_score indicator does (qa.sql):
-- 100 x weighted points / weighted maximum (weight 1 when missing), 0 when a critical criterion
-- lost any point. Its evaluator is the one who scored most of its criteria (ties: alphabetical),
-- since some QA exports split one form between evaluators. Team: ticket, roster, usual one.
WITH ev AS (
    SELECT evaluation_id,
        min(evaluated_at) AS evaluated_at,
        min(agent) AS agent,
        min(ticket_id) AS ticket_id,
        count(DISTINCT evaluator) AS evaluators,
        bool_or(critical AND score < max_score) AS critical_failed,
        100.0 * sum(coalesce(weight, 1) * score) / nullif(sum(coalesce(weight, 1) * max_score), 0) AS pct
    FROM qa_current
    GROUP BY evaluation_id
),
main_evaluator AS (
    SELECT evaluation_id, evaluator
    FROM (SELECT evaluation_id, evaluator, count(*) AS n FROM qa_current
          WHERE evaluator IS NOT NULL GROUP BY ALL)
    QUALIFY row_number() OVER (PARTITION BY evaluation_id ORDER BY n DESC, evaluator) = 1
),
usual AS (
    {agent_team}
)
SELECT e.evaluation_id, e.ticket_id, e.agent, coalesce(t.team, a.team, u.team) AS team, m.evaluator,
    e.evaluators, e.evaluated_at, strftime(e.evaluated_at, '%Y-%m') AS month,
    CASE WHEN e.critical_failed THEN 0.0 ELSE e.pct END AS score, e.pct AS points_pct, e.critical_failed
FROM ev e
LEFT JOIN main_evaluator m ON m.evaluation_id = e.evaluation_id
LEFT JOIN {ticket_source} t ON t.ticket_id = e.ticket_id
LEFT JOIN agents_current a ON a.agent = e.agent
LEFT JOIN usual u ON u.agent = e.agent
WHERE {where}
