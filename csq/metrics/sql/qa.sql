-- QA indicators per evaluation: an evaluation is dated by its earliest criterion row, scores
-- 100 x weighted points / weighted maximum (weight 1 when missing), and scores 0 when a critical
-- criterion lost any point. Its team: the ticket's, else the roster's, else the agent's usual one.
WITH ev AS (
    SELECT evaluation_id,
        min(evaluated_at) AS evaluated_at,
        min(agent) AS agent,
        min(ticket_id) AS ticket_id,
        bool_or(critical AND score < max_score) AS critical_failed,
        100.0 * sum(coalesce(weight, 1) * score) / nullif(sum(coalesce(weight, 1) * max_score), 0) AS pct
    FROM qa_current
    GROUP BY evaluation_id
),
usual AS (
    {agent_team}
),
base AS (
    SELECT {groups}
        CASE WHEN e.critical_failed THEN 0.0 ELSE e.pct END AS score,
        e.critical_failed
    FROM ev e
    LEFT JOIN {ticket_source} t ON t.ticket_id = e.ticket_id
    LEFT JOIN agents_current a ON a.agent = e.agent
    LEFT JOIN usual u ON u.agent = e.agent
    WHERE {where}
)
SELECT {group_names}
    avg(score) AS qa_score, count(score) AS n_qa_score,
    count_if(critical_failed) / nullif(count(*), 0) AS qa_critical_fail_rate,
    count(*) AS n_qa_critical_fail_rate
FROM base
GROUP BY ALL
