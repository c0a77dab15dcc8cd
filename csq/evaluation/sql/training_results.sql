-- Training assessments inside the filter with their result, as training_pass_rate counts them: an
-- explicit passed flag wins, else score against the pass mark (60 when missing). Team: own, roster, usual.
WITH usual AS (
    {agent_team}
)
SELECT r.agent, coalesce(r.team, a.team, u.team) AS team, r.course, r.assessed_at, r.score,
    coalesce(r.pass_mark, 60) AS pass_mark,
    coalesce(r.passed, r.score >= coalesce(r.pass_mark, 60)) AS passed
FROM training_current r
LEFT JOIN agents_current a ON a.agent = r.agent
LEFT JOIN usual u ON u.agent = r.agent
WHERE {where}
