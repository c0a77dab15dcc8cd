-- Failed QA criteria for the Pareto: one count per criterion row scored below its maximum.
-- Dimensions as for the QA indicators: the evaluation's agent, team by ticket, roster, usual team.
WITH usual AS (
    {agent_team}
)
SELECT e.criterion AS category, count(*) AS count
FROM qa_current e
LEFT JOIN {ticket_source} t ON t.ticket_id = e.ticket_id
LEFT JOIN agents_current a ON a.agent = e.agent
LEFT JOIN usual u ON u.agent = e.agent
WHERE e.score < e.max_score AND {where}
GROUP BY ALL
